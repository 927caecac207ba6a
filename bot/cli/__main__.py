"""``python -m bot.cli``: the same as the ``recruiter-coach`` command."""

from bot.cli.main import main

raise SystemExit(main())
