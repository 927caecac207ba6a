"""Fixed texts are read without Jinja (bot/render/sources.py) and must come out exactly as Jinja
renders them, for every variation of every shipped template and for edge cases of the format; a
variation chosen (``TemplateRenderer.choose``, as the engine renders) is the text rendered."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from jinja2 import StrictUndefined
from jinja2.sandbox import ImmutableSandboxedEnvironment

from bot.app import build_actions, load_content
from bot.flow.model import Message
from bot.render.sources import StaticText, split_variations, static_text
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
    renderer = _renderer(tmp_path, named="Hello {{ name }}.\n")
    hello = renderer.render(platform="console", context={}, seed=1, template="hello")
    inline = renderer.compile_inline(["Fixed one.", "Fixed two."])
    fixed = renderer.render(platform="console", context={}, seed=0, inline=inline)
    assert (hello, fixed) == ("Hi there.", "Fixed one.")
    assert renderer._envs == {} and renderer._checks_env is None
    named = renderer.render(
        platform="console", context={"name": "*Sam*"}, seed=0, template="named"
    )
    assert named == "Hello \\*Sam\\*." and "console" in renderer._envs


def shipped_messages() -> tuple[TemplateRenderer, list[Message]]:
    renderer, registry = load_content(SHIPPED_TEMPLATES.parent, actions=build_actions())
    messages = [Message(template=path.stem) for path in SHIPPED_TEMPLATES.rglob("*.j2")]
    for flow in registry.flows.values():
        for step in flow.steps.values():
            for field in dataclasses.fields(step):
                value = getattr(step, field.name)
                if isinstance(value, Message):
                    messages.append(value)
    return renderer, messages


@pytest.mark.parametrize("platform", ["console", "slack", "discord"])
def test_a_fixed_variation_chosen_is_the_text_rendered(platform: str) -> None:
    renderer, messages = shipped_messages()
    fixed = 0
    for message in messages:
        template, inline = message.template, message.compiled
        if template is not None and inline is not None:
            with pytest.raises(ValueError):
                renderer.choose(platform, template, inline, 0)
            continue
        for seed in range(3):
            chosen = renderer.choose(platform, template, inline, lambda: seed)  # noqa: B023
            if type(chosen) is StaticText:
                fixed += 1
                rendered = renderer.render(
                    platform=platform, context={}, seed=seed, template=template, inline=inline
                )
                assert chosen.text == rendered, message
    assert fixed > 150  # most of the coach's messages, three seeds each


def test_the_seed_chooses_the_variation(tmp_path: Path) -> None:
    renderer = _renderer(tmp_path, mixed="Hello {{ name }}.\n{# --- #}\nHello.\n")

    def text(chosen: object) -> str | None:
        return chosen.text if isinstance(chosen, StaticText) else None

    assert text(renderer.choose("console", "hello", None, 1)) == "Hi there."
    assert text(renderer.choose("console", "hello", None, lambda: 2)) == "Hello there."
    assert text(renderer.choose("console", "mixed", None, 0)) is None  # Jinja: renders a context
    assert text(renderer.choose("console", "mixed", None, 1)) == "Hello."
    inline = renderer.compile_inline
    assert text(renderer.choose("console", None, inline("Fixed."), 0)) == "Fixed."
    assert text(renderer.choose("console", None, inline(["A.", "B."]), 1)) == "B."
    assert text(renderer.choose("console", None, inline("{{ x }}"), 0)) is None
    with pytest.raises(ValueError):
        renderer.choose("console", None, None, 0)


def _renderer(tmp_path: Path, **templates: str) -> TemplateRenderer:
    """A renderer of `hello` (two fixed variations) and ``templates`` (name: text)."""
    common = tmp_path / "common"
    common.mkdir()
    templates = {"hello": "Hello there.\n{# --- #}\nHi there.\n", **templates}
    for name, text in templates.items():
        (common / f"{name}.j2").write_text(text, encoding="utf-8")
    return TemplateRenderer(template_dirs=[tmp_path])
