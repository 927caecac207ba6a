"""The grammar of date-times the coach reads itself: day phrases, times of day, "in 2 hours".

:mod:`bot.answers.datetimes` normalises an answer and matches it against the patterns here
(``DAY``, ``TIME``, ``IN``); :func:`combine` then turns a day and a time into a moment in the
user's zone, by the rules in that module's docstring (bare hours are working hours, a weekday is
the next such day, a date without a year that has passed is next year's). :func:`after` reads a
span from now ("in 2 hours", "3 days from now").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta

from bot.answers.numbers import NUMBER_WORDS
from bot.answers.outcomes import Invalid, ParseOutcome, Unparsed
from bot.render.formats import MONTH_NAMES, WEEKDAY_NAMES, describe_day, us_style

__all__ = (
    "DAY",
    "IN",
    "MONTH_INDEX",
    "TIME",
    "TIME_OF_DAY",
    "UNREADABLE_WHEN",
    "WEEKDAY_INDEX",
    "after",
    "combine",
    "named_day",
)


WEEKDAY_INDEX = {
    **{name.lower(): index for index, name in enumerate(WEEKDAY_NAMES)},
    "mon": 0, "tue": 1, "tues": 1, "wed": 2, "weds": 2, "thu": 3, "thur": 3, "thurs": 3,
    "fri": 4, "sat": 5, "sun": 6,
}  # fmt: skip
MONTH_INDEX = {
    **{name.lower(): index for index, name in enumerate(MONTH_NAMES, 1)},
    **{name[:3].lower(): index for index, name in enumerate(MONTH_NAMES, 1)},
    "sept": 9,
}
TIME_OF_DAY = {"morning": 9, "afternoon": 15, "evening": 18, "night": 20}


def _alternatives(words: Sequence[str]) -> str:
    return "|".join(sorted(words, key=len, reverse=True))  # longest first: "tues" before "tue"


_WD = _alternatives(list(WEEKDAY_INDEX))
_MO = _alternatives(list(MONTH_INDEX))
_ORD = r"(?:st|nd|rd|th)?"
_YEAR = r"(?:\s+(?P<{}>\d{{4}})(?!\S))?"
DAY = re.compile(
    rf"(?:(?:(?P<dwd>{_WD})\s+)?(?:(?P<d1>\d{{1,2}}){_ORD}\s+(?P<m1>{_MO}){_YEAR.format('y1')}"
    rf"|(?P<m2>{_MO})\s+(?P<d2>\d{{1,2}}){_ORD}{_YEAR.format('y2')})"
    r"|(?P<iy>\d{4})-(?P<im>\d{1,2})-(?P<id>\d{1,2})"
    r"|(?P<n1>\d{1,2})/(?P<n2>\d{1,2})(?:/(?P<ny>\d{4}|\d{2}))?"
    # "1.12." and "01.12.2026": day first, as everywhere dots separate a date's parts
    r"|(?P<e1>\d{1,2})\.(?P<e2>\d{1,2})\.(?:(?P<ey>\d{4}|\d{2})(?!\d))?"
    r"|(?P<rel>today|tonight|tomorrow|tomorow|tmrw|tmr|day after tomorrow)"
    rf"|(?:(?P<which>next|this)\s+)?(?P<wd>{_WD}))"
    r"(?!\w)"
)
TIME = re.compile(
    r"(?:(?:this\s+)?(?P<word>noon|midday|midnight|morning|afternoon|evening|night)"
    # "1830", "0900": a 24-hour time without its colon
    r"|(?P<hhmm>(?:[01]\d|2[0-3])[0-5]\d)"
    # "18:30", "18.30", "18h30", "18.30h", "21 h", "18 00" (a space before two digits)
    r"|(?P<h>\d{1,2})(?:(?P<sep>[:.]|\s?h|\s(?=\d\d(?!\d)))(?P<m>\d{2})?h?)?"
    r"\s*(?P<ap>am|pm|a|p)?)(?!\w)"
)
_UNITS = {"m": 1, "min": 1, "minute": 1, "h": 60, "hr": 60, "hour": 60, "d": 1440, "day": 1440,
          "w": 10080, "week": 10080}  # fmt: skip
IN = re.compile(
    r"(?:in\s+)?(?P<n>\d{1,4}|an?|one|two|three|four|five|six|seven|eight|nine|ten|half\s+an?)"
    r"\s*(?P<unit>minutes?|mins?|m|hours?|hrs?|h|days?|d|weeks?|w)"
    # "in 2h30", "in 1 hour 30", "in 1h 15m": the minutes after the hours
    r"(?:\s*(?:and\s+)?(?P<n2>\d{1,2})\s*(?:minutes?|mins?|m)?)?"
    r"(?P<ago>\s+from\s+now)?"
)

UNREADABLE_WHEN = (
    'I couldn\'t read that as a date and time. Try something like "tomorrow 18:30", '
    '"Tue 6pm" or "in 2 hours".'
)


def _month_first(now: datetime) -> bool:
    """Whether "12/01" is month/day where the user is: in the United States' zones (the zone is
    the only locale hint every platform gives)."""
    return us_style(now)


def after(match: re.Match[str], now: datetime) -> datetime | None:
    """ "in 2 hours", "in 30 minutes", "3 days from now"."""
    if not match.group(0).startswith("in") and match["ago"] is None:
        return None  # "2 hours" alone is a duration, not a time
    count_text = match["n"]
    unit = _UNITS[match["unit"].rstrip("s")]
    if match["n2"] is not None and (unit != 60 or int(match["n2"]) > 59):
        return None  # "in 2 days 30": not a span the grammar knows
    if count_text.startswith("half"):
        minutes = unit // 2
    else:
        count = NUMBER_WORDS.get(count_text, 1) if count_text.isalpha() else int(count_text)
        minutes = count * unit + int(match["n2"] or 0)
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


def combine(
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
                f'What time on {describe_day(when, now)}? For example "tomorrow 18:30".'
            )
        return _at(when, 20, 0, now)
    read = _read_time(time_match, evening=mode == "tonight")
    if read is None:  # "25:00": the grammar knows the form, so dateparser would only guess
        return Unparsed(UNREADABLE_WHEN)
    hours, minute = read
    if mode == "none" and time_match["word"] in TIME_OF_DAY:
        mode = "today"  # "this evening" is today's, even when it has passed
    return _pick(when, mode, hours, minute, now)


def named_day(match: re.Match[str], now: datetime) -> date | None:
    """The date a day phrase on its own names ("tomorrow", "Thursday", "8 Dec"); None for a date
    that does not exist."""
    read = _read_day(match, now.date(), _month_first(now))
    return read[0] if isinstance(read, tuple) else None


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
        ahead = (WEEKDAY_INDEX[match["wd"]] - today.weekday()) % 7
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
    elif match["e1"] is not None:
        day, month = int(match["e1"]), int(match["e2"])
        year_text = match["ey"]
        year_given = year_text is not None
        year = _full_year(year_text) if year_text else today.year
    elif match["n1"] is not None:
        first, second = int(match["n1"]), int(match["n2"])
        # the locale's order, unless only the other one is a date ("25/12", "12/25")
        if (month_first and first <= 12) or second > 12:
            month, day = first, second
        else:
            day, month = first, second
        year_text = match["ny"]
        year_given = year_text is not None
        year = _full_year(year_text) if year_text else today.year
    else:
        month = MONTH_INDEX[match["m1"] or match["m2"]]
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
            return Invalid(f"There is no {day} {MONTH_NAMES[month - 1]}. Which day did you mean?")
        return Invalid("That date does not exist. Which day did you mean?")
    weekday = match["dwd"]
    if weekday is not None and WEEKDAY_INDEX[weekday] != found.weekday():
        return Invalid(
            f"{found.day} {MONTH_NAMES[found.month - 1]} {found.year} is a "
            f"{WEEKDAY_NAMES[found.weekday()]}, not a {WEEKDAY_NAMES[WEEKDAY_INDEX[weekday]]}."
        )
    return found, "fixed"


def _full_year(text: str) -> int:
    return 2000 + int(text) if len(text) == 2 else int(text)


def _read_time(match: re.Match[str], *, evening: bool) -> tuple[tuple[int, ...], int] | None:
    """Candidate hours (best first) and the minute; None for an impossible time."""
    word = match["word"]
    if word is not None:
        if word in ("noon", "midday"):
            return (12,), 0
        return ((24,), 0) if word == "midnight" else ((TIME_OF_DAY[word],), 0)
    if match["hhmm"] is not None:
        return (int(match["hhmm"][:2]),), int(match["hhmm"][2:])
    hour_text, minute_text, am_pm = match["h"], match["m"], match["ap"]
    hour, minute = int(hour_text), int(minute_text or 0)
    if hour > 23 or minute > 59:
        return None
    if am_pm is not None:
        if not 1 <= hour <= 12:
            return None
        return ((hour % 12) + (12 if am_pm[0] == "p" else 0),), minute
    if hour == 0 or hour > 12 or hour_text.startswith("0") or (match["sep"] or "").endswith("h"):
        return (hour,), minute  # a 24-hour time: "0:30", "18:30", "07:30", "10h"
    if evening:
        return (hour + 12,), minute
    if hour <= 7:
        return (hour + 12,), minute  # working hours: "at 5" is 17:00
    return ((12,), minute) if hour == 12 else ((hour, hour + 12), minute)
