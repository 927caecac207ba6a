"""A question's time-out fired (a scheduled ``ask_timeout`` job came due)."""

from __future__ import annotations

from bot.dialog.advance import goto_step
from bot.dialog.core import TurnCore
from bot.flow.model import AskStep

__all__ = ("timed_out",)


async def timed_out(turn: TurnCore, token: str) -> None:
    """Go on at the question's ``on_timeout`` step, if that question is still the open one."""
    state = turn.state
    state.timeout_armed = False
    step = turn.current_step() if state.active else None
    if not isinstance(step, AskStep) or token != str(state.seq) or not step.on_timeout:
        return
    state.attempts = 0
    await goto_step(turn, step.on_timeout)
