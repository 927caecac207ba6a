"""Running the flow forward: from where the conversation is to the next question (or the end).

Steps that do not wait run through :func:`bot.dialog.runner.run_step`; the first question is
asked (:func:`bot.dialog.asking.ask`) and the turn stops there.
"""

from __future__ import annotations

from bot.dialog.asking import ask
from bot.dialog.core import TurnCore
from bot.dialog.runner import run_action, run_step
from bot.errors import CoachError
from bot.flow.model import MAX_STEPS_PER_TURN, ActionStep, AskStep

__all__ = ("MAX_STEPS_PER_TURN", "FlowLoopError", "advance", "enter", "goto_step")


class FlowLoopError(CoachError):
    """A flow ran many steps without asking anything: a loop in the flow."""


async def enter(turn: TurnCore, flow_id: str, step_id: str | None = None) -> None:
    """Start ``flow_id`` (at ``step_id``, else its start) on top of the stack and run it."""
    turn.push(flow_id, step_id)
    await advance(turn)


async def goto_step(turn: TurnCore, step_id: str | None) -> None:
    """Continue at ``step_id`` in this flow (None finishes it) and run on."""
    turn.move(step_id)
    await advance(turn)


async def advance(turn: TurnCore) -> None:
    """Run steps until one asks the user something or the conversation ends.

    Raises:
        FlowLoopError: more than :data:`MAX_STEPS_PER_TURN` steps ran without a question.
    """
    listener, state = turn.step_listener, turn.state
    for _ in range(MAX_STEPS_PER_TURN):
        if not state.stack:
            return
        step = turn.current_step()
        if listener is not None:
            listener(state.stack[-1].flow, step.id)
        turn.count(step.id, "started")
        if isinstance(step, AskStep):
            ask(turn, step)
            return
        if isinstance(step, ActionStep):  # the only kind that awaits
            await run_action(turn, step)
        else:
            run_step(turn, step)
    raise FlowLoopError(f"more than {MAX_STEPS_PER_TURN} steps without a question")
