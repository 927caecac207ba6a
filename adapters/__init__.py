"""The platforms: ``console``, ``slack``, ``discord``, and ``studio`` (the flow authors' page).

Each adapter turns its platform's events into :class:`bot.boundary.Incoming`, hands them to the
coach, and renders and sends the :class:`bot.boundary.Reply` list it gets back.

May import: the core's public API only, ``bot.boundary``, ``bot.errors``, ``bot.config`` and
``bot.app`` (``open_coach``, ``Coach`` and the read models it re-exports), its own package and
its platform's SDK. Today's exceptions (the store, the engine, the referral board, the markup)
are listed in ``tests/test_layers.py`` and go in the adapters' API step. ``bot/`` never imports
anything here.
"""
