"""The flow language: the model, the YAML source, the loader and its checks, the action registry.

- :mod:`~bot.flow.model` the steps and flows the loader builds and the runtime runs;
- :mod:`~bot.flow.yamlsource` YAML with the line of every key; :mod:`~bot.flow.loader` a folder
  of flows, every mistake reported at once;
- :mod:`~bot.flow.steps` one step from its mapping (:mod:`~bot.flow.asks` the ``ask`` step,
  :mod:`~bot.flow.action_steps` the ``action`` step; what they share is
  :mod:`~bot.flow.context`);
- :mod:`~bot.flow.checks` and :mod:`~bot.flow.slots` load-time errors for what would fail every
  time a step runs;
- :mod:`~bot.flow.actions` the registry of actions flows call;
- :mod:`~bot.flow.contentdirs` which folder each part of a content folder comes from.

Layer 3. May import :mod:`bot.render` (templates are checked when flows load),
:mod:`bot.store`, :mod:`bot.boundary` and :mod:`bot.errors`; never the answer readers, the
runtime (:mod:`bot.dialog`), the settings or anything above them: what the runtime and the
settings know that a check needs (the step limit of a turn, the shipped content folder) lives
here or is passed in.
"""
