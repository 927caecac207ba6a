"""The schema constant and the migration scripts agree."""

from __future__ import annotations

from datetime import datetime
from itertools import pairwise
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, text

from bot.store.schema import HEAD_REVISION
from bot.store.sql import MIGRATIONS_DIR, SqlStore
from tests.bot.store.test_store_personal import every_row
from tests.sql_engine import sql_engine


def scripts() -> ScriptDirectory:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return ScriptDirectory.from_config(config)


def test_head_revision_constant_is_the_newest_migration() -> None:
    assert scripts().get_heads() == [HEAD_REVISION]


def test_migrations_form_one_line_named_after_their_files() -> None:
    revisions = list(scripts().walk_revisions())  # newest first
    assert revisions[-1].down_revision is None
    for newer, older in pairwise(revisions):
        assert newer.down_revision == older.revision
    for rev in revisions:
        assert rev.path is not None
        assert Path(rev.path).name.startswith(f"{rev.revision}_")


def _upgrade(conn: Connection, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = conn
    command.upgrade(config, revision)


async def test_the_event_ids_recorded_before_0007_become_digests(store_url: str) -> None:
    """A database from before 0007 names DM channels in ``processed_events``; opening it at
    0007 leaves digests only, and the events it had recorded are still recognised."""
    recorded = "msg:T1:D0SECRET:1700000000.000100"
    store = SqlStore(store_url)
    async with sql_engine(store).begin() as conn:
        await conn.run_sync(_upgrade, "0006_inbox_replies")
        await conn.execute(
            text("INSERT INTO processed_events (event_id, expires_at) VALUES (:e, :at)"),
            {"e": recorded, "at": datetime(2999, 1, 1)},
        )
    await store.open()
    try:
        assert await store.is_processed(recorded)
        assert not await store.is_processed("msg:T1:D0SECRET:1700000000.000200")
        rows = await every_row(store)
        assert rows["processed_events"] != [] and "D0SECRET" not in repr(rows)
    finally:
        await store.close()
