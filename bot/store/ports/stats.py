"""The stats port: funnel counts per flow step, for flow authors (no user data at all)."""

from __future__ import annotations

from typing import Protocol

from bot.store.records import FunnelRow

__all__ = ("FunnelStats",)


class FunnelStats(Protocol):
    """Read the counts :meth:`ConversationStore.commit_turn` added up."""

    async def funnel_stats(self) -> list[FunnelRow]:
        """The counts per flow and step, sorted by flow and step."""
