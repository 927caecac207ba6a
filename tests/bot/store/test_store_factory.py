"""Choosing a store from a database URL."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.store.factory import build_store, default_database_url, normalize_database_url
from bot.store.memory import MemoryStore
from bot.store.sql import SqlStore


def test_the_default_is_a_sqlite_file_in_the_data_directory(tmp_path: Path) -> None:
    assert default_database_url(tmp_path) == f"sqlite+aiosqlite:///{tmp_path}/coach.db"


def test_memory_url_gives_a_memory_store() -> None:
    assert isinstance(build_store("memory://"), MemoryStore)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("sqlite+aiosqlite:///data/coach.db", "sqlite+aiosqlite:///data/coach.db"),
        ("sqlite:////abs/coach.db", "sqlite+aiosqlite:////abs/coach.db"),
        ("postgresql+asyncpg://bot@db/coach", "postgresql+asyncpg://bot@db/coach"),
        ("postgresql://bot:pw@db:5432/coach", "postgresql+asyncpg://bot:pw@db:5432/coach"),
        ("postgres://bot:pw@db/coach", "postgresql+asyncpg://bot:pw@db/coach"),
        (" memory:// ", "memory://"),
    ],
)
def test_urls_get_the_async_driver(url: str, expected: str) -> None:
    assert normalize_database_url(url) == expected


@pytest.mark.parametrize(
    ("url", "dialect"),
    [("sqlite:///x.db", "sqlite"), ("postgres://bot@db/coach", "postgresql")],
)
def test_sql_urls_give_a_sql_store(url: str, dialect: str) -> None:
    store = build_store(url)
    assert isinstance(store, SqlStore)
    assert store.dialect == dialect


@pytest.mark.parametrize(
    "url",
    ["mysql://bot@db/coach", "postgresql+psycopg2://bot@db/coach", "coach.db", "", "redis://x"],
)
def test_unknown_urls_are_refused_with_the_accepted_schemes(url: str) -> None:
    with pytest.raises(
        ValueError, match=r"memory://.*sqlite\+aiosqlite://.*postgresql\+asyncpg://"
    ):
        build_store(url)


async def test_a_built_sqlite_store_opens(tmp_path: Path) -> None:
    store = build_store(default_database_url(tmp_path / "data"))
    await store.open()
    await store.close()
    assert (tmp_path / "data" / "coach.db").exists()


@pytest.mark.parametrize(
    ("query", "said"),
    [
        ("pool_size=abc", "pool_size in the URL must be a whole number, not 'abc'"),
        ("max_overflow=1.5", "max_overflow in the URL must be a whole number, not '1.5'"),
        ("pool_timeout=soon", "pool_timeout in the URL must be a number of seconds, not 'soon'"),
    ],
)
def test_a_pool_option_that_is_not_a_number_is_refused_before_anything_opens(
    query: str, said: str
) -> None:
    with pytest.raises(ValueError, match=re.escape(said)):
        build_store(f"postgresql+asyncpg://bot@127.0.0.1/coach?{query}")


def test_pool_options_that_are_numbers_are_kept() -> None:
    url = "postgresql+asyncpg://bot@127.0.0.1/coach?pool_size=2&max_overflow=0&pool_timeout=2.5"
    assert isinstance(build_store(url), SqlStore)
