"""The runtime (layer 5): one event in, the replies out, the conversation's state saved.

What it holds, in the order a turn uses it:

- :mod:`~bot.dialog.engine`: :class:`Engine` ``handle(Incoming) -> list[Reply]``: loads the
  state, runs a :class:`~bot.dialog.turn.Turn`, commits with a version check; due jobs.
  :mod:`~bot.dialog.versions` stores and loads the flow versions conversations are pinned to;
  :mod:`~bot.dialog.failures` turns a failed turn into one apology and a log line.
- :mod:`~bot.dialog.catalog`: what a turn looks up: flows (pinned versions), topics, command
  words, and the router protocol :class:`~bot.dialog.catalog.TopicRouter` (``bot.routing``
  implements it). The turn depends on this, never on the engine.
- :mod:`~bot.dialog.turn`: :class:`Turn`, the coordinator: it hands the event to its handler,
  :mod:`~bot.dialog.on_typed` (a typed answer, the time zone), :mod:`~bot.dialog.on_choice`
  (a pressed choice), :mod:`~bot.dialog.on_form` (a submitted form),
  :mod:`~bot.dialog.on_command` (a command, or a message when idle),
  :mod:`~bot.dialog.on_timeout` (a question's time-out) and :mod:`~bot.dialog.confirm` (the
  answer to "Just to check: <date>?").
- :mod:`~bot.dialog.core`: :class:`TurnCore`, the state a turn and its handlers share (replies,
  conversation state, action context); :mod:`~bot.dialog.advance` runs the flow to the next
  question, :mod:`~bot.dialog.runner` the steps that do not wait, :mod:`~bot.dialog.asking`
  asks (buttons, forms, time-outs), :mod:`~bot.dialog.answering` accepts or refuses an answer.
- :mod:`~bot.dialog.commands`: global command words, and :func:`recruiter_command`, the one reader
  of ``/recruiter <text>`` for every adapter (re-exported by :mod:`bot.app`).
- :mod:`~bot.dialog.state`: the saved conversation state; :mod:`~bot.dialog.route_policy`:
  when a routed question opens its flow; :mod:`~bot.dialog.scheduler`: due jobs;
  :mod:`~bot.dialog.inbox` and :mod:`~bot.dialog.busy`: the durable inbox and waiting out a
  busy database.

May import: ``bot.boundary``, ``bot.errors``, ``bot.store``, ``bot.render``, ``bot.flow``,
``bot.answers`` (the layers below), never ``bot.routing``, ``bot.coaching``, ``bot.app`` or
anything above, nor adapters or platform SDKs. Inside the package the arrows run one way:
engine -> turn -> handlers -> answering / advance -> asking / runner -> core -> catalog ->
state; only :mod:`bot.app` (and the tools above it) import the engine.
"""
