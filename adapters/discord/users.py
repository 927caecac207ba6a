"""What the adapter remembers per Discord user: their current server, and a failed DM.

Kept in the settings of the user's record at ``discord:-:<user id>`` (the key of their DM
conversations), read once per event.

- **Current server.** A conversation always lives in the user's DM with the bot, but sharing a
  referral needs to know which server it is for, and a DM says nothing about that. So the
  server of the user's last ``/recruiter`` (or button) in a server becomes their conversation's
  ``space``, and their DMs continue that conversation until they use the coach in another
  server. Someone who only ever talks to the bot in DMs has no space.
- **A failed DM.** When Discord refuses a DM (error 50007: DMs closed), the time is noted and
  the user's next interaction shows :data:`DM_CLOSED_NOTE` once.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from bot.app import Coach
from bot.boundary import Reply

__all__ = ("DM_CLOSED_NOTE", "DiscordUsers", "user_record_key")

log = logging.getLogger(__name__)

SPACE = "discord_space"
DM_FAILED = "discord_dm_failed_at"
DM_CLOSED_NOTE = (
    "I couldn't send you a message I had for you (a reminder, perhaps) because your DMs are "
    "closed to me. To get them, allow direct messages from the server's members (the server's "
    "Privacy Settings) or from apps (User Settings > Privacy & Safety)."
)


def user_record_key(user_id: int | str) -> str:
    """The key of the record the adapter keeps its settings in (the DM conversation's)."""
    return f"discord:-:{user_id}"


class DiscordUsers:
    """Reads and updates the adapter's per-user settings in the store."""

    def __init__(self, coach: Coach) -> None:
        self._coach = coach

    async def arrive(self, user_id: int, guild_id: int | None) -> tuple[str | None, list[Reply]]:
        """A user did something: their conversation's space and the notes to show first.

        ``guild_id`` is the server the event came from, if any; it becomes the current space.
        """
        key = user_record_key(user_id)
        saved = await self._coach.user_settings(key)
        settings = dict(saved)
        space = settings.get(SPACE)
        notes = []
        if DM_FAILED in settings:
            del settings[DM_FAILED]
            notes.append(Reply(DM_CLOSED_NOTE))
        if guild_id is not None and space != str(guild_id):
            space = settings[SPACE] = str(guild_id)
        if settings != saved:
            await self._coach.save_user_settings(key, settings)
        return (space if isinstance(space, str) else None), notes

    async def dm_failed(self, user_id: int | str) -> None:
        """Discord refused a DM to this user: note it for their next interaction."""
        key = user_record_key(user_id)
        log.warning("DM to discord user %s refused (DMs closed); noted", user_id)
        settings = await self._coach.user_settings(key)
        settings[DM_FAILED] = datetime.now(UTC).isoformat()
        await self._coach.save_user_settings(key, settings)
