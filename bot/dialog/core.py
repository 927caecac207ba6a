"""The state one turn shares with its handlers: replies, conversation state, action context.

:class:`TurnCore` is what every handler (:mod:`bot.dialog.on_typed`, :mod:`bot.dialog.on_choice`,
...), the step runner and the question asker work on. It holds no dispatch: that is
:class:`bot.dialog.turn.Turn`, which alone imports the handlers, so no handler imports back a
module that imports it.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from bot.boundary import Choice, Incoming, Reply, quick_reply
from bot.dialog.catalog import Catalog
from bot.dialog.state import ConversationState, Frame
from bot.flow.actions import ActionContext
from bot.flow.model import BranchStep, CallStep, Flow, Message, Step
from bot.render.sources import StaticText

__all__ = ("FORM_MARK", "TOPIC_TOKEN", "StepListener", "TurnCore")

TOPIC_TOKEN = "topic:"  # a button that switches to a topic, valid in any state
FORM_MARK = "~form"

StepListener = Callable[[str, str], None]
"""Called with (flow id, step id) for every step a turn runs: coverage for `flows test`."""


class TurnCore:
    """One :class:`Incoming` applied to one conversation's state, and the replies so far."""

    # Immutable values most turns never change: read from the class until a turn sets its own
    # (a turn is made for every event; each attribute set in __init__ costs every turn).
    new_user_time_zone: str | None = None
    show_privacy_notice = False
    armed_this_turn = False
    extra_choices: tuple[Choice, ...] = ()  # added to the next question asked
    _now_iso: str | None = None  # the clock's reading as templates see it, made once

    def __init__(
        self,
        catalog: Catalog,
        incoming: Incoming,
        state: ConversationState,
        context: ActionContext,
        step_listener: StepListener | None = None,
    ) -> None:
        self.catalog = catalog
        self.incoming = incoming
        self.state = state
        self.context = context
        self.step_listener = step_listener
        self.replies: list[Reply] = []
        # An action's own messages (a calendar file, a card) wait for the message the flow says
        # right after the action: someone with a recruiter on the line needs the script first.
        self.held: list[Reply] = []
        self.funnel: list[tuple[str, str, str]] = []

    @property
    def timeout_key(self) -> str:
        """The job key of this conversation's question time-out (needed only with one)."""
        return f"timeout:{self.incoming.conversation.key}"

    # -- where the conversation is ------------------------------------------------------------

    def current_flow(self) -> Flow:
        return self.catalog.flow_of(self.state.stack[-1])

    def current_step(self) -> Step:
        frame = self.state.stack[-1]
        # the pinned version, loaded (the usual case), else the catalog's fallback
        flow = self.catalog.registry.by_version.get(frame.version) or self.catalog.flow_of(frame)
        return flow.steps[frame.step]

    def count(self, step_id: str, event: str) -> None:
        self.funnel.append((self.state.stack[-1].flow, step_id, event))

    # -- moving (without running: bot.dialog.advance runs the steps) ---------------------------

    def push(self, flow_id: str, step_id: str | None = None) -> None:
        flow = self.catalog.registry.flows[flow_id]
        self.state.stack.append(Frame(flow.id, flow.version, step_id or flow.start))

    def move(self, step_id: str | None) -> None:
        """Continue at ``step_id`` in this flow; None finishes the flow."""
        if step_id is None:
            self.finish(None)
        else:
            self.state.stack[-1].step = step_id

    def finish(self, result: Any) -> None:
        """End the current flow and continue after the ``call`` that started it, if any."""
        state = self.state
        while True:
            state.stack.pop()
            if not state.stack:
                return
            caller = self.current_step()
            if not isinstance(caller, CallStep):
                return
            if caller.into:
                state.assign(caller.into, result)
            if caller.next is not None:
                state.stack[-1].step = caller.next
                return
            result = None

    def branch_target(self, step: BranchStep) -> str | None:
        context = self.variables({})
        for branch in step.branches:
            if branch.condition is None or branch.condition.evaluate(context):
                return branch.target
        return None

    # -- saying things -------------------------------------------------------------------------

    def template_context(self, extra: dict[str, Any]) -> dict[str, Any]:
        """What templates and expressions see: the slots, the values every context has
        (:data:`CONTEXT_NAMES`), then ``extra``."""
        context: dict[str, Any] = dict(self.state.slots)
        context["user"] = self.context_value("user")
        context["now"] = self.context_value("now")
        context["platform"] = self.context_value("platform")
        context.update(extra)
        return context

    def variables(self, extra: dict[str, Any]) -> TurnVariables:
        """:meth:`template_context` as a view that looks each name up when asked: a plain
        expression or text (bot.render.plain) reads a name or two, and needs no copy of all."""
        return TurnVariables(self, extra)

    def context_value(self, name: str) -> Any:
        """One of :data:`CONTEXT_NAMES`."""
        if name == "user":
            return {
                "name": self.incoming.user.display_name or "there",
                "time_zone": self.context.time_zone,
            }
        if name == "now":
            now = self._now_iso
            if now is None:
                now = self._now_iso = self.context.now.isoformat()
            return now
        return self.incoming.conversation.platform  # what it can do (post?)

    def render(self, message: Message, **extra: Any) -> str:
        chosen = self.catalog.renderer.choose(
            self.incoming.conversation.platform, message.template, message.compiled, self._seed
        )
        if type(chosen) is StaticText:  # most texts: no context to build
            return chosen.text
        return chosen.render(TurnVariables(self, extra)).strip()  # as TemplateRenderer.render

    def _seed(self) -> int:
        """Picks a template's variation: the same for a conversation's question, asked again."""
        return zlib.crc32(f"{self.incoming.conversation.key}:{self.state.seq}".encode())

    def say(self, message: Message, **extra: Any) -> None:
        self.replies.append(quick_reply(self.render(message, **extra)))
        self.release()

    def hold(self, replies: list[Reply]) -> None:
        """Keep an action's messages until after the next thing said (or asked, or the end)."""
        self.held.extend(replies)

    def release(self) -> None:
        if self.held:
            self.replies.extend(self.held)
            self.held.clear()

    def say_system(self, name: str, **extra: Any) -> None:
        message = _SYSTEM_MESSAGES.get(name)
        if message is None:  # one Message per name: it is immutable, and made every turn else
            message = _SYSTEM_MESSAGES[name] = Message(template=name)
        self.say(message, **extra)


_SYSTEM_MESSAGES: dict[str, Message] = {}

CONTEXT_NAMES = frozenset({"user", "now", "platform"})  # in every template context


class TurnVariables(Mapping[str, Any]):
    """The template context of a turn (``extra``, then :data:`CONTEXT_NAMES`, then the slots),
    read when asked; iterating it (Jinja copies its variables) builds the whole mapping.

    A view of the live state: made, read and dropped within one step, never kept.
    """

    __slots__ = ("_extra", "_turn", "_whole")

    def __init__(self, turn: TurnCore, extra: dict[str, Any]) -> None:
        self._turn = turn
        self._extra = extra
        self._whole: dict[str, Any] | None = None

    def __getitem__(self, name: str) -> Any:
        if name in self._extra:
            return self._extra[name]
        if name in CONTEXT_NAMES:
            return self._turn.context_value(name)
        return self._turn.state.slots[name]

    def __contains__(self, name: object) -> bool:
        return name in self._extra or name in CONTEXT_NAMES or name in self._turn.state.slots

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())

    def _all(self) -> dict[str, Any]:
        whole = self._whole
        if whole is None:
            whole = self._whole = self._turn.template_context(self._extra)
        return whole
