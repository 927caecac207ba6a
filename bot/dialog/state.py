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
    "earlier_values",
    "ref_from_json",
    "ref_to_json",
    "ref_to_list",
)

MAX_CHECKPOINTS = 12

# A checkpoint, kept in its stored (JSON) form so that loading and saving a state does not
# rebuild it every turn, and compact (a dozen of them live in every conversation):
#   "seq count stack", or ["seq count stack", olds] when the turn changed older slots
# count is how many slots existed: slots are only ever added at the end of the
# (insertion-ordered) slots mapping, and every store keeps that order, so the slots after the
# first `count` are the ones that did not exist yet. olds maps the older slots the turn changed
# to their earlier value (only the first change of a slot is recorded: that is the value to undo
# to). stack is the stack at that question: the newest checkpoint's is whole, "=" and its frames
# "flow version step" joined by "|" ("=" alone: no frames); every older one's is said against
# the stack of the checkpoint after it (see _delta), mostly a step id alone. So adding one
# rewrites only the one before, dropping the oldest needs nothing, and the flow versions are
# not repeated in every checkpoint.
# States saved before 2026-12-05 have [seq, stack, count] or [seq, stack, count, olds] with
# whole stacks on lines, or the top step alone; from_json converts them (_from_lists).
Checkpoint = str | list[Any]
_Frames = list[str]  # "flow version step" per frame, the bottom one first


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
    # The "Switch to" offer made at a question: (the question's seq, the flow offered). Typed
    # "switch" (or the offer's label) takes it while that question is the one asked.
    switch: tuple[int, str] | None = None

    @property
    def active(self) -> bool:
        return bool(self.stack)

    @property
    def top(self) -> Frame:
        return self.stack[-1]

    def assign(self, slot: str, value: Any) -> None:
        """Set a slot, remembering the old value in the newest checkpoint for ``back``."""
        slots = self.slots
        if self.checkpoints and slot in slots:  # a new slot is undone by the count
            self._record_old(slot)
        slots[slot] = value

    def _record_old(self, slot: str) -> None:
        """Remember what ``slot`` was before this turn changed it (once per slot)."""
        last = self.checkpoints[-1]
        text = _text(last)
        if not text.startswith(f"{self.seq} "):
            return  # an earlier question's checkpoint
        olds: dict[str, Any] = last[1] if isinstance(last, list) else {}
        if slot in olds:
            return  # already recorded
        if list(self.slots).index(slot) < int(text.split(" ", 2)[1]):
            # new objects, never changed in place: the loaded ones belong to the stored state
            self.checkpoints[-1] = [text, {**olds, slot: self.slots[slot]}]

    def checkpoint(self) -> None:
        """Called when a question is answered, before its answer is stored."""
        stack = "|".join(f"{f.flow} {f.version} {f.step}" for f in self.stack)
        checkpoints = self.checkpoints
        if checkpoints:  # the newest one so far is said against this one from now on
            last = checkpoints[-1]
            seq, count, whole = _text(last).split(" ", 2)
            frames, _, step = whole.rpartition(" ")
            if frames[1:] != stack.rpartition(" ")[0] or "|" in step:  # not only the top step
                step = _delta(stack.split("|") if stack else [], _whole(whole))
            said = f"{seq} {count} {step}"
            checkpoints[-1] = said if type(last) is str else [said, last[1]]
        checkpoints.append(f"{self.seq} {len(self.slots)} ={stack}")
        if len(checkpoints) > MAX_CHECKPOINTS:
            del checkpoints[: len(checkpoints) - MAX_CHECKPOINTS]

    def go_back(self) -> bool:
        """Undo to the previous question; False when there is none."""
        if not self.checkpoints:
            return False
        last = self.checkpoints.pop()
        _, count, stack = _text(last).split(" ", 2)
        frames = _whole(stack)
        if self.checkpoints:  # the one before becomes the newest: make its stack whole
            before = self.checkpoints[-1]
            seq, older_count, said = _text(before).split(" ", 2)
            text = f"{seq} {older_count} ={'|'.join(_apply(frames, said))}"
            self.checkpoints[-1] = text if type(before) is str else [text, before[1]]
        for slot in list(self.slots)[int(count) :]:  # added since: see the comment on Checkpoint
            del self.slots[slot]
        if isinstance(last, list):
            self.slots.update(last[1])
        self.stack = [Frame(*frame.split(" ")) for frame in frames]
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
        self.switch = None

    def to_json(self) -> dict[str, Any]:
        """A snapshot: it shares no list or dict with this state, which the next turn changes
        (a slot's value is never changed in place, nor is a checkpoint once made)."""
        data: dict[str, Any] = {
            "k": [[f.flow, f.version, f.step] for f in self.stack],
            "v": self.slots.copy(),
            "q": self.seq,
        }
        if self.attempts:
            data["a"] = self.attempts
        if self.checkpoints:
            data["h"] = self.checkpoints.copy()
        if self.time_zone:
            data["z"] = self.time_zone
        if self.pending:
            data["p"] = self.pending
        if self.held is not None:
            data["w"] = self.held
        if self.timeout_armed:
            data["t"] = 1
        if self.offered:
            data["o"] = self.offered.copy()
        if self.switch is not None:
            data["x"] = list(self.switch)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ConversationState:
        return cls(
            stack=[Frame(*f) for f in data.get("k", ())],
            slots=dict(data.get("v", {})),
            seq=data.get("q", 0),
            attempts=data.get("a", 0),
            checkpoints=_checkpoints(data.get("h", ())),
            time_zone=data.get("z"),
            pending=data.get("p"),
            held=data.get("w"),
            timeout_armed=bool(data.get("t")),
            offered=list(data.get("o", ())),
            switch=_switch(data.get("x")),
        )


def _switch(stored: Any) -> tuple[int, str] | None:
    return None if not stored else (int(stored[0]), str(stored[1]))


def _text(checkpoint: Checkpoint) -> str:
    return checkpoint if type(checkpoint) is str else str(checkpoint[0])


def _whole(stack: str) -> _Frames:
    """The frames of a whole stack ("=flow version step|...")."""
    return stack[1:].split("|") if stack != "=" else []


def _delta(later: _Frames, frames: _Frames) -> str:
    """``frames`` said against ``later``: "<" for each of later's top frames popped, then the
    step of the frame that became the top (its flow and version are later's at that depth),
    then any frames pushed on it, whole; or, with nothing in common, "=" and the whole stack."""
    for depth in range(min(len(later), len(frames)), 0, -1):
        top = depth - 1
        flow_version, _, step = frames[top].rpartition(" ")
        if later[:top] == frames[:top] and later[top].rpartition(" ")[0] == flow_version:
            return "<" * (len(later) - depth) + "|".join([step, *frames[depth:]])
    return "=" + "|".join(frames)


def _apply(later: _Frames, said: str) -> _Frames:
    """The frames a stack said against ``later`` (:func:`_delta`) stands for."""
    if said.startswith("="):
        return _whole(said)
    kept = said.lstrip("<")
    frames = later[: len(later) - (len(said) - len(kept))]
    step, *pushed = kept.split("|")
    frames[-1] = f"{frames[-1].rpartition(' ')[0]} {step}"
    return frames + pushed


def _checkpoints(stored: Any) -> list[Checkpoint]:
    checkpoints = list(stored)
    if checkpoints and type(checkpoints[0]) is list and type(checkpoints[0][0]) is int:
        return _from_lists(checkpoints)  # saved before 2026-12-05
    return checkpoints


def _from_lists(old: list[list[Any]]) -> list[Checkpoint]:
    """Checkpoints of the earlier form ([seq, stack, count(, olds)]; the stack whole on lines,
    or only the top step when the frames are those of the checkpoint before) in this one."""
    stacks: list[_Frames] = []
    for seq_stack_count in old:
        stack: str = seq_stack_count[1]
        if " " in stack or not stack or not stacks:
            stacks.append([line for line in stack.split("\n") if line])
        else:
            frames = stacks[-1]
            stacks.append([*frames[:-1], f"{frames[-1].rpartition(' ')[0]} {stack}"])
    converted: list[Checkpoint] = []
    for index, (seq, _, count, *olds) in enumerate(old):
        frames = stacks[index]
        last = index == len(old) - 1
        said = "=" + "|".join(frames) if last else _delta(stacks[index + 1], frames)
        text = f"{seq} {count} {said}"
        converted.append([text, olds[0]] if olds and olds[0] else text)
    return converted


def earlier_values(stored: Any) -> dict[str, Any]:
    """The older slot values the stored checkpoints (a state's "h", either form) remember."""
    earlier: dict[str, Any] = {}
    for checkpoint in stored if isinstance(stored, list) else ():
        if isinstance(checkpoint, list) and checkpoint and isinstance(checkpoint[-1], dict):
            earlier.update(checkpoint[-1])
    return earlier


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
