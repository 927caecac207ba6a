"""Pinned flow versions: a conversation goes on on the flow version it started on.

The source of every version a conversation runs on is stored (on first use rather than at
start-up); a conversation whose version this process has not loaded gets it compiled from the
store. A stored version that no longer compiles falls back to the current one
(:meth:`bot.dialog.catalog.Catalog.flow_of`).
"""

from __future__ import annotations

import logging

from bot.dialog.state import ConversationState, Frame
from bot.errors import CoachError
from bot.flow.actions import ActionRegistry
from bot.flow.registry import FlowRegistry
from bot.render.templates import TemplateRenderer
from bot.store import ConversationStore

__all__ = ("PinnedVersions",)

logger = logging.getLogger(__name__)


class PinnedVersions:
    """Stores and loads the flow versions conversations are pinned to."""

    def __init__(
        self,
        registry: FlowRegistry,
        store: ConversationStore,
        renderer: TemplateRenderer,
        actions: ActionRegistry,
    ) -> None:
        self.registry = registry
        self.store = store
        self.renderer = renderer
        self.actions = actions
        self._saved: set[str] = set()  # flow sources this process made sure are stored

    def all_saved(self, state: ConversationState) -> bool:
        """Whether every version the state runs on is stored already (the usual case: then
        :meth:`save` has nothing to do)."""
        saved = self._saved
        return all(frame.version in saved for frame in state.stack)

    def all_loaded(self, state: ConversationState) -> bool:
        """Whether every version the state runs on is compiled already (:meth:`load` need not
        run)."""
        loaded = self.registry.by_version
        return all(frame.version in loaded for frame in state.stack)

    async def save(self, state: ConversationState) -> None:
        """Keep the source of every flow version a conversation runs on, so that it can go on
        on that version after the flows change. Saved on first use rather than at start-up."""
        for frame in state.stack:
            if frame.version not in self._saved:
                flow = self.registry.by_version.get(frame.version)
                if flow is not None and flow.source:
                    await self.store.save_flow_source(
                        version=flow.version, flow_id=flow.id, source=flow.source
                    )
                self._saved.add(frame.version)

    async def load(self, state: ConversationState) -> None:
        """Compile, from the store, every version of the state's stack not loaded yet."""
        for frame in state.stack:
            if frame.version not in self.registry.by_version:
                await self._load(frame)

    async def _load(self, frame: Frame) -> None:
        source = await self.store.load_flow_source(frame.version)
        if source is None:
            return
        # The loader (YAML, Jinja's parser) is imported only for an older version: a start with
        # current flows from the cache never needs it (bot.flow.cache).
        from bot.flow.loader import compile_flow

        try:
            flow = compile_flow(
                source,
                path=f"<stored {frame.flow}@{frame.version}>",
                renderer=self.renderer,
                actions=self.actions,
            )
        except CoachError:
            logger.warning(
                "flow %s version %s no longer loads; using the current version",
                frame.flow,
                frame.version,
            )
            return
        self.registry.by_version[flow.version] = flow
