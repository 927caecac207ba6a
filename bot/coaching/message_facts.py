"""The facts in a message a recruiter sent: e-mail addresses, links, phone numbers, what they ask.

Someone pastes a message ("Hi! Reach me at hr.team@gmail.com or +1 900 555 0199, the training
fee is $50...") and the coach checks it. :func:`extract` pulls out what the legitimacy check
looks at; :func:`check_inputs` turns that into the ``check_legitimacy`` action's inputs. Nothing
here logs or stores the text.

Pure and bounded: a 50 KB paste is cut to :data:`MAX_TEXT` characters first, and each kind of
fact keeps at most :data:`MAX_EACH` items.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = (
    "ASKS",
    "MAX_EACH",
    "MAX_TEXT",
    "MIN_WORDS",
    "MessageFacts",
    "check_inputs",
    "extract",
    "looks_like_message",
)

MAX_TEXT = 5000  # a recruiter's message is shorter; more only slows the scan
MAX_EACH = 10
# Fewer words, with no address, link, number or request in them, is no message to check ("not
# sure", "hmm"): a "low risk" answer to it would reassure about nothing.
MIN_WORDS = 6
PHONE_REGIONS = ("US", "GB")  # numbers without a country code are read as these

_EMAIL = re.compile(
    r"(?<![\w.+-])[A-Za-z0-9][\w.+-]{0,63}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+"
    r"[A-Za-z]{2,24}(?![\w-])"
)
_LINK = re.compile(
    r"(?i)(?<![\w@.-])(?:https?://[^\s<>\"'()\[\]]+|www\.[^\s<>\"'()\[\]]+"
    r"|(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:com|net|org|io|co|info|biz|xyz|top|us|uk|"
    r"site|online|app|dev|jobs|careers|work)(?:/[^\s<>\"'()\[\]]*)?)(?![\w@-])"
)
_TRAILING = ".,;:!?*_>»\u201d\u2019\"'"

# What a message asks for, in the words the scam flow uses for its red flags (its choice ids).
ASKS: dict[str, tuple[str, str]] = {
    "money": (
        "money or a fee",
        r"\b(?:pay|payment|fee|fees|deposit|purchase|buy|gift ?cards?|wire|transfer|crypto"
        r"|bitcoin|zelle|venmo|cash ?app|western union)\b",
    ),
    "data": (
        "ID, bank or SSN details",
        r"\b(?:ssn|social security|bank (?:details|account|info)|account number|routing number"
        r"|passport|driver'?s licen[cs]e|id card|copy of your id|date of birth|credit card)\b",
    ),
    "codes": (
        "a password or a code",
        r"\b(?:password|passcode|verification code|one[- ]time code|otp|2fa|the code)\b",
    ),
    "software": (
        "installing or running something",
        r"\b(?:install|download|run (?:the|this|our)|clone|npm|pip install|\.exe|\.apk"
        r"|remote access|anydesk|teamviewer)\b",
    ),
    "chat": (
        "moving to a chat app",
        r"\b(?:whatsapp|telegram|signal app|wechat|google chat|hangouts|text me|text only)\b",
    ),
    "offer": (
        "an offer without an interview",
        r"\b(?:you(?:'re| are) hired|no interview|without (?:an )?interview|offer letter"
        r"|you have been selected)\b",
    ),
}
_ASK_PATTERNS = {kind: re.compile(pattern, re.I) for kind, (_, pattern) in ASKS.items()}


@dataclass(frozen=True, slots=True)
class MessageFacts:
    """What a pasted message shows; every tuple is in order of appearance, without repeats."""

    emails: tuple[str, ...] = ()
    links: tuple[str, ...] = ()  # web addresses, not the domains of the e-mail addresses
    phones: tuple[str, ...] = ()  # as written in the message
    asks: tuple[str, ...] = ()  # keys of ASKS

    @property
    def ask_words(self) -> tuple[str, ...]:
        """What they ask for, in plain words."""
        return tuple(ASKS[kind][0] for kind in self.asks)

    @property
    def empty(self) -> bool:
        return not (self.emails or self.links or self.phones or self.asks)


def extract(text: str) -> MessageFacts:
    """The facts in ``text`` (any string: lone surrogates, 50 KB, emoji are all fine)."""
    text = _clean(text)
    emails = _unique(m.group(0).rstrip(_TRAILING) for m in _EMAIL.finditer(text))
    without_emails = _EMAIL.sub(" ", text)
    links = _unique(m.group(0).rstrip(_TRAILING) for m in _LINK.finditer(without_emails))
    phones = _phones(_LINK.sub(" ", without_emails))
    asks = tuple(kind for kind, pattern in _ASK_PATTERNS.items() if pattern.search(text))
    return MessageFacts(emails=emails, links=links, phones=phones, asks=asks)


def looks_like_message(text: str, facts: MessageFacts | None = None) -> bool:
    """Whether ``text`` is worth checking as a recruiter's message."""
    facts = facts if facts is not None else extract(text)
    return not facts.empty or len(_clean(text).split()) >= MIN_WORDS


def check_inputs(text: str, facts: MessageFacts | None = None) -> dict[str, str]:
    """The ``check_legitimacy`` inputs for a pasted message: the first address, link and number
    it gives, and the whole text as what they asked for."""
    facts = facts if facts is not None else extract(text)
    inputs = {"asked_for": _clean(text)}
    if facts.emails:
        inputs["email"] = facts.emails[0]
    if facts.links:
        inputs["website"] = facts.links[0]
    if facts.phones:
        inputs["phone"] = facts.phones[0]
    return inputs


def _clean(text: str) -> str:
    # lone surrogates (from a broken paste) cannot be encoded later: replace them
    return text[:MAX_TEXT].encode("utf-8", "replace").decode("utf-8")


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for item in items:
        if item and item.casefold() not in (s.casefold() for s in seen):
            seen[item] = None
        if len(seen) >= MAX_EACH:
            break
    return tuple(seen)


def _phones(text: str) -> tuple[str, ...]:
    import phonenumbers  # ~20 ms: only when a message is checked

    found: list[str] = []
    for region in PHONE_REGIONS:
        for match in phonenumbers.PhoneNumberMatcher(
            text, region, leniency=phonenumbers.Leniency.VALID
        ):
            found.append(match.raw_string.strip())
    digits: dict[str, str] = {}
    for number in found:
        digits.setdefault(re.sub(r"\D", "", number)[-10:], number)
    return tuple(list(digits.values())[:MAX_EACH])
