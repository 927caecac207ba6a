"""What the Slack adapter needs from the core's referral board (``coach.referrals``).

Written as Protocols so the adapter depends on the calls it makes, not on the class: tests can
hand in the real :class:`bot.referrals.ReferralBoard` or anything shaped like it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from bot.boundary import ConversationRef, Reply
from bot.store import Referral, ReferralAnswer

__all__ = ("ReferralBoard", "ReferralOutcome")


class ReferralOutcome(Protocol):
    """The result of a click on a referral card."""

    @property
    def notice(self) -> Reply | None: ...  # for the sharer's DM

    @property
    def ack(self) -> Reply: ...  # private, for the person who clicked

    @property
    def card(self) -> Reply | None: ...  # the updated card

    @property
    def sharer(self) -> ConversationRef | None: ...


class ReferralBoard(Protocol):
    async def referral_channel(self, platform: str, space: str) -> str | None: ...

    async def set_referral_channel(
        self, platform: str, space: str, channel: str | None
    ) -> None: ...

    async def record_posted(self, referral_id: int, channel: str, message_id: str) -> None: ...

    async def respond(
        self, token: str, responder: ConversationRef, responder_name: str | None
    ) -> ReferralOutcome: ...

    async def shared_by(self, user_key: str) -> Sequence[Referral]: ...

    async def answered_by(self, user_key: str) -> Sequence[ReferralAnswer]: ...
