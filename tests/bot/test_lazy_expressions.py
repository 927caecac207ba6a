"""Flow expressions are checked at load and compiled on first use (a start-up saving).

Deferring code generation must not defer any error: every expression of every shipped flow
compiles, an unknown filter or test is still a load error, and a lazily compiled expression
gives what Jinja's own ``compile_expression`` gives.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jinja2 import TemplateAssertionError, TemplateSyntaxError

from bot.app import build_actions, load_content
from bot.flow.model import Expression
from bot.render.templates import TemplateRenderer

ROOT = Path(__file__).resolve().parents[2]
DIALOGS = ROOT / "dialogs"


def expressions_in(value: object, seen: set[int] | None = None) -> Iterator[Expression]:
    """Every :class:`Expression` reachable from ``value`` (dataclasses, lists, dicts)."""
    seen = set() if seen is None else seen
    if id(value) in seen:
        return
    seen.add(id(value))
    if isinstance(value, Expression):
        yield value
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for item in dataclasses.fields(value):
            yield from expressions_in(getattr(value, item.name), seen)
    elif isinstance(value, dict):
        for item in value.values():
            yield from expressions_in(item, seen)
    elif isinstance(value, (list, tuple, set, frozenset)):
        for item in value:
            yield from expressions_in(item, seen)


@pytest.fixture(scope="module")
def renderer() -> TemplateRenderer:
    return TemplateRenderer(template_dirs=[DIALOGS / "templates"])


def test_every_expression_of_every_shipped_flow_compiles() -> None:
    _renderer, registry = load_content(DIALOGS, actions=build_actions())
    found = list(expressions_in(registry))
    assert len(found) > 50  # the walk reached the steps
    for expression in found:
        compile_now = getattr(expression.evaluate, "_compile", None)
        assert compile_now is not None, expression.source  # deferred, as intended
        compile_now()  # raises if code generation would fail at the first turn


@pytest.mark.parametrize(
    ("source", "error"),
    [
        ("answer | no_such_filter", TemplateAssertionError),
        ("a if b | zz else c", TemplateAssertionError),
        ("x is no_such_test", TemplateAssertionError),
        ("x x", TemplateSyntaxError),
        ("1 +", TemplateSyntaxError),
        ("", TemplateSyntaxError),
    ],
)
def test_a_bad_expression_is_still_a_load_error(
    renderer: TemplateRenderer, source: str, error: type[Exception]
) -> None:
    with pytest.raises(error):
        renderer.compile_expression(source)


CASES = [
    "x | default(3) + 1",
    "answer in ['yes', 'no']",
    "(n or 0) > 2 and not flag",
    "name | default('there') | upper",
    "items | length",
    "x ~ '-' ~ y",
]


@settings(max_examples=80, deadline=None)
@given(
    source=st.sampled_from(CASES),
    x=st.one_of(st.none(), st.integers(-5, 5)),
    y=st.text(max_size=5),
    flag=st.booleans(),
)
def test_lazy_expressions_answer_as_jinja_does(
    renderer: TemplateRenderer, source: str, x: int | None, y: str, flag: bool
) -> None:
    variables = {"x": x, "y": y, "n": x, "flag": flag, "answer": y, "name": y, "items": [x]}
    env = renderer._check_env  # the environment expressions compile in
    eager = env.compile_expression(source, undefined_to_none=False)
    lazy = renderer.compile_expression(source)
    try:
        expected: object = eager(variables)
    except Exception as exc:  # the same failure either way
        with pytest.raises(type(exc)):
            lazy(variables)
        return
    assert lazy(variables) == expected
    assert lazy(variables) == expected  # compiled once, then reused
