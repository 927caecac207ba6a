"""The state one turn shares with its handlers: replies, conversation state, action context.

:class:`TurnCore` is what every handler (:mod:`bot.dialog.on_typed`, :mod:`bot.dialog.on_choice`,
...), the step runner and the question asker work on. It holds no dispatch: that is
:class:`bot.dialog.turn.Turn`, which alone imports the handlers, so no handler imports back a
module that imports it.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from typing import Any

from bot.boundary import Choice, Incoming, Reply
from bot.dialog.catalog import Catalog
from bot.dialog.state import ConversationState, Frame
from bot.flow.actions import ActionContext
from bot.flow.model import BranchStep, CallStep, Flow, Message, Step

__all__ = ("FORM_MARK", "TOPIC_TOKEN", "StepListener", "TurnCore")

TOPIC_TOKEN = "topic:"  # a button that switches to a topic, valid in any state
FORM_MARK = "~form"

StepListener = Callable[[str, str], None]
"""Called with (flow id, step id) for every step a turn runs: coverage for `flows test`."""


class TurnCore:
    """One :class:`Incoming` applied to one conversation's state, and the replies so far."""

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
        self.new_user_time_zone: str | None = None
        self.show_privacy_notice = False
        self.armed_this_turn = False
        self.extra_choices: tuple[Choice, ...] = ()  # added to the next question asked
        self.funnel: list[tuple[str, str, str]] = []
        self.timeout_key = f"timeout:{incoming.conversation.key}"
        self._now_iso: str | None = None  # the clock's reading as templates see it, made once

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
            self.state.top.step = step_id

    def finish(self, result: Any) -> None:
        """End the current flow and continue after the ``call`` that started it, if any."""
        state = self.state
        while True:
            state.stack.pop()
            if not state.active:
                return
            caller = self.current_step()
            if not isinstance(caller, CallStep):
                return
            if caller.into:
                state.assign(caller.into, result)
            if caller.next is not None:
                state.top.step = caller.next
                return
            result = None

    def branch_target(self, step: BranchStep) -> str | None:
        context = self.template_context({})
        for branch in step.branches:
            if branch.condition is None or branch.condition.evaluate(context):
                return branch.target
        return None

    # -- saying things -------------------------------------------------------------------------

    def template_context(self, extra: dict[str, Any]) -> dict[str, Any]:
        user = self.incoming.user
        context: dict[str, Any] = dict(self.state.slots)
        context["user"] = {
            "name": user.display_name or "there",
            "time_zone": self.context.time_zone,
        }
        now = self._now_iso
        if now is None:
            now = self._now_iso = self.context.now.isoformat()
        context["now"] = now
        context["platform"] = self.incoming.conversation.platform  # what it can do (post?)
        context.update(extra)
        return context

    def render(self, message: Message, **extra: Any) -> str:
        return self.catalog.renderer.render(
            platform=self.incoming.conversation.platform,
            context=lambda: self.template_context(extra),
            seed=self._seed,
            template=message.template,
            inline=message.compiled,
        )

    def _seed(self) -> int:
        """Picks a template's variation: the same for a conversation's question, asked again."""
        return zlib.crc32(f"{self.incoming.conversation.key}:{self.state.seq}".encode())

    def say(self, message: Message, **extra: Any) -> None:
        self.replies.append(Reply(self.render(message, **extra)))
        self.release()

    def hold(self, replies: list[Reply]) -> None:
        """Keep an action's messages until after the next thing said (or asked, or the end)."""
        self.held.extend(replies)

    def release(self) -> None:
        self.replies.extend(self.held)
        self.held.clear()

    def say_system(self, name: str, **extra: Any) -> None:
        self.say(Message(template=name), **extra)
