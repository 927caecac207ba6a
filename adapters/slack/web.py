"""The HTTP side: ``POST /slack/events`` and the OAuth install pages, on aiohttp.

Slash commands, button clicks and Events API deliveries only need an empty 200 from us, so once
their signature checks out they are acknowledged here, at the edge, and handed to Bolt in a
task. DMs (``message`` events) and answer buttons are the exception: their 200 must mean
"saved", so Bolt runs first and its listener writes them to the durable inbox
(:mod:`bot.dialog.inbox`) before answering.
For the others the whole Bolt pipeline (about a millisecond of CPU per request) runs after the
answer, and a burst of 50 commands is acknowledged in a few milliseconds instead of queueing
behind each other's middleware. Everything whose answer carries content goes through Bolt
before answering: modal submissions (inline errors), ``url_verification`` (the challenge),
``ssl_check``, requests that fail the signature check (401, from Bolt) and the OAuth pages.
"""

from __future__ import annotations

import asyncio
import json
import logging

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from slack_sdk.signature import SignatureVerifier

__all__ = ("ENDPOINT", "EVENTS_PATH", "EventsEndpoint", "build_web_app", "needs_no_content")

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
_CONTENT_TYPES = ("view_submission", "view_closed", "block_suggestion", "url_verification")


def needs_no_content(body: str, content_type: str) -> bool:
    """True for payloads whose acknowledgement is an empty 200 and that the inbox does not
    take: Events API deliveries other than DMs and Home openings. Everything else is saved by
    its Bolt listener before the answer (or carries content: errors, a challenge)."""
    if not content_type.startswith("application/json"):
        return False
    try:
        data = json.loads(body)
        kind, event = data.get("type"), data.get("event")
    except (ValueError, AttributeError):
        return False
    saved = isinstance(event, dict) and event.get("type") in ("message", "app_home_opened")
    return bool(kind == "event_callback") and not saved


class EventsEndpoint:
    """``POST /slack/events``: acknowledge at the edge when the answer is empty, else Bolt."""

    def __init__(self, app: AsyncApp, signing_secret: str | None) -> None:
        self.app = app
        self._verifier = SignatureVerifier(signing_secret) if signing_secret else None
        self._tasks: set[asyncio.Task[object]] = set()

    async def handle(self, request: web.Request) -> web.StreamResponse:
        body = await request.text()
        bolt_request = await to_bolt_request(request)
        if self._acked_here(request, body):
            task: asyncio.Task[object] = asyncio.create_task(self.app.async_dispatch(bolt_request))
            self._tasks.add(task)  # a reference until it is done
            task.add_done_callback(self._tasks.discard)
            return web.Response(status=200)
        return await to_aiohttp_response(await self.app.async_dispatch(bolt_request))

    def _acked_here(self, request: web.Request, body: str) -> bool:
        timestamp = request.headers.get("X-Slack-Request-Timestamp", "")
        signature = request.headers.get("X-Slack-Signature", "")
        if self._verifier is None or not timestamp.isdigit() or not signature:
            return False  # Bolt answers (with a 401 when the signature is missing or bad)
        valid = self._verifier.is_valid(body=body, timestamp=timestamp, signature=signature)
        return valid and needs_no_content(body, request.content_type)

    async def drain(self) -> None:
        """Wait for the requests in flight (on shutdown)."""
        while self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)


ENDPOINT = web.AppKey("events endpoint", EventsEndpoint)


def build_web_app(app: AsyncApp, signing_secret: str | None) -> web.Application:
    """The aiohttp application: the events endpoint and, with OAuth, the install pages."""
    web_app = web.Application()
    endpoint = EventsEndpoint(app, signing_secret)
    web_app[ENDPOINT] = endpoint
    web_app.router.add_post(EVENTS_PATH, endpoint.handle)
    flow = app.oauth_flow
    if flow is not None:

        async def install(request: web.Request) -> web.StreamResponse:
            return await to_aiohttp_response(
                await flow.handle_installation(await to_bolt_request(request))
            )

        async def redirect(request: web.Request) -> web.StreamResponse:
            return await to_aiohttp_response(
                await flow.handle_callback(await to_bolt_request(request))
            )

        web_app.router.add_get(flow.install_path, install)
        web_app.router.add_get(flow.redirect_uri_path, redirect)
    return web_app
