"""Coaching features (layer 7): the services flows call through actions.

- legitimacy: ``legitimacy`` checks what a user knows about a recruiter against the red-flag
  rules of the content checklist (R01-R27, P01-P05, N01-N04: ``rule_catalog``,
  ``legitimacy_rules``, ``rule_words``) and says, in plain words, what it saw, why it matters and
  what to do next (``legitimacy_advice``, ``legitimacy_text``, ``legitimacy_actions``); the
  contact checks read e-mail domains, phone numbers, brands and look-alike letters
  (``contact_checks``, ``domains``, ``brands``, ``confusables``, ``pay``, ``money_ask``...);
- ``decision``: the decision aid; ``contacts``: recruiter contacts and keep-in-touch jobs;
  ``referrals``: referral cards and the board, ``referral_events``: clicks and the
  referral commands as engine events; ``reminders``: callback reminders;
  ``personal`` and ``export``: a user's data, exported or forgotten; ``message_facts`` and
  ``message_actions``: what a pasted recruiter message says.

No network, no platform. May import: :mod:`bot.dialog` (action context, state helpers),
:mod:`bot.flow` (the action registry), :mod:`bot.answers`, :mod:`bot.render`, :mod:`bot.store`,
:mod:`bot.boundary` and :mod:`bot.errors`; never :mod:`bot.routing`, :mod:`bot.config`,
:mod:`bot.app` or anything above.
"""
