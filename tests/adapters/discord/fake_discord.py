"""A fake Discord on loopback: the REST API and the gateway, enough for discord.py 2.7.

PLATFORMS.md section 3.2 (L3/L4). Two class attributes of discord.py point it here:
``discord.http.Route.BASE`` (all REST, interaction callbacks and webhook follow-ups included)
and ``discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY`` (a plain ``Client`` connects there
without asking ``/gateway/bot``). The gateway speaks JSON in text frames (discord.py only
decompresses binary frames): HELLO, heartbeat ACKs, READY after IDENTIFY, then whatever a test
dispatches. Every REST request is recorded; tests wait for the ones they expect with
:meth:`FakeDiscord.wait_for`, never with a fixed sleep.

Payload builders for the events a user causes (a slash command, a button press, a modal
submission, a DM) are at the bottom.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import discord
import discord.gateway
import discord.http
import pytest
import yarl
from aiohttp import WSMsgType, web

APP_ID = 1100000000000000001
BOT = {"id": str(APP_ID), "username": "coach", "discriminator": "0", "avatar": None, "bot": True}
GUILD_ID = 1200000000000000001
GUILD_CHANNEL_ID = 1200000000000000002
REFERRAL_CHANNEL_ID = 1200000000000000003
TIMEOUT = 15.0
_ids = itertools.count(1)


def snowflake() -> int:
    """A new id whose timestamp is now (``received_at`` comes from it)."""
    return discord.utils.time_snowflake(datetime.now(UTC)) + next(_ids) % 4096


def user(user_id: int, name: str = "sam") -> dict[str, Any]:
    return {"id": str(user_id), "username": name, "discriminator": "0", "avatar": None,
            "global_name": name.title()}  # fmt: skip


@dataclass
class Request:
    method: str
    path: str  # after /api/v10
    query: dict[str, str]
    body: Any

    @property
    def content(self) -> str:
        """The message text this request sends, wherever it sits (callbacks nest it)."""
        body = self.body if isinstance(self.body, dict) else {}
        data = body.get("data") if isinstance(body.get("data"), dict) else body
        return str(data.get("content") or "")

    @property
    def payload(self) -> dict[str, Any]:
        body = self.body if isinstance(self.body, dict) else {}
        inner = body.get("data")
        return inner if isinstance(inner, dict) and "type" in body else body

    def custom_ids(self) -> list[str]:
        ids = []
        for row in self.payload.get("components") or []:
            ids += [c.get("custom_id") for c in row.get("components", []) if c.get("custom_id")]
        return ids


@dataclass
class FakeDiscord:
    requests: list[Request] = field(default_factory=list)
    closed_dms: set[int] = field(default_factory=set)  # DM channels that refuse messages
    forbidden_channels: set[int] = field(default_factory=set)
    dm_channels: dict[int, int] = field(default_factory=dict)  # user id -> DM channel id
    identified: int = 0
    fail_webhooks: bool = False  # follow-ups answer 400 Invalid Form Body
    unauthorized: bool = False  # every request answers 401 (a revoked token)

    def __post_init__(self) -> None:
        self._changed = asyncio.Condition()
        self._socket: web.WebSocketResponse | None = None
        self._seq = 0
        self._runner: web.AppRunner | None = None
        self.port = 0

    # -- server ------------------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/gw", self._gateway)
        app.router.add_route("*", "/api/v10/{tail:.*}", self._rest)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def patch(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(discord.http.Route, "BASE", f"http://127.0.0.1:{self.port}/api/v10")
        monkeypatch.setattr(
            discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY", yarl.URL(self.gateway_url)
        )

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gw"

    # -- waiting -----------------------------------------------------------------------------

    def mark(self) -> int:
        """The number of requests so far: pass it to :meth:`wait_for` as ``after``."""
        return len(self.requests)

    async def wait_for(
        self, predicate: Callable[[Request], bool], *, after: int = 0, timeout: float = TIMEOUT
    ) -> Request:
        """The first request after index ``after`` that matches; fails after ``timeout``."""

        def found() -> Request | None:
            return next((r for r in self.requests[after:] if predicate(r)), None)

        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(lambda: found() is not None), timeout)
        result = found()
        assert result is not None
        return result

    async def _record(self, request: Request) -> None:
        self.requests.append(request)
        async with self._changed:
            self._changed.notify_all()

    # -- gateway -----------------------------------------------------------------------------

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        self._socket = socket
        await socket.send_str(json.dumps({"op": 10, "d": {"heartbeat_interval": 41250}}))
        async for message in socket:
            if message.type is not WSMsgType.TEXT:
                continue
            payload = json.loads(message.data)
            if payload["op"] == 1:
                await socket.send_str(json.dumps({"op": 11}))
            elif payload["op"] == 2:
                await self._ready(socket)
        if self._socket is socket:
            self._socket = None
        return socket

    async def _ready(self, socket: web.WebSocketResponse) -> None:
        self._seq = 1
        ready = {"v": 10, "user": BOT, "guilds": [], "session_id": f"s{self.identified}",
                 "resume_gateway_url": self.gateway_url, "application": {"id": str(APP_ID),
                 "flags": 0}}  # fmt: skip
        await socket.send_str(json.dumps({"op": 0, "t": "READY", "s": self._seq, "d": ready}))
        self.identified += 1
        async with self._changed:
            self._changed.notify_all()

    async def wait_identified(self, count: int, timeout: float = TIMEOUT) -> None:
        async with self._changed:
            await asyncio.wait_for(
                self._changed.wait_for(lambda: self.identified >= count), timeout
            )

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        """Send a gateway event to the connected client."""
        assert self._socket is not None, "no client is connected"
        self._seq += 1
        await self._socket.send_str(json.dumps({"op": 0, "t": event, "s": self._seq, "d": data}))

    # -- REST --------------------------------------------------------------------------------

    async def _rest(self, request: web.Request) -> web.Response:
        path = "/" + request.match_info["tail"]
        body = await request.json() if request.can_read_body else None
        recorded = Request(request.method, path, dict(request.query), body)
        await self._record(recorded)
        if self.unauthorized:
            return _json({"code": 0, "message": "401: Unauthorized"}, 401)
        for method, pattern, handler in self._routes():
            match = re.fullmatch(pattern, path)
            if match and method == request.method:
                status, data = handler(recorded, *match.groups())
                return _json(data, status)
        return _json({"code": 0, "message": "not faked"}, 404)

    def _routes(self) -> list[tuple[str, str, Callable[..., tuple[int, Any]]]]:
        return [
            ("GET", r"/users/@me", lambda r: (200, BOT)),
            ("GET", r"/oauth2/applications/@me", lambda r: (200, app_info())),
            ("PUT", r"/applications/(\d+)/commands", self._sync),
            ("POST", r"/interactions/(\d+)/([^/]+)/callback", self._callback),
            ("POST", r"/webhooks/(\d+)/([^/]+)", self._followup),
            ("PATCH", r"/webhooks/(\d+)/([^/]+)/messages/([^/]+)", self._edit_webhook),
            ("POST", r"/users/@me/channels", self._open_dm),
            ("POST", r"/channels/(\d+)/messages", self._channel_message),
            ("PATCH", r"/channels/(\d+)/messages/(\d+)", self._edit_channel_message),
        ]

    def _sync(self, request: Request, app: str) -> tuple[int, Any]:
        commands = [
            {**command, "id": str(snowflake()), "application_id": app, "version": "1"}
            for command in request.body
        ]
        return 200, commands

    def _callback(self, request: Request, interaction_id: str, token: str) -> tuple[int, Any]:
        kind = request.body["type"]
        data = request.body.get("data") or {}
        interaction = {"id": interaction_id, "type": 2, "response_message_loading": kind == 5,
                       "response_message_ephemeral": bool(data.get("flags", 0) & 64)}  # fmt: skip
        if kind == 4:
            message = message_payload(GUILD_CHANNEL_ID, data, author=BOT)
            interaction["response_message_id"] = message["id"]
            return 200, {"interaction": interaction, "resource": {"type": 4, "message": message}}
        return 200, {"interaction": interaction}

    def _followup(self, request: Request, app: str, token: str) -> tuple[int, Any]:
        if self.fail_webhooks:
            return 400, {"code": 50035, "message": "Invalid Form Body"}
        return 200, message_payload(GUILD_CHANNEL_ID, request.body, author=BOT)

    def _edit_webhook(self, request: Request, app: str, token: str, mid: str) -> tuple[int, Any]:
        message = message_payload(GUILD_CHANNEL_ID, request.body, author=BOT)
        return 200, {**message, "id": str(snowflake()) if mid == "@original" else mid}

    def _open_dm(self, request: Request) -> tuple[int, Any]:
        user_id = int(request.body["recipient_id"])
        channel = self.dm_channels.setdefault(user_id, snowflake())
        return 200, {"id": str(channel), "type": 1, "recipients": [user(user_id)]}

    def _channel_message(self, request: Request, channel: str) -> tuple[int, Any]:
        if int(channel) in self.closed_dms:
            return 403, {"code": 50007, "message": "Cannot send messages to this user"}
        if int(channel) in self.forbidden_channels:
            return 403, {"code": 50013, "message": "Missing Permissions"}
        return 200, message_payload(int(channel), request.body, author=BOT)

    def _edit_channel_message(self, request: Request, channel: str, mid: str) -> tuple[int, Any]:
        return 200, {**message_payload(int(channel), request.body, author=BOT), "id": mid}


def _json(data: Any, status: int) -> web.Response:
    # discord.py parses a body as JSON only when the content type is exactly this (Discord's
    # own), not with aiohttp's "; charset=utf-8".
    body = json.dumps(data).encode()
    return web.Response(body=body, status=status, headers={"Content-Type": "application/json"})


def app_info() -> dict[str, Any]:
    return {"id": str(APP_ID), "name": "Recruiter Coach", "description": "", "icon": None,
            "bot_public": True, "bot_require_code_grant": False, "owner": user(1, "owner"),
            "verify_key": "00", "flags": 0, "summary": ""}  # fmt: skip


def message_payload(
    channel_id: int, body: dict[str, Any] | None, *, author: dict[str, Any]
) -> dict[str, Any]:
    body = body or {}
    return {
        "id": str(snowflake()),
        "channel_id": str(channel_id),
        "author": author,
        "content": body.get("content") or "",
        "timestamp": datetime.now(UTC).isoformat(),
        "edited_timestamp": None,
        "tts": False,
        "mention_everyone": False,
        "mentions": [],
        "mention_roles": [],
        "attachments": [],
        "embeds": body.get("embeds") or [],
        "components": body.get("components") or [],
        "pinned": False,
        "type": 0,
        "flags": body.get("flags") or 0,
    }


# -- what users do --------------------------------------------------------------------------------


def _interaction(
    kind: int,
    data: dict[str, Any],
    *,
    user_id: int,
    dm_channel: int | None,
    permissions: int = 0,
    **extra: Any,
) -> dict[str, Any]:
    """An INTERACTION_CREATE payload: in the bot's DM when ``dm_channel``, else in the guild."""
    interaction_id = snowflake()
    payload: dict[str, Any] = {
        "id": str(interaction_id),
        "application_id": str(APP_ID),
        "type": kind,
        "token": f"token-{interaction_id}",
        "version": 1,
        "data": data,
        "locale": "en-GB",
        "attachment_size_limit": 8 * 1024 * 1024,
        "entitlements": [],
        "app_permissions": "0",
        **extra,
    }
    if dm_channel is not None:
        payload.update(
            context=1,
            user=user(user_id),
            channel={"id": str(dm_channel), "type": 1, "recipients": [user(user_id)]},
            channel_id=str(dm_channel),
            authorizing_integration_owners={"1": str(user_id)},
        )
    else:
        payload.update(
            context=0,
            guild_id=str(GUILD_ID),
            guild_locale="en-US",
            member={"user": user(user_id), "roles": [], "joined_at": "2024-01-01T00:00:00+00:00",
                    "deaf": False, "mute": False, "permissions": str(permissions), "flags": 0},
            channel={"id": str(GUILD_CHANNEL_ID), "type": 0, "guild_id": str(GUILD_ID),
                     "name": "general", "position": 0, "permission_overwrites": []},
            channel_id=str(GUILD_CHANNEL_ID),
            authorizing_integration_owners={"0": str(GUILD_ID)},
        )  # fmt: skip
    return payload


def slash(*, user_id: int, dm_channel: int | None = None, **options: str) -> dict[str, Any]:
    """``/recruiter`` with string options."""
    data = {
        "id": "1300000000000000001",
        "name": "recruiter",
        "type": 1,
        "options": [{"type": 3, "name": name, "value": value} for name, value in options.items()],
    }
    return _interaction(2, data, user_id=user_id, dm_channel=dm_channel)


def admin_referral_channel(
    *, user_id: int, channel_id: int = REFERRAL_CHANNEL_ID, manage_guild: bool = True
) -> dict[str, Any]:
    """``/recruiter-admin referral-channel channel:<id>`` in the guild."""
    channel = {"id": str(channel_id), "type": 0, "name": "referrals", "guild_id": str(GUILD_ID),
               "permissions": "0", "position": 1, "parent_id": None}  # fmt: skip
    data = {
        "id": "1300000000000000002",
        "name": "recruiter-admin",
        "type": 1,
        "options": [
            {"type": 1, "name": "referral-channel",
             "options": [{"type": 7, "name": "channel", "value": str(channel_id)}]}
        ],
        "resolved": {"channels": {str(channel_id): channel}},
    }  # fmt: skip
    return _interaction(
        2, data, user_id=user_id, dm_channel=None, permissions=32 if manage_guild else 0
    )


def press(
    custom_id: str, *, user_id: int, message: dict[str, Any], dm_channel: int | None = None
) -> dict[str, Any]:
    """A press of the button ``custom_id`` on ``message``."""
    data = {"custom_id": custom_id, "component_type": 2}
    return _interaction(3, data, user_id=user_id, dm_channel=dm_channel, message=message)


def submit(
    custom_id: str, values: dict[str, str], *, user_id: int, dm_channel: int | None = None
) -> dict[str, Any]:
    """A modal submission: one text input per value, inside labels (type 18)."""
    components = [
        {"type": 18, "component": {"type": 4, "custom_id": name, "value": value}}
        for name, value in values.items()
    ]
    data = {"custom_id": custom_id, "components": components}
    return _interaction(5, data, user_id=user_id, dm_channel=dm_channel)


def dm(text: str, *, user_id: int, channel_id: int) -> dict[str, Any]:
    """A MESSAGE_CREATE for text typed in the DM channel."""
    return message_payload(channel_id, {"content": text}, author=user(user_id))
