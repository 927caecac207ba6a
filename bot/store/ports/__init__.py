"""The store's ports, one small protocol per subject, and :class:`Store`, all of them together.

A consumer types against the narrowest ports it uses (the scheduler: :class:`JobQueue` and
:class:`EventExpiry`; the referral board: :class:`ReferralStore` and :class:`SpaceSettings`; the
contact nudges and the home overview: :class:`ContactBook` and :class:`JobQueue`; the inbox:
:class:`InboxStore`; the Slack user directory: :class:`ProfileCache`; the pinned flow versions:
:class:`ConversationStore`); a consumer needing
several declares a protocol inheriting them. The engine holds the whole :class:`Store`, because
it hands it to the flow actions (contacts, referrals, reminders, personal data). The
composition root opens one :class:`Store` and hands it to each.
Every method is safe to call from several workers at once.

May import only :mod:`bot.store.records` (the ports are protocols over records; the errors they
raise are in :mod:`bot.store.errors`), never an implementation.
"""

from __future__ import annotations

from typing import Protocol

from bot.store.ports.contacts import ContactBook
from bot.store.ports.conversations import ConversationStore, EventExpiry
from bot.store.ports.inbox import InboxStore
from bot.store.ports.jobs import JobDelivery, JobQueue
from bot.store.ports.personal import PersonalData
from bot.store.ports.profiles import ProfileCache
from bot.store.ports.referrals import ReferralStore
from bot.store.ports.stats import FunnelStats
from bot.store.ports.users import SpaceSettings, UserStore

__all__ = (
    "ContactBook",
    "ConversationStore",
    "EventExpiry",
    "FunnelStats",
    "InboxStore",
    "JobDelivery",
    "JobQueue",
    "PersonalData",
    "ProfileCache",
    "ReferralStore",
    "SpaceSettings",
    "Store",
    "StoreLifecycle",
    "UserStore",
)


class StoreLifecycle(Protocol):
    """Opening and closing a store (the composition root does both)."""

    async def open(self) -> None:
        """Connect and bring the schema up to date (migrations)."""

    async def close(self) -> None: ...


class Store(
    StoreLifecycle,
    ConversationStore,
    UserStore,
    InboxStore,
    JobQueue,
    JobDelivery,
    ContactBook,
    ReferralStore,
    SpaceSettings,
    PersonalData,
    FunnelStats,
    ProfileCache,
    Protocol,
):
    """Every port together: what :func:`bot.store.factory.build_store` returns."""
