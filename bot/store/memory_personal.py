"""The personal-data half of :class:`bot.store.memory.MemoryStore`: contacts, referrals, space
settings and funnel counts on dicts.

Like the rest of the memory store, no method awaits anything before it is done, so each call is
atomic with respect to the others (two clicks on one card count twice, never once).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, replace
from datetime import UTC, datetime

from bot.store.errors import InvalidRecordError, UnknownRecordError
from bot.store.records import (
    JSON,
    REFERRAL_KINDS,
    Contact,
    FunnelRow,
    Referral,
    ReferralAnswer,
    funnel_rows,
)

__all__ = ("PersonalDataMemory", "exportable")

_COUNT_FIELDS = {"interested": "interested_count", "know_someone": "know_someone_count"}


def _utcnow() -> datetime:
    return datetime.now(UTC)


def exportable(record: dict[str, object]) -> dict[str, JSON]:
    """A record as JSON-ready values: date-times in ISO 8601, the rest as they are."""
    return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in record.items()}


class PersonalDataMemory:
    """Store methods for personal data; mixed into :class:`bot.store.memory.MemoryStore`."""

    def __init__(self) -> None:
        self._contacts: dict[int, Contact] = {}
        self._funnel: Counter[tuple[str, str, str]] = Counter()
        self._space_settings: dict[tuple[str, str, str], str] = {}
        self._referrals: dict[int, Referral] = {}
        self._answers: dict[tuple[int, str, str], ReferralAnswer] = {}
        self._next_contact_id = 1
        self._next_referral_id = 1

    # recruiter contacts

    async def save_contact(self, contact: Contact) -> int:
        if contact.cadence_months is not None and not 3 <= contact.cadence_months <= 6:
            raise InvalidRecordError("cadence_months must be between 3 and 6, or None")
        now = _utcnow()
        if contact.id == 0:
            saved = replace(contact, id=self._next_contact_id, created_at=now, updated_at=now)
            self._next_contact_id += 1
        else:
            old = self._contacts.get(contact.id)
            if old is None or old.user_key != contact.user_key:
                raise UnknownRecordError(
                    f"contact {contact.id} is not one of this user's contacts"
                )
            saved = replace(contact, created_at=old.created_at, updated_at=now)
        self._contacts[saved.id] = saved
        return saved.id

    async def list_contacts(self, user_key: str) -> list[Contact]:
        return [c for _, c in sorted(self._contacts.items()) if c.user_key == user_key]

    async def get_contact(self, user_key: str, contact_id: int) -> Contact | None:
        contact = self._contacts.get(contact_id)
        return contact if contact is not None and contact.user_key == user_key else None

    async def delete_contact(self, user_key: str, contact_id: int) -> bool:
        if await self.get_contact(user_key, contact_id) is None:
            return False
        del self._contacts[contact_id]
        return True

    # funnel

    def _count_funnel(self, funnel: Sequence[tuple[str, str, str]]) -> None:
        counts = self._funnel
        for event in funnel:  # Counter.update's checks cost more than a turn's few events
            counts[event] += 1

    async def funnel_stats(self) -> list[FunnelRow]:
        return funnel_rows((f, s, e, n) for (f, s, e), n in self._funnel.items())

    # space settings

    async def get_space_setting(self, platform: str, space: str, key: str) -> str | None:
        return self._space_settings.get((platform, space, key))

    async def set_space_setting(
        self, platform: str, space: str, key: str, value: str | None
    ) -> None:
        if value is None:
            self._space_settings.pop((platform, space, key), None)
        else:
            self._space_settings[(platform, space, key)] = value

    # referrals

    async def create_referral(
        self,
        *,
        platform: str,
        space: str,
        sharer_key: str,
        sharer_ref: dict[str, JSON],
        opportunity: dict[str, JSON],
    ) -> Referral:
        referral = Referral(
            id=self._next_referral_id,
            platform=platform,
            space=space,
            sharer_key=sharer_key,
            sharer_ref=dict(sharer_ref),
            opportunity=dict(opportunity),
            status="open",
            channel=None,
            message_id=None,
            interested_count=0,
            know_someone_count=0,
            created_at=_utcnow(),
        )
        self._next_referral_id += 1
        self._referrals[referral.id] = referral
        return referral

    async def get_referral(self, referral_id: int) -> Referral | None:
        return self._referrals.get(referral_id)

    async def set_referral_message(self, referral_id: int, channel: str, message_id: str) -> None:
        referral = self._referrals.get(referral_id)
        if referral is not None:
            self._referrals[referral_id] = replace(
                referral, channel=channel, message_id=message_id
            )

    async def add_referral_response(self, referral_id: int, responder_key: str, kind: str) -> bool:
        if kind not in REFERRAL_KINDS:
            raise InvalidRecordError(
                f"unknown referral answer {kind!r}; use one of {REFERRAL_KINDS}"
            )
        referral = self._referrals.get(referral_id)
        key = (referral_id, responder_key, kind)
        if referral is None or referral.status != "open" or key in self._answers:
            return False
        self._answers[key] = ReferralAnswer(referral_id, responder_key, kind, _utcnow())
        self._bump(referral, kind, +1)
        return True

    def _bump(self, referral: Referral, kind: str, delta: int) -> None:
        field = _COUNT_FIELDS[kind]
        count = max(getattr(referral, field) + delta, 0)
        self._referrals[referral.id] = replace(referral, **{field: count})

    async def close_referral(self, referral_id: int, sharer_key: str) -> bool:
        referral = self._referrals.get(referral_id)
        if referral is None or referral.sharer_key != sharer_key or referral.status != "open":
            return False
        self._referrals[referral_id] = replace(referral, status="closed", closed_at=_utcnow())
        return True

    async def referrals_shared_by(self, user_key: str) -> list[Referral]:
        shared = [r for r in self._referrals.values() if r.sharer_key == user_key]
        return sorted(shared, key=lambda r: (r.created_at, r.id), reverse=True)

    async def referrals_answered_by(self, user_key: str) -> list[ReferralAnswer]:
        answers = [a for a in self._answers.values() if a.responder_key == user_key]
        answers.sort(key=lambda a: a.kind)
        answers.sort(key=lambda a: (a.created_at, a.referral_id), reverse=True)
        return answers

    # privacy

    def _export_personal(self, user_key: str) -> dict[str, list[dict[str, JSON]]]:
        contacts = [asdict(c) for c in self._contacts.values() if c.user_key == user_key]
        shared = [asdict(r) for r in self._referrals.values() if r.sharer_key == user_key]
        answers = [asdict(a) for a in self._answers.values() if a.responder_key == user_key]
        return {
            "contacts": [exportable(c) for c in contacts],
            "referrals": [exportable(r) for r in shared],
            "referral_responses": [exportable(a) for a in answers],
        }

    def _forget_personal(self, user_key: str) -> int:
        """Delete the user's contacts, referrals (with their answers) and answers."""
        contact_ids = [i for i, c in self._contacts.items() if c.user_key == user_key]
        for contact_id in contact_ids:
            del self._contacts[contact_id]
        removed = len(contact_ids)
        for key, answer in list(self._answers.items()):
            referral = self._referrals[answer.referral_id]
            if referral.sharer_key == user_key:
                del self._answers[key]  # goes with the referral below
                removed += 1
            elif answer.responder_key == user_key:
                del self._answers[key]
                self._bump(referral, answer.kind, -1)
                removed += 1
        shared = [i for i, r in self._referrals.items() if r.sharer_key == user_key]
        for referral_id in shared:
            del self._referrals[referral_id]
        return removed + len(shared)
