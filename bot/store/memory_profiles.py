"""Platform profiles on a dict, mixed into :class:`bot.store.memory.MemoryStore` (the same contract
as :mod:`bot.store.sql_profiles`, for one process)."""

from __future__ import annotations

from datetime import datetime

from bot.store.records import JSON

__all__ = ("ProfilesMemory",)


class ProfilesMemory:
    """:class:`bot.store.ProfileCache` methods of :class:`bot.store.memory.MemoryStore`."""

    def __init__(self) -> None:
        self._profiles: dict[str, tuple[dict[str, JSON], datetime]] = {}

    async def load_profile(self, user_key: str, *, now: datetime) -> dict[str, JSON] | None:
        kept = self._profiles.get(user_key)
        if kept is None or kept[1] <= now:
            return None
        return dict(kept[0])

    async def save_profile(
        self, user_key: str, profile: dict[str, JSON], *, expires_at: datetime
    ) -> None:
        self._profiles[user_key] = (dict(profile), expires_at)

    def _export_profiles(self, user_key: str) -> list[dict[str, JSON]]:
        kept = self._profiles.get(user_key)
        if kept is None:
            return []
        return [{"user_key": user_key, "profile": kept[0], "expires_at": kept[1].isoformat()}]

    def _forget_profiles(self, user_key: str) -> int:
        return int(self._profiles.pop(user_key, None) is not None)
