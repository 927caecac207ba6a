"""The Slack adapter: ``/recruiter``, DMs, buttons, modals, App Home, referral cards, reminders.

- :mod:`adapters.slack.convert`: Slack payloads to :class:`~bot.boundary.Incoming` (pure).
- :mod:`adapters.slack.render`: replies to Block Kit messages (text and escaping in
  ``render_text``, forms as modals in ``render_modal``, the App Home view in ``render_home``).
- :mod:`adapters.slack.limits`: the Block Kit limits, the SDK's and the ones it does not check.
- :mod:`adapters.slack.users`: who a Slack user is (time zone, name, admin), kept in the database.
- :mod:`adapters.slack.clients`: a workspace's Web API client (Bolt's cached authorize).
- :mod:`adapters.slack.send`: where replies go (``respond``, the app's DM, the referral channel).
- :mod:`adapters.slack.home`: what the App Home shows, from the ``Coach.home`` read model.
- :mod:`adapters.slack.handlers`: the listeners (save in the inbox, then ack), by subject in
  ``on_command``, ``on_message``, ``on_action``, ``on_modal``, ``on_home`` over ``listeners``.
- :mod:`adapters.slack.inbox`: running saved events from the durable inbox.
- :mod:`adapters.slack.app`: ``build_slack_app(coach, settings)``, the Bolt wiring.
- :mod:`adapters.slack.web`: ``POST /slack/events`` and the install pages (Bolt's aiohttp server).
- :mod:`adapters.slack.oauth`: multi-workspace install on the project's database.
- :mod:`adapters.slack.cli`: ``recruiter-coach slack`` (Socket Mode or HTTP).

Nothing is imported here, so ``import adapters.slack.convert`` does not load Bolt.

May import: ``bot.boundary``, ``bot.errors``, ``bot.config``, ``bot.app`` (the public API, see
docs/architecture.md; ``tests/test_layers.py`` checks it), its own package and its platform's
SDK; never another adapter.
"""
