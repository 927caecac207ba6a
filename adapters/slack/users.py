"""Who a Slack user is (name, locale, time zone, admin or not) and their DM with the app, cached.

``users.info`` is asked once per person per :data:`USER_TTL` across all workers: the answer is
kept in the database (the store's profiles, ``bot/store/ports/profiles.py``), so more workers do
not mean more calls against Slack's rate limit. ``conversations.open`` is asked once per person
per process (its answer never changes). A failed call gives an empty
:class:`~bot.boundary.UserInfo` (the engine then asks for the time zone itself), is not kept,
and never blocks a reply; a database that cannot be read is passed over the same way.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol, cast

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.convert import SlackUser, private_conversation, to_user_info, user_is_admin
from bot.boundary import UserInfo

__all__ = ("USER_TTL", "Person", "Profiles", "UserDirectory", "error_code")

log = logging.getLogger(__name__)

USER_TTL = 3600.0
CACHE_MAX = 10000


@dataclass(frozen=True, slots=True)
class Person:
    info: UserInfo
    is_admin: bool = False


class Profiles(Protocol):
    """The store's profiles port (:class:`bot.store.ProfileCache`), as this module uses it."""

    async def load_profile(self, user_key: str, *, now: datetime) -> dict[str, Any] | None: ...

    async def save_profile(
        self, user_key: str, profile: dict[str, Any], *, expires_at: datetime
    ) -> None: ...


def _utcnow() -> datetime:
    return datetime.now(UTC)


class UserDirectory:
    """``users.info`` answers shared in the database, ``conversations.open`` ones per process."""

    def __init__(
        self,
        profiles: Profiles,
        *,
        ttl: float = USER_TTL,
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        self._profiles = profiles
        self._ttl = timedelta(seconds=ttl)
        self._clock = clock
        self._dms: dict[tuple[str | None, str], str] = {}

    async def person(self, client: AsyncWebClient, team: str | None, user: str) -> Person:
        """The person, from the shared profiles or ``users.info``."""
        key = private_conversation(team, user).user_key
        kept = await self._load(key)
        if kept is not None:
            return kept
        person, known = await self._look_up(client, user)
        if known:
            await self._save(key, person)
        return person

    async def info(self, client: AsyncWebClient, team: str | None, user: str) -> UserInfo:
        return (await self.person(client, team, user)).info

    async def _load(self, key: str) -> Person | None:
        try:
            profile = await self._profiles.load_profile(key, now=self._clock())
        except Exception as exc:  # the database is busy or gone: ask Slack instead
            log.warning("profile read failed with %s", type(exc).__name__)
            return None
        if profile is None:
            return None
        info = UserInfo(
            display_name=profile.get("name"),
            locale=profile.get("locale"),
            time_zone=profile.get("tz"),
        )
        return Person(info, bool(profile.get("admin")))

    async def _save(self, key: str, person: Person) -> None:
        info = person.info
        profile = {
            "name": info.display_name,
            "locale": info.locale,
            "tz": info.time_zone,
            "admin": person.is_admin,
        }
        try:
            await self._profiles.save_profile(key, profile, expires_at=self._clock() + self._ttl)
        except Exception as exc:  # not kept: the next lookup asks Slack again
            log.warning("profile write failed with %s", type(exc).__name__)

    async def _look_up(self, client: AsyncWebClient, user: str) -> tuple[Person, bool]:
        """The person from ``users.info``, and whether Slack answered (a failure is not kept)."""
        try:
            response = await client.users_info(user=user, include_locale=True)
        except SlackApiError as exc:
            log.warning("users.info failed: %s", error_code(exc))
            return Person(UserInfo()), False
        data = cast(SlackUser, response.get("user") or {})
        return Person(to_user_info(data), user_is_admin(data)), True

    async def dm_channel(self, client: AsyncWebClient, team: str | None, user: str) -> str:
        """The id of the app's DM with ``user`` (``conversations.open``, cached)."""
        key = (team, user)
        channel = self._dms.get(key)
        if channel is None:
            response = await client.conversations_open(users=user)
            channel = str(response["channel"]["id"])
            if len(self._dms) >= CACHE_MAX:
                self._dms.clear()
            self._dms[key] = channel
        return channel

    async def forget(self, team: str | None, user: str) -> None:
        """Drop what is kept about a person (after ``forget``, which also deletes the profile
        with the rest of their data): the next lookup asks Slack."""
        self._dms.pop((team, user), None)
        key = private_conversation(team, user).user_key
        with contextlib.suppress(Exception):  # an expired profile is one that is not kept
            await self._profiles.save_profile(key, {}, expires_at=datetime.fromtimestamp(0, UTC))


def error_code(exc: BaseException) -> str | None:
    """Slack's error code for a failed call (``not_in_channel``), for logs; never the body."""
    if isinstance(exc, SlackApiError) and isinstance(exc.response.data, dict):
        return str(exc.response.data.get("error"))
    return None
