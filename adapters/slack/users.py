"""Who a Slack user is (name, locale, time zone, admin or not) and their DM with the app, cached.

``users.info`` is asked once per person per :data:`USER_TTL` and ``conversations.open`` once per
person per process: both are rate-limited and neither answer changes often. A failed call gives
an empty :class:`~bot.boundary.UserInfo` (the engine then asks for the time zone itself) and
never blocks a reply. Caches are per process; several workers each keep their own.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.convert import SlackUser, to_user_info, user_is_admin
from bot.boundary import UserInfo

__all__ = ("USER_TTL", "Person", "UserDirectory", "error_code")

log = logging.getLogger(__name__)

USER_TTL = 3600.0
CACHE_MAX = 10000


@dataclass(frozen=True, slots=True)
class Person:
    info: UserInfo
    is_admin: bool = False


class UserDirectory:
    """Cached ``users.info`` and ``conversations.open`` answers, keyed by team and user."""

    def __init__(self, *, ttl: float = USER_TTL, clock: Callable[[], float] = time.monotonic):
        self._ttl = ttl
        self._clock = clock
        self._people: dict[tuple[str | None, str], tuple[float, Person]] = {}
        self._dms: dict[tuple[str | None, str], str] = {}

    async def person(self, client: AsyncWebClient, team: str | None, user: str) -> Person:
        """The person, from the cache or ``users.info``."""
        key = (team, user)
        cached = self._people.get(key)
        if cached is not None and cached[0] > self._clock():
            return cached[1]
        person = await self._look_up(client, user)
        if len(self._people) >= CACHE_MAX:
            self._people.clear()  # crude but bounded; a miss costs one API call
        self._people[key] = (self._clock() + self._ttl, person)
        return person

    async def info(self, client: AsyncWebClient, team: str | None, user: str) -> UserInfo:
        return (await self.person(client, team, user)).info

    async def _look_up(self, client: AsyncWebClient, user: str) -> Person:
        try:
            response = await client.users_info(user=user, include_locale=True)
        except SlackApiError as exc:
            log.warning("users.info failed: %s", error_code(exc))
            return Person(UserInfo())
        data = cast(SlackUser, response.get("user") or {})
        return Person(to_user_info(data), user_is_admin(data))

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

    def forget(self, team: str | None, user: str) -> None:
        """Drop what is cached about a person (after ``forget``)."""
        self._people.pop((team, user), None)
        self._dms.pop((team, user), None)


def error_code(exc: BaseException) -> str | None:
    """Slack's error code for a failed call (``not_in_channel``), for logs; never the body."""
    if isinstance(exc, SlackApiError) and isinstance(exc.response.data, dict):
        return str(exc.response.data.get("error"))
    return None
