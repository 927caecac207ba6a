"""Socket-Mode-shaped requests, the command line's settings checks and the app manifests."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
import yaml
from slack_bolt.request.async_request import AsyncBoltRequest

from adapters.slack.app import api_url
from adapters.slack.cli import check_settings
from adapters.slack.oauth import BOT_SCOPES
from bot.cli.main import main as cli_main
from bot.config import Settings
from bot.errors import ConfigError
from tests.adapters.slack.conftest import Harness

SLACK_DIR = Path(__file__).resolve().parents[3] / "adapters" / "slack"


async def test_socket_mode_slash_command_and_dm_skip_signatures_and_are_answered(
    slack: Harness,
) -> None:
    assert slack.app is not None
    command = {
        "command": "/recruiter",
        "text": "help",
        "team_id": "T1",
        "user_id": "U1",
        "channel_id": "D0OTHER",
        "channel_name": "directmessage",
        "api_app_id": "A1",
        "trigger_id": "t-socket",
        "response_url": slack.fake.hook_url("socket"),
    }
    slack.fake.hold("hook")  # the answer cannot be sent: the ack must not wait for it
    response = await slack.app.async_dispatch(AsyncBoltRequest(body=command, mode="socket_mode"))
    assert response.status == 200
    slack.fake.release("hook")
    hooks = await slack.fake.wait_for("hook")
    assert all(h.args["response_type"] == "ephemeral" for h in hooks)
    assert slack.fake.named("chat.postMessage") == []  # never say() in a DM between people
    event = {
        "type": "event_callback",
        "team_id": "T1",
        "event_id": "EvSocket1",
        "api_app_id": "A1",
        "event": {
            "type": "message",
            "channel": "DU1",
            "channel_type": "im",
            "user": "U1",
            "text": "hi",
            "ts": "1700000000.000100",
        },
    }
    retry = AsyncBoltRequest(body=event, mode="socket_mode", headers={"x-slack-retry-num": ["1"]})
    assert (
        await slack.app.async_dispatch(AsyncBoltRequest(body=event, mode="socket_mode"))
    ).status == 200
    assert (await slack.app.async_dispatch(retry)).status == 200
    posted = await slack.fake.wait_for("chat.postMessage")
    await asyncio.sleep(0.3)
    assert len(slack.fake.named("chat.postMessage")) == 1  # the retry was dropped
    assert posted[0].args["channel"] == "DU1"


def _settings(**values: str | None) -> Settings:
    return Settings(data_dir=Path("/tmp"), database_url="sqlite+aiosqlite://", **values)


@pytest.mark.parametrize(
    ("values", "mode", "missing"),
    [
        ({"slack_bot_token": "x", "slack_signing_secret": "s"}, "http", None),
        ({"slack_bot_token": "x", "slack_app_token": "xapp"}, "socket", None),
        (
            {"slack_client_id": "1", "slack_client_secret": "2", "slack_signing_secret": "s"},
            "http",
            None,
        ),
        ({"slack_bot_token": "x"}, None, "SLACK_SIGNING_SECRET"),
        ({"slack_signing_secret": "s"}, None, "SLACK_BOT_TOKEN"),
        ({"slack_client_id": "1", "slack_signing_secret": "s"}, None, "SLACK_CLIENT_SECRET"),
        ({"slack_app_token": "xapp"}, None, "SLACK_BOT_TOKEN"),
    ],
)
def test_settings_pick_the_mode_or_name_what_is_missing(values, mode, missing) -> None:
    if missing is None:
        assert check_settings(_settings(**values)) == mode
        return
    with pytest.raises(ConfigError, match=missing):
        check_settings(_settings(**values))


def test_the_command_line_reports_missing_variables(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COACH_DATA_DIR", str(tmp_path))
    assert cli_main(["slack", "--port", "0"]) == 2
    error = capsys.readouterr().err
    assert "SLACK_SIGNING_SECRET" in error and "SLACK_BOT_TOKEN" in error


def test_api_url_always_ends_in_a_slash() -> None:
    assert api_url(_settings()) == "https://slack.com/api/"
    assert (
        api_url(_settings(slack_api_url="https://slack-gov.com/api"))
        == "https://slack-gov.com/api/"
    )


@pytest.mark.parametrize("name", ["manifest.http.yaml", "manifest.socket.yaml"])
def test_manifests_ask_for_what_the_app_uses(name: str) -> None:
    manifest = yaml.safe_load((SLACK_DIR / name).read_text())
    socket = name == "manifest.socket.yaml"
    assert manifest["settings"]["socket_mode_enabled"] is socket
    assert tuple(manifest["oauth_config"]["scopes"]["bot"]) == BOT_SCOPES
    command = manifest["features"]["slash_commands"][0]
    assert command["command"] == "/recruiter" and command["should_escape"] is True
    assert ("url" in command) is not socket
    events = set(manifest["settings"]["event_subscriptions"]["bot_events"])
    assert events == {"app_home_opened", "message.im", "app_uninstalled", "tokens_revoked"}
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    assert json.dumps(manifest).count("HOST") == (0 if socket else 4)


async def test_socket_mode_over_a_websocket_acks_envelopes_and_answers(
    tmp_path: Path, sqlite_url: str, fake_slack
) -> None:
    from adapters.slack.cli import SlackWorker
    from tests.adapters.slack.conftest import slack_settings

    settings = slack_settings(
        tmp_path, sqlite_url, fake_slack, slack_signing_secret=None, slack_app_token="xapp-1-test"
    )
    worker = SlackWorker(settings, mode=check_settings(settings), host="127.0.0.1", port=0)
    await worker.start()
    try:
        await fake_slack.wait_for("socket")
        command = {
            "command": "/recruiter",
            "text": "",
            "team_id": "T1",
            "user_id": "U1",
            "channel_id": "C1",
            "api_app_id": "A1",
            "trigger_id": "t1",
            "response_url": fake_slack.hook_url("ws"),
        }
        fake_slack.hold("hook")  # the answer cannot be sent: the ack must not wait for it
        await fake_slack.push(
            {
                "envelope_id": "env-1",
                "type": "slash_commands",
                "payload": command,
                "accepts_response_payload": True,
            }
        )
        acks = await fake_slack.wait_for("socket_ack")
        assert acks[0]["envelope_id"] == "env-1"
        fake_slack.release("hook")
        hooks = await fake_slack.wait_for("hook", 2)
        assert "can you talk" in hooks[-1].args["text"].lower()
        assert worker.port == 0  # no HTTP server in Socket Mode with one workspace
    finally:
        await worker.stop()


async def test_work_a_stopped_worker_acknowledged_is_done_after_a_restart(
    tmp_path: Path, sqlite_url: str, fake_slack
) -> None:
    import aiohttp

    from adapters.slack.cli import EVENTS_PATH, SlackWorker
    from tests.adapters.slack.conftest import slack_settings

    settings = slack_settings(tmp_path, sqlite_url, fake_slack)
    worker = SlackWorker(settings, host="127.0.0.1", port=0)
    await worker.start()
    async with aiohttp.ClientSession() as session:
        slack = Harness(
            fake_slack, f"http://127.0.0.1:{worker.port}{EVENTS_PATH}", session=session
        )
        assert (await slack.command("")).status == 200
        await worker.stop()  # right after the ack, before the engine has run
    # saved in the inbox (its order window had not passed: not yet run), so a new worker runs it
    restarted = SlackWorker(settings, host="127.0.0.1", port=0)
    await restarted.start()
    try:
        hooks = await fake_slack.wait_for("hook", 2)  # the privacy note and the first question
    finally:
        await restarted.stop()
    assert len(hooks) == 2
