"""The inbox's store methods, on memory, SQLite and PostgreSQL: events saved once, a conversation
held by one worker at a time (taken over after the lease), events handed out in stamp order."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from bot.store import Store
from bot.store.sql import SqlStore

T0 = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


async def _put(store: Store, event_id: str, key: str = "slack:T:D:-:U", stamp: str = "1") -> bool:
    return await store.enqueue_event(
        event_id=event_id,
        conversation_key=key,
        user_key=key.rsplit(":", 3)[0] + ":U",
        stamp=stamp,
        payload={"n": event_id},
        now=T0,
    )


async def _claim(store: Store, worker: str, *, now: datetime = T0, **options: object) -> list[str]:
    return await store.claim_conversations(
        now=now, limit=options.pop("limit", 10), worker=worker, lease_seconds=10, **options
    )  # type: ignore[arg-type]


async def test_an_event_id_is_saved_once(any_store: Store) -> None:
    assert await _put(any_store, "Ev1")
    assert not await _put(any_store, "Ev1")  # a platform retry
    assert await _claim(any_store, "w1") == ["slack:T:D:-:U"]
    held, event = await any_store.next_inbox_event("slack:T:D:-:U", worker="w1", now=T0)
    assert held and event is not None and event.payload == {"n": "Ev1"}
    await any_store.finish_inbox_event(event.id, now=T0)
    assert not await _put(any_store, "Ev1")  # a late retry of a done event
    assert await any_store.next_inbox_event("slack:T:D:-:U", worker="w1", now=T0) == (True, None)


async def test_events_come_in_stamp_order_whatever_order_they_were_saved_in(
    any_store: Store,
) -> None:
    for event_id, stamp in (("c", "0003"), ("a", "0001"), ("b", "0002")):
        await _put(any_store, event_id, stamp=stamp)
    key = (await _claim(any_store, "w1"))[0]
    seen = []
    while True:
        held, event = await any_store.next_inbox_event(key, worker="w1", now=T0)
        assert held
        if event is None:
            break
        seen.append(event.event_id)
        await any_store.finish_inbox_event(event.id, now=T0)
    assert seen == ["a", "b", "c"]


async def test_a_held_conversation_is_taken_over_only_after_the_lease(any_store: Store) -> None:
    await _put(any_store, "Ev1")
    assert await _claim(any_store, "w1") == ["slack:T:D:-:U"]
    assert await _claim(any_store, "w2") == []  # held by w1
    assert await _claim(any_store, "w2", now=T0 + timedelta(seconds=9)) == []
    later = T0 + timedelta(seconds=11)  # w1 died: its hold was not renewed
    assert await _claim(any_store, "w2", now=later) == ["slack:T:D:-:U"]
    assert await any_store.next_inbox_event("slack:T:D:-:U", worker="w1", now=later) == (
        False,
        None,
    )
    held, event = await any_store.next_inbox_event("slack:T:D:-:U", worker="w2", now=later)
    assert held and event is not None and event.event_id == "Ev1"


async def test_a_renewed_hold_is_kept_and_a_released_one_is_claimable(any_store: Store) -> None:
    await _put(any_store, "Ev1")
    await _put(any_store, "Ev2", stamp="2")
    key = (await _claim(any_store, "w1"))[0]
    renewed = T0 + timedelta(seconds=8)
    held, event = await any_store.next_inbox_event(key, worker="w1", now=renewed)
    assert held and event is not None
    assert await _claim(any_store, "w2", now=T0 + timedelta(seconds=12)) == []  # renewed at 8
    await any_store.release_conversation(key, worker="w1")
    assert await _claim(any_store, "w2", now=renewed) == [key]  # Ev1 and Ev2 still pending


async def test_a_hold_renewed_during_a_long_turn_is_not_taken_over(any_store: Store) -> None:
    await _put(any_store, "Ev1")
    key = (await _claim(any_store, "w1"))[0]
    assert not await any_store.renew_conversation(key, worker="w2", now=T0)  # not w2's hold
    for seconds in (8, 16, 24):  # a turn waiting on a busy database, renewed as it waits
        now = T0 + timedelta(seconds=seconds)
        assert await any_store.renew_conversation(key, worker="w1", now=now)
        assert await _claim(any_store, "w1", now=now + timedelta(seconds=9)) == []
        assert await _claim(any_store, "w2", now=now + timedelta(seconds=9)) == []
    taken = T0 + timedelta(seconds=40)  # w1 stopped renewing
    assert await _claim(any_store, "w2", now=taken) == [key]
    assert not await any_store.renew_conversation(key, worker="w1", now=taken)
    await any_store.release_conversation(key, worker="w1")  # w1's late release: not w2's hold
    assert await any_store.renew_conversation(key, worker="w2", now=taken)


async def test_new_events_settle_before_their_conversation_is_claimed(any_store: Store) -> None:
    await _put(any_store, "Ev1")
    assert await _claim(any_store, "w1", settle_seconds=1.0) == []
    assert await _claim(any_store, "w1", now=T0 + timedelta(seconds=1)) == ["slack:T:D:-:U"]


async def test_claims_are_limited_and_filtered_by_platform(any_store: Store) -> None:
    for n in range(3):
        await _put(any_store, f"s{n}", key=f"slack:T:D{n}:-:U{n}")
    await _put(any_store, "d1", key="discord:-:1:-:2")
    first = await _claim(any_store, "w1", limit=2, platforms=("slack",))
    assert len(first) == 2 and all(k.startswith("slack:") for k in first)
    rest = await _claim(any_store, "w2", platforms=("slack",))
    assert len(rest) == 1 and rest[0] not in first
    assert await _claim(any_store, "w3", platforms=("discord",)) == ["discord:-:1:-:2"]


async def test_forget_removes_waiting_events(any_store: Store) -> None:
    await _put(any_store, "Ev1", key="slack:T:D:-:U")
    assert await any_store.forget_user("slack:T:U") >= 1
    assert await _claim(any_store, "w1") == []


async def test_two_workers_claiming_at_once_never_share_a_conversation(store_url: str) -> None:
    stores = [SqlStore(store_url), SqlStore(store_url)]
    for store in stores:
        await store.open()
    try:
        keys = [f"slack:T:D{n}:-:U{n}" for n in range(40)]
        for n, key in enumerate(keys):
            for m in range(3):
                await _put(stores[0], f"e{n}-{m}", key=key, stamp=str(m))
        claims: dict[str, list[str]] = {"w0": [], "w1": []}

        async def claim_all(store: SqlStore, worker: str) -> None:
            for _ in range(10):
                claims[worker] += await _claim(store, worker, limit=3)

        await asyncio.gather(*(claim_all(s, f"w{i}") for i, s in enumerate(stores)))
        every = claims["w0"] + claims["w1"]
        assert len(every) == len(set(every)) == len(keys)
    finally:
        for store in stores:
            await store.close()


async def test_odd_text_is_kept_as_it_came(any_store: Store) -> None:
    fullwidth, emoji = "\uff26\uff35\uff2c\uff2c", "\U0001f469\u200d\U0001f4bb"
    odd = {"text": f"\ud800 lone, {fullwidth}, {emoji}, <@U1> " + "x" * 50_000}
    await any_store.enqueue_event(
        event_id="odd", conversation_key="k", user_key="u", stamp="1", payload=odd, now=T0
    )
    await _claim(any_store, "w1")
    held, event = await any_store.next_inbox_event("k", worker="w1", now=T0)
    assert held and event is not None and event.payload == odd
