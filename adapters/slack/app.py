"""``build_slack_app(coach, settings)``: the Bolt AsyncApp, wired to the coach.

The same app serves Socket Mode and HTTP (see :mod:`adapters.slack.cli`). It registers one
listener per kind of payload (slash command, DM message, App Home, button, modal submission), a
middleware that answers a re-sent Events API delivery with a plain 200 (PLATFORMS.md 1.4: a
middleware that returned nothing would get a 404 and more retries), and, with OAuth, Bolt's
uninstall and token-revocation listeners.

``app.client`` gets a rate-limit retry handler: Bolt copies ``retry_handlers`` and
``base_url`` into the client of every request, so a 429 is retried after ``Retry-After``
everywhere, the scheduler's reminders included. It copies ``session`` too: every call of the
worker goes through one shared ``aiohttp`` session (:func:`~adapters.slack.clients.share_session`),
closed when the handlers are drained.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from slack_bolt.async_app import AsyncApp
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.clients import ClientSource, cached_authorize, share_session
from adapters.slack.convert import delivery_keys
from adapters.slack.handlers import Handlers
from adapters.slack.inbox import INBOX_CONCURRENCY, SlackInbox
from adapters.slack.render import FORM_CALLBACK
from adapters.slack.send import DeliveryError, Sender
from adapters.slack.shortcuts import register_shortcuts
from adapters.slack.users import UserDirectory
from bot.app import Inbox
from bot.boundary import ConversationRef, Reply
from bot.config import Settings

if TYPE_CHECKING:
    from collections.abc import Sequence

    from bot.app import Coach

__all__ = ("DEFAULT_API_URL", "SLASH_COMMAND", "SlackDelivery", "api_url", "build_slack_app")

log = logging.getLogger(__name__)

DEFAULT_API_URL = "https://slack.com/api/"
SLASH_COMMAND = "/recruiter"
RATE_LIMIT_RETRIES = 3
SEEN_EVENTS_MAX = 10000


class SlackDelivery:
    """The scheduler's :class:`bot.dialog.scheduler.Delivery`: reminders and nudges as DMs.

    It exists before the app (``open_coach`` starts the scheduler) and is connected to the
    app's sender by :func:`build_slack_app`; a job due before that is retried later.
    """

    def __init__(self) -> None:
        self.sender: Sender | None = None
        self.handlers: Handlers | None = None  # the app's listeners, to drain on shutdown

    async def deliver(
        self, conversation: ConversationRef, replies: Sequence[Reply]
    ) -> Sequence[str] | None:
        if conversation.platform != "slack":
            raise DeliveryError(f"a {conversation.platform} job reached the Slack worker")
        if self.sender is None:
            raise DeliveryError("the Slack app is not running yet")
        return await self.sender.deliver(conversation, replies)


def api_url(settings: Settings) -> str:
    """The Web API base URL, ending in ``/`` (slack_sdk joins method names onto it)."""
    url = settings.slack_api_url or DEFAULT_API_URL
    return url if url.endswith("/") else url + "/"


def build_client(settings: Settings) -> AsyncWebClient:
    """The app's Web API client: SLACK_API_URL, and retries after 429s and dropped connections."""
    return AsyncWebClient(
        token=settings.slack_bot_token if not _oauth(settings) else None,
        base_url=api_url(settings),
        retry_handlers=[
            AsyncConnectionErrorRetryHandler(),
            AsyncRateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES),
        ],
    )


def _oauth(settings: Settings) -> bool:
    return bool(settings.slack_client_id and settings.slack_client_secret)


def build_slack_app(
    coach: Coach,
    settings: Settings,
    *,
    client: AsyncWebClient | None = None,
    oauth_settings: AsyncOAuthSettings | None = None,
    delivery: SlackDelivery | None = None,
) -> AsyncApp:
    """The Bolt app for ``coach``.

    Args:
        coach: the opened coach (engine, store, scheduler).
        settings: the slack_* settings (signing secret, bot token, API URL).
        client: the Web API client (default: :func:`build_client`).
        oauth_settings: multi-workspace install (see :mod:`adapters.slack.oauth`).
        delivery: the scheduler's delivery, connected to this app's sender.
    """
    client = client or build_client(settings)
    owns_session = share_session(client)  # one session per worker, closed by drain()
    # One authorize, its cache on, for Bolt's requests (AsyncApp takes the settings' one) and
    # for the inbox and the reminders.
    authorize = cached_authorize(oauth_settings, client) if oauth_settings else None
    if oauth_settings is not None and authorize is not None:
        oauth_settings.authorize = authorize
    app = AsyncApp(
        name="recruiter-coach",
        client=client,
        signing_secret=settings.slack_signing_secret or "",
        request_verification_enabled=settings.slack_signing_secret is not None,
        oauth_settings=oauth_settings,
        # Listeners return right after ack() and leave the work to tasks (see handlers.py).
        process_before_response=True,
    )
    clients = ClientSource(client, authorize, owns_session=owns_session)
    handlers = _handlers(coach, clients, delivery)
    _register(app, handlers, oauth=oauth_settings is not None)
    if delivery is not None:
        delivery.handlers = handlers
    return app


def _handlers(
    coach: Coach,
    clients: ClientSource,
    delivery: SlackDelivery | None,
) -> Handlers:
    sender = Sender(clients=clients, users=UserDirectory(coach.store), handle=coach.handle)
    if delivery is not None:
        delivery.sender = sender
    slack_inbox = SlackInbox(sender)
    inbox = coach.open_inbox(slack_inbox, platforms=("slack",), concurrency=INBOX_CONCURRENCY)
    handlers = Handlers(
        coach=coach,
        sender=sender,
        redirect_base=_redirect_base(clients.base.base_url),
        inbox=inbox,
    )
    slack_inbox.runners = handlers.runners()
    slack_inbox.finishers = handlers.finishers()
    _start_soon(inbox)
    return handlers


def _start_soon(inbox: Inbox) -> None:
    """Start the inbox loop now when an event loop runs (a server), so that events a dead
    worker left behind are taken over at start-up; otherwise at the first event."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return
    inbox.start()


def _register(app: AsyncApp, handlers: Handlers, *, oauth: bool) -> None:
    app.middleware(RetryFilter())
    app.command(SLASH_COMMAND)(handlers.command)
    app.event("message")(handlers.message)
    app.event("app_home_opened")(handlers.home_opened)
    app.action(re.compile(r"^rc_"))(handlers.action)
    app.view(FORM_CALLBACK)(handlers.submission)
    register_shortcuts(app, handlers)
    if oauth:
        app.enable_token_revocation_listeners()
    else:
        # Subscribed in the manifest; with one workspace there is no installation to delete.
        app.event("app_uninstalled")(_noted)
        app.event("tokens_revoked")(_noted)
    app.error(_on_error)


async def _noted(event: dict[str, Any]) -> None:
    log.warning("slack event %s: the app's token no longer works here", event.get("type"))


async def _on_error(error: Exception) -> None:
    log.error("slack listener failed with %s", type(error).__name__)


def _redirect_base(base_url: str) -> str:
    """Where ``app_redirect`` lives: the API's own host for slack.com and GovSlack."""
    host = urlsplit(base_url).hostname or ""
    if host.endswith(("slack.com", "slack-gov.com")):
        return f"https://{host.removeprefix('api.')}/app_redirect"
    return "https://slack.com/app_redirect"


class RetryFilter:
    """A global middleware: an Events API delivery seen before in this process gets a 200 and
    goes no further. A delivery is known by :func:`~adapters.slack.convert.delivery_keys`: its
    ``event_id`` and, for a message, its channel and ``ts`` (Slack may re-deliver one message
    under a new ``event_id``). The engine also ignores a repeated key, across workers."""

    def __init__(self, max_events: int = SEEN_EVENTS_MAX) -> None:
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._max = max_events

    async def __call__(
        self,
        req: AsyncBoltRequest,
        body: dict[str, Any],
        next: Callable[[], Awaitable[BoltResponse]],
    ) -> BoltResponse:
        keys = delivery_keys(body) if isinstance(body, dict) else ()
        if any(key in self._seen for key in keys):
            return BoltResponse(status=200, body="")
        for key in keys:
            self._seen[key] = None
        while len(self._seen) > self._max:
            self._seen.popitem(last=False)
        return await next()
