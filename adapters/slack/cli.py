"""``recruiter-coach slack [--port 3000] [--host 0.0.0.0]``: run the Slack app.

Socket Mode when ``SLACK_APP_TOKEN`` is set (no public URL needed); otherwise HTTP on
``--port`` at ``/slack/events``, with every request's signature checked (a bad, missing or
stale signature gets 401). One workspace with ``SLACK_BOT_TOKEN``, or any number through the
OAuth install (``/slack/install``) when ``SLACK_CLIENT_ID`` and ``SLACK_CLIENT_SECRET`` are
set; in Socket Mode the install pages are still served over HTTP on ``--port``.

Several HTTP workers can share one PostgreSQL (``DATABASE_URL``) behind any load balancer: a
conversation lives in the database, and each reminder is claimed by one worker.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
from typing import TYPE_CHECKING, Literal

from bot.config import Settings, check_storage
from bot.errors import ConfigError

if TYPE_CHECKING:
    from aiohttp import web
    from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
    from slack_bolt.async_app import AsyncApp

    from adapters.slack.app import SlackDelivery
    from adapters.slack.oauth import OAuthStores
    from bot.app import Coach

__all__ = ("EVENTS_PATH", "SlackWorker", "check_settings", "configure", "main")

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"  # the same as adapters.slack.web.EVENTS_PATH (not imported: aiohttp)
Mode = Literal["socket", "http"]


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--port", type=int, default=3000, help="HTTP port for /slack/events (default 3000)"
    )
    parser.add_argument("--host", default="0.0.0.0", help="address to listen on (default 0.0.0.0)")


def main(args: argparse.Namespace) -> int:
    """Run until SIGINT or SIGTERM."""
    settings: Settings = args.settings
    mode = check_settings(settings)
    check_storage(settings)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_run(settings, mode=mode, host=args.host, port=args.port))
    return 0


def check_settings(settings: Settings) -> Mode:
    """The mode the settings ask for.

    Raises:
        ConfigError: naming every missing variable.
    """
    socket = settings.slack_app_token is not None
    oauth = bool(settings.slack_client_id or settings.slack_client_secret)
    missing: list[str] = []
    if oauth:
        missing += [
            name
            for name, value in (
                ("SLACK_CLIENT_ID", settings.slack_client_id),
                ("SLACK_CLIENT_SECRET", settings.slack_client_secret),
            )
            if not value
        ]
    elif not settings.slack_bot_token:
        missing.append("SLACK_BOT_TOKEN (or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET)")
    if not socket and not settings.slack_signing_secret:
        missing.append("SLACK_SIGNING_SECRET")
    if missing:
        how = "Socket Mode" if socket else "HTTP mode (set SLACK_APP_TOKEN for Socket Mode)"
        raise ConfigError(
            f"recruiter-coach slack in {how} needs {', '.join(missing)}; see .env.example "
            "and docs/slack.md"
        )
    return "socket" if socket else "http"


async def _run(settings: Settings, *, mode: Mode, host: str, port: int) -> None:
    worker = SlackWorker(settings, mode=mode, host=host, port=port)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    await worker.start()
    # Train the topic router now, in a thread, not inline at the first question routed (that
    # held the event loop, and every acknowledgement, for seconds under load).
    assert worker.coach is not None
    warm_up = asyncio.create_task(worker.coach.warm_up(), name="router-warm-up")
    try:
        await stop.wait()
    finally:
        warm_up.cancel()  # the training thread itself finishes on its own
        await worker.stop()


class SlackWorker:
    """One running Slack app: the coach (and its scheduler), the Bolt app, the transport."""

    def __init__(
        self, settings: Settings, *, mode: Mode = "http", host: str = "0.0.0.0", port: int = 3000
    ) -> None:
        self.settings = settings
        self.mode = mode
        self.host = host
        self.port = port
        self.coach: Coach | None = None
        self.delivery: SlackDelivery | None = None
        self.stores: OAuthStores | None = None
        self._runner: web.AppRunner | None = None
        self._socket: AsyncSocketModeHandler | None = None

    @property
    def oauth(self) -> bool:
        return bool(self.settings.slack_client_id and self.settings.slack_client_secret)

    async def start(self) -> None:
        from adapters.slack.app import SlackDelivery, build_slack_app
        from adapters.slack.oauth import build_oauth_settings, open_oauth_stores
        from bot.app import open_coach

        delivery = self.delivery = SlackDelivery()
        self.coach = await open_coach(self.settings, delivery=delivery, platforms=("slack",))
        oauth_settings = None
        if self.oauth:
            self.stores = await open_oauth_stores(self.settings)
            oauth_settings = build_oauth_settings(self.settings, self.stores)
        app = build_slack_app(
            self.coach, self.settings, oauth_settings=oauth_settings, delivery=delivery
        )
        if self.mode == "socket":
            await self._connect_socket(app)
        if self.mode == "http" or self.oauth:
            await self._serve_http(app)

    async def _connect_socket(self, app: AsyncApp) -> None:
        from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

        self._socket = AsyncSocketModeHandler(app, self.settings.slack_app_token)
        await self._socket.connect_async()  # type: ignore[no-untyped-call]
        log.info("connected to Slack in Socket Mode")

    async def _serve_http(self, app: AsyncApp) -> None:
        from aiohttp import web

        from adapters.slack.web import build_web_app

        web_app = build_web_app(app)
        self._runner = web.AppRunner(web_app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        addresses = self._runner.addresses
        if addresses:
            self.port = int(addresses[0][1])  # the real port when 0 was asked
        log.info("listening on %s:%s%s", self.host, self.port, EVENTS_PATH)

    async def stop(self) -> None:
        if self._socket is not None:
            await self._socket.close_async()  # type: ignore[no-untyped-call]
        if self._runner is not None:
            await self._runner.cleanup()  # waits for the requests in flight
        if self.delivery is not None and self.delivery.handlers is not None:
            await self.delivery.handlers.drain()  # engine work for requests already acked
        if self.coach is not None:
            await self.coach.close()
        if self.stores is not None:
            await self.stores.close()
