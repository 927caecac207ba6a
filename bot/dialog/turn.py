"""One turn: apply one :class:`Incoming` to a conversation's state and collect the replies.

The engine loads the state, runs a :class:`Turn`, and commits the result. A turn never talks to
the store except through actions, and everything it schedules is collected in ``context`` so it is
committed atomically with the state.

:class:`Turn` only decides what the event is and hands it to its handler: a time-out
(:mod:`~bot.dialog.on_timeout`), a command or an idle message (:mod:`~bot.dialog.on_command`),
the answer to a date confirmation (:mod:`~bot.dialog.confirm`), a typed answer
(:mod:`~bot.dialog.on_typed`), a submitted form (:mod:`~bot.dialog.on_form`) or a pressed
choice (:mod:`~bot.dialog.on_choice`). The state they share is :class:`~bot.dialog.core.TurnCore`.
"""

from __future__ import annotations

from bot.dialog.advance import enter
from bot.dialog.confirm import confirmed, confirming
from bot.dialog.core import TOPIC_TOKEN, TurnCore
from bot.dialog.on_choice import pressed
from bot.dialog.on_command import command, start
from bot.dialog.on_form import submitted
from bot.dialog.on_timeout import timed_out
from bot.dialog.on_typed import typed, typed_time_zone

__all__ = ("Turn",)


class Turn(TurnCore):
    """The coordinator: runs the handler for the event, then settles the question's time-out."""

    async def run(self) -> None:
        seq_at_start = self.state.seq
        await self._dispatch()
        if self.held:  # (mostly not: no call for nothing)
            self.release()
        state = self.state
        moved_on = state.seq != seq_at_start or not state.stack
        if state.timeout_armed and moved_on and not self.armed_this_turn:
            # the question that had a time-out was answered: its time-out must not fire
            self.context.cancel(self.timeout_key)
            state.timeout_armed = False

    async def enter(self, flow_id: str, step_id: str | None = None) -> None:
        """Start ``flow_id`` (at ``step_id``) and run it to its first question."""
        await enter(self, flow_id, step_id)

    async def _dispatch(self) -> None:
        incoming, state = self.incoming, self.state
        if incoming.timeout_token is not None:
            await timed_out(self, incoming.timeout_token)
        elif incoming.choice_token and incoming.choice_token.startswith(TOPIC_TOKEN):
            await command(self, incoming.choice_token.removeprefix(TOPIC_TOKEN), "")
        elif not state.stack:  # not active (the property is a call; this turn is hot)
            await start(self)
        elif incoming.command is not None:
            state.pending = None if confirming(state.pending) else state.pending
            await command(self, incoming.command.name, incoming.command.args)
        elif state.pending and confirming(state.pending) and await confirmed(self):  # mostly none
            pass
        elif state.pending == "time_zone" and incoming.text is not None:
            await typed_time_zone(self, incoming.text)
        elif incoming.form is not None:
            await submitted(self, incoming.form)
        elif incoming.choice_token is not None:
            await pressed(self, incoming.choice_token)
        elif incoming.text is not None:
            await typed(self, incoming.text)
