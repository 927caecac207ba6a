"""Contact details the check could not read, each named, so nothing given is silently dropped.

A website with no host in it, a LinkedIn answer that is not a link, an e-mail address with no
domain, a phone "number" without digits: every rule about that detail stays silent, so the
person must hear that the check did not read it and be asked to copy it again. Every contact
field is treated the same way (the e-mail used to be the only one named).
"""

from __future__ import annotations

from bot.coaching.domains import email_host, parse_host

__all__ = ("CONTACT_NAMES", "readable", "unreadable_notes")

# field -> (what it is called in a sentence, what a usable one looks like)
CONTACT_NAMES: dict[str, tuple[str, str]] = {
    "email": ("e-mail address", "name@example.com"),
    "phone": ("phone number", "+1 415 555 0100"),
    "website": ("website", "https://example.com"),
    "linkedin_url": ("LinkedIn link", "https://www.linkedin.com/in/name"),
}
QUOTE_LENGTH = 60  # a long paste is shortened in the note


def readable(field: str, value: str) -> bool:
    """Whether the rules about ``field`` can read ``value`` (already NFKC-folded)."""
    if field == "phone":
        return any(char.isdigit() for char in value)
    if field == "email":
        return email_host(value)[1]  # the syntax check the e-mail rules rely on
    return parse_host(value) is not None


def unreadable_notes(values: dict[str, str | None]) -> list[str]:
    """One note per contact detail given but unreadable, in the order the flow asks them."""
    notes = []
    for field, (name, looks_like) in CONTACT_NAMES.items():
        value = values.get(field)
        if value and not readable(field, value):
            notes.append(
                f"I couldn't read the {name} (“{_quote(value)}”), so it wasn't checked. Copy "
                f"it exactly as they wrote it, like {looks_like}, and check again."
            )
    return notes


def _quote(value: str) -> str:
    text = " ".join(value.split())
    return text if len(text) <= QUOTE_LENGTH else text[: QUOTE_LENGTH - 1].rstrip() + "…"
