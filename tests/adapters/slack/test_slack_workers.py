"""Two HTTP workers (``SlackWorker``, as ``recruiter-coach slack`` runs them) on one PostgreSQL
serve one workspace: a conversation moves between them without losing an answer, and each
reminder is sent once."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import aiohttp

from adapters.slack.cli import EVENTS_PATH, SlackWorker
from tests.adapters.slack.conftest import Harness, button, slack_settings
from tests.adapters.slack.fake_slack import FakeSlack


async def test_two_workers_share_conversations_and_send_each_reminder_once(
    tmp_path: Path, postgres_url: str, fake_slack: FakeSlack
) -> None:
    settings = slack_settings(tmp_path, postgres_url, fake_slack)
    workers = [SlackWorker(settings, host="127.0.0.1", port=0) for _ in range(2)]
    for worker in workers:
        await worker.start()
    session = aiohttp.ClientSession()
    try:
        a, b = (
            Harness(fake_slack, f"http://127.0.0.1:{w.port}{EVENTS_PATH}", session=session)
            for w in workers
        )
        b.triggers = b.hooks = 100  # distinct trigger ids and hooks across the two harnesses
        await a.command("")
        hooks = await fake_slack.wait_for("hook", 2)
        await b.click(button(hooks[-1].args["blocks"], "I'm at work, I can't talk"))
        view = (await fake_slack.wait_for("views.open"))[0].args["view"]
        soon = int(time.time()) + 5 * 60  # a call in 5 minutes: its reminder is due now
        response = await a.submit(
            view,
            {
                "callback_at": {"type": "datetimepicker", "selected_date_time": soon},
                "callback_phone": {"type": "plain_text_input", "value": "+1 415 555 0100"},
            },
        )
        assert response.status == 200 and response.text == ""  # worker A knew B's question
        hooks = await fake_slack.wait_for("hook", 5)
        assert any("Here's what to say" in h.args["text"] for h in hooks)
        reminders = await _reminders(fake_slack, timeout=10)
        await asyncio.sleep(2.5)  # both schedulers poll every second: room for a second send
        assert len(await _reminders(fake_slack, timeout=0)) == len(reminders) == 1
        assert reminders[0].args["channel"] == "DU1"
    finally:
        await session.close()
        for worker in workers:
            await worker.stop()


async def _reminders(fake: FakeSlack, *, timeout: float) -> list:
    deadline = time.monotonic() + timeout
    while True:
        found = [c for c in fake.named("chat.postMessage") if "Reminder:" in c.args["text"]]
        if found or time.monotonic() >= deadline:
            return found
        await asyncio.sleep(0.1)


async def test_one_message_delivered_to_two_workers_under_two_event_ids_is_answered_once(
    tmp_path: Path, sqlite_url: str, fake_slack: FakeSlack
) -> None:
    """Each worker's retry filter sees only its own deliveries: the engine's record of the
    message's (channel, ts) key is what keeps the second worker quiet."""
    settings = slack_settings(tmp_path, sqlite_url, fake_slack)
    workers = [SlackWorker(settings, host="127.0.0.1", port=0) for _ in range(2)]
    for worker in workers:
        await worker.start()
    session = aiohttp.ClientSession()
    message = {
        "type": "message",
        "channel": "DU1",
        "channel_type": "im",
        "user": "U1",
        "text": "hi",
        "ts": f"{time.time():.6f}",
    }
    try:
        a, b = (
            Harness(fake_slack, f"http://127.0.0.1:{w.port}{EVENTS_PATH}", session=session)
            for w in workers
        )
        await a.event(dict(message), event_id="EvFirst")
        await fake_slack.wait_for("chat.postMessage", 2)
        await b.event(dict(message), event_id="EvSecond")
        await asyncio.sleep(0.5)
        assert len(fake_slack.named("chat.postMessage")) == 2  # privacy notice + one question
    finally:
        await session.close()
        for worker in workers:
            await worker.stop()


async def test_two_workers_ask_users_info_once_per_person(
    tmp_path: Path, postgres_url: str, fake_slack: FakeSlack
) -> None:
    """The profile users.info gave is kept in the database for every worker (with its TTL):
    a second worker, and further events on either, do not ask Slack again."""
    settings = slack_settings(tmp_path, postgres_url, fake_slack)
    workers = [SlackWorker(settings, host="127.0.0.1", port=0) for _ in range(2)]
    for worker in workers:
        await worker.start()
    session = aiohttp.ClientSession()
    try:
        a, b = (
            Harness(fake_slack, f"http://127.0.0.1:{w.port}{EVENTS_PATH}", session=session)
            for w in workers
        )
        b.triggers = b.hooks = 100
        await a.dm("start")
        await fake_slack.wait_for("chat.postMessage", 2)
        await b.command("help")
        await a.command("contacts")
        await fake_slack.wait_for("hook", 2)
        assert workers[1].delivery is not None and workers[1].delivery.sender is not None
        sender = workers[1].delivery.sender
        person = await sender.users.person(sender.clients.base, "T1", "U1")  # worker B itself
        assert person.info.time_zone == "Europe/Berlin"
        assert len(fake_slack.named("users.info")) == 1
    finally:
        await session.close()
        for worker in workers:
            await worker.stop()
