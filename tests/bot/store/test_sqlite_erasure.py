"""On SQLite, ``forget`` leaves no readable trace in the database's files: deleted rows are
overwritten (``secure_delete``), not left in free pages, and the write-ahead log's old frames are
dropped (a truncating checkpoint). A long answer spills into overflow pages, which SQLite frees
without clearing them otherwise."""

from __future__ import annotations

from pathlib import Path

from bot.store import TurnCommit
from bot.store.sql import SqlStore

SECRET = "call-me-on-6465550142 "  # repeated: a state long enough for overflow pages
USER = "console:erasure:sam"


def traces(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.is_file() and b"6465550142" in p.read_bytes()]


async def test_forget_leaves_no_bytes_of_the_person_in_the_files(tmp_path: Path) -> None:
    store = SqlStore(f"sqlite+aiosqlite:///{tmp_path / 'coach.db'}")
    await store.open()
    try:
        for n in range(3):
            state = {"slots": {"notes": SECRET * 400, "n": n}}
            await store.commit_turn(TurnCommit(f"c{n}", USER, state, 0))
        assert traces(tmp_path) != []
        assert await store.forget_user(USER) == 3
        assert traces(tmp_path) == []
    finally:
        await store.close()
    assert traces(tmp_path) == []
