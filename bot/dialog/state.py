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

__all__ = (
    "Checkpoint",
    "ConversationState",
    "Frame",
    "ref_from_json",
    "ref_to_json",
    "ref_to_list",
)

MAX_CHECKPOINTS = 12

# A checkpoint, kept in its stored (JSON) form so that loading and saving a state does not
# rebuild it every turn, and compact (a dozen of them live in every conversation):
#   [seq, stack, count] or [seq, stack, count, olds]
# stack is "flow version step" per frame, one per line, or just "step" when the frames are those
# of the checkpoint before with only the top step changed (the usual case). count is how many
# slots existed: slots are only ever added at the end of the (insertion-ordered) slots mapping,
# and every store keeps that order, so the slots after the first `count` are the ones that did
# not exist yet. olds maps the older slots the turn changed to their earlier value (only the
# first change of a slot is recorded: that is the value to undo to).
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
    # An answer typed ahead while the coach asked for the zone ("tomorrow 18:30"), read once
    # the zone is known.
    held: str | None = None
    timeout_armed: bool = False
    # Flow ids of the "which topic?" list shown while idle, so that `repeat` can show it again.
    offered: list[str] = field(default_factory=list)
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
            if not self._owns_last:  # copy on write: the loaded one is the stored one
                last = checkpoints[-1] = list(last)
                self._owns_last = True
            _record_old(last, slot, self.slots)
        self.slots[slot] = value

    def checkpoint(self) -> None:
        """Called when a question is answered, before its answer is stored."""
        snapshot = "\n".join(f"{f.flow} {f.version} {f.step}" for f in self.stack)
        if self.checkpoints and self.stack:
            frames, _, step = snapshot.rpartition(" ")
            if self._stack_of(len(self.checkpoints) - 1).rpartition(" ")[0] == frames:
                snapshot = step  # same frames as before: the step alone says it
        self.checkpoints.append([self.seq, snapshot, len(self.slots)])
        self._owns_last = True
        if len(self.checkpoints) > MAX_CHECKPOINTS:
            first = len(self.checkpoints) - MAX_CHECKPOINTS  # becomes the oldest: make it whole
            self.checkpoints[first] = [*self.checkpoints[first]]
            self.checkpoints[first][1] = self._stack_of(first)
            del self.checkpoints[:first]

    def _stack_of(self, index: int) -> str:
        """The full stack snapshot of checkpoint ``index`` (undoing the step-only shorthand)."""
        checkpoints = self.checkpoints
        snapshot: str = checkpoints[index][1]
        if " " in snapshot or not snapshot or index == 0:
            return snapshot
        # a step-only checkpoint has the frames of the nearest whole one before it
        whole = index - 1
        while whole > 0 and " " not in (earlier := checkpoints[whole][1]) and earlier:
            whole -= 1
        frames: str = checkpoints[whole][1].rpartition(" ")[0]
        return f"{frames} {snapshot}"

    def go_back(self) -> bool:
        """Undo to the previous question; False when there is none."""
        if not self.checkpoints:
            return False
        stack = self._stack_of(len(self.checkpoints) - 1)
        last = self.checkpoints.pop()
        self._owns_last = False
        for slot in list(self.slots)[last[2] :]:  # added since: see the comment on Checkpoint
            del self.slots[slot]
        if len(last) > 3:
            self.slots.update(last[3])
        self.stack = [Frame(*line.split(" ")) for line in stack.split("\n") if line]
        self.pending = None
        return True

    def reset(self) -> None:
        """Forget the conversation but keep ``seq`` growing, so old buttons stay stale."""
        self.stack.clear()
        self.slots = {}
        self.checkpoints = []
        self.attempts = 0
        self.pending = None
        self.offered = []

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
        if self.held is not None:
            data["w"] = self.held
        if self.timeout_armed:
            data["t"] = 1
        if self.offered:
            data["o"] = self.offered
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
            held=data.get("w"),
            timeout_armed=bool(data.get("t")),
            offered=list(data.get("o", ())),
        )


def _record_old(checkpoint: Checkpoint, slot: str, slots: dict[str, Any]) -> None:
    """Remember what ``slot`` was before this turn changed it (once per slot)."""
    olds: dict[str, Any] = checkpoint[3] if len(checkpoint) > 3 else {}
    if slot in olds or slot not in slots:
        return  # already recorded, or new: new slots are undone by the count
    if list(slots).index(slot) < checkpoint[2]:
        checkpoint[3:] = [{**olds, slot: slots[slot]}]


def ref_to_json(ref: ConversationRef) -> dict[str, Any]:
    return {
        "platform": ref.platform,
        "channel": ref.channel,
        "user": ref.user,
        "space": ref.space,
        "thread": ref.thread,
    }


def ref_to_list(ref: ConversationRef) -> list[str | None]:
    """The compact form a job's payload keeps (a live callback keeps one for weeks): the fields
    in a fixed order. :func:`ref_from_json` reads it, and the mapping of older rows."""
    return [ref.platform, ref.channel, ref.user, ref.space, ref.thread]


def ref_from_json(data: dict[str, Any] | list[Any]) -> ConversationRef:
    if isinstance(data, list):
        platform, channel, user, space, thread = data
        return ConversationRef(platform, channel, user, space, thread)
    return ConversationRef(
        platform=data["platform"],
        channel=data["channel"],
        user=data["user"],
        space=data.get("space"),
        thread=data.get("thread"),
    )
