"""Plain Python for the simplest Jinja (bot.render.plain) gives exactly what Jinja gives.

Conditions like ``interest == "interested"`` and texts like ``{{ reason }}`` skip Jinja's
context and render function; the values, the escaping and the errors must stay Jinja's.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jinja2 import Template, Undefined
from jinja2.environment import TemplateExpression
from jinja2.exceptions import UndefinedError

from bot.app import build_actions, load_content
from bot.render.plain import PlainFirst, PlainTemplate
from bot.render.templates import TemplateRenderer
from tests.bot.test_lazy_expressions import expressions_in

ROOT = Path(__file__).resolve().parents[2]
DIALOGS = ROOT / "dialogs"

PLAIN_EXPRESSIONS = [
    "x == 1",
    "x != y",
    "x > 1 and not flag",
    "x or y",
    "x <= 2 or missing",
    "missing == 1",
    "y in answer",
    "y not in answer",
    "not (x >= 0)",
    '"declined"',
    "true",
    "none",
    "flag and x < 3",
]
JINJA_EXPRESSIONS = ["x | default(3)", "x < y < 3", "x in [1, 2]", "user.name", "range(2) | list"]


@pytest.fixture(scope="module")
def renderer() -> TemplateRenderer:
    return TemplateRenderer(template_dirs=[DIALOGS / "templates"])


def outcome(function: object, variables: dict[str, object]) -> object:
    """The value, or the type of the error raised.

    Jinja can return an undefined value without raising (``x <= 2 or missing`` with ``x == 3``);
    StrictUndefined raises ``UndefinedError`` at its first use (a condition's truth, a slot's
    value), which the plain version raises at once: the same outcome for the caller.
    """
    try:
        value = function(variables)  # type: ignore[operator]
    except Exception as exc:
        return type(exc)
    return UndefinedError if isinstance(value, Undefined) else value


@settings(max_examples=120, deadline=None)
@given(
    source=st.sampled_from(PLAIN_EXPRESSIONS + JINJA_EXPRESSIONS),
    x=st.one_of(st.none(), st.integers(-3, 3), st.text(max_size=2)),
    y=st.one_of(st.none(), st.integers(-3, 3), st.text(max_size=2)),
    flag=st.booleans(),
    answer=st.one_of(st.text(max_size=4), st.none()),
)
def test_plain_expressions_answer_as_jinja_does(
    renderer: TemplateRenderer, source: str, x: object, y: object, flag: bool, answer: object
) -> None:
    variables = {"x": x, "y": y, "flag": flag, "answer": answer, "user": {"name": "Ann"}}
    env = renderer._check_env
    jinja = env.compile_expression(source, undefined_to_none=False)
    ours = renderer.compile_expression(source)
    assert outcome(ours, variables) == outcome(jinja, variables)
    compiled = ours._compiled  # type: ignore[attr-defined]
    assert isinstance(compiled, PlainFirst) == (source in PLAIN_EXPRESSIONS)


def test_a_missing_name_raises_jinjas_error(renderer: TemplateRenderer) -> None:
    condition = renderer.compile_expression("missing == 1")
    with pytest.raises(UndefinedError, match="'missing' is undefined"):
        condition({})
    # a Jinja global is not a variable, and Jinja finds it
    assert renderer.compile_expression("range != none")({}) is True


def test_most_shipped_conditions_are_plain() -> None:
    _renderer, registry = load_content(DIALOGS, actions=build_actions())
    found = list(expressions_in(registry))
    compiled = [expression.evaluate._compile() for expression in found]  # type: ignore[attr-defined]
    plain = [c for c in compiled if isinstance(c, PlainFirst)]
    assert len(plain) > len(found) / 2
    jinja = [c for c in compiled if isinstance(c, TemplateExpression)]
    assert len(plain) + len(jinja) == len(found)


TEXTS = [
    "{{ reason }}",
    "Hi {{ name }}, *you* said {{ reason }}.\n\nBye {{ name }}",
    "{{ count }} of {{ items }}: {{ nothing }}",
    "{{ name }}{# a comment #} and {{ range }}",
]


@settings(max_examples=60, deadline=None)
@given(
    text=st.sampled_from(TEXTS),
    platform=st.sampled_from(["console", "slack", "discord"]),
    name=st.text(max_size=6),
    reason=st.text(alphabet="ab*_<>&[]()`~ ", max_size=8),
)
def test_plain_texts_render_as_jinja_does(
    renderer: TemplateRenderer, text: str, platform: str, name: str, reason: str
) -> None:
    from bot.render.compiling import compile_variation

    env = renderer._env(platform)
    variables = {
        "name": name,
        "reason": reason,
        "count": 3,
        "items": [name, 1],
        "nothing": None,
    }
    plain = compile_variation(env, text, "t")
    jinja = env.from_string(text)
    assert isinstance(plain, PlainTemplate)
    assert plain.render(variables) == jinja.render(variables)


def test_a_text_with_a_missing_name_raises_jinjas_error(renderer: TemplateRenderer) -> None:
    from bot.render.compiling import compile_variation

    plain = compile_variation(renderer._env("console"), "Hi {{ name }}", "t")
    assert isinstance(plain, PlainTemplate)
    with pytest.raises(UndefinedError, match="'name' is undefined"):
        plain.render({})


@pytest.mark.parametrize(
    "text",
    ["{{ name | upper }}", "{% if x %}a{% endif %}", "{{ user.name }}", "{{ 'a' }} {{ name }}"],
)
def test_other_jinja_stays_jinja(renderer: TemplateRenderer, text: str) -> None:
    from bot.render.compiling import compile_variation

    compiled = compile_variation(renderer._env("console"), text, "t")
    assert isinstance(compiled, Template)
