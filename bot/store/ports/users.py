"""The users and space-settings ports: what the coach remembers about a person (time zone,
settings) and about a Slack team or Discord server (such as its referral channel)."""

from __future__ import annotations

from typing import Protocol

from bot.store.records import UserRecord

__all__ = ("SpaceSettings", "UserStore")


class UserStore(Protocol):
    """A person's record."""

    async def load_user(self, user_key: str) -> UserRecord | None: ...

    async def save_user(self, user: UserRecord) -> None: ...


class SpaceSettings(Protocol):
    """Settings of a space (a Slack team, a Discord server); they belong to no person."""

    async def get_space_setting(self, platform: str, space: str, key: str) -> str | None:
        """A space's setting (such as ``referral_channel``), or None when it is not set."""

    async def set_space_setting(
        self, platform: str, space: str, key: str, value: str | None
    ) -> None:
        """Set a space's setting; ``None`` removes it."""
