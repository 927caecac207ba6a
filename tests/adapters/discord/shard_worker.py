"""One process of a sharded bot, for the two-process tests (test_discord_shards.py).

Usage: ``python -m tests.adapters.discord.shard_worker PORT NAME discord --shards 2 --shard-ids 0``

Runs the real ``recruiter-coach`` command line (its arguments follow NAME), with discord.py
pointed at the fake Discord on ``127.0.0.1:PORT``, every request carrying the header
``X-Coach-Worker: worker/NAME`` so that the fake can tell which process sent it, and the inbox
lease shortened to 2 s so that a process killed holding a conversation is taken over quickly.
"""

from __future__ import annotations

import sys
import warnings
from typing import Any

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", "'audioop' is deprecated", DeprecationWarning)
    import discord
import aiohttp
import discord.gateway
import discord.http
import yarl

from bot.cli.main import main as cli_main
from bot.dialog.inbox import Inbox

LEASE_SECONDS = 2.0
WORKER_HEADER = "X-Coach-Worker"


def main(argv: list[str]) -> int:
    port, name, *cli_args = argv
    discord.http.Route.BASE = f"http://127.0.0.1:{port}/api/v10"  # type: ignore[misc]
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(f"ws://127.0.0.1:{port}/gw")
    original = aiohttp.ClientSession.__init__

    def tagged(self: aiohttp.ClientSession, *args: Any, **kwargs: Any) -> None:
        # Every session of this process (REST, interaction callbacks, follow-ups) says who it is.
        kwargs["headers"] = {**(kwargs.get("headers") or {}), WORKER_HEADER: f"worker/{name}"}
        original(self, *args, **kwargs)

    aiohttp.ClientSession.__init__ = tagged  # type: ignore[method-assign]
    defaults = Inbox.__init__.__kwdefaults__ or {}
    defaults["lease_seconds"] = LEASE_SECONDS
    return cli_main(cli_args)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
