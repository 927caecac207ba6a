"""A Web API client for a workspace, for work that runs outside a Bolt request (the inbox, the
scheduler's reminders).

With one workspace (``SLACK_BOT_TOKEN``) it is the app's own client. With OAuth it is found by
the same :class:`~slack_bolt.authorization.async_authorize.AsyncInstallationStoreAuthorize`
that Bolt authorises requests with, built with its cache on (``auth.test`` once per token, not
once per request), and one client is kept per token. The installation store is still read on
every call, so a workspace that uninstalled the app (its tokens deleted) gets no client.

Every client of a worker shares one ``aiohttp`` session (:func:`share_session`): the app's, the
workspaces', Bolt's client of each request (Bolt copies the app client's ``session``) and the
``response_url`` posts. Without it slack_sdk opens a session, so a TCP connection, for every
call and closes it after; with it the calls reuse the session's kept-alive connections. The
session is closed on shutdown (:meth:`ClientSource.close`); a call made after that (a reminder
while the scheduler stops) gets slack_sdk's own one-call session, as before.
"""

from __future__ import annotations

import asyncio
import logging

import aiohttp
from slack_bolt.authorization.async_authorize import (
    AsyncAuthorize,
    AsyncInstallationStoreAuthorize,
)
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.web.async_client import AsyncWebClient

from bot.errors import DeliveryError

__all__ = ("CLIENTS_MAX", "ClientSource", "cached_authorize", "share_session")

log = logging.getLogger(__name__)

CLIENTS_MAX = 1000  # workspaces whose client is kept; past that, one is built again


def cached_authorize(
    oauth_settings: AsyncOAuthSettings, client: AsyncWebClient
) -> AsyncInstallationStoreAuthorize:
    """Bolt's installation-store authorize for ``oauth_settings``, with its result cache on."""
    return AsyncInstallationStoreAuthorize(
        logger=log,
        installation_store=oauth_settings.installation_store,
        client_id=oauth_settings.client_id,
        client_secret=oauth_settings.client_secret,
        bot_only=bool(oauth_settings.installation_store_bot_only),
        cache_enabled=True,
        client=client,
    )


def share_session(client: AsyncWebClient) -> bool:
    """Give ``client`` a session of its own to share (see the module docstring), with the
    client's timeout as slack_sdk's one-call sessions have it; True when one was made (its
    owner closes it), False when the client had one or no event loop runs (a session belongs
    to its loop; the client then opens one per call)."""
    if client.session is not None:
        return False
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    client.session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=client.timeout))
    return True


class ClientSource:
    """The app's client, or (OAuth) the workspace's, through ``authorize``; the workspaces'
    clients share the app client's session, which :meth:`close` closes if ``owns_session``."""

    def __init__(
        self,
        base: AsyncWebClient,
        authorize: AsyncAuthorize | None = None,
        *,
        owns_session: bool = False,
    ) -> None:
        self.base = base
        self._authorize = authorize
        self._clients: dict[str, AsyncWebClient] = {}
        self._owns_session = owns_session

    @property
    def session(self) -> aiohttp.ClientSession | None:
        """The session every call shares (None: one per call), for ``response_url`` posts."""
        return self.base.session

    async def close(self) -> None:
        """On shutdown: close the shared session (if it is this source's to close)."""
        session = self.base.session
        if self._owns_session and session is not None and not session.closed:
            await session.close()

    async def for_team(self, team: str | None) -> AsyncWebClient:
        if self._authorize is None:
            return self.base
        context = AsyncBoltContext(client=self.base)  # authorize's auth.test goes through it
        result = await self._authorize(
            context=context, enterprise_id=None, team_id=team, user_id=None
        )
        token = result.bot_token if result is not None else None
        if not token:
            raise DeliveryError(f"the app is not installed in workspace {team}")
        client = self._clients.get(token)
        if client is None:
            if len(self._clients) >= CLIENTS_MAX:
                self._clients.clear()  # crude but bounded; a miss builds one client
            client = self._clients[token] = AsyncWebClient(
                token=token,
                base_url=self.base.base_url,
                timeout=self.base.timeout,
                retry_handlers=self.base.retry_handlers,
                session=self.base.session,  # the worker's connections, not one per call
            )
        return client
