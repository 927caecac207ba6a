"""Values as a person reads them: a date-time ("Tuesday 24 November, 6:30 pm") and a phone number.

Templates use these as the ``when`` and ``phone`` filters; the coach's features and the adapters
call them directly; the answer readers in :mod:`bot.answers` echo what they read with them, so a
date-time reads the same in an echo, a template and a reminder. Times are shown the way people in
the zone write them: "6:30 pm" in the United States' zones, "18:30" elsewhere.

A zone is an IANA name (what the coach stores: :func:`bot.answers.zones.parse_time_zone` turns
what a person typed into one); a name that is not one shows the time in UTC.
``phonenumbers`` is imported on first use, because importing it is slow.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = (
    "MONTH_NAMES",
    "WEEKDAY_NAMES",
    "describe",
    "describe_day",
    "format_phone",
    "format_when",
    "remember_phone_display",
    "us_style",
    "zone_name",
)


@lru_cache(maxsize=256)
def _zone(name: str | None) -> tuple[str, ZoneInfo]:
    """An IANA name and its zone; UTC for no name or one that is not IANA."""
    if name:
        try:
            zone = ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            return "UTC", ZoneInfo("UTC")
        return name, zone
    return "UTC", ZoneInfo("UTC")


WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def describe_day(day: date, now: datetime | None = None, *, year_always: bool = False) -> str:
    shown = year_always or (now is not None and day.year != now.year)
    year = f" {day.year}" if shown else ""
    return f"{WEEKDAY_NAMES[day.weekday()]} {day.day} {MONTH_NAMES[day.month - 1]}{year}"


def describe(
    moment: datetime,
    zone_label: str | None,
    now: datetime | None = None,
    *,
    year_always: bool = False,
) -> str:
    """ "Tuesday 24 November, 6:30 pm" (a US zone) or "Tuesday 24 November, 18:30"; the year
    when it is not now's; ``zone_label`` in brackets when given ("UTC+01:00")."""
    day = describe_day(moment, now, year_always=year_always)
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


def us_style(moment: datetime) -> bool:
    key = str(getattr(moment.tzinfo, "key", "") or "")
    return key in _US_ZONES or key.startswith(_US_AREAS)


def _clock(moment: datetime) -> str:
    """The time as people there say it: "6:30 pm" / "6 pm" in the US, "18:30" elsewhere."""
    if not us_style(moment):
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
        label, zone = _zone(time_zone)
        moment = moment.astimezone(zone) if moment.tzinfo else moment.replace(tzinfo=zone)
        text = describe(moment, None, now and now.astimezone(zone))
        return f"{text}, {zone_name(label)}" if named else text
    return describe(moment, _offset_label(moment), now)


# E.164 -> display form of numbers parsed lately: templates format the number they were just
# given, and parsing it again costs as much as the rest of the turn.
_PHONE_DISPLAYS: dict[str, str] = {}
_PHONE_DISPLAYS_MAX = 1024


def remember_phone_display(e164: str, display: str) -> None:
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
    remember_phone_display(e164, display)
    return display
