"""The profiles port (bot/store/ports/profiles.py) on memory, SQLite and PostgreSQL: a profile is
shared until it expires, replaced by a newer one, and forgotten with the person."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.store import Store

T0 = datetime(2030, 5, 1, 9, 0, tzinfo=UTC)
KEY = "slack:T1:U1"


async def test_a_profile_is_kept_until_it_expires(any_store: Store) -> None:
    profile = {"name": "Ana \ud800", "tz": "Europe/Berlin", "admin": True}
    await any_store.save_profile(KEY, profile, expires_at=T0 + timedelta(hours=1))
    assert await any_store.load_profile(KEY, now=T0) == profile
    assert await any_store.load_profile(KEY, now=T0 + timedelta(hours=1)) is None
    assert await any_store.load_profile("slack:T1:U2", now=T0) is None


async def test_a_newer_profile_replaces_the_old_one(any_store: Store) -> None:
    await any_store.save_profile(KEY, {"name": "old"}, expires_at=T0)
    await any_store.save_profile(KEY, {"name": "new"}, expires_at=T0 + timedelta(hours=2))
    assert await any_store.load_profile(KEY, now=T0 + timedelta(hours=1)) == {"name": "new"}


async def test_forget_user_drops_the_profile(any_store: Store) -> None:
    await any_store.save_profile(KEY, {"name": "Ana"}, expires_at=T0 + timedelta(days=1))
    await any_store.forget_user(KEY)
    assert await any_store.load_profile(KEY, now=T0) is None
