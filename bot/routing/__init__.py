"""Topic routing (layer 6): which flow a question typed in free text belongs to.

- :mod:`~bot.routing.topics` the topic files of ``dialogs/topics/`` (examples per topic, read with
  the flow language's YAML reader);
- :mod:`~bot.routing.router` the classifier (scikit-learn, trained lazily on the examples) and
  its cache; it implements the router protocol the runtime asks (:mod:`bot.dialog`).

May import: :mod:`bot.dialog` (the protocol it implements), :mod:`bot.flow`, the layers below
them, and :mod:`bot.errors`; never :mod:`bot.coaching`, :mod:`bot.app` or anything above.
"""
