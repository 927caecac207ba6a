"""How :class:`bot.store.memory.MemoryStore` keeps a conversation, a job and a user: packed
bytes, so that thousands of live conversations cost about a kilobyte each with everything the
store holds for them (docs/benchmarks.md, "Memory per live conversation").

- A conversation is ONE bytes object: a header (version, updated_at as a UNIX time, the slot
  names' shape), the user key (nothing when it is the one the conversation key names, else "="
  and the key) and a NUL, then the state as compact JSON (orjson) with its slots
  as a list of values. The slot names come back from the shape: conversations of the same
  flows have the same names in the same order, so each set of names is kept once per process
  (:class:`Shapes`), not once per conversation. A state whose slots are not a mapping of names
  (or a process with very many shapes) keeps its names in the JSON.
- A pending job is one bytes object too (:mod:`bot.store.memory_job_rows`).
- A user's time zone and settings are compact JSON bytes, one object shared by all users with
  the same ones (:class:`SharedRows`).

Packing and unpacking cost a few microseconds, the price of keeping states small.
"""

from __future__ import annotations

import struct
from datetime import UTC, datetime
from typing import Any

import orjson

from bot.store.records import JSON, StoredConversation, UserRecord

__all__ = (
    "Shapes",
    "SharedRows",
    "compact_json",
    "conversation_parts",
    "pack_user",
    "unpack_user",
    "user_key_from_parts",
    "user_key_of",
    "version_of",
)

_HEADER = struct.Struct("<IdI")
_NO_SHAPE = 0xFFFFFFFF  # the slots keep their names in the JSON
MAX_SHAPES = 65536  # a bound on the names kept: past it, states carry their own names


class Shapes:
    """The distinct tuples of slot names seen, each kept once; a row names its shape by index."""

    def __init__(self) -> None:
        self._ids: dict[tuple[str, ...], int] = {}
        self._names: list[tuple[str, ...]] = []

    def pack(self, key: str, version: int, updated_at: float, user_key: str, state: JSON) -> bytes:
        """``updated_at`` is a UNIX time (``time.time()``)."""
        shape, body = _NO_SHAPE, state
        slots = state.get("v") if isinstance(state, dict) else None
        if isinstance(slots, dict) and slots:
            shape = self._shape_id(tuple(slots))
            if shape != _NO_SHAPE:
                body = {**state, "v": list(slots.values())}
        head = _HEADER.pack(version, updated_at, shape)
        # nothing when the conversation key names the user (~30 bytes a conversation); written
        # out here, not with conversation_parts: this runs every turn
        parts = key.split(":")
        named = len(parts) == 5 and user_key == f"{parts[0]}:{parts[1]}:{parts[4]}"
        kept = b"" if named and "\0" not in user_key else b"=" + user_key.encode()
        return b"".join((head, kept, b"\0", orjson.dumps(body)))

    def unpack(self, key: str, row: bytes) -> StoredConversation:
        version, stamp, shape = _HEADER.unpack_from(row)
        state = orjson.loads(memoryview(row)[row.index(b"\0", _HEADER.size) + 1 :])
        if shape != _NO_SHAPE:  # the row was packed with exactly these names
            state["v"] = dict(zip(self._names[shape], state["v"], strict=False))
        return StoredConversation(key, state, version, datetime.fromtimestamp(stamp, UTC))

    def _shape_id(self, names: tuple[str, ...]) -> int:
        shape = self._ids.get(names)
        if shape is None:
            if len(self._names) >= MAX_SHAPES or not all(type(n) is str for n in names):
                return _NO_SHAPE
            shape = self._ids[names] = len(self._names)
            self._names.append(names)
        return shape


def compact_json(value: object) -> bytes:
    """``value`` as JSON bytes of their own size: orjson returns its output in a buffer of at
    least 4 KB, which a bytes object kept for long would hold on to."""
    return memoryview(orjson.dumps(value)).tobytes()


def version_of(row: bytes) -> int:
    version: int = _HEADER.unpack_from(row)[0]
    return version


def user_key_of(key: str, row: bytes) -> str:
    kept = row[_HEADER.size : row.index(b"\0", _HEADER.size)]
    if kept:  # "=" and the user key
        return kept[1:].decode()
    parts = conversation_parts(key)
    assert parts is not None  # packed without it only when the key names the user
    return user_key_from_parts(parts)


def conversation_parts(key: str) -> list[str] | None:
    """platform, space, channel, thread and user of a conversation key as
    :class:`bot.boundary.ConversationRef` builds it (``-`` for no space or thread), or None for
    a key of another form. Only a shortcut: whatever is derived from it is checked when packed.
    """
    parts = key.split(":")
    return parts if len(parts) == 5 else None


def user_key_from_parts(parts: list[str]) -> str:
    """The user key :class:`bot.boundary.ConversationRef` gives the conversation's user."""
    return f"{parts[0]}:{parts[1]}:{parts[4]}"


class SharedRows:
    """One bytes object for each distinct row in use: most users have the same time zone and
    settings (the privacy notice seen), so their rows are shared instead of copied. Counted, so
    a row nobody has any more is dropped (nothing outlives the users who had it)."""

    def __init__(self) -> None:
        self._rows: dict[bytes, bytes] = {}
        self._uses: dict[bytes, int] = {}

    def take(self, row: bytes) -> bytes:
        """The shared object equal to ``row``, counted once more."""
        shared = self._rows.setdefault(row, row)
        self._uses[shared] = self._uses.get(shared, 0) + 1
        return shared

    def give_back(self, row: bytes) -> None:
        uses = self._uses[row] - 1
        if uses:
            self._uses[row] = uses
        else:
            del self._uses[row], self._rows[row]


def pack_user(user: UserRecord) -> bytes:
    return compact_json([user.time_zone, user.settings] if user.settings else user.time_zone)


def unpack_user(user_key: str, row: bytes) -> UserRecord:
    data: Any = orjson.loads(row)
    if isinstance(data, list):
        return UserRecord(user_key, data[0], data[1])
    return UserRecord(user_key, data)
