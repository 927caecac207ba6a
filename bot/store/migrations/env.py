"""Alembic environment, driven programmatically by :class:`bot.store.sql.SqlStore`.

There is no ``alembic.ini``: the store builds an Alembic ``Config`` in code and, inside one of its
write units of work (see :mod:`bot.store.sql_runner`), passes the synchronous connection in
``config.attributes["connection"]``. Migrations therefore run inside the store's transaction,
under the same lock that serialises concurrent start-ups (``BEGIN IMMEDIATE`` on SQLite, an
advisory lock on PostgreSQL).

Offline mode (``alembic upgrade --sql``) works when ``sqlalchemy.url`` is set on the config, which
is handy for reviewing the DDL a migration will run.
"""

from __future__ import annotations

from alembic import context

from bot.store.schema import metadata

config = context.config


def _run_offline() -> None:
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("offline migrations need sqlalchemy.url set on the Alembic config")
    context.configure(url=url, target_metadata=metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def _run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        raise RuntimeError(
            "run migrations through SqlStore.open(), which passes a connection in "
            'config.attributes["connection"]'
        )
    # render_as_batch lets future ALTERs work on SQLite, which rewrites tables to alter them.
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    _run_offline()
else:
    _run_online()
