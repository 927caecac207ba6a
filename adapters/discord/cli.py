"""``recruiter-coach discord [--sync] [--shards N [--shard-ids A,B]]``: run the Discord bot;
``recruiter-coach discord --invite-url [--application-id ID]``: print the URL that adds it.

- no option: connect to the gateway with ``DISCORD_BOT_TOKEN`` and answer until stopped
  (Ctrl-C). The slash commands are synced only when they changed since the last sync.
- ``--shards N``: run as a sharded bot (``discord.AutoShardedClient``) with N shards in all,
  every one in this process unless ``--shard-ids`` names the ones this process runs; the other
  processes run the rest, all on one ``DATABASE_URL`` (PostgreSQL). ``DISCORD_SHARD_COUNT`` and
  ``DISCORD_SHARD_IDS`` say the same; the options win. See docs/discord.md (several processes).
- ``--sync``: sync the slash commands at start even if they look unchanged (after a change
  made on the Developer Portal, or a sync that was interrupted).
- ``--invite-url``: print the URL that adds the bot to a server, with exactly the scopes and
  permissions it needs (see docs/discord.md), and exit. The application id is read from the
  token (its first part is the bot's user id, which is the application id) unless
  ``--application-id`` gives it; nothing is sent to Discord.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import binascii
import logging
import sys

from bot.config import Settings, Shards, check_storage, parse_shards
from bot.errors import CoachError, ConfigError

__all__ = (
    "PERMISSIONS",
    "SCOPES",
    "application_id_from_token",
    "configure",
    "invite_url",
    "main",
    "require_token",
)

log = logging.getLogger(__name__)

SCOPES = ("bot", "applications.commands")
# View Channels (1 << 10), Send Messages (1 << 11), Embed Links (1 << 14), Read Message History
# (1 << 16): see docs/discord.md for why each one is needed.
PERMISSIONS = (1 << 10) | (1 << 11) | (1 << 14) | (1 << 16)
_NO_TOKEN = (
    "DISCORD_BOT_TOKEN is not set: copy the bot's token from the Discord Developer Portal "
    "(Bot > Reset Token) into .env; see .env.example and docs/discord.md"
)


def configure(parser: argparse.ArgumentParser) -> None:
    """The Discord bot's options."""
    parser.add_argument(
        "--sync",
        action="store_true",
        help="sync the slash commands with Discord at start, even if they look unchanged",
    )
    parser.add_argument(
        "--shards",
        metavar="N",
        help="the number of shards in all (default: DISCORD_SHARD_COUNT, else not sharded)",
    )
    parser.add_argument(
        "--shard-ids",
        metavar="A,B",
        help="the shards this process runs, e.g. 0,1 (default: DISCORD_SHARD_IDS, else all)",
    )
    parser.add_argument(
        "--invite-url",
        action="store_true",
        help="print the URL that adds the bot to a server, and exit",
    )
    parser.add_argument(
        "--application-id",
        metavar="ID",
        help="the application id for --invite-url (default: read from DISCORD_BOT_TOKEN)",
    )


def main(args: argparse.Namespace) -> int:
    """Print the invite URL, or run the bot until it is stopped."""
    settings: Settings = args.settings
    if args.invite_url:
        application_id = _application_id(args.application_id, settings)
        print(invite_url(application_id))
        return 0
    token = require_token(settings)
    shards = shards_from(args, settings)
    check_storage(settings)
    try:
        asyncio.run(_run(settings, token, force_sync=args.sync, shards=shards))
    except KeyboardInterrupt:
        print(file=sys.stderr)
    except DiscordUnreachableError as exc:
        print(f"recruiter-coach discord: {exc}", file=sys.stderr)
        return 1
    return 0


class DiscordUnreachableError(CoachError):
    """Discord could not be reached (no network, DNS, a firewall): one line, no traceback."""


def require_token(settings: Settings) -> str:
    """The bot token, or a :class:`ConfigError` that names ``DISCORD_BOT_TOKEN``."""
    if not settings.discord_bot_token:
        raise ConfigError(_NO_TOKEN)
    return settings.discord_bot_token.strip()


def application_id_from_token(token: str) -> int:
    """The application id inside a bot token: its first part is the bot's user id in base64.

    Raises:
        ConfigError: the token does not have that shape.
    """
    first = token.strip().split(".", 1)[0]
    try:
        decoded = base64.urlsafe_b64decode(first + "=" * (-len(first) % 4)).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        decoded = ""
    if not decoded.isdigit():
        raise ConfigError(
            "DISCORD_BOT_TOKEN does not look like a bot token (its first part should be the "
            "bot's id in base64); pass --application-id (General Information > Application ID)"
        )
    return int(decoded)


def invite_url(application_id: int) -> str:
    """The OAuth2 URL that adds the bot, with its slash commands, to a server."""
    scope = "+".join(SCOPES)
    return (
        "https://discord.com/oauth2/authorize"
        f"?client_id={application_id}&scope={scope}&permissions={PERMISSIONS}"
    )


def shards_from(args: argparse.Namespace, settings: Settings) -> Shards | None:
    """The shards this process runs: the options, else the environment (in ``settings``).

    Raises:
        ConfigError: the options are malformed (see :func:`bot.config.parse_shards`).
    """
    count, ids = getattr(args, "shards", None), getattr(args, "shard_ids", None)
    if count is None and ids is None:
        return settings.discord_shards
    if count is None and settings.discord_shards is not None:  # the count from the environment
        count = str(settings.discord_shards.count)
    return parse_shards(count, ids)


def _application_id(given: str | None, settings: Settings) -> int:
    if given is None:
        return application_id_from_token(require_token(settings))
    if not given.strip().isdigit():
        raise ConfigError(f"--application-id must be a number (got {given!r})")
    return int(given)


async def _run(
    settings: Settings, token: str, *, force_sync: bool, shards: Shards | None = None
) -> None:
    # Imported here so that --help and --invite-url never load discord.py or the store.
    import aiohttp
    import discord

    from adapters.discord.client import build_discord_client
    from adapters.discord.delivery import DiscordDelivery
    from bot.app import open_coach

    delivery = DiscordDelivery()
    coach = await open_coach(settings, delivery=delivery, platforms=("discord",))
    # Train the topic router while the client logs in, not at the first question routed.
    warm_up = asyncio.create_task(coach.warm_up(), name="router-warm-up")
    try:
        client = build_discord_client(
            coach, settings, delivery=delivery, force_sync=force_sync, shards=shards
        )
        async with client:
            await client.start(token)
    except (OSError, aiohttp.ClientError, discord.GatewayNotFound) as exc:
        raise DiscordUnreachableError(
            "cannot reach Discord (discord.com); check the network connection (or a proxy or"
            " firewall) and start it again"
        ) from exc
    except discord.LoginFailure as exc:
        raise ConfigError(
            "Discord refused DISCORD_BOT_TOKEN (401); copy a fresh token from the Developer "
            "Portal (Bot > Reset Token)"
        ) from exc
    finally:
        warm_up.cancel()  # the training thread itself finishes on its own
        await coach.close()
