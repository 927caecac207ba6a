"""``python -m adapters.slack [--port 3000]``: ``recruiter-coach slack``.

It goes through :func:`bot.cli.main` so that ``.env``, settings, logging and error messages are
handled in one place.
"""

from __future__ import annotations

import sys

from bot.cli.main import main

if __name__ == "__main__":
    raise SystemExit(main(["slack", *sys.argv[1:]]))
