"""A "Switch to" button never repeats a topic the question already lists.

At the main menu, "What if this recruiter is a scam?" used to add "10) Switch to: Is this
recruiter real?" under "3) Is this recruiter real?". For every question of every flow (the states
the shipped transcripts wait in), each listed choice is picked (typed, as a person would) and the
flows it runs are noted; then, back in the question, a question about each of those topics (and
about every topic whose title is a choice's label) is typed: no "Switch to" may be offered, and
the coach points at the listed choice instead of refusing the answer.
"""

from __future__ import annotations

import asyncio
import copy

import pytest

from adapters.console.convert import current_choices
from bot.dialog.catalog import Catalog
from bot.flowtools.lint import Dialogs
from tests.dialogs.test_commands_everywhere import (  # the shared walk of every waiting state
    Probe,
    Waiting,
    dialogs,  # noqa: F401  (pytest fixture)
    waiting,  # noqa: F401  (pytest fixture)
)

QUESTION = "What about this other thing, can you help?"


def _folded(text: str) -> str:
    return " ".join(text.casefold().split()).rstrip("?.!")


def _takes_free_text(loaded: Dialogs, where: str) -> bool:
    flow_id, _, step_id = where.partition(".")
    step = loaded.registry.flows[flow_id].steps[step_id]
    return bool(getattr(step, "text_slot", None) and getattr(step, "on_text", None))


async def _reached_by(loaded: Dialogs, found: Waiting, label: str) -> set[str]:
    probe = Probe(loaded, found)
    await probe.restore(copy.deepcopy(found.state))
    await probe.say(label)
    stored = await probe.store.load_conversation(probe.ref.key)
    if stored is None:  # the choice erased everything (`forget`)
        return set(probe.ran)
    after = await probe.state()
    return set(probe.ran) | ({frame.flow for frame in after.stack} if after.active else set())


async def _switches(loaded: Dialogs, found: Waiting, target: str) -> list[str]:
    return (await _answer_to_question(loaded, found))[0]


async def _answer_to_question(loaded: Dialogs, found: Waiting) -> tuple[list[str], str]:
    """The "Switch to" buttons offered for QUESTION typed here, and the replies' text."""
    probe = Probe(loaded, found)
    await probe.restore(copy.deepcopy(found.state))
    await probe.say(QUESTION)
    labels = [c.label for c in current_choices(probe.replies) if c.label.startswith("Switch to:")]
    return labels, "\n".join(reply.text for reply in probe.replies)


def test_no_switch_offer_repeats_a_listed_choice(
    dialogs: Dialogs,  # noqa: F811
    waiting: list[Waiting],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    routed: list[str] = []
    monkeypatch.setattr(Catalog, "confident_flow", lambda self, text: routed[-1])
    titles = {flow_id: _folded(flow.title) for flow_id, flow in dialogs.registry.flows.items()}

    async def walk() -> tuple[int, list[str]]:
        checked, problems = 0, []
        for found in waiting:
            if found.where.startswith(("idle", "pending")):
                continue
            here = found.where.partition(".")[0]
            probe = Probe(dialogs, found)
            await probe.restore(copy.deepcopy(found.state))
            await probe.say("repeat")
            labels = [c.label for c in current_choices(probe.replies)]
            targets = {f for f, title in titles.items() if title in map(_folded, labels)}
            for label in labels:
                targets |= await _reached_by(dialogs, found, label)
            for target in sorted(targets - {here}):
                routed.append(target)
                checked += 1
                offered, said = await _answer_to_question(dialogs, found)
                if offered:
                    problems.append(f"{found.where}: {offered} while listing {labels}")
                # not a wrong answer: the coach points at the choice instead of refusing
                # (a question that takes free text keeps it as the answer instead)
                pointed = "below." in said or _takes_free_text(dialogs, found.where)
                if not pointed or "Please pick" in said:
                    problems.append(f"{found.where}: no pointer to the listed {target}")
        return checked, problems

    checked, problems = asyncio.run(walk())
    assert problems == []
    assert checked >= 50


def test_a_switch_is_still_offered_for_a_topic_the_question_does_not_list(
    dialogs: Dialogs,  # noqa: F811
    waiting: list[Waiting],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(Catalog, "confident_flow", lambda self, text: "noncompete")
    found = next(w for w in waiting if w.where == "recruiter_called.can_talk")
    offered = asyncio.run(_switches(dialogs, found, "noncompete"))
    assert offered == [f"Switch to: {dialogs.registry.flows['noncompete'].title}"]
