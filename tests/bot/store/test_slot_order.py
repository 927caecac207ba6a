"""Every store keeps the order of a state's slots: `back` relies on it (see
bot/dialog/state.py)."""

from __future__ import annotations

from bot.store import TurnCommit


async def test_the_slots_come_back_in_the_order_they_were_saved(any_store) -> None:
    slots = {"zeta": 1, "alpha": 2, "mid": {"b": 1, "a": 2}, "beta": [3, 1]}
    state = {"k": [], "v": slots, "q": 4}
    await any_store.commit_turn(TurnCommit("conv", "user", state, expected_version=0))
    stored = await any_store.load_conversation("conv")
    assert stored is not None
    assert list(stored.state["v"]) == ["zeta", "alpha", "mid", "beta"]
    assert list(stored.state["v"]["mid"]) == ["b", "a"]
