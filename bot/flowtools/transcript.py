"""``flows test``: run transcript cases through a real engine and measure step coverage.

Each case gets a fresh :class:`~bot.store.memory.MemoryStore`, an
:class:`~bot.dialog.engine.Engine`
with a fixed clock, and the user's time zone; every turn goes through ``Engine.handle`` exactly as
an adapter's event would, so a passing transcript is a conversation that works. Buttons are
pressed with the tokens the coach really sent (the newest button with that id), so pressing an
old button tests the stale-button path. ``engine.step_listener`` records every step a turn runs
for the coverage report.

The format of the files is in :mod:`bot.flowtools.casefile` and in docs/flow-language.md.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

from bot.boundary import Choice, Command, ConversationRef, Form, Incoming, Reply, UserInfo
from bot.dialog.engine import Engine
from bot.dialog.state import ConversationState, Frame
from bot.errors import CoachError
from bot.flow.model import Flow
from bot.flowtools.casefile import Case, TurnSpec
from bot.flowtools.lint import Dialogs
from bot.render.markup import to_plain
from bot.store import TurnCommit
from bot.store.memory import MemoryStore

__all__ = ("DEFAULT_ENTRY_FLOW", "CaseResult", "Coverage", "run_case", "run_cases")

DEFAULT_ENTRY_FLOW = "recruiter_called"  # the engine's own default
_MISSING = object()


class CaseFailure(CoachError):
    """A turn did not go as the case expects; the message says how (plain text)."""


@dataclass(slots=True)
class Coverage:
    """Which steps of which flow ran at least once."""

    seen: dict[str, set[str]] = field(default_factory=dict)

    def record(self, flow_id: str, step_id: str) -> None:
        self.seen.setdefault(flow_id, set()).add(step_id)

    def missing(self, flow: Flow) -> list[str]:
        covered = self.seen.get(flow.id, set())
        return [step_id for step_id in flow.steps if step_id not in covered]

    def percent(self, flow: Flow) -> float:
        total = len(flow.steps)
        return 100.0 * (total - len(self.missing(flow))) / total if total else 100.0

    def line(self, flow: Flow) -> str:
        """``recruiter_called: 18/20 steps (90%) — not covered: give_up (line 42), ...``"""
        missing = self.missing(flow)
        total = len(flow.steps)
        text = f"{flow.id}: {total - len(missing)}/{total} steps ({int(self.percent(flow))}%)"
        if missing:
            where = [f"{s} (line {flow.steps[s].where.line})" for s in missing]
            text += " — not covered: " + ", ".join(where)
        return text


@dataclass(frozen=True, slots=True)
class CaseResult:
    case: Case
    failure: str | None = None

    @property
    def passed(self) -> bool:
        return self.failure is None


class _EngineErrors(logging.Handler):
    """Collects what the engine logs during a case: ERROR records fail the turn (the engine
    never raises to its caller); WARNING records are shown only with a failure, because a case
    may provoke one on purpose (an action failing into its ``on_error`` step) and a passing
    ``flows test`` prints nothing but its results."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []
        self.warnings: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.ERROR:
            self.messages.append(record.getMessage())
        else:
            self.warnings.append(f"{record.levelname} {record.name}: {record.getMessage()}")


async def run_cases(dialogs: Dialogs, cases: list[Case], coverage: Coverage) -> list[CaseResult]:
    return [await run_case(dialogs, case, coverage) for case in cases]


async def run_case(dialogs: Dialogs, case: Case, coverage: Coverage) -> CaseResult:
    """Run one case; the failure (if any) names the turn and shows the replies."""
    errors = _EngineErrors()
    logger = logging.getLogger("bot")
    level, propagate = logger.level, logger.propagate
    logger.addHandler(errors)
    logger.propagate = False  # the case's log goes to `errors` only, not to stderr
    if logger.getEffectiveLevel() > logging.ERROR:  # LOG_LEVEL=CRITICAL must not hide failures
        logger.setLevel(logging.ERROR)
    try:
        run = _CaseRun(dialogs, case, coverage, errors)
        await run.prepare()
        for number, turn in enumerate(case.turns, start=1):
            await run.turn(number, turn)
    except CaseFailure as failure:
        logged = "".join(f"\n  log: {line}" for line in errors.warnings)
        return CaseResult(case, f"FAIL {case.where}: {case.name}\n{failure}{logged}")
    finally:
        logger.removeHandler(errors)
        logger.setLevel(level)
        logger.propagate = propagate
    return CaseResult(case)


class _CaseRun:
    def __init__(
        self, dialogs: Dialogs, case: Case, coverage: Coverage, errors: _EngineErrors
    ) -> None:
        flows = dialogs.registry.flows
        entry = case.flow or (DEFAULT_ENTRY_FLOW if DEFAULT_ENTRY_FLOW in flows else min(flows))
        if entry not in flows:
            raise CaseFailure(f"  there is no flow {entry!r}; use one of: {', '.join(flows)}")
        self.case, self.flow, self.errors = case, flows[entry], errors
        self.store = MemoryStore()
        self.engine = Engine(
            registry=dialogs.registry,
            renderer=dialogs.renderer,
            store=self.store,
            actions=dialogs.actions,
            entry_flow=entry,
            clock=lambda: case.now,
        )
        self.engine.step_listener = coverage.record
        self.coverage = coverage
        self.ref = ConversationRef(case.platform, "transcript", "tester")  # type: ignore[arg-type]
        self.shown: list[Reply] = []  # every reply so far: old buttons stay pressable

    async def prepare(self) -> None:
        """Preset the state for ``start``/``slots``, and show the start step's question."""
        case = self.case
        if case.start is None and case.slots is None:
            return
        state = ConversationState(slots=dict(case.slots or {}))
        if case.start is not None:
            if case.start not in self.flow.steps:
                raise CaseFailure(
                    f"  the flow {self.flow.id!r} has no step {case.start!r}; "
                    f"use one of: {', '.join(self.flow.steps)}"
                )
            state.stack.append(Frame(self.flow.id, self.flow.version, case.start))
            self.coverage.record(self.flow.id, case.start)
        await self.store.commit_turn(
            TurnCommit(
                conversation_key=self.ref.key,
                user_key=self.ref.user_key,
                state=state.to_json(),
                expected_version=0,
            )
        )
        if case.start is not None:  # as `repeat` would: the buttons exist, so they can be pressed
            self.shown.extend(await self.engine.handle(self._incoming(command=Command("repeat"))))

    async def turn(self, number: int, turn: TurnSpec) -> None:
        self.errors.messages.clear()
        replies = await self._send(number, turn)
        self.shown.extend(replies)
        problem = _check_replies(turn, replies) or await self._check_state(turn)
        if self.errors.messages:  # an apology may still match the expectations: check the log
            problem = "the engine failed on this turn: " + "; ".join(self.errors.messages)
        if problem:
            raise CaseFailure(_failure_text(number, turn, problem, replies))

    async def _send(self, number: int, turn: TurnSpec) -> list[Reply]:
        if turn.action == "user":
            return await self.engine.handle(self._incoming(text=str(turn.value)))
        if turn.action == "press":
            return await self.engine.handle(self._incoming(choice_token=self._token(number, turn)))
        if turn.action == "form":
            values = turn.value if isinstance(turn.value, tuple) else ()
            return await self.engine.handle(
                self._incoming(form=values, choice_token=self._form(number, turn).token)
            )
        return await self._time_out(number, turn)

    def _token(self, number: int, turn: TurnSpec) -> str:
        buttons: list[Choice] = [c for r in self.shown for c in r.choices]
        for choice in reversed(buttons):
            if choice.id == turn.value:
                return choice.token
        shown = ", ".join(dict.fromkeys(c.id for c in buttons)) or "none"
        raise CaseFailure(
            _failure_text(
                number,
                turn,
                f"no button {turn.value!r} was shown in "
                f"this conversation (buttons so far: {shown})",
                [],
            )
        )

    def _form(self, number: int, turn: TurnSpec) -> Form:
        forms = [r.form for r in self.shown if r.form is not None]
        if not forms:
            raise CaseFailure(
                _failure_text(number, turn, "no form was shown in this conversation yet", [])
            )
        return forms[-1]

    async def _time_out(self, number: int, turn: TurnSpec) -> list[Reply]:
        jobs = [
            j for j in await self.store.pending_jobs(self.ref.user_key) if j.kind == "ask_timeout"
        ]
        if not jobs:
            raise CaseFailure(
                _failure_text(number, turn, "no question is waiting with a `timeout`", [])
            )
        _, replies = await self.engine.run_job(jobs[-1])
        await self.store.finish_job(jobs[-1].id)
        return replies

    def _incoming(self, **what: object) -> Incoming:
        user = UserInfo(time_zone=self.case.time_zone)
        return Incoming(self.ref, user=user, received_at=self.case.now, **what)  # type: ignore[arg-type]

    async def _check_state(self, turn: TurnSpec) -> str | None:
        stored = await self.store.load_conversation(self.ref.key)
        state = ConversationState.from_json(stored.state) if stored else ConversationState()
        if turn.step is not None:
            at = f"{state.top.flow}.{state.top.step}" if state.active else "ended"
            short = state.top.step if state.active else "ended"
            if turn.step not in (at, short):
                return f"expected to wait at step {turn.step!r}, but the conversation is at {at!r}"
        for slot, expected in (turn.slots or {}).items():
            actual = state.slots.get(slot, _MISSING)
            if not _same_value(expected, actual):
                shown = "unset" if actual is _MISSING else repr(actual)
                return f"expected slot {slot!r} to be {expected!r}, but it is {shown}"
        return None


def _same_value(expected: object, actual: object) -> bool:
    if expected is None:
        return actual is _MISSING or actual is None
    if isinstance(expected, datetime) and isinstance(actual, str):
        try:
            return datetime.fromisoformat(actual) == expected
        except ValueError:
            return False
    return bool(expected == actual)


def plain_replies(replies: list[Reply]) -> str:
    return "\n".join(to_plain(r.text) for r in replies)


def _check_replies(turn: TurnSpec, replies: list[Reply]) -> str | None:
    text = plain_replies(replies)
    position = 0
    for expect in turn.bot:
        if expect.regex:
            match = re.compile(expect.text, re.IGNORECASE | re.DOTALL).search(text, position)
            found = (match.start(), match.end()) if match else None
        else:
            start = text.lower().find(expect.text.lower(), position)
            found = (start, start + len(expect.text)) if start >= 0 else None
        if found is None:
            expected = "\n".join(f"    - {e}" for e in turn.bot)
            return (
                f"expected the replies to contain, in order:\n{expected}\n"
                f"  missing: {expect}" + (" (after the earlier ones)" if position else "")
            )
        position = found[1]
    if turn.choices is not None:
        labels = tuple(c.label for c in replies[-1].choices) if replies else ()
        if labels != turn.choices:
            return f"expected the buttons {list(turn.choices)}, got {list(labels)}"
    return None


def _failure_text(number: int, turn: TurnSpec, problem: str, replies: list[Reply]) -> str:
    lines = [
        f"  turn {number} (line {turn.line}), {turn.describe()}:",
        f"  {problem}",
        "  the coach replied:" if replies else "  the coach replied nothing",
    ]
    lines.extend(_reply_lines(replies))
    return "\n".join(lines)


def _reply_lines(replies: list[Reply]) -> Iterator[str]:
    for reply in replies:
        for text_line in to_plain(reply.text).splitlines() or [""]:
            yield f"    | {text_line}"
        if reply.choices:
            yield "    [buttons: " + " | ".join(c.label for c in reply.choices) + "]"
        if reply.form is not None:
            yield "    [form: " + ", ".join(f.name for f in reply.form.fields) + "]"
