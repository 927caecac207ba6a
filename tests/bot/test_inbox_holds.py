"""One conversation is never drained twice at once (bot.dialog.inbox): a turn that outlasts the
lease keeps its hold, and a worker whose own hold went stale (a stalled process, a clock that
jumped) and claims it again waits for its earlier drain instead of running the same events
beside it. Real engine and memory store; only time is slowed or jumped."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.boundary import Incoming, Reply
from bot.dialog.inbox import Inbox
from bot.store.memory import MemoryStore
from tests.bot.test_engine_workers import THREE_QUESTIONS
from tests.bot.test_inbox import Recorder, _event, _ref, _state, _until


class SlowFirstTurn(Recorder):
    """Records every event taken up, how many of one conversation run at once, and makes the
    first event's turn slow (``on_slow`` runs while it is slow)."""

    def __init__(self, slow_seconds: float, on_slow: Any = None) -> None:
        super().__init__()
        self.slow_seconds = slow_seconds
        self.on_slow = on_slow
        self.running: Counter[str] = Counter()
        self.most_at_once = 0
        self.taken: Counter[str] = Counter()

    async def prepare(self, incoming: Incoming, route: dict[str, Any]) -> Incoming:
        key = incoming.conversation.key
        self.taken[incoming.event_id or ""] += 1
        self.running[key] += 1
        self.most_at_once = max(self.most_at_once, self.running[key])
        if sum(self.taken.values()) == 1:
            if self.on_slow is not None:
                self.on_slow()
            await asyncio.sleep(self.slow_seconds)
        return incoming

    async def deliver(
        self, incoming: Incoming, route: dict[str, Any], replies: list[Reply]
    ) -> None:
        self.running[incoming.conversation.key] -= 1
        await super().deliver(incoming, route, replies)


async def _run_three(inbox: Inbox, adapter: SlowFirstTurn, engine: Any) -> None:
    """Three messages to one conversation; each taken up once, one at a time, in order."""
    for index, word in enumerate(("start", "one", "two")):
        incoming, stamp = _event(1, word, 1000.0 + index)
        await inbox.enqueue(incoming, stamp=stamp)

    async def answered() -> bool:
        return len(adapter.sent[_ref(1).key]) >= 4  # the privacy notice, then three questions

    await _until(answered, timeout=30)
    await asyncio.sleep(0.5)  # room for a second drain, if one was started
    assert adapter.most_at_once == 1
    assert sorted(adapter.taken.values()) == [1, 1, 1]  # each event taken up once
    assert adapter.sent[_ref(1).key][1:] == ["First?", "Second?", "Third?"]
    assert (await _state(engine, 1)).slots == {"first": "one", "second": "two"}


async def test_a_turn_longer_than_the_lease_keeps_its_hold(
    build_engine: Any, dialogs: Any
) -> None:
    engine = await build_engine(
        dialogs({"three": THREE_QUESTIONS}),
        store=MemoryStore(),
        entry_flow="three",
        clock=lambda: datetime.now(UTC),
    )
    adapter = SlowFirstTurn(slow_seconds=1.5)  # five leases: a turn waiting on a busy database
    inboxes = [
        Inbox(
            engine.store,
            engine,
            adapter,
            worker_id=name,
            lease_seconds=0.3,
            settle_seconds=0,
            poll_seconds=0.01,
        )
        for name in ("w1", "w2")  # w2 takes over a hold that is not renewed
    ]
    try:
        inboxes[1].start()
        await _run_three(inboxes[0], adapter, engine)
    finally:
        for inbox in inboxes:
            await inbox.stop()
    assert not any(inbox._active for inbox in inboxes)


async def test_a_worker_claiming_its_own_stale_hold_does_not_drain_twice(
    build_engine: Any, dialogs: Any
) -> None:
    jump = [timedelta(0)]

    def clock() -> datetime:
        return datetime.now(UTC) + jump[0]

    def stall() -> None:  # the process stalled past the lease: no renewal could run
        jump[0] = timedelta(minutes=5)

    engine = await build_engine(
        dialogs({"three": THREE_QUESTIONS}), store=MemoryStore(), entry_flow="three", clock=clock
    )
    adapter = SlowFirstTurn(slow_seconds=0.5, on_slow=stall)
    inbox = Inbox(
        engine.store,
        engine,
        adapter,
        worker_id="w",
        settle_seconds=0,
        poll_seconds=0.01,
        clock=clock,
    )
    try:
        await _run_three(inbox, adapter, engine)
    finally:
        await inbox.stop()
    assert not inbox._active
