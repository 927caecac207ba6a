"""This engine against Microsoft Bot Framework on the same ten-turn conversation, in memory.

The conversation is ``engine_bench.py``'s (the at-work callback path)::

    start -> at work -> whenever (refused, asked again) -> tomorrow 18:30 -> +1 415 555 0100
    -> not interested -> yes (refer someone) -> Alex -> backend engineering -> done

- **This engine**: ``Engine`` on ``MemoryStore``, built and warmed up as ``engine_bench.py``
  builds it (the real flows and templates, a fixed clock, every conversation a new user).
- **Bot Framework** (``botbuilder-dialogs`` / ``botbuilder-core``, the ``bench`` extra): the
  same questions as a ``WaterfallDialog`` with prompts (``ChoicePrompt`` with synonyms for the
  choices, ``ConfirmPrompt`` for yes/no, ``TextPrompt`` for free text, and ``TextPrompt`` with a
  validator for the date-time and the phone number), and the referral as a child
  ``WaterfallDialog``, as the engine calls the referral flow. State lives in ``MemoryStorage``
  through ``ConversationState`` and ``UserState`` (the privacy notice seen, the reminders),
  saved at the end of every turn; turns go through ``TestAdapter.receive_activity`` (the
  adapter's middleware pipeline), one ``Activity`` per message with its own conversation and
  user.

Both read the date-time and the phone number with this project's readers
(``bot.answers.parse.parse_answer``) and show them with its formatters, so both do the same
domain work and the comparison is the dialog runtime: state, stack, prompts, re-prompts.
Bot Framework has no phone recogniser, and its ``DateTimePrompt`` (Recognizers-Text) neither
takes the user's zone nor reads "whenever" as a refusal the same way. The engine does more
than the Bot Framework bot on two turns: it renders Jinja templates, counts the funnel, and on
the number turn builds the ``.ics`` calendar file and schedules a durable reminder job; that
makes the number turn the slowest of both (above the median either way).

Every turn of both is checked (outside the timed section): a reply, the refusal explained and
asked again, the date, time and number echoed after the number turn, the name and specialty in
the referral. A failed check stops the run with exit status 2.

Rounds alternate (engine then Bot Framework, then Bot Framework then engine, ...) so a burst
of load on this shared machine hits both alike; each round runs its conversations one after
another. The verdict is on the p50 of every turn of every round (nearest rank); the median of
the per-round ratios is printed as a check of that.

Usage (from the repository root; ``pip install -e '.[bench]'`` for Bot Framework)::

    python bench/rival_bench.py                  # 10 rounds of 100 conversations each
    python bench/rival_bench.py --rounds 4 --conversations 50 --json rival.json --strict
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
from array import array
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
if str(BENCH) not in sys.path:  # engine_bench.py sits next to this file
    sys.path.insert(0, str(BENCH))

import engine_bench as eb  # noqa: E402
from botbuilder.core import (  # noqa: E402
    ConversationState,
    MemoryStorage,
    MessageFactory,
    TurnContext,
    UserState,
)
from botbuilder.core.adapters import TestAdapter  # noqa: E402
from botbuilder.dialogs import (  # noqa: E402
    DialogSet,
    DialogTurnResult,
    DialogTurnStatus,
    WaterfallDialog,
    WaterfallStepContext,
)
from botbuilder.dialogs.choices import Choice, ListStyle  # noqa: E402
from botbuilder.dialogs.prompts import (  # noqa: E402
    ChoicePrompt,
    ConfirmPrompt,
    PromptOptions,
    PromptValidatorContext,
    TextPrompt,
)
from botbuilder.schema import Activity, ActivityTypes, ChannelAccount, ConversationAccount  # noqa: E402

from bot.answers.parse import Parsed, parse_answer  # noqa: E402
from bot.flow.model import Rule  # noqa: E402
from bot.render.formats import format_phone, format_when  # noqa: E402
from bot.render.markup import to_plain  # noqa: E402

TARGET_RATIO = 30  # issue 14 item 4: the engine's p50 at most 1/30 of Bot Framework's
TIME_ZONE = eb.USER.time_zone or "America/New_York"
NOW = eb.NOW

# -- the Bot Framework bot ---------------------------------------------------------------------

PRIVACY = (
    "Before we start, a word on privacy. I keep only what you tell me here, in a database on this "
    "computer, only to coach you, and never write your messages into logs. Type forget any time "
    "to erase everything I hold about you."
)
CAN_TALK = (
    "Good news first: recruiters call people whose skills stand out. Before anything else: can "
    "you talk openly where you are right now?"
)
WHEN = (
    "No problem: at work is often the only place a recruiter can reach you. A good one doesn't "
    "want to put your current job at risk and will gladly call back at a better time. When suits "
    'you? Your commute home or an evening works well. Try "tomorrow 18:30" or "Tue 6pm".'
)
NUMBER = (
    "Which number should they call? Use a personal mobile, not your work line, and include the "
    "country code, like +1 415 555 0100."
)
SCRIPT = (
    "Here's what to say now:\n\"I can't talk at the moment. Could you call me on **{phone}** on "
    "**{when}**?\"\n\nThen be free and on time at that moment. I'll send you a reminder before "
    "the call."
)
INTEREST = "Now the big question. How do you feel about what they're offering?"
DECLINE = (
    "Being honest is the professional move, and recruiters appreciate it. You could say:\n"
    "\"Thanks for thinking of me. I'm not looking to move right now, but I'd be glad to stay in "
    'touch."'
)
OFFER_REFERRAL = (
    "Recruiters usually ask whether you know someone. Is there someone with a similar background "
    "you could suggest?"
)
REFERRAL_NAME = "What's their first name? (Only the first name; I don't need more.)"
REFERRAL_SPECIALTY = (
    "What do they specialise in? For example “backend engineering” or “B2B sales”."
)
REFERRAL_SCRIPT = (
    "Here's a referral you can offer:\n\"I'm not the right person for this, but {name} is strong "
    "in {specialty}. Let me check they're happy for me to pass on their details.\""
)
ANYTHING_ELSE = "Anything else?"
GOODBYE = "Good luck with the call! Type **menu** any time to see what else I can help with."

CAN_TALK_CHOICES = [
    Choice(
        "at_work",
        synonyms=["I'm at work, I can't talk", "at work", "im at work", "work", "busy", "no"],
    ),
    Choice("free", synonyms=["I can talk now", "yes", "free", "now"]),
]
INTEREST_CHOICES = [
    Choice("interested", synonyms=["I'm interested"]),
    Choice("not_interested", synonyms=["Not interested"]),
    Choice("unsure_legit", synonyms=["Is this recruiter real?"]),
    Choice("undecided", synonyms=["I can't decide yet"]),
]
WRAP_UP_CHOICES = [
    Choice("done", synonyms=["Done, thanks", "no", "no thanks", "thanks", "nothing"]),
    Choice("other_topics", synonyms=["Show me other topics"]),
]


def typed_validator(kind: str, rule: Rule) -> Callable[[PromptValidatorContext], Any]:
    """A ``TextPrompt`` validator reading the answer as ``kind``; a refusal is explained, then
    the question is asked again (the engine's shape: two messages; a prompt sends no retry of
    its own once the turn has responded)."""

    async def validate(prompt: PromptValidatorContext) -> bool:
        text = prompt.recognized.value or ""
        outcome = parse_answer(kind, text, rule=rule, now=NOW, time_zone=TIME_ZONE)
        if isinstance(outcome, Parsed):
            prompt.recognized.value = outcome.value
            return True
        await prompt.context.send_activities(
            [MessageFactory.text(outcome.reason), prompt.options.prompt]
        )
        return False

    return validate


class RivalBot:
    """The conversation as Bot Framework samples write it: a dialog set on conversation state."""

    def __init__(self) -> None:
        storage = MemoryStorage()
        self.conversation_state = ConversationState(storage)
        self.user_state = UserState(storage)
        self.user_profile = self.user_state.create_property("UserProfile")
        self.dialogs = DialogSet(self.conversation_state.create_property("DialogState"))
        self.dialogs.add(ChoicePrompt("choice"))
        self.dialogs.add(ConfirmPrompt("yesno"))
        self.dialogs.add(TextPrompt("text", typed_validator("text", Rule(max_length=120))))
        self.dialogs.add(TextPrompt("datetime", typed_validator("datetime", Rule())))
        self.dialogs.add(TextPrompt("phone", typed_validator("phone", Rule())))
        self.dialogs.add(
            WaterfallDialog(
                "recruiter_called",
                [
                    self.can_talk,
                    self.callback_when,
                    self.callback_number,
                    self.callback_script,
                    self.route_interest,
                    self.maybe_refer,
                    self.anything_else,
                    self.goodbye,
                ],
            )
        )
        self.dialogs.add(
            WaterfallDialog(
                "referral", [self.referral_name, self.referral_specialty, self.referral_script]
            )
        )

    async def on_turn(self, context: TurnContext) -> None:
        dialog_context = await self.dialogs.create_context(context)
        result = await dialog_context.continue_dialog()
        if result.status == DialogTurnStatus.Empty:
            profile = await self.user_profile.get(context, dict)
            if not profile.get("privacy_seen"):
                profile["privacy_seen"] = True
                await context.send_activity(PRIVACY)
            await dialog_context.begin_dialog("recruiter_called")
        await self.conversation_state.save_changes(context)
        await self.user_state.save_changes(context)

    @staticmethod
    async def _choose(step: WaterfallStepContext, text: str, choices: list[Choice]) -> Any:
        options = PromptOptions(
            prompt=MessageFactory.text(text), choices=choices, style=ListStyle.suggested_action
        )
        return await step.prompt("choice", options)

    @staticmethod
    async def _ask(step: WaterfallStepContext, prompt_id: str, text: str) -> Any:
        return await step.prompt(prompt_id, PromptOptions(prompt=MessageFactory.text(text)))

    async def can_talk(self, step: WaterfallStepContext) -> DialogTurnResult:
        return await self._choose(step, CAN_TALK, CAN_TALK_CHOICES)

    async def callback_when(self, step: WaterfallStepContext) -> DialogTurnResult:
        step.values["situation"] = step.result.value
        if step.result.value != "at_work":
            return await step.next(None)
        return await self._ask(step, "datetime", WHEN)

    async def callback_number(self, step: WaterfallStepContext) -> DialogTurnResult:
        step.values["callback_at"] = step.result
        if step.result is None:
            return await step.next(None)
        return await self._ask(step, "phone", NUMBER)

    async def callback_script(self, step: WaterfallStepContext) -> DialogTurnResult:
        at, phone = step.values["callback_at"], step.result
        if at is not None:
            step.values["callback_phone"] = phone
            profile = await self.user_profile.get(step.context, dict)
            profile.setdefault("reminders", []).append({"at": at, "phone": phone})
            when = format_when(at, TIME_ZONE)
            await step.context.send_activity(SCRIPT.format(phone=format_phone(phone), when=when))
        return await self._choose(step, INTEREST, INTEREST_CHOICES)

    async def route_interest(self, step: WaterfallStepContext) -> DialogTurnResult:
        step.values["interest"] = step.result.value
        if step.result.value != "not_interested":
            return await step.next(False)
        await step.context.send_activity(DECLINE)
        return await self._ask(step, "yesno", OFFER_REFERRAL)

    async def maybe_refer(self, step: WaterfallStepContext) -> DialogTurnResult:
        if step.result:
            return await step.begin_dialog("referral")
        return await step.next(None)

    async def anything_else(self, step: WaterfallStepContext) -> DialogTurnResult:
        return await self._choose(step, ANYTHING_ELSE, WRAP_UP_CHOICES)

    async def goodbye(self, step: WaterfallStepContext) -> DialogTurnResult:
        await step.context.send_activity(GOODBYE)
        return await step.end_dialog()

    async def referral_name(self, step: WaterfallStepContext) -> DialogTurnResult:
        return await self._ask(step, "text", REFERRAL_NAME)

    async def referral_specialty(self, step: WaterfallStepContext) -> DialogTurnResult:
        step.values["name"] = step.result
        return await self._ask(step, "text", REFERRAL_SPECIALTY)

    async def referral_script(self, step: WaterfallStepContext) -> DialogTurnResult:
        text = REFERRAL_SCRIPT.format(name=step.values["name"], specialty=step.result)
        await step.context.send_activity(text)
        return await step.end_dialog()


@dataclass(slots=True)
class RivalHarness:
    """The Bot Framework bot behind a ``TestAdapter``; every conversation gets its own user."""

    bot: RivalBot
    adapter: TestAdapter

    @classmethod
    def build(cls) -> RivalHarness:
        bot = RivalBot()
        return cls(bot, TestAdapter(bot.on_turn))

    async def turn(self, name: str, step: eb.Step, samples: array[int] | None) -> None:
        activity = Activity(
            type=ActivityTypes.message,
            text=step.text,
            from_property=ChannelAccount(id=f"user-{name}", name="user"),
            conversation=ConversationAccount(id=f"conversation-{name}"),
        )
        start = time.perf_counter_ns()
        await self.adapter.receive_activity(activity)
        elapsed = time.perf_counter_ns() - start
        if samples is not None:
            samples.append(elapsed)
        replies = [a for a in self.adapter.activity_buffer if a.type == ActivityTypes.message]
        self.adapter.activity_buffer.clear()
        check_rival_turn(step, replies)


def check_rival_turn(step: eb.Step, replies: list[Activity]) -> None:
    """The Bot Framework side of ``engine_bench.check_turn``."""
    if not replies:
        raise eb.CheckFailed(f"Bot Framework, turn {step.text!r}: no reply")
    texts = [to_plain(reply.text or "") for reply in replies]
    if step.asks_again and (len(replies) < 2 or texts[-1] != to_plain(WHEN)):
        raise eb.CheckFailed(f"Bot Framework, turn {step.text!r}: not asked again: {texts!r}")
    plain = "\n".join(texts)
    missing = [echo for echo in step.echoes if echo not in plain]
    if missing:
        raise eb.CheckFailed(f"Bot Framework, turn {step.text!r}: {missing!r} not in {plain!r}")


# -- the runs ----------------------------------------------------------------------------------


async def engine_round(harness: eb.Harness, tag: str, count: int, samples: eb.Samples) -> None:
    await eb.run_sequential(harness, count, tag, samples)


async def rival_round(harness: RivalHarness, tag: str, count: int, samples: eb.Samples) -> None:
    for index in range(count):
        for number, step in enumerate(eb.SCRIPT):
            await harness.turn(f"{tag}{index}", step, samples[number])


def p50_us(samples: eb.Samples) -> float:
    return eb.percentile(sorted(value for step in samples for value in step), 0.5) / 1e3


def step_p50s(samples: eb.Samples) -> dict[str, float]:
    return {
        step.text: round(eb.percentile(sorted(times), 0.5) / 1e3, 1)
        for step, times in zip(eb.SCRIPT, samples, strict=True)
    }


@dataclass(frozen=True, slots=True)
class Side:
    name: str
    p50_us: float
    p99_us: float
    step_p50_us: dict[str, float]
    round_p50_us: list[float]


@dataclass(frozen=True, slots=True)
class RivalResult:
    meta: dict[str, Any]
    engine: Side
    bot_framework: Side
    ratio: float  # Bot Framework p50 / engine p50, all turns
    round_ratios: list[float]
    target_ratio: int
    passed: bool


def side(name: str, rounds: list[eb.Samples]) -> Side:
    every = sorted(value for samples in rounds for step in samples for value in step)
    merged = [
        array("q", [v for samples in rounds for v in samples[n]]) for n in range(len(eb.SCRIPT))
    ]
    return Side(
        name,
        eb.percentile(every, 0.5) / 1e3,
        eb.percentile(every, 0.99) / 1e3,
        step_p50s(merged),
        [round(p50_us(samples), 1) for samples in rounds],
    )


async def run(rounds: int, count: int) -> tuple[list[eb.Samples], list[eb.Samples]]:
    content = eb.Content.load()
    async with eb.opened_store("memory://") as store:
        engine_harness = await eb.make_harness(content, store)
        rival = RivalHarness.build()
        await rival_round(rival, "warmup", eb.WARMUP_CONVERSATIONS, eb.new_samples())
        engine_rounds: list[eb.Samples] = []
        rival_rounds: list[eb.Samples] = []
        for number in range(rounds):
            mine, theirs = eb.new_samples(), eb.new_samples()
            jobs = [
                engine_round(engine_harness, f"r{number}-", count, mine),
                rival_round(rival, f"r{number}-", count, theirs),
            ]
            for job in jobs if number % 2 == 0 else reversed(jobs):
                await job
            engine_rounds.append(mine)
            rival_rounds.append(theirs)
            print(
                f"  round {number + 1:>2}: engine p50 {p50_us(mine):6.1f} us, "
                f"Bot Framework p50 {p50_us(theirs):8.1f} us, "
                f"ratio {p50_us(theirs) / p50_us(mine):5.1f}",
                flush=True,
            )
    return engine_rounds, rival_rounds


def report(
    meta: dict[str, Any], engine_rounds: list[eb.Samples], rival_rounds: list[eb.Samples]
) -> RivalResult:
    engine, rival = side("engine", engine_rounds), side("Bot Framework", rival_rounds)
    ratios = [
        round(b / a, 2) for a, b in zip(engine.round_p50_us, rival.round_p50_us, strict=True)
    ]
    ratio = rival.p50_us / engine.p50_us
    return RivalResult(
        meta, engine, rival, round(ratio, 2), ratios, TARGET_RATIO, ratio >= TARGET_RATIO
    )


def print_result(result: RivalResult) -> None:
    for part in (result.engine, result.bot_framework):
        steps = ", ".join(f"{text} {p50:.0f}" for text, p50 in part.step_p50_us.items())
        print(
            f"  {part.name:<14} p50 {part.p50_us:8.1f} us  p99 {part.p99_us:9.1f} us\n"
            f"    p50 per step (us): {steps}"
        )
    print(f"  median of the per-round ratios: {statistics.median(result.round_ratios):.1f}")
    verdict = "PASS" if result.passed else "FAIL"
    print(
        f"Target:\n  {verdict}  engine p50 / Bot Framework p50: 1/{result.ratio:.1f} "
        f"({result.engine.p50_us:.1f} us against {result.bot_framework.p50_us:.1f} us; "
        f"<= 1/{result.target_ratio})"
    )


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=10, help="alternating rounds (default 10)")
    parser.add_argument(
        "--conversations", type=int, default=100, help="conversations per round and side"
    )
    parser.add_argument("--json", type=Path, metavar="PATH", help="write the results here")
    parser.add_argument("--strict", action="store_true", help="exit 1 when the target is missed")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    meta = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": eb.machine_meta(args)["commit"],
        "python": sys.version.split()[0],
        "cpus": os.cpu_count(),
        "load_average_at_start": os.getloadavg(),
        "rounds": args.rounds,
        "conversations_per_round": args.conversations,
    }
    print(
        f"Engine against Bot Framework, {args.rounds} rounds x {args.conversations} conversations "
        f"x {len(eb.SCRIPT)} turns each, commit {meta['commit']}, "
        f"load average {meta['load_average_at_start'][0]:.2f}",
        flush=True,
    )
    try:
        engine_rounds, rival_rounds = asyncio.run(run(args.rounds, args.conversations))
    except eb.CheckFailed as exc:
        print(f"CHECK FAILED: {exc}", file=sys.stderr)
        return 2
    meta["load_average_at_end"] = os.getloadavg()
    result = report(meta, engine_rounds, rival_rounds)
    print(f"Load average at the end: {meta['load_average_at_end'][0]:.2f}")
    print_result(result)
    if args.json:
        args.json.write_text(json.dumps(asdict(result), indent=2) + "\n", encoding="utf-8")
    return 1 if args.strict and not result.passed else 0


if __name__ == "__main__":
    sys.exit(main())
