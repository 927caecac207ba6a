"""A submitted form: the answers to a group of questions that share one form name."""

from __future__ import annotations

from typing import Any

from bot.answers.parse import Parsed, parse_answer
from bot.dialog.answering import accept
from bot.dialog.asking import ask, form_group, reprompt, token_target
from bot.dialog.confirm import ask_to_confirm
from bot.dialog.core import FORM_MARK, TurnCore
from bot.flow.model import AskStep

__all__ = ("submitted",)


async def submitted(turn: TurnCore, values: tuple[tuple[str, str], ...]) -> None:
    """Read every field; any refused one shows the form again with the reasons."""
    step = turn.current_step()
    if (
        not isinstance(step, AskStep)
        or token_target(turn, turn.incoming.choice_token) != FORM_MARK
    ):
        turn.say_system("coach_stale")
        reprompt(turn)
        return
    group = form_group(turn, step)
    given = dict(values)
    parsed: dict[str, Any] = {}
    errors: list[tuple[str, str]] = []
    guessed: Parsed | None = None  # a date-time to confirm, as a typed one is
    for asked in group:
        outcome = parse_answer(
            asked.kind,
            given.get(asked.slot, ""),
            rule=asked.rule,
            now=turn.context.now,
            time_zone=turn.context.time_zone,
            choices=asked.choices,
        )
        if isinstance(outcome, Parsed):
            parsed[asked.slot] = outcome.value
            guessed = guessed or (outcome if outcome.confirm else None)
        else:
            errors.append((asked.slot, outcome.reason))
    if errors:
        turn.say_system("coach_invalid", reason=errors[0][1])
        ask(turn, step, again=True, form_errors=tuple(errors))
        return
    if guessed is not None:
        ask_to_confirm(turn, guessed, form=parsed)
        return
    await accept(turn, group[-1], parsed)
