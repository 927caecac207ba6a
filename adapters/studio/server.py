"""The studio's local web server (aiohttp.web): one page, a JSON API, a file watcher.

It listens on 127.0.0.1 only. Requests whose ``Host`` is not the loopback address are refused
(a web page elsewhere cannot reach it through DNS rebinding), and every change is a POST with a
JSON body, which a page of another origin cannot send without the browser asking first (CORS).
Nothing is fetched from the network: Mermaid is served from ``static/``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from aiohttp import web

from adapters.studio.casewriter import run_tests, save_case
from adapters.studio.pagestate import page_state
from adapters.studio.session import PLATFORMS, Start, StudioSession
from bot.errors import CoachError

__all__ = ("STATIC", "build_app", "refresh_tests", "watch_files")

STATIC = Path(__file__).parent / "static"
WATCH_SECONDS = 0.3
_SESSION = web.AppKey("session", StudioSession)
_LOCK = web.AppKey("lock", asyncio.Lock)
_log = logging.getLogger(__name__)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def build_app(session: StudioSession, *, watch: bool = True) -> web.Application:
    app = web.Application(middlewares=[_loopback_only], client_max_size=256 * 1024)
    app[_SESSION] = session
    app[_LOCK] = asyncio.Lock()
    app.router.add_get("/", _index)
    app.router.add_get("/favicon.ico", _no_icon)
    app.router.add_static("/static/", STATIC, follow_symlinks=False)
    app.router.add_get("/api/state", _state)
    for name, action in _ACTIONS.items():
        app.router.add_post(f"/api/{name}", _action(action))
    if watch:
        app.cleanup_ctx.append(_watcher)
    return app


@web.middleware
async def _loopback_only(request: web.Request, handler: Handler) -> web.StreamResponse:
    host = (request.host or "").rsplit(":", 1)[0].strip("[]")
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise web.HTTPForbidden(text="the studio answers on 127.0.0.1 only")
    if request.method == "POST" and request.content_type != "application/json":
        raise web.HTTPUnsupportedMediaType(text="send JSON")
    response = await handler(request)
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


async def _index(request: web.Request) -> web.StreamResponse:
    return web.FileResponse(STATIC / "index.html")


async def _no_icon(request: web.Request) -> web.StreamResponse:
    return web.Response(status=204)


async def _state(request: web.Request) -> web.Response:
    session = request.app[_SESSION]
    async with request.app[_LOCK]:
        return web.json_response(await page_state(session))


Action = Callable[[StudioSession, dict[str, Any]], Awaitable[dict[str, Any] | None]]


def _action(action: Action) -> Handler:
    async def handle(request: web.Request) -> web.StreamResponse:
        try:
            body = await request.json()
        except json.JSONDecodeError:
            raise web.HTTPBadRequest(text="send a JSON object") from None
        if not isinstance(body, dict):
            raise web.HTTPBadRequest(text="send a JSON object")
        session = request.app[_SESSION]
        async with request.app[_LOCK]:
            try:
                extra = await action(session, body)
            except StudioInputError as exc:
                extra = {"error": str(exc)}
            return web.json_response(await page_state(session, extra))

    return handle


class StudioInputError(CoachError):
    """A request the page should not have sent (or a value the author mistyped)."""


def _text(body: dict[str, Any], key: str) -> str:
    value = body.get(key)
    if not isinstance(value, str):
        raise StudioInputError(f"{key} must be text")
    return value


async def _say(session: StudioSession, body: dict[str, Any]) -> None:
    await session.say(_text(body, "text"))


async def _press(session: StudioSession, body: dict[str, Any]) -> None:
    await session.press(_text(body, "id"))


async def _form(session: StudioSession, body: dict[str, Any]) -> None:
    values = body.get("values")
    if not isinstance(values, dict) or not all(isinstance(v, str) for v in values.values()):
        raise StudioInputError("values must map field names to text")
    await session.submit(values)


async def _jump(session: StudioSession, body: dict[str, Any]) -> None:
    await session.jump()


async def _restart(session: StudioSession, body: dict[str, Any]) -> None:
    slots = body.get("slots") or {}
    if not isinstance(slots, dict):
        raise StudioInputError('slots must be a JSON object, like {"situation": "at_work"}')
    flow = body.get("flow") or None
    step = body.get("step") or None
    await session.restart(Start(flow=flow, step=step, slots=slots))


async def _settings(session: StudioSession, body: dict[str, Any]) -> None:
    platform = body.get("platform", session.platform)
    if platform not in PLATFORMS:
        raise StudioInputError(f"platform must be one of {', '.join(PLATFORMS)}")
    zone = body.get("time_zone", session.time_zone)
    if zone:
        try:
            ZoneInfo(str(zone))
        except (ZoneInfoNotFoundError, ValueError):
            raise StudioInputError(f"no time zone called {zone!r}") from None
    now = session.now - session.clock_moved
    if body.get("now"):
        try:
            now = datetime.fromisoformat(_text(body, "now"))
        except ValueError:
            raise StudioInputError(
                "the clock needs a date and time like 2026-11-23T10:00"
            ) from None
        if now.tzinfo is None:
            now = now.replace(tzinfo=ZoneInfo(str(zone)) if zone else UTC)
    session.platform, session.time_zone = platform, str(zone or "")
    session.now, session.clock_moved = now, timedelta()
    await session.replay()


async def _save(session: StudioSession, body: dict[str, Any]) -> dict[str, Any]:
    name = str(body.get("name") or "").strip() or "saved from the studio"
    if not session.records:
        raise StudioInputError("talk to the flow first: there is nothing to save yet")
    path, note = save_case(session, name)
    failures, coverage = await run_tests(session, path)
    return {
        "saved": {"path": str(path), "note": note, "failures": failures, "result": coverage[0]}
    }


async def _tests(session: StudioSession, body: dict[str, Any]) -> dict[str, Any]:
    return {"tests": await refresh_tests(session)}


async def refresh_tests(session: StudioSession) -> dict[str, Any]:
    """Run the folder's transcript tests; the page shows the result until the next run."""
    failures, lines = await run_tests(session)
    session.tests = {"failures": failures, "result": lines[0], "coverage": lines[1:]}
    return session.tests


async def _reload(session: StudioSession, body: dict[str, Any]) -> None:
    await session.reload()


_ACTIONS: dict[str, Action] = {
    "say": _say,
    "press": _press,
    "form": _form,
    "jump": _jump,
    "restart": _restart,
    "settings": _settings,
    "save": _save,
    "tests": _tests,
    "reload": _reload,
}


# -- live reload ---------------------------------------------------------------------------------


def _snapshot(root: Path) -> dict[Path, float]:
    """Modification times of the flow, template and transcript-test files."""
    files: dict[Path, float] = {}
    for folder, pattern in (
        (root / "flows", "*.yaml"),
        (root / "templates", "**/*.j2"),
        (root / "tests", "**/*.yaml"),
    ):
        for path in folder.glob(pattern):
            with contextlib.suppress(OSError):  # deleted between glob and stat
                files[path] = path.stat().st_mtime_ns
    return files


async def watch_files(session: StudioSession, lock: asyncio.Lock) -> None:
    """Reload the dialogs whenever a flow or template file is saved, added or removed; run the
    transcript tests again when a test file changed (or the flows did, once tests were run)."""
    tests = session.root / "tests"
    seen = _snapshot(session.root)
    while True:
        await asyncio.sleep(WATCH_SECONDS)
        now = _snapshot(session.root)
        if now == seen:
            continue
        changed = {path for path in now.keys() | seen.keys() if now.get(path) != seen.get(path)}
        seen = now
        dialogs_changed = any(not path.is_relative_to(tests) for path in changed)
        async with lock:
            if dialogs_changed:
                await session.reload()
            if session.tests is not None or not dialogs_changed:
                await refresh_tests(session)
                if not dialogs_changed:
                    session.revision += 1  # so that the page redraws the test results
        _log.info("reloaded the dialogs (revision %d)", session.revision)


async def _watcher(app: web.Application) -> AsyncIterator[None]:
    task = asyncio.create_task(watch_files(app[_SESSION], app[_LOCK]))
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
