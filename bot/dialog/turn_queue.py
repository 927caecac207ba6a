"""One turn at a time per conversation in this process, with no lock for the usual turn.

Two events of one conversation (a double click, a message typed while the last one is still
being answered) must not run at once: the second would start from a state the first has not
saved yet, conflict on commit and run again. An ``asyncio.Lock`` per conversation did this, but
made and dropped for every turn it cost about a microsecond of a ~30 us turn in memory. Here a
turn that finds its conversation idle only marks it running; a turn that arrives while another
runs waits, and the waiting ones run in the order they came.
"""

from __future__ import annotations

import asyncio
from collections import deque

__all__ = ("TurnQueue",)


class TurnQueue:
    """``if not queue.try_start(key): await queue.wait_start(key)``, the turn, then
    ``queue.finish(key)`` (in a ``finally``)."""

    def __init__(self) -> None:
        # conversation key -> the turns waiting behind the running one (None: none waits)
        self._running: dict[str, deque[asyncio.Future[None]] | None] = {}

    def __len__(self) -> int:
        """Conversations with a turn running (nothing is kept once they are done)."""
        return len(self._running)

    def try_start(self, key: str) -> bool:
        """Start a turn of ``key`` now if none runs; False: it must :meth:`wait_start`."""
        if key in self._running:
            return False
        self._running[key] = None
        return True

    async def wait_start(self, key: str) -> None:
        """Wait until the turns of ``key`` that came before are done (call right after
        :meth:`try_start` returned False, with no ``await`` in between)."""
        waiting = self._running[key]
        if waiting is None:
            waiting = self._running[key] = deque()
        ready: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        waiting.append(ready)
        try:
            await ready
        except BaseException:  # cancelled while waiting
            if ready.done() and not ready.cancelled():
                self.finish(key)  # its go had come already: hand it to the next
            elif ready in waiting:
                waiting.remove(ready)
            raise

    def finish(self, key: str) -> None:
        """The running turn of ``key`` is done: the next one waiting starts."""
        waiting = self._running[key]
        while waiting:
            ready = waiting.popleft()
            if not ready.done():  # a cancelled one may still be in the queue
                ready.set_result(None)
                return
        del self._running[key]
