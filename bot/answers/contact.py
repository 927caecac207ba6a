"""Reading contact details: a phone number, an e-mail address, a web link.

A phone number needs its country code unless the ask sets a ``region``; it is kept in E.164
("+14155550100") and echoed in international format (:func:`bot.render.formats.format_phone`).
An e-mail address is checked for syntax only (no network I/O inside a turn). A link must be a
web link (http or https); "example.com/jobs" is read as https. ``phonenumbers`` and
``email_validator`` are imported on first use, because importing them is slow.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from bot.answers.outcomes import Invalid, Parsed, ParseOutcome, Unparsed
from bot.flow.model import Rule
from bot.render.formats import remember_phone_display

__all__ = ("parse_email", "parse_phone", "parse_url")


# Digits and the separators people type; an optional extension ("x12", "ext. 12").
_PHONE = re.compile(r"(?:tel:)?\+?[\d\s()./-]+(?:(?:ext\.?|x|#)\s*\d{1,6})?", re.IGNORECASE)
_PHONE_EXAMPLE = "+1 415 555 0100"
_NO_COUNTRY_CODE = Unparsed(
    "Please include the country code, like +44 20 7946 0958 or +1 415 555 0100."
)


def parse_phone(text: str, rule: Rule, *, default_region: str | None = None) -> ParseOutcome:
    """A phone number; without a country code, read in ``rule.region``, or else in
    ``default_region`` (the country of the user's time zone) when it is written the way that
    country writes its own numbers: "07911 123456" in London, "(415) 555-0100" in New York."""
    if sum(char.isdigit() for char in text) < 6 or not _PHONE.fullmatch(text):
        return Unparsed(
            f"That doesn't look like a phone number. Please type it like {_PHONE_EXAMPLE}."
        )
    if text[:4].lower() == "tel:":
        text = text[4:].lstrip()
    region = rule.region.upper() if rule.region else None
    if region is None and text.startswith("00"):
        text = "+" + text[2:]  # the international call prefix most of the world dials
    import phonenumbers  # imported on first use: it takes ~20 ms

    home = None
    if region is None and not text.startswith("+"):
        region = home = _home_region(text, default_region)
        if home is None:
            return _NO_COUNTRY_CODE
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        if home is not None:  # not a number of their own country: ask for its code
            return _NO_COUNTRY_CODE
        return Invalid(
            "That doesn't look like a valid phone number. Please check the digits and the "
            "country code."
        )
    formats = phonenumbers.PhoneNumberFormat
    e164 = phonenumbers.format_number(number, formats.E164)
    display = phonenumbers.format_number(number, formats.INTERNATIONAL)
    remember_phone_display(e164, display)
    return Parsed(e164, display)


def _home_region(text: str, region: str | None) -> str | None:
    """``region`` when ``text`` is written as a national number there: with the trunk prefix 0
    most countries dial, or in the North American plan (which has none). Otherwise None: "415
    555 0100" typed in Berlin is a US number without its +1, not the German 04155 550100."""
    import phonenumbers

    if region is None:
        return None
    if text.lstrip("( ").startswith("0") or phonenumbers.country_code_for_region(region) == 1:
        return region
    return None


def parse_email(text: str, rule: Rule) -> ParseOutcome:
    address = text.strip("<> ").removeprefix("mailto:")
    if "@" not in address:
        return Unparsed(
            "That doesn't look like an e-mail address. Please type it like name@example.com."
        )
    from email_validator import EmailNotValidError, validate_email  # ~25 ms: on first use

    try:
        # Syntax only: checking the domain would mean network I/O inside a turn.
        result = validate_email(address, check_deliverability=False)
    except EmailNotValidError as error:
        detail = str(error).replace("@-sign", "@").replace("email address", "address")
        return Invalid(f"That e-mail address doesn't look right. {detail}")
    return Parsed(result.normalized, result.normalized)


_HAS_SCHEME = re.compile(r"[a-z][a-z0-9+.-]*://", re.IGNORECASE)
_OTHER_SCHEME = re.compile(r"(?:mailto|tel|sms|ftp|file|javascript|data):", re.IGNORECASE)
_HOST = re.compile(r"(?:[\w-]+\.)+[\w-]{2,}")
_URL_EXAMPLE = "Please send the link, like https://example.com/jobs/123."


def parse_url(text: str, rule: Rule) -> ParseOutcome:
    text = text.rstrip(".,;!?").strip("<>")  # a link at the end of a sentence, or in <>
    if not text or any(char.isspace() for char in text):
        return Unparsed(_URL_EXAMPLE)
    if _OTHER_SCHEME.match(text):
        return Invalid("Only web links (http:// or https://) work here.")
    url = text if _HAS_SCHEME.match(text) else f"https://{text}"
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        return Unparsed(_URL_EXAMPLE)
    if parts.scheme.lower() not in ("http", "https"):
        return Invalid("Only web links (http:// or https://) work here.")
    if not _HOST.fullmatch(host):
        return Unparsed(f"That doesn't look like a web address. {_URL_EXAMPLE}")
    return Parsed(url, url)
