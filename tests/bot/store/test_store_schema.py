"""The schema constant and the migration scripts agree."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory

from bot.store.schema import HEAD_REVISION
from bot.store.sql import MIGRATIONS_DIR


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
