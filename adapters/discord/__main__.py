"""``python -m adapters.discord [--sync] [--invite-url]``: ``recruiter-coach discord``.

It goes through :func:`bot.cli.main` so that ``.env``, settings, logging and error messages are
handled in one place.
"""

from __future__ import annotations

import sys

from bot.cli.main import main

if __name__ == "__main__":
    raise SystemExit(main(["discord", *sys.argv[1:]]))
