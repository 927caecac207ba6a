"""What the engine knows about a person across conversations: their remembered time zone and
which privacy notice they have seen.

At the start of a conversation :meth:`UserGreeting.greet` fills in the zone and decides whether
the notice is shown; once the turn is saved :meth:`UserGreeting.remember` writes both back.
"""

from __future__ import annotations

import hashlib

from bot.boundary import ConversationRef
from bot.dialog.busy import Backoff, is_busy
from bot.dialog.turn import Turn
from bot.render.templates import TemplateRenderer
from bot.store import Store, UserRecord

__all__ = ("PRIVACY_NOTICE", "UserGreeting")

PRIVACY_NOTICE = "coach_privacy"


class UserGreeting:
    """The privacy notice and the remembered time zone, read and written through the store."""

    def __init__(self, store: Store, renderer: TemplateRenderer) -> None:
        self.store = store
        self.renderer = renderer
        self._notice_versions: dict[str, str] = {}  # platform -> privacy notice version

    async def greet(self, turn: Turn) -> None:
        """At the start of a conversation: the user's remembered zone and the privacy notice."""
        user = await self.store.load_user(turn.incoming.conversation.user_key)
        if turn.context.time_zone is None and user is not None and user.time_zone:
            turn.context.time_zone = turn.state.time_zone = user.time_zone
        seen = user.settings.get("privacy_notice") if user else None
        version = self.notice_version(turn.incoming.conversation.platform)
        turn.show_privacy_notice = seen != version

    def notice_version(self, platform: str) -> str:
        """A digest of the notice's template: a deployment that changes its notice (a new
        ``coach_privacy.j2``) shows the new one once to everyone who saw the old one."""
        version = self._notice_versions.get(platform)
        if version is None:
            source = self.renderer.template_source(platform, PRIVACY_NOTICE)
            version = "sha256:" + hashlib.sha256(source.encode()).hexdigest()[:16]
            self._notice_versions[platform] = version
        return version

    async def remember(self, ref: ConversationRef, turn: Turn) -> None:
        """Remember the user once the turn is saved. A busy database is waited for here: the
        turn must not run again (its event is recorded, so it would answer nothing), so for as
        long as it takes."""
        if not (turn.show_privacy_notice or turn.new_user_time_zone):
            return
        busy = None  # made when the database is first busy
        while True:
            try:
                await self._save_user(ref, turn)
                return
            except Exception as exc:
                if not is_busy(exc):
                    raise
                busy = busy or Backoff(limit=None)
                if not await busy.wait():
                    raise

    async def _save_user(self, ref: ConversationRef, turn: Turn) -> None:
        user = await self.store.load_user(ref.user_key) or UserRecord(ref.user_key)
        settings = dict(user.settings)
        if turn.show_privacy_notice:
            settings["privacy_notice"] = self.notice_version(ref.platform)
        zone = turn.new_user_time_zone or user.time_zone
        await self.store.save_user(UserRecord(ref.user_key, zone, settings))
