"""How :class:`bot.store.memory.MemoryStore` keeps a pending job: ONE bytes object.

Every live callback has a reminder job, and for weeks; as a row object with its payload, key
and due time it took more memory than the conversation's state (docs/benchmarks.md, "Memory
per live conversation"). A pending job is therefore packed:

- a header: the due time (microseconds since the UNIX epoch, UTC), the attempts, flags and the
  payload's shape;
- then, each followed by a NUL: the kind, the conversation key, the user key (empty when it is
  the one the conversation key names), the job key (only what follows
  ``<kind>:<conversation key>:`` when it starts so, the usual form of a key);
- then the payload as compact JSON. Its mappings' keys come back from the shape (a process-wide
  table, as for a conversation's slot names), so the JSON is a flat list of the values; a value
  that is the conversation's own reference (``ref_to_list`` of the job's conversation) is not
  kept at all.

Whatever does not fit (a due time that is not in UTC, a NUL in a key, a process with very many
shapes) stays unpacked: the caller keeps a row object instead. Every shortcut is checked when
packing (the derived value must equal the real one), so unpacking gives back what was packed.
"""

from __future__ import annotations

import struct
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson

from bot.store.memory_rows import compact_json, conversation_parts, user_key_from_parts
from bot.store.records import JSON, JobSpec

__all__ = ("PayloadShapes", "due_micros", "due_of", "job_keys_of", "pack_job", "unpack_job")

_HEAD = struct.Struct("<qHBI")  # due (us since the epoch), attempts, flags, payload shape
_USER_DERIVED = 1  # the user key is the one the conversation key names
_KEY_SUFFIX = 2  # the job key is "<kind>:<conversation key>:" + the stored part
_NO_KEY = 4
_NO_SHAPE = 0xFFFFFFFF  # the payload is its JSON as given
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
MAX_PAYLOAD_SHAPES = 4096

# A payload's shape: for each key in order, None (a value kept in the list), a nested shape (a
# mapping) or _OWN_REF (the conversation's reference, not kept).
_OWN_REF = 1
Shape = tuple[tuple[str, Any], ...]


class PayloadShapes:
    """The distinct payload shapes seen, each kept once; bounded like the slot-name shapes."""

    def __init__(self) -> None:
        self._ids: dict[Shape, int] = {}
        self._shapes: list[Shape] = []

    def id_of(self, shape: Shape) -> int:
        found = self._ids.get(shape)
        if found is None:
            if len(self._shapes) >= MAX_PAYLOAD_SHAPES:
                return _NO_SHAPE
            found = self._ids[shape] = len(self._shapes)
            self._shapes.append(shape)
        return found

    def shape(self, shape_id: int) -> Shape:
        return self._shapes[shape_id]


def due_micros(due_at: datetime) -> int:
    """``due_at`` (aware) as whole microseconds since the epoch: exact, unlike a float."""
    return (due_at - _EPOCH) // _MICROSECOND


def pack_job(spec: JobSpec, attempts: int, shapes: PayloadShapes) -> bytes | None:
    """The job as one bytes object, or None when it must stay a row object."""
    texts = (spec.kind, spec.conversation_key, spec.user_key, spec.job_key or "")
    if spec.due_at.tzinfo is not UTC or any("\0" in text for text in texts):
        return None
    parts = conversation_parts(spec.conversation_key)
    flags, user_key, job_key = 0, spec.user_key, spec.job_key or ""
    if parts is not None and user_key_from_parts(parts) == user_key:
        flags, user_key = _USER_DERIVED, ""
    prefix = f"{spec.kind}:{spec.conversation_key}:"
    if spec.job_key is None:
        flags |= _NO_KEY
    elif job_key.startswith(prefix):
        flags, job_key = flags | _KEY_SUFFIX, job_key[len(prefix) :]
    own_ref = None if parts is None else _ref_of(parts)
    values: list[JSON] = []
    shape = _shape_of(spec.payload, own_ref, values)
    shape_id = shapes.id_of(shape)
    body = compact_json(values if shape_id != _NO_SHAPE else spec.payload)
    head = _HEAD.pack(due_micros(spec.due_at), attempts, flags, shape_id)
    strings = "\0".join((spec.kind, spec.conversation_key, user_key, job_key, "")).encode()
    return b"".join((head, strings, body))


def unpack_job(row: bytes, shapes: PayloadShapes) -> tuple[JobSpec, int]:
    """The job's spec and its attempts."""
    micros, attempts, _, shape_id = _HEAD.unpack_from(row)
    kind, conversation_key, user_key, job_key, body = _fields(row)
    parts = conversation_parts(conversation_key)
    payload: Any = orjson.loads(body)
    if shape_id != _NO_SHAPE:
        own_ref = None if parts is None else _ref_of(parts)
        payload = _rebuild(shapes.shape(shape_id), iter(payload), own_ref)
    due_at = _EPOCH + micros * _MICROSECOND
    return JobSpec(kind, due_at, user_key, conversation_key, payload, job_key), attempts


def job_keys_of(row: bytes) -> tuple[str, str, str | None]:
    """The conversation key, the user key and the job key of a packed job."""
    _, conversation_key, user_key, job_key, _ = _fields(row)
    return conversation_key, user_key, job_key


def _fields(row: bytes) -> tuple[str, str, str, str | None, str]:
    """kind, conversation key, user key, job key and the payload's JSON text."""
    flags: int = _HEAD.unpack_from(row)[2]
    kind, conversation_key, user_key, kept_key, body = row[_HEAD.size :].decode().split("\0", 4)
    if flags & _USER_DERIVED:
        parts = conversation_parts(conversation_key)
        assert parts is not None  # packed so only when the key named the user
        user_key = user_key_from_parts(parts)
    job_key: str | None = None if flags & _NO_KEY else kept_key
    if flags & _KEY_SUFFIX:
        job_key = f"{kind}:{conversation_key}:{kept_key}"
    return kind, conversation_key, user_key, job_key, body


def due_of(row: bytes) -> int:
    """The due time of a packed job, in microseconds since the epoch."""
    micros: int = _HEAD.unpack_from(row)[0]
    return micros


def _ref_of(parts: list[str]) -> list[str | None]:
    """``ref_to_list`` of the conversation the key names (``-`` is no space, no thread)."""
    platform, space, channel, thread, user = parts
    return [
        platform,
        channel,
        user,
        None if space == "-" else space,
        None if thread == "-" else thread,
    ]


def _shape_of(
    payload: dict[str, JSON], own_ref: list[str | None] | None, values: list[JSON]
) -> Shape:
    shape: list[tuple[str, Any]] = []
    for key, value in payload.items():
        if own_ref is not None and type(value) is list and value == own_ref:
            shape.append((key, _OWN_REF))
        elif type(value) is dict and value:
            shape.append((key, _shape_of(value, own_ref, values)))
        else:
            shape.append((key, None))
            values.append(value)
    return tuple(shape)


def _rebuild(shape: Shape, values: Any, own_ref: list[str | None] | None) -> dict[str, JSON]:
    payload: dict[str, JSON] = {}
    for key, kind in shape:
        if kind is None:
            payload[key] = next(values)
        elif kind == _OWN_REF:
            assert own_ref is not None  # packed only when the key named a conversation
            payload[key] = list(own_ref)
        else:
            payload[key] = _rebuild(kind, values, own_ref)
    return payload
