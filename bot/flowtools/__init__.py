"""Tools for flow authors: ``recruiter-coach flows lint|graph|test [PATH]``.

- :mod:`bot.flowtools.lint`: the loader's errors plus warnings (unreachable steps, dead ends,
  choices no branch handles).
- :mod:`bot.flow.checks`: load-time errors for what would fail every time a step runs
  (loops with no question, templates that include themselves, slots read before they are set);
  :func:`bot.flow.loader.check_flows` runs them, so lint and start-up both refuse such flows.
- :mod:`bot.flow.slots`: the "may be unset" analysis behind the slot errors.
- :mod:`bot.flowtools.graph`: Mermaid (and, with Graphviz, SVG/PNG) diagrams of the flows.
- :mod:`bot.flowtools.transcript`: YAML transcript tests run through a real engine, with step
  coverage.
- :mod:`bot.cli.flows`: the ``flows`` subcommand, loaded lazily by ``bot.cli.main``.

Layer 9. The engine imports none of these. May import :mod:`bot.app` (a real coach for the
transcript tests), :mod:`bot.dialog`, :mod:`bot.flow`, :mod:`bot.render`, :mod:`bot.store`
(an in-memory store per case), :mod:`bot.boundary` and :mod:`bot.errors`; never :mod:`bot.cli`.
"""
