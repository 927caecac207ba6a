"""Tools for flow authors: ``recruiter-coach flows lint|graph|test [PATH]``.

- :mod:`bot.flowtools.lint`: the loader's errors plus warnings (unreachable steps, dead ends, slots
  read before any step sets them, choices no branch handles).
- :mod:`bot.flowtools.slots`: the "may be unset" analysis behind the slot warnings.
- :mod:`bot.flowtools.graph`: Mermaid (and, with Graphviz, SVG/PNG) diagrams of the flows.
- :mod:`bot.flowtools.transcript`: YAML transcript tests run through a real engine, with step
  coverage.
- :mod:`bot.flowtools.cli`: the ``flows`` subcommand, loaded lazily by ``bot.cli``.

Nothing here is imported by the engine: these modules only read flows.
"""
