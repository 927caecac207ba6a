"""Multi-workspace install: slack_sdk's SQLAlchemy stores on the project's own database.

With ``SLACK_CLIENT_ID`` and ``SLACK_CLIENT_SECRET`` set, ``/slack/install`` starts Slack's
OAuth flow and ``/slack/oauth_redirect`` finishes it; each workspace's bot token is saved in
``slack_installations`` / ``slack_bots`` and every request is authorised with its own
workspace's token. OAuth ``state`` values live in ``slack_oauth_states``, so any worker can
finish an install another worker started. Bolt's revocation listeners delete a workspace's
tokens when it uninstalls the app (``app_uninstalled``) or revokes them (``tokens_revoked``).

The tables are created on start (``create_tables``); two workers starting at once may race to
create them, so a failure is retried after checking again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import AsyncSQLAlchemyOAuthStateStore
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from bot.config import Settings
from bot.errors import ConfigError

__all__ = ("BOT_SCOPES", "OAuthStores", "build_oauth_settings", "open_oauth_stores")

log = logging.getLogger(__name__)

# What the app asks for (the manifests list the same): slash command, messages, DMs, names and
# time zones, posting referral cards in public channels without joining them, and uploading
# files to the person's DM (the export, the callback's calendar file).
BOT_SCOPES = (
    "commands",
    "chat:write",
    "chat:write.public",
    "im:history",
    "im:write",
    "users:read",
    "files:write",
)
STATE_EXPIRATION_SECONDS = 600


@dataclass(slots=True)
class OAuthStores:
    installations: AsyncSQLAlchemyInstallationStore
    states: AsyncSQLAlchemyOAuthStateStore
    engine: AsyncEngine

    async def close(self) -> None:
        await self.engine.dispose()


async def open_oauth_stores(settings: Settings) -> OAuthStores:
    """The installation and state stores on DATABASE_URL, their tables created."""
    if not settings.slack_client_id:
        raise ConfigError("SLACK_CLIENT_ID is needed for a multi-workspace install")
    engine = create_async_engine(settings.sql_url)
    stores = OAuthStores(
        installations=AsyncSQLAlchemyInstallationStore(
            client_id=settings.slack_client_id, engine=engine
        ),
        states=AsyncSQLAlchemyOAuthStateStore(
            expiration_seconds=STATE_EXPIRATION_SECONDS, engine=engine
        ),
        engine=engine,
    )
    await _create_tables(stores)
    return stores


async def _create_tables(stores: OAuthStores) -> None:
    for attempt in range(3):
        try:
            await stores.installations.create_tables()  # type: ignore[no-untyped-call]
            await stores.states.create_tables()  # type: ignore[no-untyped-call]
            return
        except DBAPIError:
            if attempt == 2:
                raise
            log.info("another worker is creating the Slack tables; checking again")


def build_oauth_settings(settings: Settings, stores: OAuthStores) -> AsyncOAuthSettings:
    """Bolt's OAuth settings: install at ``/slack/install``, redirect to
    ``/slack/oauth_redirect``, both stores on the project's database."""
    return AsyncOAuthSettings(
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret,
        scopes=list(BOT_SCOPES),
        install_path="/slack/install",
        redirect_uri_path="/slack/oauth_redirect",
        installation_store=stores.installations,
        state_store=stores.states,
        state_expiration_seconds=STATE_EXPIRATION_SECONDS,
    )
