"""Migrations of :class:`bot.store.sql.SqlStore`'s schema: SQLAlchemy, and Alembic when the
database is not at :data:`~bot.store.sql_values.HEAD_REVISION`.

Imported only when a start-up finds the schema behind (a new or an older database) or on
PostgreSQL; a SQLite start-up at head checks the revision with plain ``sqlite3``
(:func:`bot.store.sqlite_units.schema_revisions`) and imports neither.
"""

from __future__ import annotations

from sqlalchemy import Connection, inspect, text

from bot.store.sql_values import HEAD_REVISION, MIGRATIONS_DIR

__all__ = ("MIGRATIONS_DIR", "migrate_locked", "schema_revisions")

# Any fixed number works: it only has to be the same for every worker running migrations.
_MIGRATION_LOCK_ID = 0x52435F4D  # "RC_M"


def migrate_locked(conn: Connection) -> bool:
    """Bring the schema to head inside a write unit; False when another worker did it first."""
    if conn.dialect.name == "postgresql":
        # Workers starting together queue here (SQLite queues on BEGIN IMMEDIATE).
        conn.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _MIGRATION_LOCK_ID})
    # Another worker may have migrated while this one waited for the lock.
    if schema_revisions(conn) == {HEAD_REVISION}:
        return False
    _upgrade_to_head(conn)
    return True


def schema_revisions(conn: Connection) -> set[str]:
    """The revisions recorded in ``alembic_version`` (empty for a new database), read with
    plain SQL so that an up-to-date start-up never imports Alembic."""
    if not inspect(conn).has_table("alembic_version"):
        return set()
    return set(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())


def _upgrade_to_head(conn: Connection) -> None:
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = conn
    command.upgrade(config, "head")
