"""A fake Slack Web API on 127.0.0.1: records every call, answers like Slack, can send a 429.

Serves ``/api/<method>`` (form or JSON bodies, as slack_sdk sends them) and ``/hooks/<id>`` (the
``response_url`` of commands and interactive messages). Each workspace's bot token is
``xoxb-<team>`` so calls show which workspace's token they used.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
import weakref
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web
from aiohttp.test_utils import TestServer


@dataclass
class Call:
    method: str
    args: dict[str, Any]
    token: str | None
    at: float = field(default_factory=time.monotonic)


def _decode(args: dict[str, Any]) -> dict[str, Any]:
    for key in ("blocks", "view"):
        if isinstance(args.get(key), str):
            args[key] = json.loads(args[key])
    return args


class FakeSlack:
    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.hooks: list[Call] = []
        # response_url posts that edit the original message (replace_original) instead of
        # adding one: the answered buttons' replacement (adapters/slack/answered.py)
        self.replaced: list[Call] = []
        self.uploads: dict[str, bytes] = {}  # file id -> the bytes files.uploadV2 sent
        self.users: dict[str, dict[str, Any]] = {}
        self.failures: dict[str, list[tuple[int, dict[str, str], dict[str, Any]]]] = {}
        self.channel_ids: dict[str, str] = {}
        self._ts = itertools.count(1)
        self._server: TestServer | None = None
        self._changed = asyncio.Event()
        self.hook_status = 200
        self.sockets: list[web.WebSocketResponse] = []
        self.socket_acks: list[dict[str, Any]] = []
        # TCP connections accepted for the Web API, response_url posts and uploads (a client
        # that keeps its connections alive opens few; one session per call opens one each).
        self.connections = 0
        self._connected: weakref.WeakSet[asyncio.BaseTransport] = weakref.WeakSet()
        # methods ("hook" for response_url posts) whose calls wait until released: a test
        # shows that an acknowledgement never waits for them, without timing anything
        self._gates: dict[str, asyncio.Event] = {}

    # -- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/api/{method}", self._api)
        app.router.add_get("/api/{method}", self._api)
        app.router.add_get("/link", self._socket)
        app.router.add_post("/hooks/{hook}", self._hook)
        app.router.add_post("/upload/{file}", self._upload)
        self._server = TestServer(app, host="127.0.0.1")
        await self._server.start_server()

    async def close(self) -> None:
        if self._server is not None:
            await self._server.close()

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.port}"

    @property
    def api_url(self) -> str:
        return self.url + "/api/"

    def hook_url(self, name: str = "h") -> str:
        return f"{self.url}/hooks/{name}"

    # -- scripting ---------------------------------------------------------------------------

    def fail_next(
        self, method: str, *, status: int = 429, retry_after: int = 1, error: str = "ratelimited"
    ) -> None:
        headers = {"Retry-After": str(retry_after)} if status == 429 else {}
        self.failures.setdefault(method, []).append(
            (status, headers, {"ok": False, "error": error})
        )

    def hold(self, method: str) -> None:
        """Calls of ``method`` (recorded as they arrive) are answered only after release()."""
        self._gates[method] = asyncio.Event()

    def release(self, method: str) -> None:
        gate = self._gates.pop(method, None)
        if gate is not None:
            gate.set()

    async def _gate(self, method: str) -> None:
        gate = self._gates.get(method)
        if gate is not None:
            await gate.wait()

    def add_user(self, user: str, **fields: Any) -> None:
        self.users[user] = {"id": user, "name": user.lower(), **fields}

    # -- queries -----------------------------------------------------------------------------

    def named(self, method: str) -> list[Call]:
        return [call for call in self.calls if call.method == method]

    async def wait_for(self, method: str, count: int = 1, timeout: float = 10.0) -> list[Call]:
        """The calls of ``method`` once there are ``count`` of them (hooks: method "hook",
        response_url posts that replace the original: "replaced")."""
        deadline = time.monotonic() + timeout
        while True:
            found: list[Any] = (
                self.hooks
                if method == "hook"
                else self.replaced
                if method == "replaced"
                else self.socket_acks
                if method == "socket_ack"
                else self.sockets
                if method == "socket"
                else self.named(method)
            )
            if len(found) >= count:
                return found
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                seen = sorted({c.method for c in self.calls})
                raise AssertionError(f"{count} x {method} not seen in {timeout}s; saw {seen}")
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), min(remaining, 0.05))

    async def push(self, envelope: dict[str, Any]) -> None:
        """Send a Socket Mode envelope to the connected app."""
        await self.sockets[-1].send_json(envelope)

    # -- handlers ----------------------------------------------------------------------------

    def _count_connection(self, request: web.Request) -> None:
        transport = request.transport
        if transport is not None and transport not in self._connected:
            self._connected.add(transport)
            self.connections += 1

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        """Socket Mode: say hello, then record every ack the app sends."""
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        self.sockets.append(socket)
        self._changed.set()
        await socket.send_json(
            {"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A1"}}
        )
        async for message in socket:
            if message.type == WSMsgType.TEXT:
                self.socket_acks.append(json.loads(message.data))
                self._changed.set()
        return socket

    async def _hook(self, request: web.Request) -> web.Response:
        self._count_connection(request)
        body = await request.json()
        if body.get("replace_original") is True:
            self.replaced.append(Call("replaced", _decode(body), None))
        else:
            self.hooks.append(Call("hook", _decode(body), None))
        self._changed.set()
        await self._gate("hook")
        return web.Response(status=self.hook_status, text="ok")

    async def _upload(self, request: web.Request) -> web.Response:
        """The upload URL files.getUploadURLExternal handed out (files.uploadV2's 2nd step)."""
        self._count_connection(request)
        body = await request.read()
        self.uploads[request.match_info["file"]] = body
        self._changed.set()
        return web.Response(status=200, text=f"OK - {len(body)}")

    async def _api(self, request: web.Request) -> web.Response:
        self._count_connection(request)
        method = request.match_info["method"]
        args: dict[str, Any] = dict(request.query)  # slack_sdk sends some params this way
        if request.content_type == "application/json":
            args.update(await request.json())
        elif request.method == "POST":
            args.update(await request.post())
        auth = request.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ") or args.get("token")
        self.calls.append(Call(method, _decode(dict(args)), token))
        self._changed.set()
        await self._gate(method)
        scripted = self.failures.get(method)
        if scripted:
            status, headers, body = scripted.pop(0)
            return web.json_response(body, status=status, headers=headers)
        return web.json_response(self._answer(method, args, token))

    def _answer(self, method: str, args: dict[str, Any], token: str | None) -> dict[str, Any]:
        team = (token or "xoxb-T1").removeprefix("xoxb-").split("-")[0]
        if method == "auth.test":
            return {
                "ok": True,
                "team_id": team,
                "user_id": "UBOT",
                "bot_id": "BBOT",
                "user": "coach",
                "team": team,
                "url": "https://x.slack.com/",
            }
        if method == "users.info":
            user = self.users.get(
                args.get("user", ""),
                {"id": args.get("user"), "name": "someone", "tz": "Europe/Berlin"},
            )
            return {"ok": True, "user": user}
        if method == "conversations.open":
            return {"ok": True, "channel": {"id": "D" + str(args.get("users"))}}
        if method in ("chat.postMessage", "chat.update"):
            ts = args.get("ts") or f"{1700000000 + next(self._ts)}.000100"
            return {"ok": True, "channel": args.get("channel"), "ts": ts}
        if method in ("views.open", "views.publish", "views.update"):
            return {"ok": True, "view": {"id": "V1", "hash": "h1"}}
        if method == "files.getUploadURLExternal":
            file_id = f"F{next(self._ts)}"
            return {"ok": True, "upload_url": f"{self.url}/upload/{file_id}", "file_id": file_id}
        if method == "files.completeUploadExternal":
            files = json.loads(str(args.get("files") or "[]"))
            return {"ok": True, "files": [{"id": f["id"], "title": f.get("title")} for f in files]}
        if method == "apps.connections.open":
            return {"ok": True, "url": self.url.replace("http", "ws") + "/link"}
        if method == "oauth.v2.access":
            return self._oauth(args)
        return {"ok": True}

    def _oauth(self, args: dict[str, Any]) -> dict[str, Any]:
        team = str(args.get("code", "T0")).removeprefix("code-")
        return {
            "ok": True,
            "app_id": "A1",
            "access_token": f"xoxb-{team}",
            "token_type": "bot",
            "scope": "commands,chat:write",
            "bot_user_id": "UBOT",
            "team": {"id": team, "name": f"Team {team}"},
            "enterprise": None,
            "is_enterprise_install": False,
            "authed_user": {"id": "UADMIN"},
        }
