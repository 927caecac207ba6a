"""The callback as a calendar file: an iCalendar event (RFC 5545) the person adds to their own
calendar, built with the ``icalendar`` library.

The event is in the person's time zone (a ``TZID`` start, with the zone's ``VTIMEZONE``), has a
display alarm before the call, and says which number the call comes from and the person's prep
notes. It holds no employer data: no company, no recruiter name. Re-scheduling sends the same
``UID`` with a higher ``SEQUENCE`` (calendar apps update the event); cancelling sends
``METHOD:CANCEL`` and ``STATUS:CANCELLED`` with the same ``UID``.

Each file is named after its call's local time, and a cancellation has its own name
(``recruiter-callback-2026-12-06-1800.ics``, ``...-1800-cancelled.ics``): the console saves files
by name in one folder, where a shared name let the new time's file overwrite the old call's
cancellation in the same turn, and a second call's file the first's. The media type carries the
file's ``method`` (RFC 5545 8.1: ``text/calendar; method=CANCEL``), so an adapter can say what
opening it does without reading it.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.boundary import Attachment, clean_text
from bot.coaching.ical_text import text_line
from bot.render.formats import format_phone

if TYPE_CHECKING:
    from icalendar import Calendar, Event

__all__ = (
    "ADD_TEXT",
    "CALL_LENGTH",
    "CANCEL_TEXT",
    "MEDIA_TYPE",
    "CallbackEvent",
    "calendar_file",
    "calendar_uid",
    "cancellation_file",
    "event_uid",
    "media_type",
)

ADD_TEXT = (
    "**Add to calendar:** open the attached file to put the call in your own calendar, with a "
    "reminder. It has the time, the number they'll call and your notes, nothing about the "
    "employer."
)
CANCEL_TEXT = "Open the attached file to remove the call on {when} from your calendar."

MEDIA_TYPE = "text/calendar"  # with the method: media_type("PUBLISH")
CALL_LENGTH = timedelta(minutes=15)
ALARM_BEFORE = timedelta(minutes=15)
PRODID = "-//Recruiter Coach//callback//EN"
SUMMARY = "Recruiter call back"
MAX_NOTES = 500
FILE_STEM = "recruiter-callback"


@dataclass(frozen=True, slots=True)
class CallbackEvent:
    """What the calendar event says: when, in which zone, from which number, the notes."""

    uid: str
    at: datetime  # aware
    time_zone: str | None
    phone: str | None = None
    notes: str | None = None
    sequence: int = 0


def calendar_file(event: CallbackEvent, *, now: datetime) -> Attachment:
    """The ``.ics`` file that adds (or, with a higher sequence, updates) the callback."""
    zone = _zone(event.time_zone)
    start = event.at.astimezone(zone)
    head = _calendar_head("PUBLISH")
    if isinstance(zone, ZoneInfo):  # RFC 5545: the VTIMEZONE comes before the event using it
        head += _vtimezone(zone.key, start.date())
    content = (head + _event_lines(event, now, start)).decode()
    return Attachment(_filename(start), content, media_type("PUBLISH"))


def media_type(method: str) -> str:
    """``text/calendar`` with the file's iTIP method (PUBLISH adds or updates, CANCEL removes)."""
    return f"{MEDIA_TYPE}; method={method}"


def _filename(start: datetime, suffix: str = "") -> str:
    """The file's name: the call's local time, so each call (and its cancellation) has its own."""
    return f"{FILE_STEM}-{start:%Y-%m-%d-%H%M}{suffix}.ics"


def _event_lines(event: CallbackEvent, now: datetime, start: datetime) -> bytes:
    """The VEVENT with its alarm. Written line by line: icalendar's component writer cost about
    a millisecond per file (on the turn that schedules the call), and its line folder 40 us a
    line (:mod:`bot.coaching.ical_text` writes the free-text values the way it does)."""
    when = _local_stamp if isinstance(start.tzinfo, ZoneInfo) else _utc_stamp
    lines = [
        b"BEGIN:VEVENT",
        b"SUMMARY:" + SUMMARY.encode(),
        when("DTSTART", start),
        when("DTEND", start + CALL_LENGTH),
        _utc_stamp("DTSTAMP", now),
        text_line("UID", event.uid),
        b"SEQUENCE:%d" % max(0, event.sequence),
        text_line("DESCRIPTION", _description(event)),
        b"STATUS:CONFIRMED",
        b"BEGIN:VALARM",
        b"ACTION:DISPLAY",
        b"DESCRIPTION:" + SUMMARY.encode(),
        b"TRIGGER:-PT%dM" % (ALARM_BEFORE // timedelta(minutes=1)),
        b"END:VALARM",
        b"END:VEVENT",
        b"END:VCALENDAR",
        b"",
    ]
    return b"\r\n".join(lines)


def _local_stamp(name: str, at: datetime) -> bytes:
    assert isinstance(at.tzinfo, ZoneInfo)  # the caller checked
    return f"{name};TZID={at.tzinfo.key}:{at:%Y%m%dT%H%M%S}".encode()


def _utc_stamp(name: str, at: datetime) -> bytes:
    return f"{name}:{at.astimezone(UTC):%Y%m%dT%H%M%SZ}".encode()


@functools.lru_cache(maxsize=4)
def _calendar_head(method: str) -> bytes:
    """The calendar's opening lines (the same in every file of a kind)."""
    head: bytes = _calendar(method).to_ical()
    return head.removesuffix(b"END:VCALENDAR\r\n")


@functools.lru_cache(maxsize=256)
def _vtimezone(zone_name: str, first_day: date) -> bytes:
    """The zone's VTIMEZONE from the day before the call, as iCalendar lines. Building and
    writing it is most of the file's cost (milliseconds, on the turn that schedules the call),
    and it is the same for every call in that zone on that day."""
    from icalendar import Timezone

    first = datetime.combine(first_day - timedelta(days=1), datetime.min.time())
    lines: bytes = Timezone.from_tzinfo(ZoneInfo(zone_name), first_date=first).to_ical()
    return lines


def cancellation_file(event: CallbackEvent, *, now: datetime) -> Attachment:
    """The ``.ics`` file that cancels the callback's event (send a higher sequence)."""
    calendar = _calendar("CANCEL")
    vevent = _event(event, now)
    vevent.add("dtstart", event.at.astimezone(UTC))
    vevent.add("status", "CANCELLED")
    calendar.add_component(vevent)
    start = event.at.astimezone(_zone(event.time_zone))
    content = calendar.to_ical().decode("utf-8")
    return Attachment(_filename(start, "-cancelled"), content, media_type("CANCEL"))


def _calendar(method: str) -> Calendar:
    from icalendar import Calendar

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", method)
    return calendar


def _event(event: CallbackEvent, now: datetime) -> Event:
    from icalendar import Event

    vevent = Event()
    vevent.add("uid", event.uid)
    vevent.add("sequence", max(0, event.sequence))
    vevent.add("dtstamp", now.astimezone(UTC))
    vevent.add("summary", SUMMARY)
    return vevent


def _description(event: CallbackEvent) -> str:
    lines = []
    if event.phone:
        lines.append(f"They will call you on: {format_phone(event.phone[:40])}")
    if event.notes:
        lines.append(f"Your notes: {event.notes[:MAX_NOTES]}")
    lines.append("Take it somewhere private. Recruiter Coach has your script.")
    return clean_text("\n".join(lines))  # a lone surrogate cannot be written as UTF-8


def _zone(name: str | None) -> tzinfo:
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return UTC


def calendar_uid(job_key: str) -> str:
    """A stable, opaque UID for the first reminder of a callback (no ids of the person in it)."""
    return f"{hashlib.sha256(job_key.encode('utf-8')).hexdigest()[:32]}@recruiter-coach"


def event_uid(calendar: object, job_key: str | None) -> str | None:
    """The UID of a reminder's calendar event from its payload's ``calendar`` (None: the job
    has no event). The payload names the UID only when it is not ``calendar_uid(job_key)``:
    every live callback keeps its reminder, and the UID was ~50 of its bytes; reminders saved
    before 2026-12-05 name it always."""
    if not isinstance(calendar, Mapping):
        return None
    uid = calendar.get("uid")
    if uid:
        return str(uid)
    return calendar_uid(job_key) if job_key else None
