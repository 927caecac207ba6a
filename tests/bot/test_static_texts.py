"""Fixed texts are read without Jinja (bot/render/sources.py) and must come out exactly as Jinja
renders them, for every variation of every shipped template and for edge cases of the format."""

from __future__ import annotations

from pathlib import Path

import pytest
from jinja2 import StrictUndefined
from jinja2.sandbox import ImmutableSandboxedEnvironment

from bot.render.sources import split_variations, static_text
from bot.render.templates import TemplateRenderer

SHIPPED_TEMPLATES = Path(__file__).resolve().parents[2] / "dialogs" / "templates"


def jinja_render(text: str) -> str:
    """What the renderer's environment makes of a text (its settings, no escaper involved)."""
    env = ImmutableSandboxedEnvironment(
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    return env.from_string(text).render().strip()


def shipped_variations() -> list[str]:
    texts: list[str] = []
    for path in sorted(SHIPPED_TEMPLATES.rglob("*.j2")):
        texts.extend(split_variations(path.read_text(encoding="utf-8")))
    return texts


def test_every_fixed_shipped_variation_reads_as_jinja_renders_it() -> None:
    fixed = [(text, static_text(text)) for text in shipped_variations()]
    fixed_only = [(text, found) for text, found in fixed if found is not None]
    assert len(fixed_only) > 100  # most of the coach's messages are fixed texts
    for text, found in fixed_only:
        assert found is not None and found.text == jinja_render(text), text


@pytest.mark.parametrize(
    "text",
    [
        "plain\r\nwith windows line ends\r\n",
        "  padded  \n\n",
        "a #} and a %} and }} alone are text",
        "{#\n\n#}second variation after two lines",
        "single { braces } stay",
    ],
)
def test_edge_cases_read_as_jinja_renders_them(text: str) -> None:
    found = static_text(text)
    assert found is not None and found.text == jinja_render(text)


@pytest.mark.parametrize(
    "text", ["{{ name }}", "a {% if x %}b{% endif %}", "a {# note #} b", "x\n{#\n#}{{ y }}"]
)
def test_texts_with_jinja_syntax_are_left_to_jinja(text: str) -> None:
    assert static_text(text) is None


def test_a_renderer_shows_fixed_texts_without_building_an_environment(tmp_path: Path) -> None:
    common = tmp_path / "common"
    common.mkdir()
    (common / "hello.j2").write_text("Hello there.\n{# --- #}\nHi there.\n", encoding="utf-8")
    (common / "named.j2").write_text("Hello {{ name }}.\n", encoding="utf-8")
    renderer = TemplateRenderer(template_dirs=[tmp_path])
    hello = renderer.render(platform="console", context={}, seed=1, template="hello")
    inline = renderer.compile_inline(["Fixed one.", "Fixed two."])
    fixed = renderer.render(platform="console", context={}, seed=0, inline=inline)
    assert (hello, fixed) == ("Hi there.", "Fixed one.")
    assert renderer._envs == {} and renderer._checks_env is None
    named = renderer.render(
        platform="console", context={"name": "*Sam*"}, seed=0, template="named"
    )
    assert named == "Hello \\*Sam\\*." and "console" in renderer._envs
