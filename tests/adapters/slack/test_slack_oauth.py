"""Multi-workspace install: two workspaces install through /slack/install and
/slack/oauth_redirect, each request then uses its own workspace's token, and an uninstall
deletes the workspace's tokens."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import aiohttp
import pytest

from adapters.slack.cli import EVENTS_PATH, SlackWorker
from tests.adapters.slack.conftest import Harness, slack_settings
from tests.adapters.slack.fake_slack import FakeSlack

# slack_sdk sends the client id and secret to oauth.v2.access with aiohttp's BasicAuth, which
# aiohttp 3.14 deprecates; the suite turns warnings into errors.
pytestmark = pytest.mark.filterwarnings("ignore:BasicAuth is deprecated:DeprecationWarning")


async def _install(session: aiohttp.ClientSession, base: str, team: str) -> int:
    async with session.get(f"{base}/slack/install") as page:
        assert page.status == 200
        html = await page.text()
        # The state cookie is Secure (https only): a browser on https would send it back.
        cookie = page.headers["Set-Cookie"].split(";")[0]
    state = re.search(r"state=([\w-]+)", html)
    assert state is not None, html
    url = f"{base}/slack/oauth_redirect?code=code-{team}&state={state.group(1)}"
    async with session.get(url, headers={"Cookie": cookie}) as done:
        return done.status


@pytest.fixture
async def oauth_worker(tmp_path: Path, sqlite_url: str, fake_slack: FakeSlack):
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
        yield worker
    finally:
        await worker.stop()


async def test_two_workspaces_install_and_each_gets_its_own_token(
    oauth_worker: SlackWorker, fake_slack: FakeSlack
) -> None:
    base = f"http://127.0.0.1:{oauth_worker.port}"
    async with aiohttp.ClientSession() as session:
        assert await _install(session, base, "T1") == 200
        assert await _install(session, base, "T2") == 200
        assert [c.args["code"] for c in fake_slack.named("oauth.v2.access")] == [
            "code-T1",
            "code-T2",
        ]
        slack = Harness(fake_slack, base + EVENTS_PATH, session=session)
        await slack.command("", team="T1", user="UA")
        await slack.command("", team="T2", user="UB")
        await fake_slack.wait_for("hook", 4)
    lookups = {c.args["user"]: c.token for c in fake_slack.named("users.info")}
    assert lookups == {"UA": "xoxb-T1", "UB": "xoxb-T2"}


async def test_an_install_without_the_state_cookie_is_refused(
    oauth_worker: SlackWorker, fake_slack: FakeSlack
) -> None:
    base = f"http://127.0.0.1:{oauth_worker.port}"
    forged = f"{base}/slack/oauth_redirect?code=code-T9&state=forged"
    async with aiohttp.ClientSession() as session, session.get(forged) as done:
        assert done.status == 400
    assert fake_slack.named("oauth.v2.access") == []


async def test_uninstall_deletes_the_workspaces_tokens(
    oauth_worker: SlackWorker, fake_slack: FakeSlack
) -> None:
    base = f"http://127.0.0.1:{oauth_worker.port}"
    async with aiohttp.ClientSession() as session:
        await _install(session, base, "T1")
        await _install(session, base, "T2")
        assert oauth_worker.stores is not None
        store = oauth_worker.stores.installations
        assert (await store.async_find_bot(enterprise_id=None, team_id="T2")) is not None
        slack = Harness(fake_slack, base + EVENTS_PATH, session=session)
        response = await slack.event({"type": "app_uninstalled"}, team="T2")
        assert response.status == 200
    for _ in range(100):  # the event is acknowledged first and handled right after
        if await store.async_find_bot(enterprise_id=None, team_id="T2") is None:
            break
        await asyncio.sleep(0.05)
    assert await store.async_find_bot(enterprise_id=None, team_id="T2") is None
    assert await store.async_find_bot(enterprise_id=None, team_id="T1") is not None


async def test_revoked_bot_tokens_are_deleted(
    oauth_worker: SlackWorker, fake_slack: FakeSlack
) -> None:
    base = f"http://127.0.0.1:{oauth_worker.port}"
    async with aiohttp.ClientSession() as session:
        await _install(session, base, "T3")
        assert oauth_worker.stores is not None
        store = oauth_worker.stores.installations
        slack = Harness(fake_slack, base + EVENTS_PATH, session=session)
        revoked = {"type": "tokens_revoked", "tokens": {"bot": ["UBOT"]}}
        assert (await slack.event(revoked, team="T3")).status == 200
        for _ in range(100):
            if await store.async_find_bot(enterprise_id=None, team_id="T3") is None:
                break
            await asyncio.sleep(0.05)
    assert await store.async_find_bot(enterprise_id=None, team_id="T3") is None


async def test_workspace_clients_come_from_the_cached_authorize(
    oauth_worker: SlackWorker, fake_slack: FakeSlack
) -> None:
    """Bolt's requests, the inbox and the reminders share one installation-store authorize
    with its cache on: auth.test once per workspace token, however many events."""
    base = f"http://127.0.0.1:{oauth_worker.port}"
    async with aiohttp.ClientSession() as session:
        await _install(session, base, "T1")
        await _install(session, base, "T2")
        installed = len(fake_slack.named("auth.test"))  # the OAuth flow checks each new token
        slack = Harness(fake_slack, base + EVENTS_PATH, session=session)
        for user in ("UA", "UB", "UC"):
            await slack.command("", team="T1", user=user)
            await slack.command("", team="T2", user=user)
        await fake_slack.wait_for("hook", 12)
        await slack.command("help", team="T1", user="UA")
        await fake_slack.wait_for("hook", 13)
    checks = sorted(c.token or "" for c in fake_slack.named("auth.test")[installed:])
    assert checks == ["xoxb-T1", "xoxb-T2"]
    assert oauth_worker.delivery is not None and oauth_worker.delivery.sender is not None
    clients = oauth_worker.delivery.sender.clients
    assert await clients.for_team("T1") is await clients.for_team("T1")  # one client kept
    assert (await clients.for_team("T2")).token == "xoxb-T2"
