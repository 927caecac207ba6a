"""A real engine on a throwaway in-memory store with a clock the author sets: the studio's coach.

The studio (``adapters/studio``) talks to flows through this class only, so it never sees the
store, the engine's encoded conversation state or job payloads: it sends events, presets where
a conversation starts, asks where it is, and runs the next scheduled job (a reminder or a
question's time-out) as if its time had come.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from bot.boundary import ConversationRef, Incoming, Reply
from bot.dialog.engine import Engine
from bot.dialog.state import ConversationState, Frame
from bot.flow.model import Flow
from bot.flowtools.lint import Dialogs
from bot.store import Job, TurnCommit
from bot.store.memory import MemoryStore

__all__ = ("Flow", "Sandbox", "ScheduledJob")


@dataclass(frozen=True, slots=True)
class ScheduledJob:
    """The next thing the scheduler would run: what kind and when."""

    kind: str  # "reminder", "ask_timeout", ...
    due_at: datetime


class Sandbox:
    """One conversation's engine, store and clock (``clock`` is read at every turn)."""

    def __init__(
        self, dialogs: Dialogs, *, entry_flow: str, clock: Callable[[], datetime]
    ) -> None:
        self.store = MemoryStore()
        self.engine = Engine(
            registry=dialogs.registry,
            renderer=dialogs.renderer,
            store=self.store,
            actions=dialogs.actions,
            entry_flow=entry_flow,
            clock=clock,
        )

    async def handle(self, incoming: Incoming) -> list[Reply]:
        return await self.engine.handle(incoming)

    async def preset(
        self,
        ref: ConversationRef,
        flow: Flow | None,
        step: str | None,
        slots: Mapping[str, object],
    ) -> bool:
        """Start the conversation with ``slots`` set and, when ``flow`` has ``step``, waiting
        at that step. Returns whether a step was set (then ask ``repeat`` to show it)."""
        state = ConversationState(slots=dict(slots))
        if step is not None and flow is not None and step in flow.steps:
            state.stack.append(Frame(flow.id, flow.version, step))
        await self.store.commit_turn(
            TurnCommit(
                conversation_key=ref.key,
                user_key=ref.user_key,
                state=state.to_json(),
                expected_version=0,
            )
        )
        return bool(state.stack)

    async def where(
        self, ref: ConversationRef
    ) -> tuple[str | None, str | None, dict[str, object]]:
        """(flow, step, slots) the conversation is at; no flow when it has ended."""
        stored = await self.store.load_conversation(ref.key)
        state = ConversationState.from_json(stored.state) if stored else ConversationState()
        if not state.active:
            return None, None, dict(state.slots)
        return state.top.flow, state.top.step, dict(state.slots)

    async def next_job(self, ref: ConversationRef) -> ScheduledJob | None:
        job = await self._next(ref)
        return None if job is None else ScheduledJob(job.kind, job.due_at)

    async def run_next_job(self, ref: ConversationRef) -> list[Reply]:
        """Run the soonest pending job of this person now, and mark it done."""
        job = await self._next(ref)
        if job is None:
            return []
        _, replies = await self.engine.run_job(job)
        await self.store.finish_job(job.id)
        return list(replies)

    async def _next(self, ref: ConversationRef) -> Job | None:
        jobs = sorted(await self.store.pending_jobs(ref.user_key), key=lambda j: j.due_at)
        return jobs[0] if jobs else None
