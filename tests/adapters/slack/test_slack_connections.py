"""One aiohttp session per worker for the Web API (adapters.slack.clients.share_session): many
calls reuse a few kept-alive TCP connections instead of opening one each, the workspaces'
clients (OAuth) share it, and shutdown closes it (the suite turns an "Unclosed client session"
warning into an error)."""

from __future__ import annotations

from pathlib import Path

import aiohttp
import pytest

from adapters.slack.cli import EVENTS_PATH, SlackWorker
from tests.adapters.slack.conftest import Harness, running_app, slack_settings
from tests.adapters.slack.fake_slack import FakeSlack

PEOPLE = 8


def _api_traffic(fake: FakeSlack) -> int:
    return len(fake.calls) + len(fake.hooks)


async def test_many_web_api_calls_go_over_a_few_connections(
    tmp_path: Path, sqlite_url: str, fake_slack: FakeSlack
) -> None:
    """DMs (users.info, chat.postMessage) and slash commands (response_url posts) from several
    people, one after the other: each call before the change opened its own connection."""
    async with running_app(slack_settings(tmp_path, sqlite_url, fake_slack), fake_slack) as slack:
        for n in range(PEOPLE):
            await slack.dm("start", user=f"U{n}")
            await fake_slack.wait_for("chat.postMessage", 2 * (n + 1))
            await slack.command("help", user=f"U{n}")
            await fake_slack.wait_for("hook", n + 1)
        traffic, connections = _api_traffic(fake_slack), fake_slack.connections
    assert traffic >= 4 * PEOPLE
    assert 1 <= connections <= 3  # kept alive; a second one only when calls overlapped


async def test_shutdown_closes_the_shared_session(
    tmp_path: Path, sqlite_url: str, fake_slack: FakeSlack
) -> None:
    app = running_app(slack_settings(tmp_path, sqlite_url, fake_slack), fake_slack)
    async with app as slack:
        await slack.dm("start")
        await fake_slack.wait_for("chat.postMessage", 2)
        assert slack.delivery is not None and slack.delivery.sender is not None
        session = slack.delivery.sender.clients.session
        assert session is not None and not session.closed
        assert slack.app is not None and slack.app.client.session is session  # Bolt's too
    assert session.closed


async def test_a_worker_stopped_closes_its_session_and_reminders_still_go_out(
    tmp_path: Path, sqlite_url: str, fake_slack: FakeSlack
) -> None:
    """After the drain the session is closed; a late call (the scheduler stopping) falls back
    to slack_sdk's one-call session rather than failing."""
    worker = SlackWorker(
        slack_settings(tmp_path, sqlite_url, fake_slack), host="127.0.0.1", port=0
    )
    await worker.start()
    try:
        async with aiohttp.ClientSession() as http:
            slack = Harness(
                fake_slack, f"http://127.0.0.1:{worker.port}{EVENTS_PATH}", session=http
            )
            await slack.dm("start")
            await fake_slack.wait_for("chat.postMessage", 2)
        assert worker.delivery is not None and worker.delivery.handlers is not None
        sender = worker.delivery.sender
        assert sender is not None
        await worker.delivery.handlers.drain()
        assert sender.clients.session is not None and sender.clients.session.closed
        client = await sender.clients.for_team("T1")
        answer = await client.chat_postMessage(channel="DU1", text="late")
        assert answer["ok"] is True
    finally:
        await worker.stop()


@pytest.mark.filterwarnings("ignore:BasicAuth is deprecated:DeprecationWarning")
async def test_workspace_clients_share_the_workers_session(
    tmp_path: Path, sqlite_url: str, fake_slack: FakeSlack
) -> None:
    from tests.adapters.slack.test_slack_oauth import _install

    settings = slack_settings(
        tmp_path,
        sqlite_url,
        fake_slack,
        slack_bot_token=None,
        slack_client_id="111.222",
        slack_client_secret="client-secret",
    )
    worker = SlackWorker(settings, host="127.0.0.1", port=0)
    await worker.start()
    try:
        base = f"http://127.0.0.1:{worker.port}"
        async with aiohttp.ClientSession() as http:
            assert await _install(http, base, "T1") == 200
            assert await _install(http, base, "T2") == 200
        assert worker.delivery is not None and worker.delivery.sender is not None
        clients = worker.delivery.sender.clients
        one, two = await clients.for_team("T1"), await clients.for_team("T2")
        assert one.token == "xoxb-T1" and two.token == "xoxb-T2"
        assert one.session is two.session is clients.session is not None
    finally:
        await worker.stop()
    assert clients.session is not None and clients.session.closed
