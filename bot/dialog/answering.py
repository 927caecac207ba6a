"""What follows an answer: accepted (into its slot, on to the next step) or refused (why, and
the question again, until the question's attempts run out)."""

from __future__ import annotations

from typing import Any

from bot.boundary import Reply
from bot.dialog.advance import advance, enter, goto_step
from bot.dialog.asking import reprompt
from bot.dialog.core import TurnCore
from bot.flow.model import AskStep

__all__ = ("accept", "refuse")


async def accept(turn: TurnCore, step: AskStep, values: dict[str, Any]) -> None:
    """Store the answer's ``values`` and continue where the chosen option (or the step) leads."""
    state = turn.state
    turn.count(state.stack[-1].step, "answered")
    state.checkpoint()
    for slot, value in values.items():
        state.assign(slot, value)
    state.attempts = 0
    chosen = _chosen_next(step, values) if step.choices else None
    turn.move(chosen or step.next)  # goto_step, one coroutine fewer
    await advance(turn)


def _chosen_next(step: AskStep, values: dict[str, Any]) -> str | None:
    """Where the option answered leads, if it leads anywhere of its own."""
    answer = values.get(step.slot)
    # a yes/no question's options are "yes" and "no"; its answer is a bool
    wanted = ("yes" if answer else "no") if step.kind == "yesno" else None
    for choice in step.choices:
        if choice.id == answer or choice.id == wanted:
            return choice.next
    return None


async def refuse(
    turn: TurnCore, step: AskStep, reason: str, unparsed: bool, offer: Reply | None = None
) -> None:
    """Say why the answer does not fit; after the last attempt, go on without it."""
    state = turn.state
    turn.count(state.stack[-1].step, "retried")
    state.attempts += 1
    message = step.unparsed if unparsed else step.invalid
    extra = {"reason": reason, "attempts": state.attempts}
    # the last refusal is explained too: the user must know why the coach moves on
    if message is not None:
        turn.say(message, **extra)
    else:
        turn.say_system("coach_unparsed" if unparsed else "coach_invalid", **extra)
    if state.attempts >= step.max_attempts:
        state.attempts = 0
        if step.on_fail:
            state.checkpoint()  # so that `back` returns to the question that failed
            await goto_step(turn, step.on_fail)
        else:
            turn.say_system("coach_gave_up")
            state.reset()
            await enter(turn, turn.catalog.menu_flow)
        return
    if offer is not None:
        turn.replies.append(offer)
    reprompt(turn)
