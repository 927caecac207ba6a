"""One studio conversation: the real engine on a throwaway in-memory store, with a fixed clock.

Every turn the author takes is recorded as a :class:`Turn` (typed text, the id of a pressed
button, form values, a jump to the next reminder). The turns are the conversation: switching the
platform, changing the clock or the time zone, and a reload after a file was saved all start a
fresh engine and replay them. So the chat keeps its place while the steps it went through still
exist, earlier replies show the edited templates, and "save as a test" writes the same turns as a
transcript test (:mod:`bot.flowtools.casefile`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from bot.boundary import Choice, Command, ConversationRef, Form, Incoming, Reply, UserInfo
from bot.flowtools.casefile import DEFAULT_NOW
from bot.flowtools.lint import Dialogs, LintReport, lint, load_dialogs
from bot.flowtools.sandbox import Sandbox
from bot.flowtools.transcript import DEFAULT_ENTRY_FLOW

__all__ = ("PLATFORMS", "Shown", "StudioSession", "Turn")

Platform = Literal["slack", "discord", "console"]
PLATFORMS: tuple[Platform, ...] = ("slack", "discord", "console")
TurnKind = Literal["user", "press", "form", "jump"]


class _Failures(logging.Handler):
    """What the engine logs at WARNING and above during a turn (it never raises)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@dataclass(frozen=True, slots=True)
class Turn:
    """What the author did: ``value`` is the text, the choice id or the form values."""

    kind: TurnKind
    value: str | tuple[tuple[str, str], ...] = ""


@dataclass(slots=True)
class Shown:
    """One entry of the chat: the author's turn (``replies`` empty) or the coach's replies."""

    who: Literal["author", "coach", "note"]
    text: str = ""
    replies: list[Reply] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Record:
    """A turn taken, with what came of it: a transcript test's turn is made from this."""

    turn: Turn
    replies: tuple[Reply, ...]
    at: str  # "flow.step" or "ended"
    job_kind: str | None = None  # for a jump: the kind of the job that ran


@dataclass(slots=True)
class Start:
    """Where the conversation begins: a flow, optionally a step with preset slots."""

    flow: str | None = None
    step: str | None = None
    slots: dict[str, object] = field(default_factory=dict)


class StudioSession:
    """The studio's one conversation over a dialogs folder."""

    def __init__(self, root: Path, *, platform: Platform = "slack") -> None:
        self.root = root
        self.platform: Platform = platform
        self.now: datetime = DEFAULT_NOW
        self.time_zone = "UTC"
        self.start = Start()
        self.turns: list[Turn] = []
        self.records: list[Record] = []
        self.chat: list[Shown] = []
        self.dialogs: Dialogs = load_dialogs(root)
        self.report: LintReport = lint(self.dialogs)
        self.revision = 0
        # the last transcript-test run the page was shown (re-run when a test file changes)
        self.tests: dict[str, Any] | None = None
        self._new_engine()

    # -- the engine ------------------------------------------------------------------------

    @property
    def ref(self) -> ConversationRef:
        return ConversationRef(self.platform, "studio", "author")

    def entry_flow(self) -> str:
        flows = self.dialogs.registry.flows
        wanted = self.start.flow or DEFAULT_ENTRY_FLOW
        if wanted in flows or not flows:
            return wanted
        return min(flows)

    def _new_engine(self) -> None:
        self.sandbox = Sandbox(self.dialogs, entry_flow=self.entry_flow(), clock=lambda: self.now)
        self.chat = []
        self.records = []
        self._job_kind: str | None = None
        self.clock_moved = timedelta()

    def _incoming(self, **what: object) -> Incoming:
        user = UserInfo(time_zone=self.time_zone or None)
        return Incoming(self.ref, user=user, received_at=self.now, **what)  # type: ignore[arg-type]

    # -- turns -----------------------------------------------------------------------------

    async def say(self, text: str) -> list[Reply]:
        return await self._take(Turn("user", text))

    async def press(self, choice_id: str) -> list[Reply]:
        return await self._take(Turn("press", choice_id))

    async def submit(self, values: Mapping[str, str]) -> list[Reply]:
        return await self._take(Turn("form", tuple(values.items())))

    async def jump(self) -> list[Reply]:
        """Move the clock to the next reminder or question time-out and run it."""
        return await self._take(Turn("jump"))

    async def _take(self, turn: Turn) -> list[Reply]:
        replies, problem = await self._run(turn)
        if problem is not None:
            self.chat.append(Shown("note", problem))
            return []
        self.turns.append(turn)
        await self._record(turn, replies)
        return replies

    async def _record(self, turn: Turn, replies: list[Reply]) -> None:
        flow, step, _ = await self.where()
        at = f"{flow}.{step}" if flow else "ended"
        self.records.append(Record(turn, tuple(replies), at, self._job_kind))

    async def _run(self, turn: Turn) -> tuple[list[Reply], str | None]:
        """Run one turn; a turn that cannot be taken (no such button) gives a note instead."""
        self._job_kind = None
        if turn.kind == "jump":
            return await self._run_jump()
        if turn.kind == "press":
            choice = self._choice(str(turn.value))
            if choice is None:
                return [], f"There is no button {turn.value!r} in this conversation now."
            self.chat.append(Shown("author", f"[{choice.label}]"))
            return await self._handle(self._incoming(choice_token=choice.token)), None
        if turn.kind == "form":
            form = self._form()
            values = turn.value if isinstance(turn.value, tuple) else ()
            if form is None:
                return [], "No form is open in this conversation now."
            shown = ", ".join(f"{name}: {value}" for name, value in values)
            self.chat.append(Shown("author", f"[{form.title}] {shown}"))
            incoming = self._incoming(form=values, choice_token=form.token)
            return await self._handle(incoming), None
        self.chat.append(Shown("author", str(turn.value)))
        return await self._handle(self._incoming(text=str(turn.value))), None

    async def _run_jump(self) -> tuple[list[Reply], str | None]:
        job = await self.sandbox.next_job(self.ref)
        if job is None:
            return [], "Nothing is scheduled: no reminder and no question waiting with a timeout."
        self._job_kind = job.kind
        if job.due_at > self.now:
            self.clock_moved += job.due_at - self.now
            self.now = job.due_at
        self.chat.append(Shown("note", f"Jumped to {job.due_at.isoformat()} ({job.kind})."))
        replies = await self.sandbox.run_next_job(self.ref)
        self.chat.append(Shown("coach", replies=list(replies)))
        return list(replies), None

    async def _handle(self, incoming: Incoming) -> list[Reply]:
        failures = _Failures()
        logger = logging.getLogger("bot")
        logger.addHandler(failures)
        try:
            replies = await self.sandbox.handle(incoming)
        finally:
            logger.removeHandler(failures)
        self.chat.append(Shown("coach", replies=list(replies)))
        if failures.messages:  # the person sees an apology; the author needs the reason
            text = "; ".join(failures.messages)
            self.chat.append(
                Shown(
                    "note", f"The engine failed on this turn (the person sees an apology): {text}"
                )
            )
        return replies

    def _shown_replies(self) -> list[Reply]:
        return [reply for entry in self.chat for reply in entry.replies]

    def _choice(self, choice_id: str) -> Choice | None:
        """The newest button with this id (an old one tests the stale-button path)."""
        buttons = [c for r in self._shown_replies() for c in r.choices]
        return next((c for c in reversed(buttons) if c.id == choice_id), None)

    def _form(self) -> Form | None:
        forms = [r.form for r in self._shown_replies() if r.form is not None]
        return forms[-1] if forms else None

    # -- starting over and replaying -------------------------------------------------------

    async def restart(self, start: Start | None = None) -> None:
        """Forget the turns and begin again (at ``start``'s step, with its slots)."""
        if start is not None:
            self.start = start
        self.turns = []
        await self.replay()

    async def replay(self) -> None:
        """A fresh engine and store, the preset start, then every recorded turn again."""
        now = self.now - self.clock_moved
        self._new_engine()
        self.now = now
        await self._preset()
        kept: list[Turn] = []
        for number, turn in enumerate(self.turns, start=1):
            replies, problem = await self._run(turn)
            if problem is not None:
                note = f"The replay stopped at turn {number}: {problem} Later turns were dropped."
                self.chat.append(Shown("note", note))
                break
            kept.append(turn)
            await self._record(turn, replies)
        self.turns = kept

    async def _preset(self) -> None:
        start = self.start
        flow = self.dialogs.registry.flows.get(self.entry_flow())
        if start.step is None and not start.slots:
            return
        at_step = await self.sandbox.preset(self.ref, flow, start.step, start.slots)
        if at_step:  # as a transcript test does: `repeat` shows the step's question
            await self._handle(self._incoming(command=Command("repeat")))

    async def reload(self) -> None:
        """Load the folder again; with no errors, replay the conversation on the new flows."""
        self.dialogs = load_dialogs(self.root)
        self.report = lint(self.dialogs)
        self.revision += 1
        if not self.report.errors:
            await self.replay()

    async def where(self) -> tuple[str | None, str | None, dict[str, object]]:
        """(flow, step, slots) the conversation is at; no flow when it has ended."""
        return await self.sandbox.where(self.ref)
