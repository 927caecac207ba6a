"""The HTTP side: ``POST /slack/events`` and the OAuth install pages, served by Bolt's own
aiohttp adapter (:class:`slack_bolt.app.async_server.AsyncSlackAppServer`).

Bolt checks the signature (401 when it is missing, bad or stale), runs the middleware and the
listener, and answers. Every listener saves its event in the durable inbox and acknowledges
(:mod:`adapters.slack.listeners`); the work runs from the inbox after the answer. An edge
endpoint that answered before Bolt ran was measured against this and dropped: with every event
saved before its 200 it no longer made acks faster (docs/slack.md, *Ack latency*).
"""

from __future__ import annotations

from aiohttp import web
from slack_bolt.app.async_server import AsyncSlackAppServer
from slack_bolt.async_app import AsyncApp

__all__ = ("EVENTS_PATH", "build_web_app")

EVENTS_PATH = "/slack/events"


def build_web_app(app: AsyncApp) -> web.Application:
    """The aiohttp application: ``POST /slack/events`` and, with OAuth, the install pages."""
    return AsyncSlackAppServer(port=0, path=EVENTS_PATH, app=app).web_app
