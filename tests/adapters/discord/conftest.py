"""Fixtures for the Discord adapter: a fake Discord on loopback and the real bot connected to it.

``fake_discord`` is a started :class:`FakeDiscord` with discord.py pointed at it. ``bot`` is a
:class:`BotHarness`: the coach on a SQLite file, and the real ``CoachClient`` from
``build_discord_client``, either connected through the fake gateway (``await bot.start()``, L4)
or only logged in to the fake REST API (``await bot.login()``, L3: payloads are then fed to
discord.py's own parser, as the gateway would).
"""

from __future__ import annotations

import asyncio
import contextlib
import warnings
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

with warnings.catch_warnings():
    # discord.py imports audioop (for voice, which the coach never uses); Python 3.11 warns
    # that audioop goes away in 3.13, and the suite turns warnings into errors.
    warnings.filterwarnings("ignore", "'audioop' is deprecated", DeprecationWarning)
    import discord  # noqa: F401

from adapters.discord.client import CoachClient, build_discord_client
from adapters.discord.delivery import DiscordDelivery
from bot.app import Coach, open_coach
from bot.config import Settings
from tests.adapters.discord.fake_discord import TIMEOUT, FakeDiscord

TOKEN = "MTEwMDAwMDAwMDAwMDAwMDAwMQ.fake.token"


@pytest.fixture
async def fake_discord(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeDiscord]:
    fake = FakeDiscord()
    await fake.start()
    fake.patch(monkeypatch)
    try:
        yield fake
    finally:
        await fake.stop()


class BotHarness:
    """The coach and the bot; every wait has a time-out."""

    def __init__(self, fake: FakeDiscord, settings: Settings) -> None:
        self.fake = fake
        self.settings = settings
        self.delivery = DiscordDelivery()
        self.coach: Coach | None = None
        self.client: CoachClient | None = None
        self._task: asyncio.Task[None] | None = None

    async def open(self, **client_options: Any) -> CoachClient:
        if self.coach is None:
            self.coach = await open_coach(
                self.settings, delivery=self.delivery, platforms=("discord",)
            )
        self.client = build_discord_client(
            self.coach, self.settings, delivery=self.delivery, guild_ready_timeout=0.01,
            **client_options,
        )  # fmt: skip
        return self.client

    async def login(self, **client_options: Any) -> CoachClient:
        """L3: logged in to the fake REST API (``setup_hook`` ran), no gateway."""
        client = await self.open(**client_options)
        await asyncio.wait_for(client.login(TOKEN), TIMEOUT)
        return client

    async def start(self, **client_options: Any) -> CoachClient:
        """L4: connected through the fake gateway and ready. The reminder delivery (the
        scheduler's) is bound to each new client, as in a restarted process."""
        client = await self.open(**client_options)
        count = self.fake.identified
        self._task = asyncio.create_task(client.start(TOKEN))
        await self.fake.wait_identified(count + 1)
        await asyncio.wait_for(client.wait_until_ready(), TIMEOUT)
        return client

    async def restart(self) -> CoachClient:
        """Close the client and start a new one, as a restarted process would."""
        await self.close_client()
        return await self.start()

    def feed(self, event: str, payload: dict[str, Any]) -> None:
        """L3: hand a gateway event straight to discord.py's parser."""
        assert self.client is not None
        self.client._connection.parsers[event](payload)

    async def close_client(self) -> None:
        if self.client is not None:
            await self.client.close()
        if self._task is not None:
            await asyncio.wait_for(self._task, TIMEOUT)
            self._task = None

    async def close(self) -> None:
        await self.close_client()
        if self.coach is not None:
            await self.coach.close()


@pytest.fixture
async def bot(
    fake_discord: FakeDiscord, tmp_path: Path, sqlite_url: str
) -> AsyncIterator[BotHarness]:
    settings = Settings(data_dir=tmp_path, database_url=sqlite_url)
    harness = BotHarness(fake_discord, settings)
    try:
        yield harness
    finally:
        with contextlib.suppress(Exception):
            await harness.close()
