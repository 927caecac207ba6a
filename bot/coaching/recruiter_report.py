"""What the user knows about a recruiter: the input of the legitimacy check.

Its own module because both the check (:mod:`bot.coaching.legitimacy`) and its advice
(:mod:`bot.coaching.legitimacy_advice`) read it, and the check uses the advice.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, fields

__all__ = ("RecruiterReport",)


@dataclass(frozen=True, slots=True)
class RecruiterReport:
    """What the user knows. Every field is optional; None (or blank) means not given."""

    recruiter_name: str | None = None
    company: str | None = None
    agency: str | None = None
    email: str | None = None
    website: str | None = None
    phone: str | None = None
    linkedin_url: str | None = None
    asked_for: str | None = None  # what they asked, or the message they sent
    # answers to look-ups we cannot do offline
    domain_age_days: int | None = None
    linkedin_joined_months: int | None = None
    linkedin_verified: bool | None = None
    on_careers_page: bool | None = None
    callback_via_known_number: bool | None = None
    similar_sites_found: bool | None = None
    written_offer: bool | None = None

    def cleaned(self) -> RecruiterReport:
        """The same report with blank texts as None and contact details in NFKC form."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        for name, value in values.items():
            if isinstance(value, str):
                if name in _CONTACT_FIELDS and not value.isascii():
                    # a fullwidth "hr@acme-careers.com" is the address a mail client would use:
                    # the rules must see it as that, not miss it or fail on it.
                    value = unicodedata.normalize("NFKC", value)
                values[name] = value.strip() or None
        return RecruiterReport(**values)


_CONTACT_FIELDS = frozenset({"email", "website", "phone", "linkedin_url"})
