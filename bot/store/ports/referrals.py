"""The referrals port: opportunities shared in a space's referral channel, and the clicks on
them."""

from __future__ import annotations

from typing import Protocol

from bot.store.records import JSON, Referral, ReferralAnswer

__all__ = ("ReferralStore",)


class ReferralStore(Protocol):
    """Shared referrals and the answers to them (the referral board's port)."""

    async def create_referral(
        self,
        *,
        platform: str,
        space: str,
        sharer_key: str,
        sharer_ref: dict[str, JSON],
        opportunity: dict[str, JSON],
    ) -> Referral:
        """Save a new open referral with no answers yet."""

    async def get_referral(self, referral_id: int) -> Referral | None: ...

    async def set_referral_message(self, referral_id: int, channel: str, message_id: str) -> None:
        """Remember where the referral's card was posted, so that it can be updated."""

    async def add_referral_response(self, referral_id: int, responder_key: str, kind: str) -> bool:
        """Record a click and add one to the referral's count for ``kind``, atomically.

        Returns False, changing nothing, for a repeat click (same responder and kind) and for a
        referral that is closed or does not exist.

        Raises:
            InvalidRecordError: ``kind`` is not one of ``REFERRAL_KINDS`` (a ``ValueError``).
        """

    async def close_referral(self, referral_id: int, sharer_key: str) -> bool:
        """Close an open referral; False unless it is open and ``sharer_key`` shared it."""

    async def referrals_shared_by(self, user_key: str) -> list[Referral]:
        """The referrals the user shared, newest first."""

    async def referrals_answered_by(self, user_key: str) -> list[ReferralAnswer]:
        """The user's clicks on referral cards, newest first."""
