"""The engine's topic router that reads the trained model from the data folder when it can.

:mod:`bot.routing.cache` keeps the trained router on disk; this wraps it for the engine: a
current cache gives a ready router at once, otherwise the topic files are checked now (as
:class:`bot.routing.LazyRouter` does) and the router is trained, and saved, on first use or on
:meth:`CachedRouter.load` (which servers call at start-up).
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Protocol

from bot.dialog.catalog import TopicRouter
from bot.routing.cache import open_cached, train_and_save
from bot.routing.topics import TopicExamples, load_topics, normalise

__all__ = ("CachedRouter",)


class _Ranker(Protocol):
    def rank(self, text: str, k: int = 3) -> list[tuple[str, float]]: ...


class CachedRouter(TopicRouter):
    """The router from the cache when it is current; otherwise checked now, trained on first use.

    Raises:
        FlowErrors: from the constructor, when the cache is stale and a topic file has a mistake.
    """

    def __init__(self, dialogs_dir: Path, cache_dir: Path) -> None:
        self._cache_dir = cache_dir
        self._key, ready = open_cached(dialogs_dir, cache_dir)
        self._router: _Ranker | None = ready
        self._topics: list[TopicExamples] = []
        self._lock = threading.Lock()  # load() may run in a thread while the loop routes
        if ready is not None:
            self.titles = dict(ready.titles)
        else:
            self._topics = load_topics(dialogs_dir)  # check the files now, train later
            self.titles = {topic.topic: topic.title for topic in self._topics}

    @property
    def loaded(self) -> bool:
        return self._router is not None

    def load(self) -> _Ranker:
        """The ready router, training (and saving) it now if the cache was not current."""
        with self._lock:
            if self._router is None:
                self._router = train_and_save(self._topics, self._cache_dir, self._key)
            return self._router

    def rank(self, text: str, k: int = 3) -> list[tuple[str, float]]:
        return self.load().rank(text, k) if normalise(text) else []
