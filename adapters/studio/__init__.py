"""The flow studio: ``recruiter-coach flows studio``, a local web page for flow authors.

- :mod:`~adapters.studio.server` the aiohttp server (loopback only) and its JSON API;
- :mod:`~adapters.studio.session` a conversation run through :mod:`bot.flowtools.sandbox` (a real
  engine on an in-memory store);
- :mod:`~adapters.studio.views` replies drawn as Slack, Discord and the console draw them (with
  those adapters' renderers); :mod:`~adapters.studio.pagestate` what the page shows (the flow,
  its graph, lint results); :mod:`~adapters.studio.casewriter` saving a session as a transcript
  test and running the tests;
- :mod:`~adapters.studio.cli` the command line.

May import: the public API (``bot.boundary``, ``bot.errors``, ``bot.config``, ``bot.app``), the
other adapters' renderers and converters, and, as an authoring tool, the tools' public surface
:mod:`bot.flowtools`; never the engine, the store or encoded state directly.
"""
