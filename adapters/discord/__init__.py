"""The Discord adapter: ``recruiter-coach discord``.

- :mod:`adapters.discord.convert`: messages and interactions to ``Incoming`` (pure).
- :mod:`adapters.discord.render`: replies to Markdown, embeds, persistent buttons and modals.
- :mod:`adapters.discord.limits`: Discord's limits, checked where discord.py does not.
- :mod:`adapters.discord.components`: the persistent buttons (dynamic items).
- :mod:`adapters.discord.handlers`: what the bot does with each event.
- :mod:`adapters.discord.delivery`: sending, reminders as DMs, closed DMs.
- :mod:`adapters.discord.users`: per user, the server their DM conversation is about, and a
  failed DM to mention.
- :mod:`adapters.discord.commands`: ``/recruiter`` and ``/recruiter-admin``; syncing them.
- :mod:`adapters.discord.referral_desk`: referral cards in a server's referral channel.
- :mod:`adapters.discord.client`: ``build_discord_client(coach, settings)``.
- :mod:`adapters.discord.cli`: the command line.

Nothing is imported here. The package is named ``discord`` but never shadows the library:
every import is absolute (``import discord`` is discord.py, ``adapters.discord`` is this).

May import: ``bot.boundary``, ``bot.errors``, ``bot.config``, ``bot.app`` (the public API, see
docs/architecture.md; ``tests/test_layers.py`` checks it), its own package and its platform's
SDK; never another adapter.
"""
