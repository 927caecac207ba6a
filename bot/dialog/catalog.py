"""What a turn looks up: flows (pinned versions), topics, command words and the topic router.

The turn depends on this small :class:`Catalog` instead of the whole engine, so the turn and its
handlers never import :mod:`bot.dialog.engine`. :class:`TopicRouter` is the router protocol the
runtime calls; :mod:`bot.routing.router` implements it (the base here knows no topics).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.boundary import FormField
from bot.dialog.route_policy import ROUTE_MARGIN, ROUTE_THRESHOLD, confident_topic
from bot.dialog.state import Frame
from bot.flow.actions import ActionRegistry
from bot.flow.model import Flow
from bot.flow.registry import FlowRegistry
from bot.render.templates import TemplateRenderer

__all__ = ("COMMAND_WORDS", "Catalog", "TopicRouter")

# Short words people type after /recruiter (or in a DM) -> the topic or flow they start.
COMMAND_WORDS = {
    "check": "legitimacy",
    "verify": "legitimacy",
    "legit": "legitimacy",
    "contacts": "relationship",
    "refer": "share_opportunity",
    "share": "share_opportunity",
    "decide": "decide_interview",
    "reminder": "callback",
    "reminders": "callback",
    # the words the texts tell people to type (never a flow's internal id)
    "my callback": "callback",
    "my call": "callback",
    "my recruiters": "relationship",
    "my contacts": "relationship",
}


class TopicRouter:
    """Picks topics for free text; :mod:`bot.routing.router` has the real one, this one knows
    none."""

    def route(self, text: str) -> tuple[str, float] | None:
        """The most likely topic and its probability, or None."""
        ranked = self.rank(text, 1)
        return ranked[0] if ranked else None

    def rank(self, text: str, k: int = 3) -> list[tuple[str, float]]:
        """The ``k`` most likely topics, most likely first."""
        return []


@dataclass(slots=True)
class Catalog:
    """The loaded flows and how text finds one: the turn's only view of the content."""

    registry: FlowRegistry
    renderer: TemplateRenderer
    actions: ActionRegistry
    entry_flow: str
    menu_flow: str
    router: TopicRouter = field(default_factory=TopicRouter)
    route_threshold: float = ROUTE_THRESHOLD
    route_margin: float = ROUTE_MARGIN
    _topics: dict[str, str] = field(init=False)
    # (flow version, step id) -> the fields of the form asked at that step (bot.dialog.asking)
    form_fields: dict[tuple[str, str], tuple[FormField, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._topics = self.registry.topics()

    def title(self, flow_id: str) -> str:
        return self.registry.flows[flow_id].title

    def flow_of(self, frame: Frame) -> Flow:
        """The flow version a frame is pinned to (falling back to the current one)."""
        flow = self.registry.by_version.get(frame.version)
        if flow is None:  # the old version could not be loaded: continue on the current one
            flow = self.registry.flows[frame.flow]
            frame.version = flow.version
            if frame.step not in flow.steps:
                frame.step = flow.start
        return flow

    def flow_for_topic(self, topic: str) -> str | None:
        """A flow id, a topic id or a short command word (``check``) -> the flow it starts."""
        topic = topic.strip().lower().lstrip("/")
        topic = COMMAND_WORDS.get(topic, topic)
        if topic in self.registry.flows:
            return topic
        return self._topics.get(topic)

    def flow_for_text(self, text: str) -> str | None:
        """The flow for free text typed when no conversation is running."""
        return self.flow_for_topic(text) or self.confident_flow(text)

    def suggestions(self, text: str, k: int = 3) -> list[tuple[str, str]]:
        """(flow id, title) of the flows a question most likely belongs to, for buttons."""
        found: list[tuple[str, str]] = []
        for topic, _ in self.router.rank(text, k + 1):
            flow_id = self.flow_for_topic(topic)
            if flow_id and topic != "other" and flow_id not in (f for f, _ in found):
                found.append((flow_id, self.title(flow_id)))
        return found[:k]

    def confident_flow(self, text: str) -> str | None:
        """The flow a question belongs to when the router is confident, else None."""
        # The top two: a top topic only narrowly ahead of the next gets buttons (route_policy).
        topic = confident_topic(self.router.rank(text, 2), self.route_threshold, self.route_margin)
        return self.flow_for_topic(topic) if topic else None
