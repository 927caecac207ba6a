"""A Web API client for a workspace, for work that runs outside a Bolt request (the inbox, the
scheduler's reminders).

With one workspace (``SLACK_BOT_TOKEN``) it is the app's own client. With OAuth it is found by
the same :class:`~slack_bolt.authorization.async_authorize.AsyncInstallationStoreAuthorize`
that Bolt authorises requests with, built with its cache on (``auth.test`` once per token, not
once per request), and one client is kept per token. The installation store is still read on
every call, so a workspace that uninstalled the app (its tokens deleted) gets no client.
"""

from __future__ import annotations

import logging

from slack_bolt.authorization.async_authorize import (
    AsyncAuthorize,
    AsyncInstallationStoreAuthorize,
)
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.web.async_client import AsyncWebClient

from bot.errors import DeliveryError

__all__ = ("CLIENTS_MAX", "ClientSource", "cached_authorize")

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


class ClientSource:
    """The app's client, or (OAuth) the workspace's, through ``authorize``."""

    def __init__(self, base: AsyncWebClient, authorize: AsyncAuthorize | None = None) -> None:
        self.base = base
        self._authorize = authorize
        self._clients: dict[str, AsyncWebClient] = {}

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
            )
        return client
