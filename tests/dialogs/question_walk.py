"""A walk to every question of every shipped flow, for tests that answer each one oddly.

Every shipped transcript is replayed on a store; at each ask step it reaches for the first time
(the transcripts cover them all), :meth:`QuestionWalk.probe_question` gets a copy of the
conversation (the same person, another conversation) to answer as the test likes, so the
transcript itself goes on undisturbed.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from copy import deepcopy
from dataclasses import dataclass
from pathlib import Path

from bot.boundary import ConversationRef, Incoming, Reply, UserInfo
from bot.dialog.engine import Engine
from bot.dialog.state import ConversationState
from bot.flow.model import AskStep, Flow
from bot.flowtools.casefile import Case, load_cases
from bot.flowtools.lint import Dialogs, load_dialogs
from bot.flowtools.transcript import CaseFailure, _CaseRun, _EngineErrors
from bot.store import Store, TurnCommit
from bot.store.memory import MemoryStore

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "dialogs"


@dataclass(frozen=True)
class Question:
    """A copy of a conversation waiting at ``flow.step``, and how to answer it."""

    run: _CaseRun
    ref: ConversationRef
    flow: Flow
    step: AskStep
    where: str
    form: Reply | None  # the form last shown, when the question is part of one
    saved: dict[str, object]  # the copy's state as it was when the walk reached the question

    def incoming(self, text: str, user: UserInfo | None = None) -> Incoming:
        """``text`` typed into the copy."""
        user = user or UserInfo(time_zone=self.run.case.time_zone)
        return Incoming(self.ref, text=text, user=user, received_at=self.run.case.now)

    def label(self) -> str:
        return f"{self.where}: {self.flow.id}.{self.step.id}"


class QuestionWalk:
    """Replays the shipped transcripts on ``store``, probing a copy at each new question."""

    def __init__(self, dialogs: Dialogs, store: Store) -> None:
        self.dialogs, self.store = dialogs, store
        self.probed: set[tuple[str, str]] = set()
        self.problems: list[str] = []
        self.errors = _EngineErrors()

    async def probe_question(self, question: Question) -> None:
        """Answer the copy at ``question``; record what goes wrong in ``self.problems``."""
        raise NotImplementedError

    async def walk_all(self) -> None:
        """Every shipped transcript, with the engine's errors collected."""
        cases, _ = load_cases(SHIPPED / "tests")
        with self.collecting_errors():
            for number, case in enumerate(cases):
                await self.case(number, case)

    @contextmanager
    def collecting_errors(self) -> Iterator[None]:
        logger = logging.getLogger("bot")
        logger.addHandler(self.errors)
        try:
            yield
        finally:
            logger.removeHandler(self.errors)

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
        saved = stored.state if stored else {}
        await self.store.commit_turn(TurnCommit(copy.key, copy.user_key, deepcopy(saved), 0))
        form = next((r for r in reversed(run.shown) if r.form is not None), None)
        await self.probe_question(Question(run, copy, flow, step, where, form, saved))

    @contextmanager
    def store_kept(self) -> Iterator[None]:
        """Everything the store holds (the person's callbacks, contacts, the funnel counts) put
        back afterwards: for a probe whose answers are taken, so that the transcript it probes
        goes on with the data it made. Needs a :class:`MemoryStore`."""
        assert isinstance(self.store, MemoryStore)
        kept = deepcopy(vars(self.store))
        try:
            yield
        finally:
            vars(self.store).clear()
            vars(self.store).update(kept)

    async def restore(self, question: Question) -> None:
        """The copy back at the question, as the walk found it (attempts and slots too)."""
        ref = question.ref
        kept = await self.store.load_conversation(ref.key)
        version = kept.version if kept else 0
        await self.store.commit_turn(
            TurnCommit(ref.key, ref.user_key, deepcopy(question.saved), version)
        )

    async def answer(self, question: Question, incoming: Incoming, what: str) -> list[Reply]:
        """The copy's replies to ``incoming``; an engine error or an apology is a problem."""
        self.errors.messages.clear()
        replies: list[Reply] = await question.run.engine.handle(incoming)
        if self.errors.messages or any("went wrong" in r.text for r in replies):
            problem = "; ".join(self.errors.messages) or "apology"
            self.problems.append(f"{question.label()} {what}: {problem}")
        return replies

    async def slots(self, question: Question) -> dict[str, object]:
        """The copy's slots now."""
        kept = await self.store.load_conversation(question.ref.key)
        return ConversationState.from_json(kept.state).slots if kept else {}

    async def waiting_at(self, question: Question) -> tuple[str, str] | None:
        """Where the copy waits now (flow id, step id), if it waits at all."""
        kept = await self.store.load_conversation(question.ref.key)
        state = ConversationState.from_json(kept.state) if kept else ConversationState()
        return (state.top.flow, state.top.step) if state.active else None

    def unprobed(self) -> set[tuple[str, str]]:
        """Ask steps of shipped flows the walk never reached."""
        asks = {
            (flow.id, step.id)
            for flow in self.dialogs.registry.flows.values()
            for step in flow.steps.values()
            if isinstance(step, AskStep)
        }
        return asks - self.probed


def shipped_dialogs() -> Dialogs:
    return load_dialogs(SHIPPED)


class _NoCoverage:
    def record(self, flow_id: str, step_id: str) -> None:
        """The walk measures its own coverage."""
