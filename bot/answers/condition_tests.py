"""The app's own Jinja tests for conditions: ``contact is phone_number``, ``is email_address``.

Each reads the value as the matching ask kind would (:func:`bot.answers.parse.parse_answer`) and
is True when it reads. The composition root (:mod:`bot.app`) hands them to the renderer as
``tests=``; the built-in ``matching`` test is :mod:`bot.render.conditions`.
"""

from __future__ import annotations

from datetime import UTC, datetime

from bot.flow.model import Rule
from bot.render.conditions import ConditionTest

__all__ = ("app_tests",)


def _is_phone_number(value: object) -> bool:
    # The answer readers are imported by the first condition that uses them, not at start-up.
    from bot.answers.parse import Parsed, parse_answer

    outcome = parse_answer("phone", str(value or ""), rule=Rule(), now=datetime.now(UTC))
    return isinstance(outcome, Parsed)


def _is_email_address(value: object) -> bool:
    from bot.answers.parse import Parsed, parse_answer

    outcome = parse_answer("email", str(value or ""), rule=Rule(), now=datetime.now(UTC))
    return isinstance(outcome, Parsed)


def app_tests() -> dict[str, ConditionTest]:
    """The tests this app registers for conditions (beside Jinja's own and ``matching``)."""
    return {"phone_number": _is_phone_number, "email_address": _is_email_address}
