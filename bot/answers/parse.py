"""Read what a user typed in answer to a typed question (an ``ask`` step).

Every parser returns one of three outcomes, because the flow language answers them differently:

- :class:`Parsed`: the answer was read and is valid; ``value`` goes into the slot (JSON-compatible)
  and ``display`` is how the coach echoes it back.
- :class:`Unparsed`: the answer could not be read at all ("whenever" for a date); the step's
  ``unparsed`` message is shown.
- :class:`Invalid`: the answer was read but breaks a rule (a time in the past, a number out of
  bounds); the step's ``invalid`` message is shown with ``reason`` in its context.

Everything here is a pure function of its arguments (``now`` is passed in, never read from the
clock), so the engine's tests and transcript tests are deterministic.

Date-times
----------
A whole engine turn must stay under 30 us at p50, and ``dateparser`` costs about 1 ms a call (and
100 ms on its first call, to load its language data). So a small regular grammar reads the common
forms first, and ``dateparser`` (imported lazily, English only) only sees what the grammar does
not know:

- ``[day] [at] [time]`` and ``[time] [on] [day]``; a day is ``today``, ``tonight``, ``tomorrow``,
  ``day after tomorrow``, ``[next|this] <weekday>``, ``[<weekday>] 24 Nov [2026]``,
  ``Nov 24th [2026]`` or ``2026-11-24``; a time is ``6pm``, ``6:30 pm``, ``18:30``, ``18h30``,
  ``10h``, ``noon``, ``midnight``, ``morning`` (9:00), ``afternoon`` (15:00), ``evening`` (18:00),
  ``night`` (20:00) or a bare hour.
- ``in N minutes|hours|days|weeks`` (also ``in an hour``, ``in half an hour``,
  ``N hours from now``).

Choices made where people are vague (the coach books calls, so it reads hours as working hours):

- A bare hour 1-7 ("friday at 5", "at 7", "6:30") is pm; 8-11 is am on a named day; 12 is noon.
  Without a day, and with ``today``, 8-11 is the next of 8-11 am / pm that is still ahead.
  An hour written with a leading zero ("07:30") or "h" ("10h"), 13-23 or 0 is a 24-hour time.
- A time without a day is the next such time (today, else tomorrow). A weekday is the next such
  day, today included while the time is still ahead; ``next <weekday>`` is never today.
  A date without a year that has passed this year means next year.
- ``tonight`` alone is 20:00 and reads bare hours as pm; ``midnight`` ends the day it is on.
- A day without a time ("tomorrow", "24 Nov") is unparsed, with a reason asking for the time;
  so is a span ("next week", "the weekend"), asking for the day too.
- ``12/01`` is month/day in the US-style zones of the Americas and day/month elsewhere (the
  zone is the only locale hint every platform gives); when the other order is a date too, or the
  date is more than 60 days ahead, the answer is ``Parsed(..., confirm=True)`` and the turn asks
  the user to confirm the full date, with its year (:mod:`bot.dialog.confirm`).
- A wall time that a DST change skips (02:30 on a spring-forward day) moves forward by the gap.
- Answers are kept to the minute: seconds are dropped.

Timings (CPython 3.11.7 on the 2-core dev container, best of 5 ``timeit`` runs of 20 000 calls of
``parse_answer``; ``now`` in America/New_York):

=============================  ==========
``"tomorrow 18:30"``            ~9 us
``"Tue 18:30"``                 ~9.5 us
``"friday at 5"``               ~9.5 us
``"24 Nov 18:30"``              ~9.5 us
``"in 2 hours"``                ~7.5 us
``"at 7"``                      ~7.5 us
``"whenever"``                  ~1.8 us
``"tomorrow 6pm PST"`` (dp.)   ~0.4-0.5 ms (dateparser; its first call in a process ~150 ms)
=============================  ==========

Other kinds: ``text`` ~0.5 us, ``yesno`` ~1.3 us, ``choice`` ~2-3 us, ``number`` ~1.5-2.5 us,
``scale`` ~2.5 us, ``url`` ~3.5 us, ``email`` ~24 us and ``phone`` ~32 us (both library-bound).
Importing this module takes about 5 ms (half of it compiling the regular expressions):
``dateparser`` (~60 ms), ``phonenumbers`` and ``email_validator`` (~25 ms each) are imported on
first use.
"""

from __future__ import annotations

import math
import re
import unicodedata
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache, lru_cache
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from bot.flow.model import ASK_KINDS, ChoiceOption, Rule

__all__ = (
    "Invalid",
    "ParseOutcome",
    "Parsed",
    "Unparsed",
    "format_phone",
    "format_when",
    "match_choice",
    "parse_answer",
    "parse_time_zone",
)


@dataclass(frozen=True, slots=True)
class Parsed:
    """The answer was read and is valid."""

    value: object  # JSON-compatible: str, int, float or bool
    display: str  # how to echo it back to the user
    # True when the reading is a guess the user should confirm before it is used ("12/01": which
    # is the day?); ``display`` then says it in full, with the year.
    confirm: bool = False


@dataclass(frozen=True, slots=True)
class Unparsed:
    """The answer could not be read at all."""

    reason: str  # short, plain words, shown to the user


@dataclass(frozen=True, slots=True)
class Invalid:
    """The answer was read but breaks a rule."""

    reason: str  # short, plain words, shown to the user


ParseOutcome = Parsed | Unparsed | Invalid

DEFAULT_MAX_LENGTH = 500


def parse_answer(
    kind: str,
    text: str,
    *,
    rule: Rule,
    now: datetime,
    time_zone: str | None = None,
    choices: Sequence[ChoiceOption] = (),
) -> ParseOutcome:
    """Read ``text`` as an answer of ``kind`` (one of ``bot.flow.model.ASK_KINDS``)."""
    text = text.strip()
    if kind != "text" and not text.isascii():
        # Fullwidth "a@b.com", "18:30" or "yes" (an East Asian keyboard) mean their ASCII
        # twins; every typed kind reads the NFKC form. Free text is kept as typed.
        text = unicodedata.normalize("NFKC", text).strip()
    if kind == "datetime":
        return _parse_datetime(text, rule, now, time_zone)
    if kind == "choice":
        if rule.max is not None and rule.max > 1:
            return _parse_picks(text, choices, int(rule.max))
        return _parse_choice(text, choices)
    parser = _PARSERS.get(kind)
    if parser is None:
        raise ValueError(f"unknown ask kind {kind!r}; expected one of {', '.join(ASK_KINDS)}")
    return parser(text, rule)


# --- wording helpers ---------------------------------------------------------------------------


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _join_or(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} or {items[-1]}"


def _show_number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


# --- text --------------------------------------------------------------------------------------


def _parse_text(text: str, rule: Rule) -> ParseOutcome:
    if not text:
        return Unparsed("Please type an answer.")
    length = len(text)
    if rule.min_length is not None and length < rule.min_length:
        return Invalid(
            f"Please write at least {_plural(rule.min_length, 'character')} (that was {length})."
        )
    longest = DEFAULT_MAX_LENGTH if rule.max_length is None else rule.max_length
    if length > longest:
        return Invalid(f"Please keep it to {_plural(longest, 'character')} (that was {length}).")
    return _check_pattern(text, rule) or Parsed(text, text)


def _check_pattern(text: str, rule: Rule) -> Invalid | None:
    """A text ask's ``pattern``: the whole answer must match (case as written in the pattern)."""
    if rule.pattern is None or re.fullmatch(rule.pattern, text):
        return None
    return Invalid(rule.pattern_message or "That doesn't look right. Please check and try again.")


# --- choice and yes/no -------------------------------------------------------------------------

_NOT_WORD = re.compile(r"[^\w\s]+|_")
_OPTION_NUMBER = re.compile(r"(?:option |number )?(\d{1,3})")


def _fold(text: str) -> str:
    """Case-, whitespace- and punctuation-insensitive form: "I'm at work!" -> "im at work"."""
    text = text.casefold().replace("'", "").replace("\u2019", "")
    return " ".join(_NOT_WORD.sub(" ", text).split())


# Labels, ids and match words repeat on every turn: fold each once.
_fold_option_text = lru_cache(maxsize=4096)(_fold)


def match_choice(text: str, choices: Sequence[ChoiceOption]) -> ChoiceOption | None:
    """The option ``text`` names: its label, id or a ``match`` word, else its 1-based number."""
    key = _fold(text)
    if not key:
        return None
    # Labels and ids first, so an option labelled "2" wins over the second option.
    for option in choices:
        if key == _fold_option_text(option.label) or key == _fold_option_text(option.id):
            return option
    for option in choices:
        if any(key == _fold_option_text(word) for word in option.match):
            return option
    number = _OPTION_NUMBER.fullmatch(key)
    if number is not None and 1 <= int(number[1]) <= len(choices):
        return choices[int(number[1]) - 1]
    return None


def _parse_choice(text: str, choices: Sequence[ChoiceOption]) -> ParseOutcome:
    option = match_choice(text, choices)
    if option is None:
        labels = [option.label for option in choices]
        return Unparsed(f"Please pick one of: {_join_or(labels)} (or type its number).")
    return Parsed(option.id, option.label)


def _parse_picks(text: str, choices: Sequence[ChoiceOption], limit: int) -> ParseOutcome:
    """Up to ``limit`` options in one message ("1, 2 and 4"): the list of their ids."""
    from bot.answers.picks import read_picks

    single = match_choice(text, choices)
    picked = (
        [single] if single is not None else read_picks(_fold(text), choices, _fold_option_text)
    )
    if not picked:
        labels = [option.label for option in choices]
        return Unparsed(
            f"Please pick up to {limit} of: {_join_or(labels)} (or type their numbers, "
            "like “1, 3 and 4”)."
        )
    if len(picked) > limit:
        return Invalid(f"Please pick no more than {limit} (that was {len(picked)}).")
    return Parsed([o.id for o in picked], ", ".join(o.label for o in picked))


_YES = frozenset(
    {
        "yes", "y", "ye", "yeah", "yea", "yeh", "yep", "yup", "ya", "yah", "yass", "sure",
        "sure thing", "ok", "okay", "k", "kk", "okey", "of course", "definitely", "absolutely",
        "certainly", "please", "please do", "yes please", "go ahead", "do it", "why not",
        "sounds good", "correct", "right", "true", "affirmative", "indeed", "totally", "i do",
        "i am", "i would", "aye", "si", "ja", "oui", "no problem", "no worries", "alright",
        "all right", "fine",
    }
)  # fmt: skip
_NO = frozenset(
    {
        "no", "n", "nope", "nah", "naw", "no thanks", "no thank you", "nope thanks", "not really",
        "not now", "not yet", "never", "negative", "false", "no way", "nay", "not at all",
        "i dont", "i do not", "dont", "do not", "rather not", "id rather not", "not interested",
        "no sorry", "sorry no", "nein", "non",
    }
)  # fmt: skip
# Words that start a longer yes ("yes, call me") or no ("no, I'm busy") answer.
_YES_LEAD = frozenset({"yes", "y", "yeah", "yep", "yup", "sure", "ok", "okay", "absolutely"})
_NO_LEAD = frozenset({"no", "n", "nope", "nah", "not", "never"})


def _read_yesno(text: str) -> bool | None:
    if text in ("\N{THUMBS UP SIGN}", "\N{WHITE HEAVY CHECK MARK}"):
        return True
    if text == "\N{THUMBS DOWN SIGN}":
        return False
    key = _fold(text)
    if key in _YES:
        return True
    if key in _NO:
        return False
    words = key.split()
    if not words:
        return None
    # "yes, call me tomorrow" is a yes; "yes and no" is neither.
    if words[0] in _YES_LEAD and _NO_LEAD.isdisjoint(words[1:]):
        return True
    if words[0] in _NO_LEAD and _YES_LEAD.isdisjoint(words[1:]):
        return False
    return None


def _parse_yesno(text: str, rule: Rule) -> ParseOutcome:
    answer = _read_yesno(text)
    if answer is None:
        return Unparsed("Please answer yes or no.")
    return Parsed(answer, "Yes" if answer else "No")


# --- numbers and scales ------------------------------------------------------------------------

_NUMBER = re.compile(r"[+-]?(?:\d{1,15}(?:\.\d{0,15})?|\.\d{1,15})")
_THOUSANDS = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d{1,15})?")


def _read_number(text: str) -> int | float | None:
    """ "42", "3.5", "1,200", "-3" -> the number; anything else -> None."""
    if _THOUSANDS.fullmatch(text):
        text = text.replace(",", "")
    if not _NUMBER.fullmatch(text):
        return None
    if "." not in text:
        return int(text)
    value = float(text)
    if not math.isfinite(value):
        return None
    return int(value) if value.is_integer() else value


def _parse_number(text: str, rule: Rule) -> ParseOutcome:
    value = _read_number(text)
    if value is None:
        return Unparsed("Please type a number, like 42 or 3.5.")
    if rule.integer and isinstance(value, float):
        return Invalid("Please type a whole number.")
    low, high = rule.min, rule.max
    if (low is not None and value < low) or (high is not None and value > high):
        if low is not None and high is not None:
            bound = f"from {_show_number(low)} to {_show_number(high)}"
        elif low is not None:
            bound = f"of at least {_show_number(low)}"
        else:
            bound = f"of at most {_show_number(high or 0)}"
        return Invalid(f"Please pick a number {bound}.")
    return Parsed(value, str(value))


_NUMBER_WORDS = {
    word: index
    for index, word in enumerate(
        ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
    )
}
_SCALE = re.compile(
    r"(?P<n>[+-]?\d{1,6}(?:\.\d+)?|[a-z]+)(?:\s*(?:/|out of|of)\s*(?P<of>\d{1,6}))?"
)


def _parse_scale(text: str, rule: Rule) -> ParseOutcome:
    low = 1 if rule.min is None else int(rule.min)
    high = 5 if rule.max is None else int(rule.max)
    wanted = f"Please pick a whole number from {low} to {high}."
    match = _SCALE.fullmatch(" ".join(text.lower().rstrip(".!").split()))
    if match is None:
        return Unparsed(wanted)
    word = match["n"]
    value = _NUMBER_WORDS.get(word) if word.isalpha() else _read_number(word)
    if value is None:
        return Unparsed(wanted)
    if match["of"] is not None and int(match["of"]) != high:
        return Invalid(f"This scale goes from {low} to {high}. {wanted}")
    if isinstance(value, float) or not low <= value <= high:
        return Invalid(wanted)
    return Parsed(value, f"{value} out of {high}")


# --- phone, e-mail, url ------------------------------------------------------------------------

# Digits and the separators people type; an optional extension ("x12", "ext. 12").
_PHONE = re.compile(r"(?:tel:)?\+?[\d\s()./-]+(?:(?:ext\.?|x|#)\s*\d{1,6})?", re.IGNORECASE)
_PHONE_EXAMPLE = "+1 415 555 0100"


def _parse_phone(text: str, rule: Rule) -> ParseOutcome:
    if sum(char.isdigit() for char in text) < 6 or not _PHONE.fullmatch(text):
        return Unparsed(
            f"That doesn't look like a phone number. Please type it like {_PHONE_EXAMPLE}."
        )
    if text[:4].lower() == "tel:":
        text = text[4:].lstrip()
    region = rule.region.upper() if rule.region else None
    if region is None and text.startswith("00"):
        text = "+" + text[2:]  # the international call prefix most of the world dials
    if region is None and not text.startswith("+"):
        return Unparsed(
            "Please include the country code, like +44 20 7946 0958 or +1 415 555 0100."
        )
    import phonenumbers  # imported on first use: it takes ~20 ms

    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        return Invalid(
            "That doesn't look like a valid phone number. Please check the digits and the "
            "country code."
        )
    formats = phonenumbers.PhoneNumberFormat
    e164 = phonenumbers.format_number(number, formats.E164)
    display = phonenumbers.format_number(number, formats.INTERNATIONAL)
    _remember_display(e164, display)
    return Parsed(e164, display)


# E.164 -> display form of numbers parsed lately: templates format the number they were just
# given, and parsing it again costs as much as the rest of the turn.
_PHONE_DISPLAYS: dict[str, str] = {}
_PHONE_DISPLAYS_MAX = 1024


def _remember_display(e164: str, display: str) -> None:
    if len(_PHONE_DISPLAYS) >= _PHONE_DISPLAYS_MAX:
        _PHONE_DISPLAYS.clear()
    _PHONE_DISPLAYS[e164] = display


def format_phone(e164: str) -> str:
    """An E.164 number in international format for display: "+1 415-555-0100"."""
    known = _PHONE_DISPLAYS.get(e164)
    if known is not None:
        return known
    import phonenumbers

    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    display = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    _remember_display(e164, display)
    return display


def _parse_email(text: str, rule: Rule) -> ParseOutcome:
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


def _parse_url(text: str, rule: Rule) -> ParseOutcome:
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


_PARSERS: dict[str, Callable[[str, Rule], ParseOutcome]] = {
    "text": _parse_text,
    "yesno": _parse_yesno,
    "phone": _parse_phone,
    "email": _parse_email,
    "url": _parse_url,
    "number": _parse_number,
    "scale": _parse_scale,
}


# --- time zones --------------------------------------------------------------------------------

_ABBREVIATIONS = {
    "EST": "America/New_York", "EDT": "America/New_York", "ET": "America/New_York",
    "CST": "America/Chicago", "CDT": "America/Chicago", "CT": "America/Chicago",
    "MST": "America/Denver", "MDT": "America/Denver", "MT": "America/Denver",
    "PST": "America/Los_Angeles", "PDT": "America/Los_Angeles", "PT": "America/Los_Angeles",
    "AKST": "America/Anchorage", "HST": "Pacific/Honolulu",
    "GMT": "Europe/London", "BST": "Europe/London", "WET": "Europe/Lisbon",
    "CET": "Europe/Berlin", "CEST": "Europe/Berlin", "EET": "Europe/Athens",
    "IST": "Asia/Kolkata", "JST": "Asia/Tokyo", "KST": "Asia/Seoul", "SGT": "Asia/Singapore",
    "AEST": "Australia/Sydney", "AEDT": "Australia/Sydney", "NZST": "Pacific/Auckland",
    "UTC": "UTC", "Z": "UTC",
}  # fmt: skip
# Places whose zone is not named after them, and names people use for zones.
_PLACES = {
    "new york city": "America/New_York", "nyc": "America/New_York", "boston": "America/New_York",
    "washington": "America/New_York", "dc": "America/New_York", "miami": "America/New_York",
    "atlanta": "America/New_York", "philadelphia": "America/New_York",
    "eastern": "America/New_York", "us eastern": "America/New_York",
    "austin": "America/Chicago", "dallas": "America/Chicago", "houston": "America/Chicago",
    "central": "America/Chicago", "mountain": "America/Denver", "salt lake city": "America/Denver",
    "san francisco": "America/Los_Angeles", "sf": "America/Los_Angeles",
    "bay area": "America/Los_Angeles", "silicon valley": "America/Los_Angeles",
    "seattle": "America/Los_Angeles", "portland": "America/Los_Angeles",
    "san diego": "America/Los_Angeles", "las vegas": "America/Los_Angeles",
    "la": "America/Los_Angeles", "pacific": "America/Los_Angeles",
    "montreal": "America/Toronto", "ottawa": "America/Toronto",
    "munich": "Europe/Berlin", "frankfurt": "Europe/Berlin", "hamburg": "Europe/Berlin",
    "cologne": "Europe/Berlin", "germany": "Europe/Berlin", "central european": "Europe/Berlin",
    "manchester": "Europe/London", "edinburgh": "Europe/London", "uk": "Europe/London",
    "england": "Europe/London", "britain": "Europe/London", "greenwich mean": "Europe/London",
    "british summer": "Europe/London", "france": "Europe/Paris", "barcelona": "Europe/Madrid",
    "spain": "Europe/Madrid", "milan": "Europe/Rome", "italy": "Europe/Rome",
    "netherlands": "Europe/Amsterdam", "ireland": "Europe/Dublin", "geneva": "Europe/Zurich",
    "tel aviv": "Asia/Jerusalem", "israel": "Asia/Jerusalem", "dubai": "Asia/Dubai",
    "bangalore": "Asia/Kolkata", "bengaluru": "Asia/Kolkata", "mumbai": "Asia/Kolkata",
    "delhi": "Asia/Kolkata", "new delhi": "Asia/Kolkata", "hyderabad": "Asia/Kolkata",
    "chennai": "Asia/Kolkata", "pune": "Asia/Kolkata", "india": "Asia/Kolkata",
    "beijing": "Asia/Shanghai", "shenzhen": "Asia/Shanghai", "china": "Asia/Shanghai",
    "osaka": "Asia/Tokyo", "japan": "Asia/Tokyo", "korea": "Asia/Seoul",
    "canberra": "Australia/Sydney", "cape town": "Africa/Johannesburg",
}  # fmt: skip
# Zones with a half- or quarter-hour offset have no Etc/ zone: name the best-known place.
_ODD_OFFSETS = {
    (3, 30): "Asia/Tehran", (4, 30): "Asia/Kabul", (5, 30): "Asia/Kolkata",
    (5, 45): "Asia/Kathmandu", (6, 30): "Asia/Yangon", (9, 30): "Australia/Darwin",
    (10, 30): "Australia/Lord_Howe", (-3, 30): "America/St_Johns", (-9, 30): "Pacific/Marquesas",
}  # fmt: skip
_OFFSET = re.compile(r"(?:utc|gmt)?\s*(?P<sign>[+-])\s*(?P<h>\d{1,2})(?::?(?P<m>\d{2}))?")
_ZONE_SUFFIX = re.compile(
    r"\s+(?:standard\s+|daylight\s+|summer\s+)?time(?:\s*zone)?$|\s+timezone$"
)
# IANA areas of real places: preferred over legacy links ("US/Eastern", "Singapore").
_AREAS = frozenset(
    {"Africa", "America", "Antarctica", "Asia", "Atlantic", "Australia", "Europe", "Indian",
     "Pacific"}
)  # fmt: skip


def parse_time_zone(text: str) -> str | None:
    """Free text ("Europe/Berlin", "EST", "UTC-5", "new york", "lisbon") -> an IANA name."""
    key = " ".join(text.strip().lower().replace("_", " ").split()).removeprefix("in ")
    key = _ZONE_SUFFIX.sub("", key)
    if not key:
        return None
    offset = _OFFSET.fullmatch(key)
    if offset is not None:
        return _offset_zone(offset)
    found = _ABBREVIATIONS.get(key.upper()) or _PLACES.get(key)
    if found is None:
        names, cities = _zone_index()
        # "singapore" is the city (Asia/Singapore) before the legacy zone "Singapore".
        found = names.get(key) if "/" in key else cities.get(key) or names.get(key)
    if found is None and "," in key:  # "Berlin, Germany"
        return parse_time_zone(key.split(",", 1)[0])
    return found


def _offset_zone(match: re.Match[str]) -> str | None:
    hours, minutes = int(match["h"]), int(match["m"] or 0)
    sign = -1 if match["sign"] == "-" else 1
    if minutes:
        return _ODD_OFFSETS.get((sign * hours, minutes))
    if hours == 0:
        return "UTC"
    if hours > (14 if sign > 0 else 12):
        return None
    # POSIX-style Etc zones invert the sign: UTC+2 is "Etc/GMT-2".
    return f"Etc/GMT{'-' if sign > 0 else '+'}{hours}"


@cache
def _zone_index() -> tuple[dict[str, str], dict[str, str]]:
    """Lower-case IANA names, and city parts ("lisbon", "new york"), built once on first use."""
    names: dict[str, str] = {}
    cities: dict[str, str] = {}
    legacy: dict[str, str] = {}
    for name in sorted(available_timezones()):
        names[name.lower().replace("_", " ")] = name
        city = name.rsplit("/", 1)[-1].lower().replace("_", " ")
        target = cities if name.split("/", 1)[0] in _AREAS else legacy
        target.setdefault(city, name)
    return names, legacy | cities


@lru_cache(maxsize=256)
def _resolve_zone(name: str | None) -> tuple[str, ZoneInfo]:
    """An IANA name and its zone; a name that is not IANA is read as free text, else UTC."""
    if name:
        try:
            return name, ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            found = parse_time_zone(name)
            if found is not None:
                return found, ZoneInfo(found)
    return "UTC", ZoneInfo("UTC")


# --- formatting date-times ---------------------------------------------------------------------

_WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def _describe_day(day: date, now: datetime | None = None, *, year_always: bool = False) -> str:
    shown = year_always or (now is not None and day.year != now.year)
    year = f" {day.year}" if shown else ""
    return f"{_WEEKDAY_NAMES[day.weekday()]} {day.day} {_MONTH_NAMES[day.month - 1]}{year}"


def _describe(
    moment: datetime,
    zone_label: str | None,
    now: datetime | None = None,
    *,
    year_always: bool = False,
) -> str:
    """ "Tuesday 24 November, 6:30 pm" (a US zone) or "Tuesday 24 November, 18:30"; the year
    when it is not now's; ``zone_label`` in brackets when given ("UTC+01:00")."""
    day = _describe_day(moment, now, year_always=year_always)
    text = f"{day}, {_clock(moment)}"
    return f"{text} ({zone_label})" if zone_label else text


# Zones whose people read "12/01" as month/day and say "6:30 pm": the United States'.
_US_ZONES = frozenset(
    ["America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles",
     "America/Phoenix", "America/Anchorage", "America/Detroit", "America/Boise", "America/Juneau",
     "America/Sitka", "America/Nome", "America/Adak", "America/Menominee", "America/Metlakatla",
     "America/Yakutat", "Pacific/Honolulu", "EST5EDT", "CST6CDT", "MST7MDT", "PST8PDT"]
)  # fmt: skip
_US_AREAS = ("US/", "America/Indiana/", "America/Kentucky/", "America/North_Dakota/")


def _us_style(moment: datetime) -> bool:
    key = str(getattr(moment.tzinfo, "key", "") or "")
    return key in _US_ZONES or key.startswith(_US_AREAS)


def _clock(moment: datetime) -> str:
    """The time as people there say it: "6:30 pm" / "6 pm" in the US, "18:30" elsewhere."""
    if not _us_style(moment):
        return f"{moment.hour:02d}:{moment.minute:02d}"
    hour = moment.hour % 12 or 12
    half = "am" if moment.hour < 12 else "pm"
    return f"{hour}:{moment.minute:02d} {half}" if moment.minute else f"{hour} {half}"


def zone_name(time_zone: str) -> str:
    """A zone as people name it: "New York time", "UTC", "Berlin time"."""
    if time_zone.upper() in ("UTC", "ETC/UTC", "GMT", "ETC/GMT", "Z", "ZULU", "UCT", "ETC/UCT"):
        return "UTC"
    return time_zone.rsplit("/", 1)[-1].replace("_", " ") + " time"


def _offset_label(moment: datetime) -> str | None:
    offset = moment.utcoffset()
    if offset is None:
        return None
    minutes = int(offset.total_seconds()) // 60
    if minutes == 0:
        return "UTC"
    sign = "-" if minutes < 0 else "+"
    hours, minutes = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{minutes:02d}"


def format_when(
    iso: str, time_zone: str | None = None, *, now: datetime | None = None, named: bool = False
) -> str:
    """An ISO 8601 date-time as a person says it: "Tuesday 24 November, 6:30 pm".

    With ``time_zone`` (the user's) the time is shown in that zone (a naive time is taken to be
    in it) without naming it, since it is their own; ``named`` adds it ("6:30 pm, New York
    time") for a message where two zones may meet. Without a zone the time is shown in its own
    offset, named ("18:30 (UTC+01:00)"). With ``now`` the year is shown when it differs. Text
    that is not an ISO date-time is returned unchanged, so a template never fails on it.
    """
    try:
        moment = datetime.fromisoformat(iso)
    except (TypeError, ValueError):
        return str(iso)
    if time_zone:
        label, zone = _resolve_zone(time_zone)
        moment = moment.astimezone(zone) if moment.tzinfo else moment.replace(tzinfo=zone)
        text = _describe(moment, None, now and now.astimezone(zone))
        return f"{text}, {zone_name(label)}" if named else text
    return _describe(moment, _offset_label(moment), now)


# --- reading date-times ------------------------------------------------------------------------

_WEEKDAY_INDEX = {
    **{name.lower(): index for index, name in enumerate(_WEEKDAY_NAMES)},
    "mon": 0, "tue": 1, "tues": 1, "wed": 2, "weds": 2, "thu": 3, "thur": 3, "thurs": 3,
    "fri": 4, "sat": 5, "sun": 6,
}  # fmt: skip
_MONTH_INDEX = {
    **{name.lower(): index for index, name in enumerate(_MONTH_NAMES, 1)},
    **{name[:3].lower(): index for index, name in enumerate(_MONTH_NAMES, 1)},
    "sept": 9,
}
_TIME_OF_DAY = {"morning": 9, "afternoon": 15, "evening": 18, "night": 20}


def _alternatives(words: Sequence[str]) -> str:
    return "|".join(sorted(words, key=len, reverse=True))  # longest first: "tues" before "tue"


_WD = _alternatives(list(_WEEKDAY_INDEX))
_MO = _alternatives(list(_MONTH_INDEX))
_ORD = r"(?:st|nd|rd|th)?"
_YEAR = r"(?:\s+(?P<{}>\d{{4}})(?!\S))?"
_DAY = re.compile(
    rf"(?:(?:(?P<dwd>{_WD})\s+)?(?:(?P<d1>\d{{1,2}}){_ORD}\s+(?P<m1>{_MO}){_YEAR.format('y1')}"
    rf"|(?P<m2>{_MO})\s+(?P<d2>\d{{1,2}}){_ORD}{_YEAR.format('y2')})"
    r"|(?P<iy>\d{4})-(?P<im>\d{1,2})-(?P<id>\d{1,2})"
    r"|(?P<n1>\d{1,2})/(?P<n2>\d{1,2})(?:/(?P<ny>\d{4}|\d{2}))?"
    r"|(?P<rel>today|tonight|tomorrow|tomorow|tmrw|tmr|day after tomorrow)"
    rf"|(?:(?P<which>next|this)\s+)?(?P<wd>{_WD}))"
    r"(?!\w)"
)
_TIME = re.compile(
    r"(?:(?:this\s+)?(?P<word>noon|midday|midnight|morning|afternoon|evening|night)"
    r"|(?P<h>\d{1,2})(?:(?P<sep>[:.h])(?P<m>\d{2})?)?\s*(?P<ap>am|pm|a|p)?)(?!\w)"
)
_UNITS = {"m": 1, "min": 1, "minute": 1, "h": 60, "hr": 60, "hour": 60, "d": 1440, "day": 1440,
          "w": 10080, "week": 10080}  # fmt: skip
_IN = re.compile(
    r"(?:in\s+)?(?P<n>\d{1,4}|an?|one|two|three|four|five|six|seven|eight|nine|ten|half\s+an?)"
    r"\s*(?P<unit>minutes?|mins?|m|hours?|hrs?|h|days?|d|weeks?|w)(?P<ago>\s+from\s+now)?"
)
# Normalising: "6 p.m." -> "6 pm"; filler words, punctuation and the ISO "T" -> spaces.
_AM_PM = re.compile(r"(?<=[\d\s])([ap])\.\s?m\.?")
_FILLER = re.compile(r"\b(?:at|on|around|about|by|the|of|o'?clock)\b|@|[,;!?]|(?<=\d)t(?=\d)")
_DIGIT = re.compile(r"\d")
_WORD = re.compile(r"[a-z]+")
# Without a digit or one of these words, an answer cannot be a date-time: don't ask dateparser.
_DATE_WORDS = frozenset(
    [*_WEEKDAY_INDEX, *_MONTH_INDEX, *_TIME_OF_DAY, "today", "tonight", "tomorrow", "tomorow",
     "tmrw", "tmr", "yesterday", "noon", "midday", "midnight", "now", "am", "pm", "minute",
     "minutes", "min", "mins", "hour", "hours", "hr", "hrs", "day", "days", "week", "weeks",
     "weekend", "month", "months", "year", "fortnight", "half", "quarter", "past"]
)  # fmt: skip
_UNREADABLE_WHEN = (
    'I couldn\'t read that as a date and time. Try something like "tomorrow 18:30", '
    '"Tue 6pm" or "in 2 hours".'
)


def _parse_datetime(text: str, rule: Rule, now: datetime, time_zone: str | None) -> ParseOutcome:
    _, zone = _resolve_zone(time_zone)
    now_local = (now if now.tzinfo else now.replace(tzinfo=UTC)).astimezone(zone)
    phrase = _normalise_when(text)
    if not phrase or (not _DIGIT.search(phrase) and _DATE_WORDS.isdisjoint(_WORD.findall(phrase))):
        return Unparsed(_UNREADABLE_WHEN)
    found = _fast_datetime(phrase, now_local)
    if found is None:
        vague = _VAGUE_SPAN.search(phrase)
        if vague is not None:  # dateparser reads "next week" as this time in 7 days: a guess
            return Unparsed(f'Which day {vague.group(0)}, and what time? For example "Tue 18:30".')
        found = _slow_datetime(text, now_local)
    if found is None:
        return Unparsed(_UNREADABLE_WHEN)
    if not isinstance(found, datetime):
        return found
    if rule.future and found <= now_local:
        return Invalid(
            f"That time has already passed (it was {_describe(found, None, now_local)}). "
            "Pick a time from now on."
        )
    if _needs_confirming(phrase, found, now_local):
        return Parsed(found.isoformat(), _describe(found, None, now_local, year_always=True), True)
    return Parsed(found.isoformat(), _describe(found, None, now_local))


# "next week", "next month", "the weekend": a span, not a day; the user is asked which day.
_VAGUE_SPAN = re.compile(r"\b(?:next|this|coming)\s+(?:week|month)\b|\b(?:week)?end\b|\bweekend\b")
_NUMERIC_DAY = re.compile(r"(?<![\d/])(\d{1,2})/(\d{1,2})(?!\d)")
# A date further out than this is more often a misreading (a wrong year, a day and month swapped)
# than a real plan for a recruiter's call: it is confirmed.
_FAR_AHEAD = timedelta(days=60)


def _needs_confirming(phrase: str, found: datetime, now: datetime) -> bool:
    """Whether a reading is a guess: "12/01" (both orders are dates), or far ahead."""
    if found - now > _FAR_AHEAD:
        return True
    numeric = _NUMERIC_DAY.search(phrase)
    if numeric is None:
        return False
    first, second = int(numeric[1]), int(numeric[2])
    return first != second and first <= 12 and second <= 12


def _month_first(now: datetime) -> bool:
    """Whether "12/01" is month/day where the user is: in the United States' zones (the zone is
    the only locale hint every platform gives)."""
    return _us_style(now)


def _normalise_when(text: str) -> str:
    phrase = text.lower()
    if ".m" in phrase:
        phrase = _AM_PM.sub(r"\1m", phrase)
    return " ".join(_FILLER.sub(" ", phrase).split()).rstrip(".")


def _fast_datetime(phrase: str, now: datetime) -> datetime | ParseOutcome | None:
    """The grammar in the module docstring; None when the phrase is not in it."""
    span = _IN.fullmatch(phrase)
    if span is not None and (moment := _after(span, now)) is not None:
        return moment
    day_match = _DAY.match(phrase)
    if day_match is not None:
        rest = phrase[day_match.end() :].lstrip()
        time_match = _TIME.fullmatch(rest) if rest else None
        if rest and time_match is None:
            return None
    else:
        time_match = _TIME.match(phrase)
        if time_match is None:
            return None
        rest = phrase[time_match.end() :].lstrip()
        day_match = _DAY.fullmatch(rest) if rest else None
        if rest and day_match is None:
            return None
    return _combine(day_match, time_match, now)


def _after(match: re.Match[str], now: datetime) -> datetime | None:
    """ "in 2 hours", "in 30 minutes", "3 days from now"."""
    if not match.group(0).startswith("in") and match["ago"] is None:
        return None  # "2 hours" alone is a duration, not a time
    count_text = match["n"]
    unit = _UNITS[match["unit"].rstrip("s")]
    if count_text.startswith("half"):
        minutes = unit // 2
    else:
        count = _NUMBER_WORDS.get(count_text, 1) if count_text.isalpha() else int(count_text)
        minutes = count * unit
    start = now.replace(second=0, microsecond=0)
    if unit < 1440 or minutes % 1440:  # real time (across a DST change too)
        return (start.astimezone(UTC) + timedelta(minutes=minutes)).astimezone(now.tzinfo)
    return _at(start.date() + timedelta(minutes=minutes), start.hour, start.minute, now)


def _at(day: date, hour: int, minute: int, now: datetime) -> datetime:
    """Wall time ``hour:minute`` on ``day`` in now's zone; hour 24 is the next midnight."""
    extra, hour = divmod(hour, 24)
    local = datetime.combine(day + timedelta(days=extra), time(hour, minute), now.tzinfo)
    # The UTC round trip moves a wall time that a DST change skips to a real one.
    return local.astimezone(UTC).astimezone(now.tzinfo)


def _combine(
    day_match: re.Match[str] | None, time_match: re.Match[str] | None, now: datetime
) -> datetime | ParseOutcome | None:
    today = now.date()
    day = (
        _read_day(day_match, today, _month_first(now))
        if day_match is not None
        else (today, "none")
    )
    if not isinstance(day, tuple):
        return day
    when, mode = day
    if time_match is None:
        if mode != "tonight":
            return Unparsed(
                f'What time on {_describe_day(when, now)}? For example "tomorrow 18:30".'
            )
        return _at(when, 20, 0, now)
    read = _read_time(time_match, evening=mode == "tonight")
    if read is None:  # "25:00": the grammar knows the form, so dateparser would only guess
        return Unparsed(_UNREADABLE_WHEN)
    hours, minute = read
    if mode == "none" and time_match["word"] in _TIME_OF_DAY:
        mode = "today"  # "this evening" is today's, even when it has passed
    return _pick(when, mode, hours, minute, now)


def _pick(when: date, mode: str, hours: tuple[int, ...], minute: int, now: datetime) -> datetime:
    """The first candidate hour that is still ahead, or the rule for the kind of day."""
    if mode in ("none", "today", "tonight"):
        for hour in hours:
            moment = _at(when, hour, minute, now)
            if moment > now:
                return moment
        if mode == "none":  # a time without a day: the next one, tomorrow
            return _at(when + timedelta(days=1), hours[0], minute, now)
    moment = _at(when, hours[0], minute, now)
    if mode == "weekday" and moment <= now:
        moment = _at(when + timedelta(days=7), hours[0], minute, now)
    return moment


def _read_day(
    match: re.Match[str], today: date, month_first: bool = False
) -> tuple[date, str] | ParseOutcome:
    """The date a day phrase names, and how to treat a time on it that has passed."""
    if match["rel"] is not None:
        rel = match["rel"]
        if rel in ("today", "tonight"):
            return today, rel
        return today + timedelta(days=2 if rel.startswith("day") else 1), "fixed"
    if match["wd"] is not None:
        ahead = (_WEEKDAY_INDEX[match["wd"]] - today.weekday()) % 7
        if match["which"] == "next" and ahead == 0:
            ahead = 7
        return today + timedelta(days=ahead), "weekday"
    return _read_date(match, today, month_first)


def _read_date(
    match: re.Match[str], today: date, month_first: bool = False
) -> tuple[date, str] | ParseOutcome:
    if match["iy"] is not None:
        year, month, day = int(match["iy"]), int(match["im"]), int(match["id"])
        year_given = True
    elif match["n1"] is not None:
        first, second = int(match["n1"]), int(match["n2"])
        # the locale's order, unless only the other one is a date ("25/12", "12/25")
        if (month_first and first <= 12) or second > 12:
            month, day = first, second
        else:
            day, month = first, second
        year_text = match["ny"]
        year_given = year_text is not None
        year = (
            (2000 + int(year_text) if len(year_text) == 2 else int(year_text))
            if year_text
            else today.year
        )
    else:
        month = _MONTH_INDEX[match["m1"] or match["m2"]]
        day = int(match["d1"] or match["d2"])
        year_text = match["y1"] or match["y2"]
        year_given = year_text is not None
        year = int(year_text) if year_text else today.year
    try:
        found = date(year, month, day)
        if not year_given and found < today:  # "24 Nov" in December is next year's
            found = date(year + 1, month, day)
    except ValueError:
        if 1 <= month <= 12:
            return Invalid(f"There is no {day} {_MONTH_NAMES[month - 1]}. Which day did you mean?")
        return Invalid("That date does not exist. Which day did you mean?")
    weekday = match["dwd"]
    if weekday is not None and _WEEKDAY_INDEX[weekday] != found.weekday():
        return Invalid(
            f"{found.day} {_MONTH_NAMES[found.month - 1]} {found.year} is a "
            f"{_WEEKDAY_NAMES[found.weekday()]}, not a {_WEEKDAY_NAMES[_WEEKDAY_INDEX[weekday]]}."
        )
    return found, "fixed"


def _read_time(match: re.Match[str], *, evening: bool) -> tuple[tuple[int, ...], int] | None:
    """Candidate hours (best first) and the minute; None for an impossible time."""
    word = match["word"]
    if word is not None:
        if word in ("noon", "midday"):
            return (12,), 0
        return ((24,), 0) if word == "midnight" else ((_TIME_OF_DAY[word],), 0)
    hour_text, minute_text, am_pm = match["h"], match["m"], match["ap"]
    hour, minute = int(hour_text), int(minute_text or 0)
    if hour > 23 or minute > 59:
        return None
    if am_pm is not None:
        if not 1 <= hour <= 12:
            return None
        return ((hour % 12) + (12 if am_pm[0] == "p" else 0),), minute
    if hour == 0 or hour > 12 or hour_text.startswith("0") or match["sep"] == "h":
        return (hour,), minute  # a 24-hour time: "0:30", "18:30", "07:30", "10h"
    if evening:
        return (hour + 12,), minute
    if hour <= 7:
        return (hour + 12,), minute  # working hours: "at 5" is 17:00
    return ((12,), minute) if hour == 12 else ((hour, hour + 12), minute)


def _slow_datetime(text: str, now: datetime) -> datetime | None:
    """Ask dateparser (about 1 ms) about a phrase the grammar does not know."""
    with warnings.catch_warnings():
        # dateparser and its dependencies emit DeprecationWarnings on newer Pythons.
        warnings.simplefilter("ignore", DeprecationWarning)
        import dateparser  # imported here: it takes ~60 ms to import and ~100 ms to warm up

        found = dateparser.parse(
            text,
            languages=["en"],
            settings={
                "PREFER_DATES_FROM": "future",
                "RELATIVE_BASE": now.replace(second=0, microsecond=0, tzinfo=None),
            },
        )
    if not isinstance(found, datetime):
        return None
    zone = now.tzinfo
    if found.tzinfo is None:  # a naive result is a wall time in the user's zone
        return found.replace(tzinfo=zone).astimezone(UTC).astimezone(zone)
    return found.astimezone(zone)
