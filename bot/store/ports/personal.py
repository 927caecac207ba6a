"""The personal-data port: everything about one person, handed back or erased."""

from __future__ import annotations

from typing import Protocol

from bot.store.records import JSON

__all__ = ("PersonalData",)


class PersonalData(Protocol):
    """Export and forget, across every table that names a person."""

    async def export_user(self, user_key: str) -> dict[str, list[dict[str, JSON]]]:
        """Every row about the user, by table: ``conversations``, ``users``, ``jobs``,
        ``contacts``, ``referrals`` (the ones they shared) and ``referral_responses`` (the
        answers they gave). Values are JSON-ready: date-times as ISO 8601 strings, JSON columns
        decoded. Other people's keys never appear (who answered the user's referrals is theirs).
        """

    async def forget_user(self, user_key: str) -> int:
        """Delete every row about the user in every table; return how many rows went.

        That is their conversations, user record, jobs, contacts and inbox events, the
        referrals they shared with every answer to them, and their own answers to other
        people's referrals (whose counts go down by one each).
        """
