"""The contacts port: the recruiters a person keeps in touch with."""

from __future__ import annotations

from typing import Protocol

from bot.store.records import Contact

__all__ = ("ContactBook",)


class ContactBook(Protocol):
    """A person's recruiter contacts, each scoped to its ``user_key``."""

    async def save_contact(self, contact: Contact) -> int:
        """Insert the contact when ``contact.id`` is 0, else update that contact of
        ``contact.user_key``; return its id.

        Raises:
            UnknownRecordError: ``contact.id`` is not a contact of ``contact.user_key`` (a
                ``LookupError`` too).
            InvalidRecordError: ``cadence_months`` is not 3 to 6 or None (a ``ValueError``).
        """

    async def list_contacts(self, user_key: str) -> list[Contact]:
        """The user's contacts, oldest first (the order the user numbered them in)."""

    async def get_contact(self, user_key: str, contact_id: int) -> Contact | None:
        """The contact with this id if it belongs to the user, else None."""

    async def delete_contact(self, user_key: str, contact_id: int) -> bool:
        """Delete the user's contact; False when the user has no contact with that id."""
