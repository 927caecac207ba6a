"""The loaded flows (:class:`FlowRegistry`) and the names of the coach's own messages.

Apart from the loader, so that the runtime, the composition root and the flows cache
(:mod:`bot.flow.cache`) can name them without importing the loader, whose checks bring in YAML
and Jinja's parser: a console start with a current cache needs neither.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.flow.model import Flow

__all__ = ("SYSTEM_TEMPLATES", "FlowRegistry")

# Messages the engine sends itself; in dialogs/templates/common so that authors can change them.
SYSTEM_TEMPLATES = (
    "coach_unparsed",
    "coach_invalid",
    "coach_stale",
    "coach_sorry",
    "coach_help",
    "coach_stopped",
    "coach_idle",
    "coach_no_back",
    "coach_gave_up",
    "coach_privacy",
    "coach_time_zone",
    "coach_time_zone_unknown",
    "coach_time_zone_held",
    "coach_pick_topic",
    "coach_switch_offer",
    "coach_switch_listed",
)


@dataclass(slots=True)
class FlowRegistry:
    """The loaded flows: by id (current versions) and by version (for pinned conversations)."""

    flows: dict[str, Flow] = field(default_factory=dict)
    by_version: dict[str, Flow] = field(default_factory=dict)

    def add(self, flow: Flow) -> None:
        self.flows[flow.id] = flow
        self.by_version[flow.version] = flow

    def topics(self) -> dict[str, str]:
        """Topic id -> the flow that handles it (the first one, in file order)."""
        found: dict[str, str] = {}
        for flow in self.flows.values():
            for topic in flow.topics:
                found.setdefault(topic, flow.id)
        return found
