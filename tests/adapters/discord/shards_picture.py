"""Draw the sharded bot's moves for docs/discord.md.

Usage: ``python -m tests.adapters.discord.shards_picture`` (from the repository root).

Runs the real sharded client (``ShardedCoachClient``, two shards) against the fake Discord on
127.0.0.1, as the tests do: ``/recruiter`` in a server on shard 1 (deferred at once, answered
from the durable inbox with the saved token), and a click on a referral card in a server on
shard 0. It draws what the bot sent (the "thinking" defer, the private answer, the DM, the card
edited in place, the private thanks, the sharer's notice) as Discord-like HTML
(:mod:`tests.adapters.discord.discord_html`) and screenshots it with headless Chromium into
``docs/images/discord-shards.png``.
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path
from typing import Any

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", "'audioop' is deprecated", DeprecationWarning)
    import discord
import discord.gateway
import discord.http
import yarl

from adapters.discord.client import build_discord_client
from adapters.discord.delivery import DiscordDelivery
from bot.app import open_coach
from bot.config import Settings, Shards
from tests.adapters.discord.conftest import TOKEN
from tests.adapters.discord.discord_html import Message, page
from tests.adapters.discord.fake_discord import FakeDiscord, Request
from tests.adapters.discord.payloads import slash
from tests.adapters.discord.test_discord_shards import (
    COLLEAGUE,
    SHARER,
    SHARER_DM,
    followup_of,
    for_interaction,
    guild_on,
    post_card,
    press,
)
from tests.adapters.slack.conversation_picture import ROOT

OUTPUT = ROOT / "docs" / "images" / "discord-shards.png"
SAM, SAM_DM = 6300, 6301
BOT_NAME = "Recruiter Coach"


async def moves(tmp: Path) -> list[tuple[str, list[Message]]]:
    fake = FakeDiscord()
    await fake.start()
    discord.http.Route.BASE = f"http://127.0.0.1:{fake.port}/api/v10"  # type: ignore[misc]
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(fake.gateway_url)
    fake.dm_channels.update({SAM: SAM_DM, SHARER: SHARER_DM})
    settings = Settings(data_dir=tmp, database_url=f"sqlite+aiosqlite:///{tmp}/coach.db")
    delivery = DiscordDelivery()
    coach = await open_coach(settings, delivery=delivery, platforms=("discord",))
    client = build_discord_client(
        coach, settings, delivery=delivery, shards=Shards(2), guild_ready_timeout=0.01
    )
    running = asyncio.create_task(client.start(TOKEN))
    try:
        await fake.wait_shards({0, 1})
        return await _scenes(fake, coach)
    finally:
        await client.close()
        await asyncio.wait_for(running, 15)
        await coach.close()
        await fake.stop()


async def _scenes(fake: FakeDiscord, coach: Any) -> list[tuple[str, list[Message]]]:
    command = slash(user_id=SAM, guild_id=guild_on(1), question="a recruiter called me at work")
    await fake.dispatch("INTERACTION_CREATE", command, shard=1)
    await fake.wait_for(for_interaction(command, path_end="/callback"))
    answer = await fake.wait_for(followup_of(command))
    in_dm = await fake.wait_for(lambda r: r.path == f"/channels/{SAM_DM}/messages")
    server = [
        Message("Sam", text="/recruiter question: a recruiter called me at work"),
        Message(BOT_NAME, thinking=True, ephemeral=True, note="shard 1: deferred at once"),
        Message(BOT_NAME, answer.payload, ephemeral=True, note="from the inbox, any process"),
    ]
    dm = [Message(BOT_NAME, in_dm.payload, note="the buttons wait in the DM")]

    _, card, interested = await post_card(coach, guild_on(0))
    click = press(interested, user_id=COLLEAGUE, message=card, guild_id=guild_on(0))
    await fake.dispatch("INTERACTION_CREATE", click, shard=0)
    edited = await fake.wait_for(for_interaction(click, path_end="/messages/@original"))
    thanks = await fake.wait_for(followup_of(click))
    notice: Request = await fake.wait_for(lambda r: r.path == f"/channels/{SHARER_DM}/messages")
    referrals = [
        Message(BOT_NAME, edited.payload, note="shard 0: the card after one click, counted once"),
        Message(BOT_NAME, thanks.payload, ephemeral=True),
    ]
    sharer = [Message(BOT_NAME, notice.payload, note="the sharer's DM")]
    return [
        ("# general  (a server on shard 1)", server),
        ("@ Recruiter Coach  (Sam's DM)", dm),
        ("# referrals  (a server on shard 0)", referrals),
        ("@ Recruiter Coach  (the sharer's DM)", sharer),
    ]


def screenshot(html_file: Path, output: Path, *, height: int = 1480) -> None:
    """Headless Chromium, as for the Slack pictures, with room for four places."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        raise SystemExit("install Chromium first: apt-get install -y chromium")
    output.parent.mkdir(parents=True, exist_ok=True)
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--hide-scrollbars"]  # fmt: skip
    subprocess.run(
        [browser, *flags, f"--window-size=760,{height}", f"--screenshot={output}",
         html_file.as_uri()],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        sections = asyncio.run(moves(Path(tmp)))
        html_file = Path(tmp) / "shards.html"
        html_file.write_text(page(sections), encoding="utf-8")
        screenshot(html_file, OUTPUT)
    print(f"wrote {OUTPUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
