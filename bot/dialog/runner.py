"""Run the steps that do not wait for the user: say, branch, set, call, goto, action, end."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from bot.dialog.core import TurnCore
from bot.errors import ActionError
from bot.flow.model import (
    ActionStep,
    BranchStep,
    CallStep,
    EndStep,
    GotoStep,
    SayStep,
    SetStep,
    Step,
)

__all__ = ("run_action", "run_step")

logger = logging.getLogger(__name__)


def run_step(turn: TurnCore, step: Step) -> None:
    """Run one step that is not an action (:func:`run_action` awaits those) and move the
    conversation to whatever comes next."""
    runner = _RUNNERS.get(type(step))  # one look-up, not a chain of isinstance checks
    if runner is not None:
        runner(turn, step)


def _say(turn: TurnCore, step: SayStep) -> None:
    turn.say(step.message)
    turn.move(step.next)


def _branch(turn: TurnCore, step: BranchStep) -> None:
    turn.move(turn.branch_target(step))


def _set(turn: TurnCore, step: SetStep) -> None:
    for slot, expression in step.assignments:
        turn.state.assign(slot, expression.evaluate(turn.variables({})))
    turn.move(step.next)


def _call(turn: TurnCore, step: CallStep) -> None:
    turn.push(step.flow)


def _goto(turn: TurnCore, step: GotoStep) -> None:
    turn.state.stack.pop()
    turn.push(step.flow, step.step)


def _end(turn: TurnCore, step: EndStep) -> None:
    turn.release()  # the closing line comes after an action's messages (an export)
    if step.message is not None:
        turn.say(step.message)
    result = step.result
    turn.finish(None if result is None else result.evaluate(turn.variables({})))


def _action(turn: TurnCore, step: ActionStep) -> None:
    raise TypeError("an action step runs with run_action")


# Step classes have no subclasses (bot.flow.model), so the exact type finds the runner.
_RUNNERS: dict[type[Step], Callable[[TurnCore, Any], None]] = {
    SayStep: _say,
    BranchStep: _branch,
    SetStep: _set,
    CallStep: _call,
    GotoStep: _goto,
    EndStep: _end,
    ActionStep: _action,
}


async def run_action(turn: TurnCore, step: ActionStep) -> None:
    spec = turn.catalog.actions.get(step.action)
    if spec is None:  # the loader checks this; a flow kept from an older version may not
        raise ActionError(f"the action {step.action!r} is not registered")
    context = turn.variables({})
    inputs = {name: expression.evaluate(context) for name, expression in step.inputs}
    try:
        outputs = await spec.function(turn.context, inputs)
    except Exception as exc:
        if step.on_error is None:
            raise ActionError(f"the action {step.action!r} failed") from exc
        logger.warning(
            "action %s failed (%s); continuing at %s",
            step.action,
            type(exc).__name__,
            step.on_error,
        )
        turn.move(step.on_error)
        return
    turn.hold(list(turn.context.outbox))
    turn.context.outbox.clear()
    for output, slot in step.outputs:
        if output in outputs:
            turn.state.assign(slot, outputs[output])
    turn.move(step.next)
