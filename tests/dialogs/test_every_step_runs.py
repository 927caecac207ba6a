"""Lint-clean flows never fail at run time with an undefined value, an endless include or a loop
without a question: every step of every shipped flow is run with only the slots the load-time
analysis says are surely set there.

The values of those slots are real ones, collected from the shipped transcripts, so a template
gets what it would get in a conversation. Each step is entered directly (as ``goto`` would), runs
with the steps that follow it up to the next question, and an ask step is then answered with text
no parser reads, so its "I didn't get that" message renders too.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from jinja2 import UndefinedError

from bot.boundary import ConversationRef, Incoming, UserInfo
from bot.dialog.advance import FlowLoopError
from bot.dialog.engine import Engine
from bot.dialog.on_typed import typed
from bot.dialog.state import ConversationState
from bot.flow.checks import goto_entries
from bot.flow.model import AskStep
from bot.flow.slots import SlotFlow
from bot.flowtools.casefile import load_cases
from bot.flowtools.lint import Dialogs, load_dialogs
from bot.flowtools.transcript import CaseFailure, _CaseRun, _EngineErrors
from bot.store.memory import MemoryStore

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "dialogs"
NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
ZONE = "Europe/Berlin"
RUN_TIME_FAILURES = (UndefinedError, RecursionError, FlowLoopError)
UNDEFINED_NAME = re.compile(r"'[^']+' is undefined")


class _NoCoverage:
    def record(self, flow_id: str, step_id: str) -> None:
        """Coverage is the shipped transcripts' own test."""


async def real_slot_values(dialogs: Dialogs) -> dict[str, Any]:
    """Slot name -> a value some shipped transcript gave it."""
    cases, _ = load_cases(SHIPPED / "tests")
    values: dict[str, Any] = {}
    for case in cases:
        run = _CaseRun(dialogs, case, _NoCoverage(), _EngineErrors())  # type: ignore[arg-type]
        await run.prepare()
        for number, turn in enumerate(case.turns, start=1):
            try:
                await run.turn(number, turn)
            except CaseFailure:
                break
            stored = await run.store.load_conversation(run.ref.key)
            if stored is not None:
                slots = ConversationState.from_json(stored.state).slots
                for name, value in slots.items():
                    values.setdefault(name, value)
    return values


async def test_every_step_of_every_shipped_flow_runs_with_the_slots_lint_promises() -> None:
    dialogs = load_dialogs(SHIPPED)
    assert dialogs.errors == []  # lint-clean, load-time checks included
    flows = dialogs.registry.flows
    values = await real_slot_values(dialogs)
    engine = Engine(
        registry=dialogs.registry,
        renderer=dialogs.renderer,
        store=MemoryStore(),
        actions=dialogs.actions,
        clock=lambda: NOW,
    )
    slot_flow = SlotFlow(flows)
    entries = goto_entries(flows)
    failures: list[str] = []
    walked = 0
    for flow in flows.values():
        starts = {flow.start: frozenset[str]()} | {
            s: frozenset[str]() for s in entries.get(flow.id, ()) if s in flow.steps
        }
        for step_id, surely in slot_flow.surely_set(flow, starts).items():
            slots = {name: values.get(name, "x") for name in surely}
            failure = await run_step(engine, flow.id, step_id, slots)
            walked += 1
            if failure is not None:
                failures.append(f"{flow.id}.{step_id} with {sorted(slots)}: {failure}")
    assert failures == [], "\n".join(failures)
    assert walked >= sum(len(f.steps) for f in flows.values()) * 0.9  # all reachable steps


def lints_job(exc: BaseException) -> bool:
    """An undefined *name* is lint's to catch; a missing key of a value ("'dict object' has no
    attribute 'none'") depends on the value, and this walk's values come from other paths."""
    return not isinstance(exc, UndefinedError) or UNDEFINED_NAME.fullmatch(str(exc)) is not None


async def run_step(
    engine: Engine, flow_id: str, step_id: str, slots: dict[str, Any]
) -> str | None:
    ref = ConversationRef("console", f"walk.{flow_id}.{step_id}", "walker")
    state = ConversationState(slots=dict(slots), time_zone=ZONE)
    incoming = Incoming(ref, text="\u2063", user=UserInfo(time_zone=ZONE), received_at=NOW)
    turn = await engine._prepare_turn(incoming, state)
    try:
        await turn.enter(flow_id, step_id)
        if state.active and isinstance(turn.current_step(), AskStep):
            await typed(turn, "\u2063")  # read by no parser (text asks take it): a reprompt
    except Exception as exc:  # sorted below: only three kinds are lint's job
        cause: BaseException | None = exc
        while cause is not None:
            if isinstance(cause, RUN_TIME_FAILURES) and lints_job(cause):
                return f"{type(cause).__name__}: {cause}"
            cause = cause.__cause__ or cause.__context__
        # Anything else depends on data this walk cannot have (a contact id from another
        # store, for one): the transcripts test those paths with real conversations.
    return None
