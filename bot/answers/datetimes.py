"""Reading a date-time answer ("tomorrow 18:30", "Tue 6pm", "in 2 hours") in the user's zone.

A turn must stay fast, and ``dateparser`` costs far more than a whole turn (and much more on its
first call, to load its language data). So a small regular grammar
(:mod:`bot.answers.datetime_grammar`) reads the common forms first, and ``dateparser`` (imported
on first use, English only) only sees what the grammar does not know:

- ``[day] [at] [time]`` and ``[time] [on] [day]`` ("at 9 on Dec 1": with "on", the time comes
  first); a day is ``today``, ``tonight``, ``tomorrow``, ``day after tomorrow``,
  ``[next|this] <weekday>``, ``[<weekday>] 24 Nov [2026]``, ``Nov 24th [2026]``, ``2026-11-24``,
  ``12/01[/2026]`` or ``1.12.[2026]`` (dots: always day first); a time is ``6pm``, ``6:30 pm``,
  ``18:30``, ``18.30``, ``18h30``, ``18.30h``, ``10h``, ``21 h``, ``1830``, ``18 00``, ``noon``,
  ``midnight``, ``morning`` (9:00), ``afternoon`` (15:00), ``evening`` (18:00), ``night``
  (20:00) or a bare hour.
- ``in N minutes|hours|days|weeks`` (also ``in an hour``, ``in half an hour``, ``in 2h30``,
  ``in 1 hour 30``, ``N hours from now``).

What the grammar does not know goes to ``dateparser``, whose reading is a guess: it is always
confirmed with the full date, and refused when dateparser found no time in it (it fills in the
current time: "tomorrow after 5" was tomorrow at this minute, "in 30" the 30th at midnight).

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

How long each form takes to read is in docs/benchmarks.md.
"""

from __future__ import annotations

import re
import warnings
from datetime import UTC, date, datetime, timedelta

from bot.answers.datetime_grammar import (
    DAY,
    IN,
    MONTH_INDEX,
    TIME,
    TIME_OF_DAY,
    UNREADABLE_WHEN,
    WEEKDAY_INDEX,
    after,
    combine,
    named_day,
)
from bot.answers.outcomes import Invalid, Parsed, ParseOutcome, Unparsed
from bot.answers.zones import resolve_zone
from bot.flow.model import Rule
from bot.render.formats import describe

__all__ = ("needs_confirming", "parse_datetime", "read_day_or_time")


# Normalising: "6 p.m." -> "6 pm"; filler words, punctuation and the ISO "T" -> spaces.
_AM_PM = re.compile(r"(?<=[\d\s])([ap])\.\s?m\.?")
_FILLER = re.compile(r"\b(?:at|on|around|about|by|the|of|o'?clock)\b|@|[,;!?]|(?<=\d)t(?=\d)")
_DIGIT = re.compile(r"\d")
_WORD = re.compile(r"[a-z]+")
# Without a digit or one of these words, an answer cannot be a date-time: don't ask dateparser.
_DATE_WORDS = frozenset(
    [*WEEKDAY_INDEX, *MONTH_INDEX, *TIME_OF_DAY, "today", "tonight", "tomorrow", "tomorow",
     "tmrw", "tmr", "yesterday", "noon", "midday", "midnight", "now", "am", "pm", "minute",
     "minutes", "min", "mins", "hour", "hours", "hr", "hrs", "day", "days", "week", "weeks",
     "weekend", "month", "months", "year", "fortnight", "half", "quarter", "past"]
)  # fmt: skip
_UNREADABLE = Unparsed(UNREADABLE_WHEN)  # immutable: one for every unreadable answer
_NO_TIME_READ = Unparsed(
    "I couldn't tell the time from that. Please give the day and the time, like \"tomorrow "
    '18:30" or "Tue 6pm".'
)


def parse_datetime(text: str, rule: Rule, now: datetime, time_zone: str | None) -> ParseOutcome:
    if _no_date_at_a_glance(text):
        return _UNREADABLE  # ("whenever"): known before normalising or the user's clock
    phrase = _normalise_when(text)
    if not phrase or (not _DIGIT.search(phrase) and _DATE_WORDS.isdisjoint(_WORD.findall(phrase))):
        return _UNREADABLE
    _, zone = resolve_zone(time_zone)
    now_local = (now if now.tzinfo else now.replace(tzinfo=UTC)).astimezone(zone)
    found = _fast_datetime(phrase, now_local, time_first=bool(_TIME_ON_DAY.match(text.lower())))
    if found is None:
        vague = _VAGUE_SPAN.search(phrase)
        if vague is not None:  # dateparser reads "next week" as this time in 7 days: a guess
            return Unparsed(f'Which day {vague.group(0)}, and what time? For example "Tue 18:30".')
        found = _slow_datetime(text, now_local)
        guessed = True
    else:
        guessed = False
    if found is None:
        return _UNREADABLE
    if not isinstance(found, datetime):
        return found
    if rule.future and found <= now_local:
        return Invalid(
            f"That time has already passed (it was {describe(found, None, now_local)}). "
            "Pick a time from now on."
        )
    if guessed or needs_confirming(phrase, found, now_local):
        return Parsed(found.isoformat(), describe(found, None, now_local, year_always=True), True)
    return Parsed(found.isoformat(), describe(found, None, now_local))


def read_day_or_time(text: str, now: datetime, time_zone: str | None) -> datetime | date | None:
    """The call someone means by the day or time they typed, to find it among their calls:
    "Tuesday 12:30" is that moment, "on Thursday", "tomorrow" or "tonight" that day, in their
    zone. Only the grammar's forms: dateparser's reading is a guess, and a guess must not pick
    which call to cancel (None: ask them)."""
    if _no_date_at_a_glance(text):
        return None
    phrase = _normalise_when(text)
    if not phrase:
        return None
    _, zone = resolve_zone(time_zone)
    now_local = (now if now.tzinfo else now.replace(tzinfo=UTC)).astimezone(zone)
    day = DAY.fullmatch(phrase)
    if day is not None:
        return named_day(day, now_local)
    found = _fast_datetime(phrase, now_local, time_first=bool(_TIME_ON_DAY.match(text.lower())))
    return found if isinstance(found, datetime) else None


# "next week", "next month", "the weekend": a span, not a day; the user is asked which day.
_VAGUE_SPAN = re.compile(r"\b(?:next|this|coming)\s+(?:week|month)\b|\b(?:week)?end\b|\bweekend\b")
_NUMERIC_DAY = re.compile(r"(?<![\d/])(\d{1,2})/(\d{1,2})(?!\d)")
# A date further out than this is more often a misreading (a wrong year, a day and month swapped)
# than a real plan for a recruiter's call: it is confirmed.
_FAR_AHEAD = timedelta(days=60)


def needs_confirming(phrase: str, found: datetime, now: datetime) -> bool:
    """Whether a reading is a guess: "12/01" (both orders are dates), or far ahead."""
    if found - now > _FAR_AHEAD:
        return True
    numeric = _NUMERIC_DAY.search(phrase)
    if numeric is None:
        return False
    first, second = int(numeric[1]), int(numeric[2])
    return first != second and first <= 12 and second <= 12


def _no_date_at_a_glance(text: str) -> bool:
    """True when ``text`` has no digit and no date word: then neither has its normalised phrase,
    which is refused. Normalising only removes characters and whole words (the filler words are
    matched between word boundaries) and joins no letters, except "p.m." into "pm"."""
    lowered = text.lower()
    if ".m" in lowered or _DIGIT.search(lowered):
        return False
    return _DATE_WORDS.isdisjoint(_WORD.findall(lowered))


def _normalise_when(text: str) -> str:
    phrase = text.lower()
    if ".m" in phrase:
        phrase = _AM_PM.sub(r"\1m", phrase)
    return " ".join(_FILLER.sub(" ", phrase).split()).rstrip(".")


# "at 9 on Dec 1", "10 on Dec 1": "on" says the day comes after the time, which the filler
# words' removal forgets ("9 dec 1" would read as 9 December at 1 pm).
_TIME_ON_DAY = re.compile(r"\s*(?:at\s+)?\d{1,2}(?:[:.h]\d{2})?\s*(?:[ap]\.?m\.?)?\s+on\s")


def _fast_datetime(
    phrase: str, now: datetime, *, time_first: bool = False
) -> datetime | ParseOutcome | None:
    """The grammar in the module docstring; None when the phrase is not in it."""
    span = IN.fullmatch(phrase)
    if span is not None and (moment := after(span, now)) is not None:
        return moment
    day_match = None if time_first else DAY.match(phrase)
    if day_match is not None:
        rest = phrase[day_match.end() :].lstrip()
        time_match = TIME.fullmatch(rest) if rest else None
        if rest and time_match is None:
            return None
    else:
        time_match = TIME.match(phrase)
        if time_match is None:
            return None
        rest = phrase[time_match.end() :].lstrip()
        day_match = DAY.fullmatch(rest) if rest else None
        if rest and day_match is None:
            return None
    return combine(day_match, time_match, now)


def _slow_datetime(text: str, now: datetime) -> datetime | ParseOutcome | None:
    """Ask dateparser (about 1 ms) about a phrase the grammar does not know. Its reading is a
    guess, which the caller has confirmed; one without a time of its own is refused: dateparser
    fills a time it could not read with the current one ("tomorrow after 5" was tomorrow at
    this very minute), and a number it could not place with a date ("in 30": the 30th)."""
    with warnings.catch_warnings():
        # dateparser and its dependencies emit DeprecationWarnings on newer Pythons.
        warnings.simplefilter("ignore", DeprecationWarning)
        # imported here: it takes ~60 ms to import and ~100 ms to warm up
        from dateparser.date import DateDataParser

        reading = DateDataParser(
            languages=["en"],
            settings={
                "PREFER_DATES_FROM": "future",
                "RELATIVE_BASE": now.replace(second=0, microsecond=0, tzinfo=None),
                "RETURN_TIME_AS_PERIOD": True,
            },
        ).get_date_data(text)
    found = reading.date_obj
    if not isinstance(found, datetime):
        return None
    if reading.period != "time":
        return _NO_TIME_READ
    zone = now.tzinfo
    if found.tzinfo is None:  # a naive result is a wall time in the user's zone
        return found.replace(tzinfo=zone).astimezone(UTC).astimezone(zone)
    return found.astimezone(zone)
