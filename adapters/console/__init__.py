"""The console adapter: chat with the coach in a terminal, or script it through a pipe.

- :mod:`adapters.console.convert`: typed lines to :class:`~bot.boundary.Incoming` (pure).
- :mod:`adapters.console.render`: replies to plain or styled terminal text.
- :mod:`adapters.console.cli`: ``recruiter-coach console`` (options, stdin, the session loop).

Nothing is imported here, so ``import adapters.console.convert`` stays cheap.

May import: ``bot.boundary``, ``bot.errors``, ``bot.config``, ``bot.app`` (the public API, see
docs/architecture.md; ``tests/test_layers.py`` checks it), its own package and its platform's
SDK; never another adapter.
"""
