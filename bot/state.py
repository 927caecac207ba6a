"""Conversation state: where a conversation is, what it knows, and how to go back.

The state is saved after every turn as compact JSON (short keys keep thousands of live
conversations small). ``seq`` counts the questions asked; buttons and forms carry it in their
token, so an answer to an earlier question is recognised as stale.

``back`` works from an undo log: each answered question leaves a checkpoint holding the stack at
that question and the old value of every slot the turn changed afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.boundary import ConversationRef

__all__ = ("Checkpoint", "ConversationState", "Frame", "ref_from_json", "ref_to_json")

MAX_CHECKPOINTS = 12
_MISSING = object()


@dataclass(slots=True)
class Frame:
    """One running flow: its id, the version it started on, and the current step."""

    flow: str
    version: str
    step: str


@dataclass(slots=True)
class Checkpoint:
    seq: int
    stack: list[tuple[str, str, str]]
    undo: list[tuple[str, Any]] = field(default_factory=list)  # (slot, old value or _MISSING)


@dataclass(slots=True)
class ConversationState:
    stack: list[Frame] = field(default_factory=list)
    slots: dict[str, Any] = field(default_factory=dict)
    seq: int = 0
    attempts: int = 0
    checkpoints: list[Checkpoint] = field(default_factory=list)
    time_zone: str | None = None
    pending: str | None = None  # "time_zone" while the coach asks for the user's zone
    timeout_armed: bool = False

    @property
    def active(self) -> bool:
        return bool(self.stack)

    @property
    def top(self) -> Frame:
        return self.stack[-1]

    def assign(self, slot: str, value: Any) -> None:
        """Set a slot, remembering the old value in the newest checkpoint for ``back``."""
        if self.checkpoints and self.checkpoints[-1].seq == self.seq:
            self.checkpoints[-1].undo.append((slot, self.slots.get(slot, _MISSING)))
        self.slots[slot] = value

    def checkpoint(self) -> None:
        """Called when a question is answered, before its answer is stored."""
        snapshot = [(f.flow, f.version, f.step) for f in self.stack]
        self.checkpoints.append(Checkpoint(self.seq, snapshot))
        del self.checkpoints[:-MAX_CHECKPOINTS]

    def go_back(self) -> bool:
        """Undo to the previous question; False when there is none."""
        if not self.checkpoints:
            return False
        last = self.checkpoints.pop()
        for slot, old in reversed(last.undo):
            if old is _MISSING:
                self.slots.pop(slot, None)
            else:
                self.slots[slot] = old
        self.stack = [Frame(*f) for f in last.stack]
        self.pending = None
        return True

    def reset(self) -> None:
        """Forget the conversation but keep ``seq`` growing, so old buttons stay stale."""
        self.stack.clear()
        self.slots = {}
        self.checkpoints.clear()
        self.attempts = 0
        self.pending = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "k": [[f.flow, f.version, f.step] for f in self.stack],
            "v": self.slots,
            "q": self.seq,
        }
        if self.attempts:
            data["a"] = self.attempts
        if self.checkpoints:
            data["h"] = [_checkpoint_to_json(c) for c in self.checkpoints]
        if self.time_zone:
            data["z"] = self.time_zone
        if self.pending:
            data["p"] = self.pending
        if self.timeout_armed:
            data["t"] = 1
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ConversationState:
        return cls(
            stack=[Frame(*f) for f in data.get("k", ())],
            slots=dict(data.get("v", {})),
            seq=data.get("q", 0),
            attempts=data.get("a", 0),
            checkpoints=[_checkpoint_from_json(c) for c in data.get("h", ())],
            time_zone=data.get("z"),
            pending=data.get("p"),
            timeout_armed=bool(data.get("t")),
        )


def _checkpoint_to_json(checkpoint: Checkpoint) -> list[Any]:
    undo = [[slot] if old is _MISSING else [slot, old] for slot, old in checkpoint.undo]
    return [checkpoint.seq, [list(f) for f in checkpoint.stack], undo]


def _checkpoint_from_json(data: list[Any]) -> Checkpoint:
    seq, stack, undo = data
    entries = [(u[0], u[1] if len(u) > 1 else _MISSING) for u in undo]
    return Checkpoint(seq, [tuple(f) for f in stack], entries)


def ref_to_json(ref: ConversationRef) -> dict[str, Any]:
    return {
        "platform": ref.platform,
        "channel": ref.channel,
        "user": ref.user,
        "space": ref.space,
        "thread": ref.thread,
    }


def ref_from_json(data: dict[str, Any]) -> ConversationRef:
    return ConversationRef(
        platform=data["platform"],
        channel=data["channel"],
        user=data["user"],
        space=data.get("space"),
        thread=data.get("thread"),
    )
