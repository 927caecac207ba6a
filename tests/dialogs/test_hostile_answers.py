"""Lone surrogates and NUL in anything a person types never fail a turn, on any store.

Slack's and Discord's JSON can carry an unpaired surrogate such as ``"Bob\\ud800"``; UTF-8 cannot
encode it (SQLite, PostgreSQL and the memory store's JSON check all refused it) and PostgreSQL
text cannot hold NUL. The walk: every shipped transcript is replayed on each store, and at every
question it reaches (every ask step of every shipped flow: the transcripts cover them all) a copy
of the conversation is answered with such text, typed and, where a form is shown, submitted in
every field. The turn must not apologise, and a free-text answer must be kept, cleaned.
"""

from __future__ import annotations

import logging
from pathlib import Path

from bot.boundary import ConversationRef, Incoming, Reply, UserInfo, clean_text
from bot.dialog.engine import Engine
from bot.dialog.state import ConversationState
from bot.flow.model import AskStep
from bot.flowtools.casefile import Case, load_cases
from bot.flowtools.lint import Dialogs, load_dialogs
from bot.flowtools.transcript import CaseFailure, _CaseRun, _EngineErrors
from bot.store import Store, TurnCommit

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "dialogs"
HOSTILE = "Bob\ud800 \x00Smith\udfff"
CLEANED = "Bob\ufffd Smith\ufffd"
FREE_TEXT = ("text", "long_text")


def test_clean_text_replaces_lone_surrogates_and_drops_nul() -> None:
    assert clean_text(HOSTILE) == CLEANED
    assert clean_text("\ud83d\ude00 pair") == "\U0001f600 pair"  # two halves make one emoji
    assert clean_text("plain") == "plain" and clean_text("ünï 🎉") == "ünï 🎉"
    incoming = Incoming(
        ConversationRef("slack", "C1", "U1"),
        text=HOSTILE,
        form=(("name", HOSTILE),),
        user=UserInfo(display_name=HOSTILE),
    )
    assert incoming.text == CLEANED and incoming.form == (("name", CLEANED),)
    assert incoming.user.display_name == CLEANED


class _Walk:
    """Replays the shipped transcripts on ``store``, answering a copy at each new question."""

    def __init__(self, dialogs: Dialogs, store: Store) -> None:
        self.dialogs, self.store = dialogs, store
        self.probed: set[tuple[str, str]] = set()
        self.problems: list[str] = []
        self.errors = _EngineErrors()

    async def case(self, number: int, case: Case) -> None:
        run = _CaseRun(self.dialogs, case, _NoCoverage(), self.errors)
        run.store = self.store
        run.engine = self.engine(case)
        run.ref = ConversationRef(case.platform, "walk", f"tester-{number}")  # type: ignore[arg-type]
        await run.prepare()
        for index, turn in enumerate(case.turns, start=1):
            await self.probe(run, f"{case.where} turn {index}")
            try:
                await run.turn(index, turn)
            except CaseFailure:
                return  # the transcripts' own test reports this; the walk goes on elsewhere
        await self.probe(run, f"{case.where} end")

    def engine(self, case: Case) -> Engine:
        return Engine(
            registry=self.dialogs.registry,
            renderer=self.dialogs.renderer,
            store=self.store,
            actions=self.dialogs.actions,
            entry_flow=case.flow or "recruiter_called",
            clock=lambda: case.now,
        )

    async def probe(self, run: _CaseRun, where: str) -> None:
        stored = await self.store.load_conversation(run.ref.key)
        state = ConversationState.from_json(stored.state) if stored else ConversationState()
        if not state.active:
            return
        flow = self.dialogs.registry.flows[state.top.flow]
        step = flow.steps.get(state.top.step)
        if not isinstance(step, AskStep) or (flow.id, step.id) in self.probed:
            return
        self.probed.add((flow.id, step.id))
        # Same person (their contacts and settings), another conversation.
        copy = ConversationRef(run.ref.platform, f"{flow.id}.{step.id}", run.ref.user)
        await self.store.commit_turn(
            TurnCommit(copy.key, copy.user_key, stored.state if stored else {}, 0)
        )
        form = next((r.form for r in reversed(run.shown) if r.form is not None), None)
        user = UserInfo(display_name=HOSTILE, time_zone=run.case.time_zone)
        typed = Incoming(copy, text=HOSTILE, user=user, received_at=run.case.now)
        await self.answer(run, typed, f"{where}: {flow.id}.{step.id} typed")
        if step.kind in FREE_TEXT and step.form is None:
            kept = await self.store.load_conversation(copy.key)
            slots = ConversationState.from_json(kept.state).slots if kept else {}
            if CLEANED not in slots.values():
                self.problems.append(f"{where}: {flow.id}.{step.id}: answer not kept")
        if form is not None and step.form is not None:
            values = tuple((f.name, HOSTILE) for f in form.fields)
            submitted = Incoming(
                copy, form=values, choice_token=form.token, user=user, received_at=run.case.now
            )
            await self.answer(run, submitted, f"{where}: {flow.id}.{step.id} form")

    async def answer(self, run: _CaseRun, incoming: Incoming, where: str) -> None:
        self.errors.messages.clear()
        replies: list[Reply] = await run.engine.handle(incoming)
        if self.errors.messages or any("went wrong" in r.text for r in replies):
            self.problems.append(f"{where}: {'; '.join(self.errors.messages) or 'apology'}")


class _NoCoverage:
    def record(self, flow_id: str, step_id: str) -> None:
        """The walk measures its own coverage."""


async def test_every_question_of_every_flow_keeps_a_hostile_answer(any_store: Store) -> None:
    dialogs = load_dialogs(SHIPPED)
    cases, _ = load_cases(SHIPPED / "tests")
    walk = _Walk(dialogs, any_store)
    logger = logging.getLogger("bot")
    logger.addHandler(walk.errors)
    try:
        for number, case in enumerate(cases):
            await walk.case(number, case)
    finally:
        logger.removeHandler(walk.errors)
    assert walk.problems == [], "\n".join(walk.problems)
    asks = {
        (flow.id, step.id)
        for flow in dialogs.registry.flows.values()
        for step in flow.steps.values()
        if isinstance(step, AskStep)
    }
    assert asks - walk.probed == set()
