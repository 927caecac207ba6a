"""Checkpoints for ``back``: the compact form, and states saved in the earlier form (before
2026-12-05: ``[seq, stack, count(, olds)]`` with whole stacks on lines) still read and go back
the same, from every store."""

from __future__ import annotations

from typing import Any

from bot.dialog.state import MAX_CHECKPOINTS, ConversationState, Frame, earlier_values
from bot.store import Store, TurnCommit


def frames_of(state: ConversationState) -> list[tuple[str, str, str]]:
    return [(f.flow, f.version, f.step) for f in state.stack]


def earlier_form(checkpoints: list[Any]) -> list[list[Any]]:
    """What the earlier code saved for the same checkpoints: each stack whole on lines, or the
    top step alone when the frames were those of the checkpoint before."""
    stacks: list[list[list[str]]] = []
    probe = ConversationState(checkpoints=list(checkpoints))
    while probe.checkpoints:
        whole = probe.checkpoints[-1]
        text = whole if isinstance(whole, str) else whole[0]
        stack = text.split(" ", 2)[2][1:]
        stacks.insert(0, [frame.split(" ") for frame in stack.split("|")] if stack else [])
        probe.go_back()
    old: list[list[Any]] = []
    for index, checkpoint in enumerate(checkpoints):
        text = checkpoint if isinstance(checkpoint, str) else checkpoint[0]
        seq, count, _ = text.split(" ", 2)
        frames = stacks[index]
        snapshot = "\n".join(" ".join(frame) for frame in frames)
        before = stacks[index - 1] if index else []
        if frames and before and before[:-1] == frames[:-1] and before[-1][:2] == frames[-1][:2]:
            snapshot = frames[-1][2]
        entry: list[Any] = [int(seq), snapshot, int(count)]
        if isinstance(checkpoint, list):
            entry.append(checkpoint[1])
        old.append(entry)
    return old


def test_earlier_form_reads_and_goes_back_through_pushes_pops_and_olds():
    old_state = {
        "k": [["main", "v1", "q4"]],
        "v": {"a": 1, "b": "changed", "c": 3, "d": 4},
        "q": 9,
        "h": [
            [1, "main v1 q0", 0],
            [2, "q1", 1],
            [3, "main v1 q2\nsub v2 s0", 2, {"b": "first"}],
            [5, "s1", 3],
            [7, "main v1 q3", 4],
        ],
    }
    state = ConversationState.from_json(old_state)
    seen = []
    while state.go_back():
        seen.append((frames_of(state), dict(state.slots)))
    assert seen == [
        ([("main", "v1", "q3")], {"a": 1, "b": "changed", "c": 3, "d": 4}),
        ([("main", "v1", "q2"), ("sub", "v2", "s1")], {"a": 1, "b": "changed", "c": 3}),
        ([("main", "v1", "q2"), ("sub", "v2", "s0")], {"a": 1, "b": "first"}),
        ([("main", "v1", "q1")], {"a": 1}),
        ([("main", "v1", "q0")], {}),
    ]
    assert earlier_values(old_state["h"]) == {"b": "first"}


def test_compact_form_goes_back_through_pushes_pops_olds_and_the_dozen_kept():
    state = ConversationState(stack=[Frame("main", "v1", "q0")])
    expected = []
    for n in range(1, MAX_CHECKPOINTS + 6):
        expected.append((frames_of(state), dict(state.slots)))
        state.checkpoint()
        state.assign(f"a{n}", n)
        if n % 4 == 0:
            state.assign("a1", f"changed at {n}")  # an older slot: remembered in olds
        state.seq += 1
        if n % 3 == 0:
            state.stack.append(Frame("sub", f"w{n}", "s0"))
        elif n % 5 == 0 and len(state.stack) > 1:
            state.stack.pop()
        state.top.step = f"q{n}"
    saved = ConversationState.from_json(state.to_json())
    assert all(isinstance(c, str | list) for c in saved.checkpoints)
    restored = []
    while saved.go_back():
        restored.append((frames_of(saved), dict(saved.slots)))
    assert restored == list(reversed(expected))[:MAX_CHECKPOINTS]


def test_a_state_converted_from_the_earlier_form_saves_in_the_compact_one():
    state = ConversationState(stack=[Frame("main", "v1", "q0")])
    for n in range(1, 5):
        state.checkpoint()
        state.assign(f"a{n}", n)
        state.seq += 1
        state.top.step = f"q{n}"
    compact = state.to_json()
    old = {**compact, "h": earlier_form(compact["h"])}
    assert old["h"][0] == [0, "main v1 q0", 0] and old["h"][1] == [1, "q1", 1]
    assert ConversationState.from_json(old).to_json() == compact


async def test_a_conversation_saved_in_the_earlier_form_goes_back_the_same_on_every_store(
    any_store: Store, build_engine, chat_with
):
    """The callback flow and its referral sub-flow: a push, a pop, answers changed."""
    script = ["start", "at work", "tomorrow 18:30", "+1 415 555 0100", "not interested"]
    script += ["yes", "Alex", "backend engineering"]
    live = chat_with(await build_engine(store=any_store), user="live")
    for text in script:
        await live.say(text)
    stored = await any_store.load_conversation(live.ref.key)
    assert stored is not None and stored.state["h"]

    saved_before = chat_with(live.engine, user="before")
    old_state = {**stored.state, "h": earlier_form(stored.state["h"])}
    assert any("\n" in entry[1] for entry in old_state["h"])  # a sub-flow's whole stack
    await any_store.commit_turn(
        TurnCommit(saved_before.ref.key, saved_before.ref.user_key, old_state, 0)
    )

    for chat in (live, saved_before):
        chat.trail = []  # type: ignore[attr-defined]
        for _ in range(len(script)):
            replies = await chat.say("back")
            state = await chat.state()
            assert replies
            chat.trail.append((frames_of(state), state.slots))  # type: ignore[attr-defined]
    assert saved_before.trail == live.trail  # type: ignore[attr-defined]
    assert len({str(frames) for frames, _ in live.trail}) > 3  # type: ignore[attr-defined]
