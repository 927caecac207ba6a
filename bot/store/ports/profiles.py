"""The profiles port: what a platform says about a person (name, locale, time zone, admin or
not), kept for a while so that every worker asks the platform once, not once each."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from bot.store.records import JSON

__all__ = ("ProfileCache",)


class ProfileCache(Protocol):
    """Profiles shared by all workers, each until its ``expires_at``; ``forget_user`` deletes
    a person's (a profile is personal data: ``export_user`` includes it)."""

    async def load_profile(self, user_key: str, *, now: datetime) -> dict[str, JSON] | None:
        """The person's profile, or None when none is kept or it expired before ``now``."""

    async def save_profile(
        self, user_key: str, profile: dict[str, JSON], *, expires_at: datetime
    ) -> None:
        """Keep ``profile`` (replacing the one kept) until ``expires_at``."""
