"""A "Switch to" or "which topic?" choice, picked by typing in the console, is used once.

For every question of every flow (the states the shipped transcripts wait in) a question about
another topic is typed, the offered switch is picked by typing its number as the console does (or
its keyword, ``switch``, where a number would be the question's answer), and the new topic must
wait at its first question with nothing answered: what picked the switch must not also answer the
new topic's first question.
"""

from __future__ import annotations

import asyncio
import copy

from adapters.console.convert import current_choices, to_incoming
from bot.boundary import Incoming
from bot.flow.model import AskStep
from bot.flowtools.lint import Dialogs
from tests.dialogs.test_commands_everywhere import (  # the shared walk of every waiting state
    Probe,
    Waiting,
    dialogs,  # noqa: F401  (pytest fixture)
    waiting,  # noqa: F401  (pytest fixture)
)

# two questions, so that the flow one of them belongs to is walked with the other
QUESTIONS = (
    "How do I know if this recruiter is legit or a scam?",
    "How much does the recruiter get paid out of my salary when I'm hired?",
)


async def _pick_by_number(probe: Probe, label_start: str) -> str | None:
    """Type what the console shows for the choice whose label starts with ``label_start``: its
    number, or its keyword when it has one (a switch offered where a number is an answer)."""
    choices = current_choices(probe.replies)
    wanted = next((c for c in choices if c.label.startswith(label_start)), None)
    if wanted is None:
        return None
    numbered = [c for c in choices if c.keyword is None]
    typed = wanted.keyword or str(numbered.index(wanted) + 1)
    incoming = to_incoming(typed, conversation=probe.ref, user=probe.user, choices=choices)
    assert isinstance(incoming, Incoming)
    assert incoming.choice_token is not None or incoming.text == wanted.keyword
    probe.replies = await probe.engine.handle(incoming)
    return wanted.token.removeprefix("topic:")


async def _problem(loaded: Dialogs, probe: Probe, target: str) -> str | None:
    after = await probe.state()
    flow = loaded.registry.flows[target]
    if not after.active or after.top.flow != target:
        return f"went to {after.top.flow if after.active else 'idle'}, not {target}"
    first = flow.steps[after.top.step]
    if not isinstance(first, AskStep):
        return f"waits at {after.top.step}, not a question"
    asks = [s for s in flow.steps.values() if isinstance(s, AskStep)]
    answered = [s.slot for s in asks if s.slot in after.slots]
    if answered:
        return f"the switch number also answered {answered}"
    if not probe.replies or (not probe.replies[-1].choices and first.choices):
        return "the new topic's first question was not shown with its choices"
    return None


def test_a_switch_picked_by_number_opens_the_new_topic_unanswered(
    dialogs: Dialogs,  # noqa: F811
    waiting: list[Waiting],  # noqa: F811
) -> None:
    async def walk() -> tuple[int, list[str]]:
        offers, problems = 0, []
        for found in waiting:
            if found.where.startswith(("idle", "pending")):
                continue
            for question in QUESTIONS:
                probe = Probe(dialogs, found)
                await probe.restore(copy.deepcopy(found.state))
                await probe.say(question)
                target = await _pick_by_number(probe, "Switch to:")
                if target is None:
                    continue
                offers += 1
                problem = await _problem(dialogs, probe, target)
                if problem:
                    problems.append(f"switch to {target} at {found.where}: {problem}")
        return offers, problems

    offers, problems = asyncio.run(walk())
    assert problems == []
    assert offers >= 40


def test_every_topic_of_the_which_topic_list_picked_by_number_opens_unanswered(
    dialogs: Dialogs,  # noqa: F811
    waiting: list[Waiting],  # noqa: F811
) -> None:
    idle = next(w for w in waiting if w.where == "idle")

    async def walk() -> list[str]:
        probe = Probe(dialogs, idle)
        await probe.restore(copy.deepcopy(idle.state))
        await probe.say("I have a question")
        listed = [c.label for c in current_choices(probe.replies)]
        assert len(listed) >= 2, "the router gave no topic list for a vague question"
        problems = []
        for label in listed:
            probe = Probe(dialogs, idle)
            await probe.restore(copy.deepcopy(idle.state))
            await probe.say("I have a question")
            target = await _pick_by_number(probe, label)
            assert target is not None
            problem = await _problem(dialogs, probe, target)
            if problem:
                problems.append(f"which-topic {label!r}: {problem}")
        return problems

    assert asyncio.run(walk()) == []
