"""Rendering: the neutral markup, Jinja templates and the formatters of values.

- :mod:`~bot.render.markup` the neutral markup every message is written in, and its escaper;
- :mod:`~bot.render.templates` finding, checking and rendering templates per platform, in the
  sandbox (:mod:`~bot.render.fallback`: the coach's own messages a content folder lacks;
  :mod:`~bot.render.compiling`: one text's compilation and checks; :mod:`~bot.render.plain`:
  plain Python for expressions and texts that need no Jinja context; :mod:`~bot.render.filters`:
  ``markup``, ``phone``, ``when`` and the escaping ``finalize``);
- :mod:`~bot.render.sources` template files, variations and fixed texts without Jinja, so a
  start whose first messages are fixed never imports it;
- :mod:`~bot.render.formats` values as a person reads them (the ``when`` and ``phone`` filters);
- :mod:`~bot.render.conditions` the ``matching`` test for flow conditions (the app's own tests
  are handed in by the composition root, :mod:`bot.app`).

Layer 2. May import :mod:`bot.store`, :mod:`bot.boundary` and :mod:`bot.errors` only: never the
flow model, the answer readers or the runtime, which all build on it.
"""
