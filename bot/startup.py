"""The garbage collector during start-up: collect rarely until the coach is open.

Start-up builds tens of thousands of objects that live as long as the process (modules,
SQLAlchemy, Jinja, the flows, the router). The collector's young-generation passes over them
find nothing to free and cost about a tenth of a console start. ``bot.cli`` calls :func:`begin`
first; :func:`bot.app.open_coach` freezes what start-up built (``gc.freeze()``) and calls
:func:`end`, which puts the thresholds back, so a running worker collects as usual. A command
that never opens a coach (``classify``, ``flows``) keeps the start-up setting (which still
collects, only less often) until it returns; ``bot.cli`` then calls :func:`end` too.
"""

from __future__ import annotations

import gc

__all__ = ("START_THRESHOLD", "begin", "end")

START_THRESHOLD = 100_000  # allocations between young-generation passes (CPython's default: 700)
_saved: tuple[int, ...] | None = None


def begin() -> None:
    """Collect rarely from now until :func:`end`; a second call changes nothing."""
    global _saved
    if _saved is None:
        _saved = gc.get_threshold()
        gc.set_threshold(max(START_THRESHOLD, _saved[0]), *_saved[1:])


def end() -> None:
    """Put back the thresholds :func:`begin` found (nothing when it was not called)."""
    global _saved
    if _saved is not None:
        gc.set_threshold(*_saved)
        _saved = None
