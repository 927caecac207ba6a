"""Fixtures for the Slack adapter: a fake Web API, and the real Bolt app served on loopback.

``slack`` is a :class:`Harness`: it sends signed requests (slash commands, events, button clicks,
modal submissions) over HTTP to the app built by ``build_slack_app``, exactly as Slack would,
and reads what the app sent back to the fake API.
"""

from __future__ import annotations

import json
import time
import urllib.parse
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestServer
from slack_bolt.async_app import AsyncApp
from slack_sdk.signature import SignatureVerifier

from adapters.slack.app import SlackDelivery, build_slack_app
from adapters.slack.web import build_web_app
from bot.app import Coach, open_coach
from bot.config import Settings
from tests.adapters.slack.fake_slack import FakeSlack

SECRET = "test-signing-secret"


def sign(body: str, *, secret: str = SECRET, timestamp: int | None = None) -> dict[str, str]:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": signature}


def slack_settings(tmp_path: Path, database_url: str, fake: FakeSlack, **extra: Any) -> Settings:
    values: dict[str, Any] = {
        "data_dir": tmp_path,
        "database_url": database_url,
        "slack_bot_token": "xoxb-T1",
        "slack_signing_secret": SECRET,
        "slack_api_url": fake.api_url,
    }
    values.update(extra)
    return Settings(**values)


@dataclass
class Response:
    status: int
    text: str
    seconds: float

    def json(self) -> Any:
        return json.loads(self.text) if self.text else None


@dataclass
class Harness:
    fake: FakeSlack
    url: str
    app: AsyncApp | None = None
    coach: Coach | None = None
    delivery: SlackDelivery | None = None
    session: aiohttp.ClientSession | None = None
    events: int = 0
    triggers: int = 0
    hooks: int = 0
    last: dict[str, Any] = field(default_factory=dict)

    async def post(
        self,
        body: str,
        content_type: str,
        *,
        signed: bool = True,
        headers: dict[str, str] | None = None,
        timestamp: int | None = None,
        secret: str = SECRET,
    ) -> Response:
        assert self.session is not None
        sent = {"Content-Type": content_type, **(headers or {})}
        if signed:
            sent.update(sign(body, secret=secret, timestamp=timestamp))
        start = time.perf_counter()
        async with self.session.post(self.url, data=body.encode(), headers=sent) as resp:
            text = await resp.text()
        return Response(resp.status, text, time.perf_counter() - start)

    def next_trigger(self) -> str:
        self.triggers += 1
        return f"trigger-{self.triggers}"

    async def command(
        self,
        text: str = "",
        *,
        user: str = "U1",
        team: str = "T1",
        channel: str = "C1",
        **extra: Any,
    ) -> Response:
        self.hooks += 1
        form = {
            "command": "/recruiter",
            "text": text,
            "team_id": team,
            "user_id": user,
            "channel_id": channel,
            "channel_name": "general",
            "api_app_id": "A1",
            "trigger_id": self.next_trigger(),
            "response_url": self.fake.hook_url(f"c{self.hooks}"),
            "is_enterprise_install": "false",
            **extra,
        }
        return await self.post(urllib.parse.urlencode(form), "application/x-www-form-urlencoded")

    async def event(
        self,
        event: dict[str, Any],
        *,
        team: str = "T1",
        event_id: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> Response:
        self.events += 1
        body = {
            "type": "event_callback",
            "team_id": team,
            "api_app_id": "A1",
            "event": event,
            "event_id": event_id or f"Ev{self.events:06d}",
            "event_time": int(time.time()),
            "authorizations": [{"team_id": team, "user_id": "UBOT", "is_bot": True}],
        }
        return await self.post(json.dumps(body), "application/json", headers=headers)

    async def dm(
        self,
        text: str,
        *,
        user: str = "U1",
        team: str = "T1",
        thread: str | None = None,
        event_id: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> Response:
        event = {
            "type": "message",
            "channel": f"D{user}",
            "channel_type": "im",
            "user": user,
            "text": text,
            "ts": f"{time.time():.6f}",
        }
        if thread:
            event["thread_ts"] = thread
        return await self.event(event, team=team, event_id=event_id, headers=headers)

    async def interactive(self, payload: dict[str, Any]) -> Response:
        body = urllib.parse.urlencode({"payload": json.dumps(payload)})
        return await self.post(body, "application/x-www-form-urlencoded")

    async def click(
        self,
        button: dict[str, Any],
        *,
        user: str = "U1",
        team: str = "T1",
        ephemeral: bool = True,
        channel: str = "C1",
        message: dict[str, Any] | None = None,
        view: bool = False,
    ) -> Response:
        self.hooks += 1
        payload: dict[str, Any] = {
            "type": "block_actions",
            "user": {"id": user, "team_id": team},
            "team": {"id": team},
            "api_app_id": "A1",
            "trigger_id": self.next_trigger(),
            "actions": [
                {
                    "action_id": button["action_id"],
                    "block_id": "b",
                    "type": "button",
                    "value": button.get("value", ""),
                    "text": button.get("text"),  # Slack sends the pressed button's label
                    "action_ts": f"{time.time():.6f}",
                }
            ],
        }
        if view:
            payload["container"] = {"type": "view", "view_id": "V1"}
            payload["view"] = {"id": "V1", "type": "home"}
        else:
            msg = message or {"ts": "1700000000.000001"}
            payload["container"] = {
                "type": "message",
                "message_ts": msg["ts"],
                "channel_id": channel,
                "is_ephemeral": ephemeral,
            }
            payload["channel"] = {"id": channel}
            payload["message"] = msg
            payload["response_url"] = self.fake.hook_url(f"a{self.hooks}")
        return await self.interactive(payload)

    async def submit(
        self, view: dict[str, Any], values: dict[str, Any], *, user: str = "U1", team: str = "T1"
    ) -> Response:
        state = {name: {"value": element} for name, element in values.items()}
        payload = {
            "type": "view_submission",
            "user": {"id": user, "team_id": team},
            "team": {"id": team},
            "api_app_id": "A1",
            "trigger_id": self.next_trigger(),
            "view": {
                "id": "V1",
                "type": "modal",
                "callback_id": view["callback_id"],
                "private_metadata": view.get("private_metadata", ""),
                "hash": "h1",
                "state": {"values": state},
                "blocks": view["blocks"],
            },
        }
        return await self.interactive(payload)


def buttons(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e for b in blocks if b["type"] == "actions" for e in b["elements"]]


def button(blocks: list[dict[str, Any]], label: str) -> dict[str, Any]:
    found = [e for e in buttons(blocks) if e["text"]["text"] == label]
    assert found, f"no button {label!r} in {[e['text']['text'] for e in buttons(blocks)]}"
    return found[0]


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    fake = FakeSlack()
    await fake.start()
    try:
        yield fake
    finally:
        await fake.close()


async def serve_app(app: AsyncApp) -> TestServer:
    server = TestServer(build_web_app(app), host="127.0.0.1")
    await server.start_server()
    return server


@pytest.fixture
async def slack(tmp_path: Path, sqlite_url: str, fake_slack: FakeSlack) -> AsyncIterator[Harness]:
    async with running_app(
        slack_settings(tmp_path, sqlite_url, fake_slack), fake_slack
    ) as harness:
        yield harness


class running_app:
    """The coach, the Bolt app on a loopback port, and a client session for the harness."""

    def __init__(self, settings: Settings, fake: FakeSlack, **app_options: Any) -> None:
        self.settings, self.fake, self.options = settings, fake, app_options

    async def __aenter__(self) -> Harness:
        delivery = self.delivery = SlackDelivery()
        self.coach = await open_coach(self.settings, delivery=delivery, platforms=("slack",))
        app = build_slack_app(self.coach, self.settings, delivery=delivery, **self.options)
        self.server = await serve_app(app)
        self.session = aiohttp.ClientSession()
        url = f"http://127.0.0.1:{self.server.port}/slack/events"
        return Harness(
            self.fake, url, app=app, coach=self.coach, delivery=delivery, session=self.session
        )

    async def __aexit__(self, *exc: object) -> None:
        await self.session.close()
        await self.server.close()
        if self.delivery.handlers is not None:
            await self.delivery.handlers.drain()  # the inbox loop too
        await self.coach.close()
