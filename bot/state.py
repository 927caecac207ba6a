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

# A checkpoint, kept in its stored (JSON) form so that loading and saving a state does not
# rebuild it every turn: [seq, stack, olds, missing] where stack is [[flow, version, step], ...],
# olds maps each slot the turn changed to its value before, and missing lists the slots that
# did not exist before. Only the first change of a slot is recorded: that is the value to undo to.
Checkpoint = list[Any]


@dataclass(slots=True)
class Frame:
    """One running flow: its id, the version it started on, and the current step."""

    flow: str
    version: str
    step: str


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
    # True once the newest checkpoint belongs to this object: the loaded one is shared with
    # the stored state and must be copied before it is changed (a retried turn reloads it).
    _owns_last: bool = False

    @property
    def active(self) -> bool:
        return bool(self.stack)

    @property
    def top(self) -> Frame:
        return self.stack[-1]

    def assign(self, slot: str, value: Any) -> None:
        """Set a slot, remembering the old value in the newest checkpoint for ``back``."""
        checkpoints = self.checkpoints
        if checkpoints and checkpoints[-1][0] == self.seq:
            last = checkpoints[-1]
            if not self._owns_last:
                last = checkpoints[-1] = [last[0], last[1], dict(last[2]), list(last[3])]
                self._owns_last = True
            olds, missing = last[2], last[3]
            if slot not in olds and slot not in missing:
                if slot in self.slots:
                    olds[slot] = self.slots[slot]
                else:
                    missing.append(slot)
        self.slots[slot] = value

    def checkpoint(self) -> None:
        """Called when a question is answered, before its answer is stored."""
        snapshot = [[f.flow, f.version, f.step] for f in self.stack]
        self.checkpoints.append([self.seq, snapshot, {}, []])
        self._owns_last = True
        del self.checkpoints[:-MAX_CHECKPOINTS]

    def go_back(self) -> bool:
        """Undo to the previous question; False when there is none."""
        if not self.checkpoints:
            return False
        _, stack, olds, missing = self.checkpoints.pop()
        self._owns_last = False
        for slot in missing:
            self.slots.pop(slot, None)
        self.slots.update(olds)
        self.stack = [Frame(*f) for f in stack]
        self.pending = None
        return True

    def reset(self) -> None:
        """Forget the conversation but keep ``seq`` growing, so old buttons stay stale."""
        self.stack.clear()
        self.slots = {}
        self.checkpoints = []
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
            data["h"] = self.checkpoints
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
            checkpoints=list(data.get("h", ())),
            time_zone=data.get("z"),
            pending=data.get("p"),
            timeout_armed=bool(data.get("t")),
        )


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
