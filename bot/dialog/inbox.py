"""The durable inbox: every platform event is saved before it is acknowledged, then run from the
database, one at a time per conversation, in the order the platform stamped them.

An adapter converts a platform payload to an :class:`~bot.boundary.Incoming`, calls
:meth:`Inbox.enqueue` (one database write) and only then acknowledges. A worker loop
(:meth:`Inbox.run_forever`) claims conversations with pending events
(:meth:`bot.store.InboxStore.claim_conversations`), and for each claimed conversation runs its
events in ``stamp`` order through ``Engine.handle`` and hands the replies to the adapter's
:meth:`InboxAdapter.deliver`. So:

- **Nothing acknowledged is lost.** A worker killed after the acknowledgement leaves the event in
  the inbox and its hold expires after ``lease_seconds``; another worker (or this one,
  restarted) takes the conversation over and runs the event.
- **Each event has one effect.** The engine records the event id in the same transaction as the
  turn, so an event run again after a crash (or a platform retry) changes nothing twice; the
  inbox's own unique event id turns a retry away before it is even queued.
- **Order.** One worker holds a conversation at a time (the hold is renewed while a turn runs,
  and a worker never drains one conversation twice at once) and takes its events by the platform's
  stamp, so a message that arrives while the previous one is handled waits for it, and answers
  typed ahead of the questions are applied to the successive questions. Events are left
  ``settle_seconds`` after they arrive, so that messages sent together, which may reach two
  workers in either order, are sorted before the first is run; and an event waits until
  ``order_window_seconds`` after the moment the platform stamped it (its ``received_at``: a
  Slack ``ts``, a Discord snowflake's time), so that a message sent just before it whose event
  is delivered late (a slow acknowledgement, a retry) still comes first. The wait is bounded:
  never more than ``order_window_seconds`` after arrival, whatever the clocks say. A message
  later than that is applied to the question the person is at when it runs: never dropped.
- **Backpressure.** A worker runs at most ``concurrency`` conversations at once (sized to its
  connection pool); the rest wait in the inbox. A busy database (no connection free, a lock
  timeout) is waited for and retried, however long, never reported to the person as an error.
- **Replies survive the crash too.** A turn's replies are saved in its event's row in the turn's
  transaction; a worker taking a dead worker's conversation over sends the replies it finds
  there instead of running the event again. A worker killed after sending but before marking
  the event done has them sent twice (a window of one statement).

Privacy: logs name conversation keys, ids and exception types only.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any, Protocol, runtime_checkable

from bot.boundary import Incoming, Reply
from bot.dialog.busy import patiently
from bot.dialog.event_json import replies_from_json
from bot.dialog.inbox_events import (
    decimal_stamp,
    incoming_from_json,
    incoming_to_json,
    integer_stamp,
)
from bot.store import InboxEvent, InboxStore

__all__ = (
    "Handles",
    "Inbox",
    "InboxAdapter",
    "RunsEvents",
    "decimal_stamp",
    "incoming_from_json",
    "incoming_to_json",
    "integer_stamp",
    "worker_name",
)

log = logging.getLogger(__name__)

Route = dict[str, Any]

LEASE_SECONDS = 15.0
SETTLE_SECONDS = 0.25  # waits for messages sent together that reached another worker later
# How long after the platform's stamp an event waits for earlier ones delivered late: the
# slowest acknowledgement measured in bursts was 0.64 s behind its later message.
ORDER_WINDOW_SECONDS = 1.0
POLL_SECONDS = 0.1
# The longest a turn waits for the acknowledgements in flight in this worker to be saved first.
ACKS_FIRST_SECONDS = 0.5


class InboxAdapter(Protocol):
    """What an adapter gives the inbox: how to complete an event and where replies go."""

    async def prepare(self, incoming: Incoming, route: Route) -> Incoming:
        """The event as the engine should see it (for example with the person's time zone,
        looked up now rather than before the acknowledgement)."""

    async def deliver(self, incoming: Incoming, route: Route, replies: list[Reply]) -> None:
        """Send the replies of a turn where the event came from (``route`` says where); called
        for every event, also when the turn has nothing to say."""


@runtime_checkable
class RunsEvents(Protocol):
    """An adapter that runs some of its events itself (a slash command that checks who is an
    admin, a form button that opens a modal): True when it ran the event, False to leave it to
    the usual prepare, engine turn and deliver."""

    async def run_event(self, incoming: Incoming, route: Route) -> bool:
        """Run the event (in the inbox's order, holding its conversation); True when done."""


def worker_name() -> str:
    """This process in inbox holds: host, pid and a random suffix (a restarted process on the
    same host and pid is another worker)."""
    return f"{socket.gethostname()}-{os.getpid()}-{os.urandom(3).hex()}"


def _utcnow() -> datetime:
    return datetime.now(UTC)


class Handles(Protocol):
    """What runs one event (the engine; the inbox needs nothing else of it)."""

    async def handle(self, incoming: Incoming, *, durable: bool = False) -> list[Reply]: ...


class Inbox:
    """One worker's side of the inbox: enqueue (before the ack) and the loop that runs events.

    Args:
        store: the opened store (shared with the engine).
        engine: runs each event.
        adapter: completes events and delivers replies.
        worker_id: names this worker in holds.
        concurrency: conversations run at once; keep it under the connection pool's size.
        lease_seconds: a hold not renewed for this long is taken over (its worker died).
        settle_seconds: how long a new event waits for others sent together.
        order_window_seconds: how long after the platform stamped it an event waits for
            earlier ones still on their way (at most this long after it arrived).
        poll_seconds: the pause between claims when nothing is waiting here.
        acks_first_seconds: the longest a turn waits for acknowledgements in flight.
        platforms: claim only conversations on these platforms (None: all).
    """

    def __init__(
        self,
        store: InboxStore,
        engine: Handles,
        adapter: InboxAdapter,
        *,
        worker_id: str,
        concurrency: int = 8,
        lease_seconds: float = LEASE_SECONDS,
        settle_seconds: float = SETTLE_SECONDS,
        order_window_seconds: float = ORDER_WINDOW_SECONDS,
        poll_seconds: float = POLL_SECONDS,
        acks_first_seconds: float = ACKS_FIRST_SECONDS,
        platforms: tuple[str, ...] | None = None,
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        self.store = store
        self.engine = engine
        self.adapter = adapter
        self.worker_id = worker_id
        self.concurrency = max(concurrency, 1)
        self.lease_seconds = lease_seconds
        self.settle_seconds = settle_seconds
        self.order_window = timedelta(seconds=max(order_window_seconds, 0.0))
        self.poll_seconds = poll_seconds
        self.acks_first_seconds = acks_first_seconds
        self.platforms = platforms
        self.clock = clock
        self._active: dict[str, asyncio.Task[None]] = {}
        self._wake = asyncio.Event()
        self._acks = _InFlight()  # enqueues (acknowledgements) in flight in this worker
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    # -- the acknowledging side ----------------------------------------------------------------

    async def enqueue(
        self,
        incoming: Incoming,
        *,
        stamp: str,
        route: Route | None = None,
        wait_for_late: bool = True,
    ) -> bool:
        """Save the event (call this before acknowledging it); False for a platform retry of an
        event already in the inbox. A busy database is waited for: the acknowledgement waits
        rather than the event being lost. ``wait_for_late=False`` runs the event after the
        settle window only, not the order window (an answer someone waits for on screen,
        such as a modal submission whose errors go back in its acknowledgement).

        Raises:
            ValueError: the event has no ``event_id`` (retries could not be recognised).
        """
        if not incoming.event_id:
            raise ValueError("an inbox event needs the platform's event id")
        ref = incoming.conversation
        now = self.clock()
        due = self._due(now, incoming.received_at, wait_for_late=wait_for_late)
        with self._acks:
            added = await patiently(
                lambda: self.store.enqueue_event(
                    event_id=incoming.event_id or "",
                    conversation_key=ref.key,
                    user_key=ref.user_key,
                    stamp=stamp,
                    payload={"incoming": incoming_to_json(incoming), "route": route or {}},
                    now=now,
                    due_at=due,
                )
            )
        if added:
            if self._task is None and not self._stopping.is_set():
                self.start()  # the first event of a worker whose loop was not started yet
            self._wake.set()
        return added

    def _due(self, now: datetime, stamped: datetime, *, wait_for_late: bool = True) -> datetime:
        """When an event that arrives ``now``, stamped ``stamped`` by the platform, may run:
        after the settle window, and ``order_window`` after the platform's stamp but never
        later than that after arrival (a platform clock ahead of ours changes nothing)."""
        settled = now + timedelta(seconds=self.settle_seconds)
        if not wait_for_late:
            return settled
        return max(settled, min(stamped, now) + self.order_window)

    # -- the working side ----------------------------------------------------------------------

    def start(self) -> asyncio.Task[None]:
        """Run :meth:`run_forever` in a background task (once) and return it."""
        if self._task is None or self._task.done():
            self._stopping.clear()
            self._task = asyncio.create_task(self.run_forever(), name=f"inbox:{self.worker_id}")
        return self._task

    async def stop(self) -> None:
        """Stop claiming, finish the event in hand of each conversation, give the holds up."""
        self._stopping.set()
        self._wake.set()
        if self._task is not None:
            task, self._task = self._task, None
            await task
        while self._active:
            await asyncio.gather(*self._active.values(), return_exceptions=True)

    async def run_forever(self) -> None:
        while not self._stopping.is_set():
            try:
                claimed, free = await self.claim_once()
            except Exception as exc:  # a lost connection must not end the loop
                log.warning("inbox claim failed with %s", type(exc).__name__)
                claimed, free = 0, 0
            if claimed < free or free <= 0:
                await self._pause(self.poll_seconds)

    async def claim_once(self) -> tuple[int, int]:
        """Claim conversations for the free slots and start them; (claimed, free slots)."""
        free = self.concurrency - len(self._active)
        if free <= 0:
            return 0, 0
        keys = await self.store.claim_conversations(
            now=self.clock(),
            limit=free,
            worker=self.worker_id,
            lease_seconds=self.lease_seconds,
            settle_seconds=self.settle_seconds,
            platforms=self.platforms,
        )
        for key in keys:
            # A conversation still drained here (its hold went stale while this process was
            # stalled, and this worker claimed it again) gets no second drain beside the first:
            # the new one starts when the old one is over, so one turn at a time stays true.
            earlier = self._active.get(key)
            self._active[key] = asyncio.create_task(self._drain(key, earlier), name=f"inbox:{key}")
        return len(keys), free

    async def _pause(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout=seconds)
        self._wake.clear()

    async def _drain(self, key: str, earlier: asyncio.Task[None] | None = None) -> None:
        """Run the conversation's events in order until none is left, then give it up; after
        ``earlier`` (this process's previous drain of it), if that one is still running."""
        heartbeat: asyncio.Task[None] | None = None
        try:
            if earlier is not None:
                await asyncio.wait({earlier})
            heartbeat = asyncio.create_task(self._keep_hold(key), name=f"inbox-hold:{key}")
            await self._run_conversation(key)
        except Exception as exc:
            # The hold stays until its lease runs out; then any worker takes the events over.
            log.warning("inbox conversation %s failed with %s", key, type(exc).__name__)
        finally:
            if heartbeat is not None:
                heartbeat.cancel()
            if self._active.get(key) is asyncio.current_task():  # not a later drain's entry
                del self._active[key]
            self._wake.set()  # a slot is free

    async def _keep_hold(self, key: str) -> None:
        """Renew the hold while a turn runs: a turn that waits on a busy database may outlast
        the lease, and a stale hold would let another drain run the same events beside it."""
        while True:
            await asyncio.sleep(self.lease_seconds / 3)
            try:
                held = await patiently(
                    lambda: self.store.renew_conversation(
                        key, worker=self.worker_id, now=self.clock()
                    )
                )
            except Exception as exc:  # a lost connection: try again at the next beat
                log.warning(
                    "inbox conversation %s: renewal failed with %s", key, type(exc).__name__
                )
                continue
            if not held:  # taken over; the drain finds out at its next event and stops
                return

    async def _run_conversation(self, key: str) -> None:
        while True:
            held, event = await patiently(
                lambda: self.store.next_inbox_event(key, worker=self.worker_id, now=self.clock())
            )
            if not held:
                log.warning("inbox conversation %s: hold lost to another worker", key)
                return
            if event is None or self._stopping.is_set():
                await patiently(
                    lambda: self.store.release_conversation(key, worker=self.worker_id)
                )
                return
            due = event.due_at or event.enqueued_at + timedelta(seconds=self.settle_seconds)
            wait = (due - self.clock()).total_seconds()
            if wait > 0:  # an event sent together with this one may still be on its way
                await asyncio.sleep(wait)
                continue
            # Backpressure: acknowledgements before turns, which would otherwise take the
            # event loop and the pool from them under overload (docs/slack.md).
            await self._acks.settled(self.acks_first_seconds)
            await self._process(event)
            await patiently(partial(self.store.finish_inbox_event, event.id, now=self.clock()))

    async def _process(self, event: InboxEvent) -> None:
        incoming = incoming_from_json(event.payload["incoming"])
        route: Route = event.payload.get("route") or {}
        if event.replies is not None:  # its turn is saved; its worker died before sending
            await self._deliver(event, incoming, route, replies_from_json(event.replies))
            return
        if isinstance(self.adapter, RunsEvents):
            try:
                if await self.adapter.run_event(incoming, route):
                    return
            except Exception as exc:  # like a failed delivery: logged, the event is done
                log.warning("inbox event %s: run failed with %s", event.id, type(exc).__name__)
                return
        try:
            incoming = await self.adapter.prepare(incoming, route)
        except Exception as exc:  # the event still runs, without what could not be looked up
            log.warning("inbox event %s: prepare failed with %s", event.id, type(exc).__name__)
        replies = await self.engine.handle(incoming, durable=True)  # saved with the turn
        await self._deliver(event, incoming, route, replies)

    async def _deliver(
        self, event: InboxEvent, incoming: Incoming, route: Route, replies: list[Reply]
    ) -> None:
        try:  # also with no replies: the route may carry something to show (Discord's notes)
            await self.adapter.deliver(incoming, route, replies)
        except Exception as exc:  # the turn is saved; running it again would send nothing
            log.warning("inbox event %s: delivery failed with %s", event.id, type(exc).__name__)


class _InFlight:
    """Counts the calls in flight inside ``with`` (the enqueues of acknowledgements); a turn
    waits for them to be saved first, up to a limit (the events meanwhile wait, saved)."""

    def __init__(self) -> None:
        self._count = 0
        self._none = asyncio.Event()  # set when the last of them is over

    def __enter__(self) -> None:
        self._count += 1

    def __exit__(self, *exc_info: object) -> None:
        self._count -= 1
        if not self._count:
            self._none.set()

    async def settled(self, timeout: float) -> None:
        """Wait until none is in flight, for at most ``timeout`` seconds."""
        if self._count:
            self._none.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._none.wait(), timeout)
