"""The platforms: ``console``, ``slack``, ``discord``, and ``studio`` (the flow authors' page).

Each adapter turns its platform's events into :class:`bot.boundary.Incoming`, hands them to the
coach, and renders and sends the :class:`bot.boundary.Reply` list it gets back.

May import: the core's public API only, ``bot.boundary``, ``bot.errors``, ``bot.config`` and
``bot.app`` (``open_coach``, ``Coach`` and the names it re-exports: read models, the inbox, the
referral event names, the ``/recruiter`` parser, the neutral markup), its own package and its
platform's SDK; the studio also ``bot.flowtools``. ``tests/test_layers.py`` checks it.
``bot/`` never imports anything here.
"""
