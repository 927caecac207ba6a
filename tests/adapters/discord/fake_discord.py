"""A fake Discord on loopback: the REST API and the gateway, enough for discord.py 2.7.

PLATFORMS.md section 3.2 (L3/L4). Two class attributes of discord.py point it here:
``discord.http.Route.BASE`` (all REST, interaction callbacks and webhook follow-ups included)
and ``discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY`` (a plain ``Client`` connects there
without asking ``/gateway/bot``). The gateway speaks JSON in text frames (discord.py only
decompresses binary frames): HELLO, heartbeat ACKs, READY after IDENTIFY, then whatever a test
dispatches. Every REST request is recorded; tests wait for the ones they expect with
:meth:`FakeDiscord.wait_for`, never with a fixed sleep.

Payloads for the events a user causes are built in :mod:`tests.adapters.discord.payloads`.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import discord
import discord.gateway
import discord.http
import pytest
import yarl
from aiohttp import BodyPartReader, WSMsgType, web

from tests.adapters.discord.payloads import (
    APP_ID,
    BOT,
    GUILD_CHANNEL_ID,
    app_info,
    message_payload,
    snowflake,
    user,
)

TIMEOUT = 15.0


@dataclass
class Request:
    method: str
    path: str  # after /api/v10
    query: dict[str, str]
    body: Any
    files: dict[str, bytes] = field(default_factory=dict)  # uploads: file name -> content
    agent: str = ""  # who sent it: X-Coach-Worker (shard_worker.py's processes), else User-Agent

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
    identifies: list[dict[str, Any]] = field(default_factory=list)  # each IDENTIFY's "d"
    fail_webhooks: bool = False  # follow-ups answer 400 Invalid Form Body
    unauthorized: bool = False  # every request answers 401 (a revoked token)

    def __post_init__(self) -> None:
        self._changed = asyncio.Condition()
        self._sockets: dict[int, web.WebSocketResponse] = {}  # shard id -> its connection
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
        """One connection per shard: IDENTIFY says which (``"shard": [id, count]``; a plain
        ``Client`` sends none and is shard 0)."""
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        shard = 0
        await socket.send_str(json.dumps({"op": 10, "d": {"heartbeat_interval": 41250}}))
        async for message in socket:
            if message.type is not WSMsgType.TEXT:
                continue
            payload = json.loads(message.data)
            if payload["op"] == 1:
                await socket.send_str(json.dumps({"op": 11}))
            elif payload["op"] == 2:
                shard = int((payload["d"].get("shard") or [0])[0])
                self._sockets[shard] = socket
                self.identifies.append(payload["d"])
                await self._ready(socket, payload["d"].get("shard"))
        if self._sockets.get(shard) is socket:
            del self._sockets[shard]
        return socket

    async def _ready(self, socket: web.WebSocketResponse, shard: list[int] | None) -> None:
        self._seq = 1
        ready = {"v": 10, "user": BOT, "guilds": [], "session_id": f"s{self.identified}",
                 "resume_gateway_url": self.gateway_url, "application": {"id": str(APP_ID),
                 "flags": 0}}  # fmt: skip
        if shard is not None:  # a sharded client reads back which shard it is
            ready["shard"] = shard
        await socket.send_str(json.dumps({"op": 0, "t": "READY", "s": self._seq, "d": ready}))
        self.identified += 1
        async with self._changed:
            self._changed.notify_all()

    async def wait_identified(self, count: int, timeout: float = TIMEOUT) -> None:
        async with self._changed:
            await asyncio.wait_for(
                self._changed.wait_for(lambda: self.identified >= count), timeout
            )

    def shards(self) -> set[int]:
        """The shards connected now."""
        return set(self._sockets)

    async def wait_shards(self, shards: set[int], timeout: float = TIMEOUT) -> None:
        async with self._changed:
            await asyncio.wait_for(
                self._changed.wait_for(lambda: shards <= set(self._sockets)), timeout
            )

    async def dispatch(self, event: str, data: dict[str, Any], *, shard: int = 0) -> None:
        """Send a gateway event to the client connected as ``shard`` (Discord sends a server's
        events to shard ``(guild_id >> 22) % shard_count``, DMs to shard 0)."""
        socket = self._sockets.get(shard)
        assert socket is not None, f"no client is connected as shard {shard}"
        self._seq += 1
        await socket.send_str(json.dumps({"op": 0, "t": event, "s": self._seq, "d": data}))

    # -- REST --------------------------------------------------------------------------------

    async def _rest(self, request: web.Request) -> web.Response:
        path = "/" + request.match_info["tail"]
        body, files = await _body(request)
        agent = request.headers.get("X-Coach-Worker") or request.headers.get("User-Agent", "")
        recorded = Request(request.method, path, dict(request.query), body, files, agent)
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
            # Discord answers "" as the description of a context-menu command (it has none)
            {
                "description": "",
                **command,
                "id": str(snowflake()),
                "application_id": app,
                "version": "1",
            }
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


async def _body(request: web.Request) -> tuple[Any, dict[str, bytes]]:
    """A JSON body, or a multipart one (files: ``payload_json`` plus ``files[n]`` parts)."""
    if not request.can_read_body:
        return None, {}
    if not request.content_type.startswith("multipart/"):
        return await request.json(), {}
    body: Any = None
    files: dict[str, bytes] = {}
    reader = await request.multipart()
    while (part := await reader.next()) is not None:
        if not isinstance(part, BodyPartReader):
            continue
        if part.name == "payload_json":
            body = json.loads(await part.text())
        else:
            files[part.filename or part.name or ""] = bytes(await part.read())
    return body, files
