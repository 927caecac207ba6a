"""The connections of the units straight on asyncpg (:mod:`bot.store.pg_units`): a free list
of plain asyncpg connections, kept apart from SQLAlchemy's pool.

Why not SQLAlchemy's pool: a checkout there (``engine.connect()``, ``get_raw_connection()``,
the isolation level set and reset, the checkin) cost ~200 us of CPU per unit on this
project's 2-vCPU machine, about ten times the ~25 us round trip of the statement itself, and a
turn has two units (docs/benchmarks.md, "Durable turns"). asyncpg's own pool is cheaper but
runs a reset query on every release: a round trip. The units here are single statements in
autocommit mode, or one transaction that ends before the connection comes back, so a released
connection has no session state to reset: handing it back is appending it to a list.

Size: up to ``pool_size`` idle connections, ``pool_size + max_overflow`` open at once (the
same options as SQLAlchemy's pool, which the store keeps for its other units, so a worker may
hold up to twice as many connections). A unit that finds all of them busy waits up to
``pool_timeout`` seconds for one, then fails with :class:`~bot.store.StoreBusyError` (load,
which the core retries), as a SQLAlchemy pool timeout does.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from bot.store.errors import StoreBusyError, StoreClosedError
from bot.store.sql_values import NOT_OPEN

if TYPE_CHECKING:
    from bot.store.pg_units import AsyncpgConnection

__all__ = ("AsyncpgPool",)


class AsyncpgPool:
    """A free list of asyncpg connections for one event loop (see the module docstring)."""

    def __init__(
        self,
        connect: Callable[[], Awaitable[AsyncpgConnection]],
        *,
        size: int = 5,
        overflow: int = 10,
        timeout: float = 30.0,
    ) -> None:
        self._connect = connect
        self._size = max(1, size)
        self._limit = self._size + max(0, overflow)
        self._timeout = timeout
        self._idle: list[AsyncpgConnection] = []  # last in, first out: the warmest first
        self._waiters: deque[asyncio.Future[AsyncpgConnection | None]] = deque()
        self._open = 0  # connections handed out, idle or being connected
        self._closed = False

    @property
    def open_connections(self) -> int:
        """Connections open or being opened (for tests)."""
        return self._open

    async def acquire(self) -> AsyncpgConnection:
        """An idle connection, a new one while under the limit, or the next one released.

        Raises:
            StoreBusyError: none came free within the timeout.
            StoreClosedError: the pool is closed.
        """
        if self._closed:
            raise StoreClosedError(NOT_OPEN)
        if self._idle:
            return self._idle.pop()
        if self._open < self._limit:
            return await self._new()
        waiter: asyncio.Future[AsyncpgConnection | None] = (
            asyncio.get_running_loop().create_future()
        )
        self._waiters.append(waiter)
        try:
            conn = await asyncio.wait_for(asyncio.shield(waiter), self._timeout)
        except BaseException as exc:
            self._give_up(waiter)
            if isinstance(exc, TimeoutError):
                raise StoreBusyError("no database connection free") from None
            raise
        # None: a connection was closed, which leaves room to open one.
        return conn if conn is not None else await self._new()

    def _give_up(self, waiter: asyncio.Future[AsyncpgConnection | None]) -> None:
        """A waiter that stops waiting (timed out, cancelled): out of the queue, or, when it was
        handed a connection or room for one meanwhile, that goes to the next."""
        if waiter in self._waiters:
            self._waiters.remove(waiter)
        elif waiter.done() and not waiter.cancelled() and waiter.exception() is None:
            handed = waiter.result()
            if handed is not None:
                self.release(handed)
            else:
                self._wake(None)

    async def _new(self) -> AsyncpgConnection:
        self._open += 1
        try:
            return await self._connect()
        except BaseException:
            self._open -= 1
            self._wake(None)
            raise

    def release(self, conn: AsyncpgConnection, *, broken: bool = False) -> None:
        """Hand ``conn`` back. A broken one (lost, or left mid-statement or mid-transaction)
        is closed, and its place goes to the next waiter."""
        if broken or self._closed or conn.is_closed() or conn.is_in_transaction():
            conn.terminate()
            self._open -= 1
            self._wake(None)
        elif self._wake(conn):
            return
        elif len(self._idle) < self._size:
            self._idle.append(conn)
        else:  # an overflow connection: not kept idle
            conn.terminate()
            self._open -= 1

    def _wake(self, conn: AsyncpgConnection | None) -> bool:
        """Hand ``conn`` (or room for a new connection) to the oldest waiter, if any."""
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(conn)
                return True
        return False

    async def close(self) -> None:
        """Close the idle connections; those in use are closed when they come back."""
        self._closed = True
        idle, self._idle = self._idle, []
        for conn in idle:
            self._open -= 1
            try:
                await asyncio.wait_for(conn.close(), 5)
            except Exception:  # already gone, or the server does not answer: drop it
                conn.terminate()
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_exception(StoreClosedError(NOT_OPEN))
