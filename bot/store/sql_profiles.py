"""Platform profiles on SQL (``profiles``), called by :class:`bot.store.sql_mixins.ProfilesSql`:
one row per person, replaced by an upsert, read only while it has not expired."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import Connection, select

from bot.store.records import JSON
from bot.store.schema import profiles
from bot.store.sql_common import SqlMixin, upsert

__all__ = ("load_profile", "save_profile")


async def load_profile(store: SqlMixin, user_key: str, *, now: datetime) -> dict[str, JSON] | None:
    text: str | None = await store._runner.run("read", _load_profile, user_key, now)
    if text is None:
        return None
    loaded: dict[str, JSON] = json.loads(text)
    return loaded


async def save_profile(
    store: SqlMixin, user_key: str, profile: dict[str, JSON], *, expires_at: datetime
) -> None:
    text = json.dumps(profile, separators=(",", ":"))  # ASCII: lone surrogates escaped
    await store._runner.run("write", _save_profile, user_key, text, expires_at)


def _load_profile(conn: Connection, user_key: str, now: datetime) -> str | None:
    query = select(profiles.c.profile).where(
        profiles.c.user_key == user_key, profiles.c.expires_at > now
    )
    value: str | None = conn.execute(query).scalar()
    return value


def _save_profile(conn: Connection, user_key: str, text: str, expires_at: datetime) -> None:
    insert = upsert(conn, profiles).values(user_key=user_key, profile=text, expires_at=expires_at)
    conn.execute(
        insert.on_conflict_do_update(
            index_elements=[profiles.c.user_key],
            set_={"profile": insert.excluded.profile, "expires_at": insert.excluded.expires_at},
        )
    )
