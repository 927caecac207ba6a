"""Reading typed answers: what a person wrote in answer to an ``ask`` step, by subject.

The entry point is :func:`bot.answers.parse.parse_answer`; it returns one of the outcomes of
:mod:`bot.answers.outcomes` (``Parsed``, ``Unparsed``, ``Invalid``). One module per subject:

- :mod:`~bot.answers.choices` a pick from a list and yes/no (several picks at once:
  :mod:`~bot.answers.picks`);
- :mod:`~bot.answers.numbers` numbers and points on a scale;
- :mod:`~bot.answers.contact` phone numbers, e-mail addresses and web links;
- :mod:`~bot.answers.zones` time zones ("EST", "new york", "UTC+2");
- :mod:`~bot.answers.datetimes` date-times ("tomorrow 18:30"), with the guesses the turn asks
  the user to confirm; its grammar is :mod:`~bot.answers.datetime_grammar`;
- :mod:`~bot.answers.condition_tests` the app's Jinja tests for conditions (``is phone_number``),
  handed to the renderer by the composition root.

Layer 4. May import :mod:`bot.flow` (the ask model: ``Rule``, ``ChoiceOption``),
:mod:`bot.render` (the value formatters, so an echo reads as a template shows it),
:mod:`bot.store`, :mod:`bot.boundary` and :mod:`bot.errors`; never the runtime
(:mod:`bot.dialog`) or anything above it. Everything here is a pure function of its arguments.
"""
