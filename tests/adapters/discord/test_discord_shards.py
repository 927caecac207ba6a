"""A sharded bot in two processes on one PostgreSQL database, against the fake Discord.

Process A runs shard 0 (``recruiter-coach discord --shards 2 --shard-ids 0``), process B shard 1,
each started through the real command line (``shard_worker.py``, which tags its REST requests
with ``worker/A`` or ``worker/B``). The fake gateway sends each server's events to the shard
Discord would: ``(guild_id >> 22) % 2``. Checked:

- a slash command in a server on each shard is deferred by the process running that shard and
  answered;
- reminders due at once, which both processes' schedulers race for, are each sent once;
- a referral-card click, handed to both processes (as a replayed event would be), counts once,
  tells the sharer once and edits the card once;
- a process killed (SIGKILL) after deferring an interaction and saving it in the inbox, before
  running it: the other process answers it.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import create_async_engine

from adapters.discord.convert import to_conversation
from adapters.discord.render import render_replies
from bot.app import Coach, open_coach
from bot.boundary import ConversationRef
from bot.coaching.referrals import Opportunity
from bot.config import Settings
from bot.dialog.state import ref_to_json
from bot.store import JobSpec
from bot.store.schema import inbox_events
from tests.adapters.discord.conftest import TOKEN
from tests.adapters.discord.fake_discord import FakeDiscord, Request
from tests.adapters.discord.payloads import (
    BOT,
    GUILD_ID,
    REFERRAL_CHANNEL_ID,
    message_payload,
    press,
    slash,
)

ROOT = Path(__file__).resolve().parents[3]
START_TIMEOUT = 90.0  # two Python processes importing discord.py on a shared, busy machine
SHARER, SHARER_DM = 6100, 6101
COLLEAGUE = 6200


def guild_on(shard: int, count: int = 2) -> int:
    """A server id whose events Discord sends to ``shard``."""
    base = GUILD_ID >> 22
    while base % count != shard:
        base += 1
    return base << 22 | 1


class Worker:
    """One bot process (``shard_worker.py``), its log in a file (nothing is piped)."""

    def __init__(self, name: str, shard: int, fake: FakeDiscord, url: str, tmp: Path) -> None:
        self.name = name
        self.log = tmp / f"worker-{name}.log"
        env = dict(os.environ)
        env.update(
            PYTHONPATH=str(ROOT),
            DISCORD_BOT_TOKEN=TOKEN,
            DATABASE_URL=url,
            COACH_DATA_DIR=str(tmp / f"data-{name}"),
            LOG_LEVEL="INFO",
        )
        module = "tests.adapters.discord.shard_worker"
        args = [str(fake.port), name, "discord", "--shards", "2", "--shard-ids", str(shard)]
        with self.log.open("w") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", module, *args],
                env=env,
                cwd=tmp,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def sent(self, request: Request) -> bool:
        return request.agent.endswith(f"worker/{self.name}")

    async def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            await asyncio.to_thread(self.process.wait, 30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            await asyncio.to_thread(self.process.wait, 30)


@pytest.fixture
async def shared_coach(postgres_url: str, tmp_path: Path) -> AsyncIterator[Coach]:
    """The coach of the test itself on the database (migrated before the workers start)."""
    coach = await open_coach(Settings(data_dir=tmp_path, database_url=postgres_url))
    try:
        yield coach
    finally:
        await coach.close()


@pytest.fixture
async def workers(
    fake_discord: FakeDiscord, shared_coach: Coach, postgres_url: str, tmp_path: Path
) -> AsyncIterator[tuple[Worker, Worker]]:
    pair = (
        Worker("A", 0, fake_discord, postgres_url, tmp_path),
        Worker("B", 1, fake_discord, postgres_url, tmp_path),
    )
    try:
        await fake_discord.wait_shards({0, 1}, timeout=START_TIMEOUT)
        yield pair
    finally:
        for worker in pair:
            await worker.stop()
            print(f"--- worker {worker.name} ---\n{worker.log.read_text()[-3000:]}")  # on failure


def for_interaction(payload: dict[str, Any], *, path_end: str = "") -> Callable[[Request], bool]:
    token = payload["token"]
    return lambda r: token in r.path and r.path.endswith(path_end)


def followup_of(payload: dict[str, Any]) -> Callable[[Request], bool]:
    token = payload["token"]
    return lambda r: r.method == "POST" and r.path.startswith("/webhooks/") and token in r.path


async def saved_in_inbox(url: str, event_id: str) -> None:
    engine = create_async_engine(url)
    try:
        for _ in range(500):
            async with engine.connect() as conn:
                found = await conn.scalar(
                    select(inbox_events.c.id).where(inbox_events.c.event_id == event_id)
                )
            if found is not None:
                return
            await asyncio.sleep(0.02)
    finally:
        await engine.dispose()
    raise AssertionError(f"{event_id} never reached the inbox")


async def schedule_reminders(coach: Coach, users: list[int]) -> None:
    jobs = []
    for user_id in users:
        ref = to_conversation(user_id=user_id, dm_channel_id=user_id + 1)
        context = {"at": datetime.now(UTC).isoformat(), "time_zone": "UTC"}
        payload = {"ref": ref_to_json(ref), "template": "callback_reminder", "context": context}
        jobs.append(
            JobSpec(
                kind="reminder",
                due_at=datetime.now(UTC),
                user_key=ref.user_key,
                conversation_key=ref.key,
                payload=payload,
            )
        )
    await coach.store.schedule_jobs(tuple(jobs))


async def post_card(coach: Coach, guild: int) -> tuple[int, dict[str, Any], str]:
    """A referral shared in ``guild`` and its card as posted: (id, message, interested id)."""
    await coach.referrals.set_referral_channel("discord", str(guild), str(REFERRAL_CHANNEL_ID))
    sharer = ConversationRef("discord", str(SHARER_DM), str(SHARER), space=str(guild))
    referral = await coach.referrals.share(sharer, Opportunity("Backend engineer"))
    rendered = render_replies([coach.referrals.card(referral, str(REFERRAL_CHANNEL_ID))])[0]
    assert rendered.view is not None
    components = rendered.view.to_components()
    body = {"components": components, "embeds": [e.to_dict() for e in rendered.embeds]}
    message = message_payload(REFERRAL_CHANNEL_ID, body, author=BOT)
    ids = [c["custom_id"] for row in components for c in row["components"]]
    return referral.id, message, next(i for i in ids if i.endswith(":interested"))


async def test_two_shard_processes_share_the_work_and_do_each_thing_once(
    fake_discord: FakeDiscord,
    shared_coach: Coach,
    workers: tuple[Worker, Worker],
    postgres_url: str,
) -> None:
    fake, coach = fake_discord, shared_coach
    a, b = workers
    fake.dm_channels[SHARER] = SHARER_DM

    # a server event on each shard: deferred by the process that runs the shard, then answered
    on_a = slash(user_id=7001, guild_id=guild_on(0))
    on_b = slash(user_id=7002, guild_id=guild_on(1))
    await fake.dispatch("INTERACTION_CREATE", on_a, shard=0)
    await fake.dispatch("INTERACTION_CREATE", on_b, shard=1)
    deferred_a = await fake.wait_for(for_interaction(on_a, path_end="/callback"))
    deferred_b = await fake.wait_for(for_interaction(on_b, path_end="/callback"))
    assert a.sent(deferred_a) and b.sent(deferred_b)
    assert deferred_a.body["type"] == 5 and deferred_b.body["type"] == 5  # "thinking..."
    answer_a = await fake.wait_for(followup_of(on_a))
    answer_b = await fake.wait_for(followup_of(on_b))
    assert answer_a.payload["flags"] & 64 and answer_b.payload["flags"] & 64  # private

    # reminders both schedulers race for
    users = [7100 + n for n in range(4)]
    await schedule_reminders(coach, users)

    # one click, handed to both processes
    referral_id, card, interested = await post_card(coach, guild_on(1))
    click = press(interested, user_id=COLLEAGUE, message=card, guild_id=guild_on(1))
    await fake.dispatch("INTERACTION_CREATE", click, shard=1)
    await fake.dispatch("INTERACTION_CREATE", click, shard=0)
    await fake.wait_for(lambda r: r.path == f"/channels/{SHARER_DM}/messages")
    await fake.wait_for(for_interaction(click, path_end="/messages/@original"))
    await fake.wait_for(followup_of(click))

    # a process killed after deferring and saving an interaction: the other one answers it
    lost = slash(user_id=7003, guild_id=guild_on(0))
    await fake.dispatch("INTERACTION_CREATE", lost, shard=0)
    deferred = await fake.wait_for(for_interaction(lost, path_end="/callback"))
    await saved_in_inbox(postgres_url, f"discord:{lost['id']}")
    await a.stop(signal.SIGKILL)
    assert a.sent(deferred)
    answered = await fake.wait_for(followup_of(lost), timeout=30)
    assert b.sent(answered)

    # every reminder sent exactly once (both schedulers polled many times since)
    for user_id in users:
        dm = f"/channels/{user_id + 1}/messages"
        await fake.wait_for(lambda r, dm=dm: r.path == dm)  # type: ignore[misc]
    for user_id in users:
        sent = [r for r in fake.requests if r.path == f"/channels/{user_id + 1}/messages"]
        assert len(sent) == 1 and "Reminder:" in sent[0].content
    # the click: both processes acknowledged it, it counted and was carried out once
    assert len([r for r in fake.requests if for_interaction(click, path_end="/callback")(r)]) == 2
    notices = [r for r in fake.requests if r.path == f"/channels/{SHARER_DM}/messages"]
    assert len(notices) == 1 and "interested" in notices[0].content
    edits = [r for r in fake.requests if for_interaction(click, path_end="/@original")(r)]
    assert len(edits) == 1
    assert len([r for r in fake.requests if followup_of(click)(r)]) == 1
    referral = await coach.store.get_referral(referral_id)
    assert referral is not None and referral.interested_count == 1
