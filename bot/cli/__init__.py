"""Every command-line entry (layer 10): ``recruiter-coach`` and its subcommands.

- :mod:`~bot.cli.main` the ``recruiter-coach`` entry point: settings, ``.env``, logging, and the
  subcommands, loaded lazily by entry point (``console``, ``slack``, ``discord`` live in
  ``adapters/`` and are found through ``recruiter_coach.commands``, never imported here);
- :mod:`~bot.cli.flows` ``flows lint|graph|test|studio``; :mod:`~bot.cli.check` ``check``;
  :mod:`~bot.cli.classify` ``classify``; :mod:`~bot.cli.stats` ``stats``.

May import: every package of ``bot/`` (it is the top layer); never ``adapters`` by name (the
adapters' commands are loaded through their entry points) and no platform SDK.
"""
