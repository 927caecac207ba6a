"""Waiting out a busy database: :class:`bot.store.StoreBusyError` (no pooled connection free, a
lock timeout) is load, not a fault. Nothing was saved, so the call runs again after a pause that
doubles each time; the person sees a late answer instead of an apology."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from bot.store import StoreBusyError

__all__ = ("BUSY_BACKOFF_MAX", "BUSY_RETRY_SECONDS", "Backoff", "is_busy", "patiently")

T = TypeVar("T")

BUSY_RETRY_SECONDS = 60.0  # how long a turn waits for a busy database before it gives up
BUSY_BACKOFF_MAX = 1.0


class Backoff:
    """Pauses between retries: 10 ms, doubling up to :data:`BUSY_BACKOFF_MAX`, for at most
    ``limit`` seconds in all (None: for as long as it takes)."""

    def __init__(self, limit: float | None = BUSY_RETRY_SECONDS) -> None:
        self.delay = 0.01
        self.limit = limit
        self.deadline: float | None = None

    async def wait(self) -> bool:
        """Sleep before the next try; False (at once) when the time is up."""
        now = asyncio.get_running_loop().time()
        if self.limit is not None:
            self.deadline = self.deadline or now + self.limit
            if now >= self.deadline:
                return False
        await asyncio.sleep(self.delay)
        self.delay = min(self.delay * 2, BUSY_BACKOFF_MAX)
        return True


def is_busy(exc: BaseException) -> bool:
    """Whether a failure was the database being busy, also when an action wrapped it."""
    seen: BaseException | None = exc
    for _ in range(8):  # a short chain: causes of causes
        if seen is None:
            return False
        if isinstance(seen, StoreBusyError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


async def patiently(call: Callable[[], Awaitable[T]]) -> T:
    """``call()``, retried with backoff for as long as the database is busy (the durable
    inbox's own steps: the event is saved, so waiting costs the person nothing but time)."""
    backoff = Backoff(limit=None)
    while True:
        try:
            return await call()
        except StoreBusyError:
            await backoff.wait()
