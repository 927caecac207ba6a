"""Jinja tests for flow conditions: ``code is matching("[A-Z]{2}[0-9]{4}")``, ``role is given``
and the app's own.

``matching`` is always there: the value, as text, must match the regular expression from its
start to its end (as an ask's ``pattern`` does). ``given`` is too: the answer is there and says
something (not "skip", "none", "idk", "not sure" or a question back), so a drafted message may
use it. The app registers more
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

__all__ = (
    "BUILTIN_TESTS",
    "NOT_GIVEN",
    "ConditionTest",
    "check_patterns",
    "given",
    "is_skip_word",
    "matching",
)

ConditionTest = Callable[..., bool]


@functools.lru_cache(maxsize=256)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def matching(value: object, pattern: str) -> bool:
    """Whether ``value`` (as text) matches ``pattern`` whole; nothing (None) never matches."""
    if value is None:
        return False
    return _compiled(str(pattern)).fullmatch(str(value)) is not None


# Answers that give nothing to put in a drafted message: "Hi idk," and "the not sure yet role"
# were written before (a tester's report). Compared casefolded, apostrophes dropped, without
# the punctuation at the ends.
NOT_GIVEN = frozenset(
    {
        "", "skip", "-", "--", "no", "nope", "none", "n/a", "na", "nil", "nothing", "nobody",
        "no one", "noone", "idk", "i dont know", "dont know", "do not know", "i do not know",
        "not sure", "not sure yet", "unsure", "no idea", "unknown", "dunno", "pass", "later", "?",
        "??",
        "\N{SHRUG}",
    }
)  # fmt: skip
_ENDS = " .!?,;:\u200d\u2640\u2642\ufe0f\U0001f3fb\U0001f3fc\U0001f3fd\U0001f3fe\U0001f3ff"


def given(value: object) -> bool:
    """Whether an answer gives something to write: not missing, not a skip word, not "idk",
    and not a question ("why do you need that?")."""
    from jinja2 import Undefined  # a missing slot; imported by the first use only

    if value is None or isinstance(value, Undefined):
        return False
    text = str(value).strip()
    if len(text) > 2 and text.endswith("?"):
        return False
    return not is_skip_word(text)


def is_skip_word(text: str) -> bool:
    """Whether ``text`` says "nothing here": skip, none, idk, not sure, a shrug..."""
    text = text.strip()
    folded = text.casefold().replace("'", "").replace("\u2019", "").strip(_ENDS)
    return folded in NOT_GIVEN or text in NOT_GIVEN


BUILTIN_TESTS: Mapping[str, ConditionTest] = {"matching": matching, "given": given}


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
