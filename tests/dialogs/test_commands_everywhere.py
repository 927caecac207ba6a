"""Every global command does what `help` says, in every state a conversation can wait in.

The states come from the shipped transcripts (dialogs/tests), which between them reach every step
of every flow: each state a transcript leaves the conversation waiting in (a question of a flow,
the "which time zone?" question, idle after a flow's end or after `stop`) is restored into a fresh
store and sent each command. The "I'm not sure which topic" list and the "Switch to" offer are
reached with the real topic router. Commands a question takes as an answer (a choice labelled
"Main menu") are left out: "Help the Children" typed as an answer stays an answer.
"""

from __future__ import annotations

import asyncio
import copy
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

import bot.flowtools.transcript as transcript
from bot.app import build_router
from bot.boundary import ConversationRef, Incoming, Reply, UserInfo
from bot.dialog.commands import COMMANDS, command_in
from bot.dialog.engine import Engine
from bot.dialog.state import ConversationState
from bot.flow.model import AskStep, ChoiceOption
from bot.flowtools.casefile import Case, load_cases
from bot.flowtools.lint import Dialogs, load_dialogs
from bot.flowtools.transcript import Coverage, run_cases
from bot.render.markup import to_plain
from bot.store import TurnCommit
from bot.store.memory import MemoryStore

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "dialogs"
EVERY_COMMAND = (*COMMANDS, "start")
ENTRY = "recruiter_called"
MISREAD = ("not sure which topic", "please pick one of", "went wrong on my side")


@dataclass
class Waiting:
    """A state a conversation waited in, and the case settings it was reached with."""

    where: str
    state: dict[str, Any]
    case: Case
    data: MemoryStore  # the store as it was then: the user's contacts, reminders, shares


@dataclass
class _Seen:
    waiting: dict[str, Waiting] = field(default_factory=dict)


def _where(state: ConversationState) -> str:
    if state.pending:
        return f"pending:{state.pending}"
    return f"{state.top.flow}.{state.top.step}" if state.active else "idle"


@pytest.fixture(scope="module")
def dialogs() -> Dialogs:
    return load_dialogs(SHIPPED)


@pytest.fixture(scope="module")
def waiting(dialogs: Dialogs) -> list[Waiting]:
    """The first state each transcript waited in, per step (and per idle/pending kind)."""
    seen = _Seen()
    current: list[Case] = []

    class RecordingStore(MemoryStore):
        async def commit_turn(self, commit: TurnCommit) -> int:
            version = await super().commit_turn(commit)
            if commit.state is not None:
                self.record(commit)
            return version

        def record(self, commit: TurnCommit) -> None:
            assert commit.state is not None
            state = ConversationState.from_json(commit.state)
            where = _where(state)
            if state.active and not state.pending:
                flow = dialogs.registry.by_version.get(state.top.version)
                if flow is None or not isinstance(flow.steps[state.top.step], AskStep):
                    return  # a case preset to a step that does not wait (`start:`)
            if where not in seen.waiting:
                saved, data = copy.deepcopy(commit.state), copy.deepcopy(self)
                seen.waiting[where] = Waiting(where, saved, current[-1], data)

    async def run_all() -> None:
        cases, problems = load_cases(SHIPPED / "tests")
        assert problems == []
        for case in cases:
            current.append(case)
            await run_cases(dialogs, [case], Coverage())

    patch = pytest.MonkeyPatch()
    patch.setattr(transcript, "MemoryStore", RecordingStore)
    try:
        asyncio.run(run_all())
    finally:
        patch.undo()
    return list(seen.waiting.values())


class Probe:
    """One engine with the real router on a copy of a waiting state's store; one command sent."""

    def __init__(self, dialogs: Dialogs, waiting: Waiting) -> None:
        case = waiting.case
        self.store = copy.deepcopy(waiting.data)
        self.ran: list[str] = []
        self.engine = Engine(
            registry=dialogs.registry,
            renderer=dialogs.renderer,
            store=self.store,
            actions=dialogs.actions,
            entry_flow=ENTRY,
            router=_router(),
            clock=lambda: case.now,
        )
        self.engine.step_listener = lambda flow, step: self.ran.append(flow)
        # the transcripts' conversation, so that the user's stored data is theirs
        self.ref = ConversationRef(case.platform, "transcript", "tester")  # type: ignore[arg-type]
        self.user = UserInfo(time_zone=case.time_zone)
        self.now: datetime = case.now
        self.replies: list[Reply] = []

    async def restore(self, state: dict[str, Any]) -> None:
        stored = await self.store.load_conversation(self.ref.key)
        version = stored.version if stored else 0
        await self.store.commit_turn(
            TurnCommit(self.ref.key, self.ref.user_key, state=state, expected_version=version)
        )

    async def say(self, text: str) -> str:
        self.ran.clear()
        self.replies = await self.engine.handle(
            Incoming(self.ref, text=text, user=self.user, received_at=self.now)
        )
        return "\n".join(to_plain(r.text) for r in self.replies)

    async def state(self) -> ConversationState:
        stored = await self.store.load_conversation(self.ref.key)
        assert stored is not None
        return ConversationState.from_json(stored.state)


_ROUTER: list[Any] = []


def _router() -> Any:
    if not _ROUTER:
        _ROUTER.append(build_router(SHIPPED))
    return _ROUTER[0]


def _choices_of(dialogs: Dialogs, state: ConversationState) -> tuple[ChoiceOption, ...]:
    if not state.active or state.pending:
        return ()
    step = dialogs.registry.by_version[state.top.version].steps[state.top.step]
    return step.choices if isinstance(step, AskStep) else ()


async def _check(
    dialogs: Dialogs, probe: Probe, before: ConversationState, command: str
) -> str | None:
    """What is wrong with the answer to ``command`` in state ``before``, or None."""
    text = await probe.say(command)
    low = text.casefold()
    after = await probe.state()
    if not text.strip():
        return "no reply at all"
    misread = MISREAD[1:] if before.offered and command in ("help", "back", "repeat") else MISREAD
    if any(word in low for word in misread):
        return f"read as something else: {text[:200]!r}"
    menu_start = dialogs.registry.flows["menu"].start
    entry_start = dialogs.registry.flows[ENTRY].start
    here = _where(after)
    if command == "help":
        missing = [c for c in EVERY_COMMAND if f"{c}:" not in low and f"{c} or" not in low]
        if missing:
            return f"help does not list {missing}"
        if _where(before) != here and not before.pending:
            return f"help moved the conversation to {here}"
    elif command in ("start", "restart"):
        if here != f"{ENTRY}.{entry_start}" or len(after.stack) != 1:
            return f"{command} went to {here}, not the start"
    elif command == "menu":
        if here != f"menu.{menu_start}" or len(after.stack) != 1:
            return f"menu went to {here}"
    elif command == "stop":
        if after.active or "stopped" not in low:
            return f"stop left the conversation at {here}"
    elif command == "export":
        if "export" not in probe.ran:
            return "export did not run the export"
    elif command == "forget":
        if here != "forget.confirm":
            return f"forget went to {here}"
    elif command == "repeat":
        return _check_repeat(before, after, probe)
    elif command == "back":
        return _check_back(before, after, low)
    return None


def _check_repeat(before: ConversationState, after: ConversationState, probe: Probe) -> str | None:
    if before.active and _where(before) != _where(after) and not before.pending:
        return f"repeat moved from {_where(before)} to {_where(after)}"
    if before.offered and [c.id for r in probe.replies for c in r.choices] != before.offered:
        return "repeat did not show the topic list again"
    return None


def _check_back(before: ConversationState, after: ConversationState, low: str) -> str | None:
    expected = ConversationState.from_json(before.to_json())
    went = expected.go_back()
    if not went and "no earlier question" not in low:
        return "back with nowhere to go did not say so"
    if went and not expected.active:
        return None
    want = _where(expected) if went else _where(before)
    if before.pending and not went:
        want = _where(ConversationState(stack=before.stack))
    got = _where(after)
    if got not in (want, "pending:time_zone"):
        return f"back went to {got}, expected {want}"
    return None


def _kind(dialogs: Dialogs, waiting: Waiting) -> str | None:
    state = ConversationState.from_json(waiting.state)
    if not state.active or state.pending:
        return None
    step = dialogs.registry.by_version[state.top.version].steps[state.top.step]
    return step.kind if isinstance(step, AskStep) else None


def _commands_for(dialogs: Dialogs, state: ConversationState) -> Iterator[str]:
    choices = _choices_of(dialogs, state)
    for command in EVERY_COMMAND:
        if command_in(command, choices) is not None:
            yield command


async def _walk(dialogs: Dialogs, found: list[Waiting]) -> list[str]:
    problems: list[str] = []
    for waiting in found:
        before = ConversationState.from_json(waiting.state)
        for command in _commands_for(dialogs, before):
            probe = Probe(dialogs, waiting)
            await probe.restore(copy.deepcopy(waiting.state))
            problem = await _check(dialogs, probe, before, command)
            if problem:
                problems.append(f"{waiting.where} + {command!r}: {problem}")
    return problems


def test_the_walk_reaches_every_question_of_every_flow(
    dialogs: Dialogs, waiting: list[Waiting]
) -> None:
    reached = {w.where for w in waiting}
    asks = {
        f"{flow.id}.{step.id}"
        for flow in dialogs.registry.flows.values()
        for step in flow.steps.values()
        if isinstance(step, AskStep)
    }
    assert asks - reached == set()
    assert {"idle", "pending:time_zone"} <= reached


def test_every_command_works_at_every_question_and_when_idle(
    dialogs: Dialogs, waiting: list[Waiting]
) -> None:
    problems = asyncio.run(_walk(dialogs, waiting))
    assert problems == [], "\n".join(problems)


async def _offered(
    dialogs: Dialogs, waiting: Waiting, lines: list[str], state: dict[str, Any]
) -> Probe:
    probe = Probe(dialogs, waiting)
    await probe.restore(copy.deepcopy(state))
    for line in lines:
        await probe.say(line)
    return probe


def test_every_command_works_at_the_which_topic_list(
    dialogs: Dialogs, waiting: list[Waiting]
) -> None:
    idle = next(w for w in waiting if w.where == "idle")

    async def walk() -> list[str]:
        problems = []
        for command in EVERY_COMMAND:
            probe = await _offered(dialogs, idle, ["stop", "I have a question"], idle.state)
            before = await probe.state()
            assert before.offered, "the router gave no topic list for a vague question"
            problem = await _check(dialogs, probe, before, command)
            if problem:
                problems.append(f"which-topic list + {command!r}: {problem}")
        return problems

    assert asyncio.run(walk()) == []


def test_every_command_works_after_a_switch_offer(
    dialogs: Dialogs, waiting: list[Waiting]
) -> None:
    question = "How much does the recruiter get paid out of my salary when I'm hired?"

    async def walk() -> tuple[int, list[str]]:
        offers, problems = 0, []
        for found in waiting:
            if not found.where.startswith(f"{ENTRY}."):
                continue
            probe = await _offered(dialogs, found, [], found.state)
            await probe.say(question)
            if not any(c.token.startswith("topic:") for r in probe.replies for c in r.choices):
                continue  # a text question takes the question as its answer
            offers += 1
            offered = (await probe.state()).to_json()
            for command in _commands_for(dialogs, ConversationState.from_json(offered)):
                probe = await _offered(dialogs, found, [], offered)
                before = await probe.state()
                problem = await _check(dialogs, probe, before, command)
                if problem:
                    problems.append(f"switch offer at {found.where} + {command!r}: {problem}")
        return offers, problems

    offers, problems = asyncio.run(walk())
    assert problems == []
    assert offers >= 3


@pytest.mark.parametrize("answer", ["Help the Children", "stop the bleeding", "back office"])
def test_a_command_word_inside_an_answer_stays_an_answer(
    dialogs: Dialogs, waiting: list[Waiting], answer: str
) -> None:
    text_asks = [w for w in waiting if _kind(dialogs, w) == "text"]
    assert len(text_asks) >= 10

    async def send() -> list[str]:
        stuck = []
        for found in text_asks:
            probe = Probe(dialogs, found)
            await probe.restore(copy.deepcopy(found.state))
            await probe.say(answer)
            after = await probe.state()
            if answer not in after.slots.values():
                stuck.append(found.where)
        return stuck

    assert asyncio.run(send()) == []


@pytest.mark.parametrize(
    ("platform", "words"),
    [("console", "type the number"), ("slack", "press a button"), ("discord", "press a button")],
)
def test_help_speaks_the_platforms_words(dialogs: Dialogs, platform: str, words: str) -> None:
    text = to_plain(
        dialogs.renderer.render(platform=platform, context={}, seed=0, template="coach_help")
    )
    assert words in text.casefold()
    for command in EVERY_COMMAND:
        assert f"{command}" in text
    other = "press a button" if platform == "console" else "type the number"
    assert other not in text.casefold()


# Texts that ask the person to press a button need a console version in
# dialogs/templates/console/. These speak of buttons elsewhere: the share card's (posted on Slack
# or Discord; the introduction says people will answer the card with one), the "posted" result
# (never reached in the console), and a stale button (only a button can be stale).
BUTTONS_ELSEWHERE = {"share_card", "share_intro", "share_result", "share_ack", "coach_stale"}


def test_no_text_the_console_shows_asks_to_press_a_button(dialogs: Dialogs) -> None:
    common = SHIPPED / "templates" / "common"
    console = SHIPPED / "templates" / "console"
    speak_of_buttons = {
        path.stem
        for path in common.glob("*.j2")
        if re.search(
            r"\bpress(es|ed|ing)?\b|\bbuttons?\b", path.read_text(encoding="utf-8"), re.IGNORECASE
        )
    }
    without_console_words = {
        name
        for name in speak_of_buttons - BUTTONS_ELSEWHERE
        if not (console / f"{name}.j2").exists()
    }
    assert without_console_words == set()
    offer = to_plain(
        dialogs.renderer.render(
            platform="console",
            context={"topic": "Is this recruiter real?"},
            seed=0,
            template="coach_switch_offer",
        )
    )
    assert "type switch" in offer and "press" not in offer.casefold()


def test_every_question_that_gives_up_explains_why_and_back_returns_to_it(
    dialogs: Dialogs, waiting: list[Waiting]
) -> None:
    from bot.answers.parse import Parsed, parse_answer

    nonsense = "qqq zzz"

    async def walk() -> tuple[int, list[str]]:
        checked, problems = 0, []
        for found in waiting:
            before = ConversationState.from_json(found.state)
            if not before.active or before.pending:
                continue
            step = dialogs.registry.by_version[before.top.version].steps[before.top.step]
            assert isinstance(step, AskStep)
            refusal = parse_answer(
                step.kind, nonsense, rule=step.rule, now=found.case.now, choices=step.choices
            )
            if not step.on_fail or isinstance(refusal, Parsed):
                continue
            checked += 1
            probe = Probe(dialogs, found)
            await probe.restore(copy.deepcopy(found.state))
            for _ in range(step.max_attempts):
                text = await probe.say(nonsense)
            if to_plain(refusal.reason) not in text:
                problems.append(f"{found.where}: the last refusal is not explained: {text!r}")
            await probe.say("back")
            if _where(await probe.state()) != found.where:
                problems.append(f"{found.where}: back after giving up does not return to it")
        return checked, problems

    checked, problems = asyncio.run(walk())
    assert problems == [], "\n".join(problems)
    assert checked >= 4


def test_the_callback_fallback_keeps_the_articles_advice(dialogs: Dialogs) -> None:
    text = to_plain(
        dialogs.renderer.render(platform="console", context={}, seed=0, template="callback_later")
    ).casefold()
    assert "personal number" in text  # you give them your number and a time
    assert "your name and number" not in text and "send me" not in text
    assert "this evening" not in text
    assert "type restart" not in text and "type back" in text
