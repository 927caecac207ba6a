"""A pressed button of the current question (a choice, yes/no, or a number of a scale)."""

from __future__ import annotations

from typing import Any

from bot.dialog.answering import accept
from bot.dialog.asking import options, reprompt, token_target
from bot.dialog.core import TurnCore
from bot.flow.model import AskStep

__all__ = ("pressed",)


async def pressed(turn: TurnCore, token: str) -> None:
    """Answer the current question with the pressed option; a stale button gets the question
    again."""
    step = turn.current_step()
    choice_id = token_target(turn, token)
    found = options(step) if isinstance(step, AskStep) else ()
    option = next((c for c in found if c.id == choice_id), None)
    if not isinstance(step, AskStep) or option is None:
        turn.say_system("coach_stale")
        reprompt(turn)
        return
    value: Any = option.id if step.kind == "choice" else option.id == "yes"
    if step.kind == "choice" and step.rule.max is not None and step.rule.max > 1:
        value = [option.id]  # a choice of several: one press is a list of one
    if step.kind == "scale":
        value = int(option.id.removeprefix("n"))
    await accept(turn, step, {step.slot: value})
