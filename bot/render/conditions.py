"""Jinja tests for flow conditions: ``code is matching("[A-Z]{2}[0-9]{4}")`` and the app's own.

``matching`` is always there: the value, as text, must match the regular expression from its
start to its end (as an ask's ``pattern`` does). The app registers more
(:func:`bot.answers.condition_tests.app_tests`: ``x is phone_number``, ``x is email_address``),
each a plain function of the value that returns True or False; the composition root
(:mod:`bot.app`) hands them to :class:`bot.render.templates.TemplateRenderer` as ``tests=``, so
rendering never imports the answer readers.
A condition that names an unknown test, or a ``matching`` pattern that is not a valid regular
expression, fails when the flows load, with the file and line.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from jinja2.sandbox import ImmutableSandboxedEnvironment

__all__ = ("BUILTIN_TESTS", "ConditionTest", "check_patterns", "matching")

ConditionTest = Callable[..., bool]


@functools.lru_cache(maxsize=256)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def matching(value: object, pattern: str) -> bool:
    """Whether ``value`` (as text) matches ``pattern`` whole; nothing (None) never matches."""
    if value is None:
        return False
    return _compiled(str(pattern)).fullmatch(str(value)) is not None


BUILTIN_TESTS: Mapping[str, ConditionTest] = {"matching": matching}


def check_patterns(env: ImmutableSandboxedEnvironment, source: str) -> None:
    """Refuse a ``matching`` test whose pattern (a literal) is not a valid regular expression.

    Raises:
        jinja2.TemplateSyntaxError: naming the pattern and what is wrong with it.
    """
    # Jinja is imported by the checks, not by the tests' definitions (see bot.render.sources).
    from jinja2 import nodes
    from jinja2.exceptions import TemplateSyntaxError

    tree = env.parse(f"{{{{ {source} }}}}")
    for test in tree.find_all(nodes.Test):
        if test.name != "matching" or not test.args:
            continue
        argument = test.args[0]
        if isinstance(argument, nodes.Const) and isinstance(argument.value, str):
            try:
                re.compile(argument.value)
            except re.error as exc:
                problem = f"the pattern {argument.value!r} is not a regular expression: {exc}"
                raise TemplateSyntaxError(problem, test.lineno) from None
