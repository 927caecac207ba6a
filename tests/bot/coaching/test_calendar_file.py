"""The callback's .ics file, read back by icalendar's own parser: the right time in the user's
zone, an alarm, the number and notes, no employer data; updates and cancellations keep the UID."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st
from icalendar import Calendar

from bot.coaching.calendar_file import CallbackEvent, calendar_file, cancellation_file

NOW = datetime(2026, 12, 4, 18, 0, tzinfo=UTC)
BERLIN = ZoneInfo("Europe/Berlin")


def read(content: str) -> tuple[Calendar, object]:
    calendar = Calendar.from_ical(content)
    (event,) = calendar.walk("VEVENT")
    return calendar, event


def test_the_event_is_at_the_right_time_in_the_users_zone_with_an_alarm() -> None:
    at = datetime(2026, 12, 6, 18, 30, tzinfo=BERLIN)
    file = calendar_file(
        CallbackEvent("cb-1@coach", at, "Europe/Berlin", "+1 415 555 0100", "ask about pay"),
        now=NOW,
    )
    assert file.filename == "recruiter-callback-2026-12-06-1830.ics"
    assert file.media_type == "text/calendar; method=PUBLISH"
    calendar, event = read(file.content)
    start = event["DTSTART"].dt  # type: ignore[index]
    assert start == at and str(start.tzinfo) == "Europe/Berlin"
    assert start.hour == 18 and start.minute == 30
    assert calendar["METHOD"] == "PUBLISH"
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Berlin"]
    (alarm,) = event.walk("VALARM")  # type: ignore[attr-defined]
    assert alarm["TRIGGER"].dt == -timedelta(minutes=15)
    description = str(event["DESCRIPTION"])  # type: ignore[index]
    assert "+1 415-555-0100" in description and "ask about pay" in description


def test_a_summer_time_callback_keeps_its_wall_clock_time() -> None:
    at = datetime(2027, 7, 1, 9, 0, tzinfo=ZoneInfo("America/New_York"))
    _, event = read(calendar_file(CallbackEvent("u", at, "America/New_York"), now=NOW).content)
    start = event["DTSTART"].dt  # type: ignore[index]
    assert (start.hour, start.utcoffset()) == (9, timedelta(hours=-4))


def test_rescheduling_keeps_the_uid_and_raises_the_sequence_and_cancel_cancels() -> None:
    at = datetime(2026, 12, 6, 18, 30, tzinfo=BERLIN)
    first = CallbackEvent("cb-1@coach", at, "Europe/Berlin", sequence=0)
    moved = CallbackEvent("cb-1@coach", at + timedelta(days=1), "Europe/Berlin", sequence=1)
    _, one = read(calendar_file(first, now=NOW).content)
    _, two = read(calendar_file(moved, now=NOW).content)
    assert one["UID"] == two["UID"]  # type: ignore[index]
    assert int(two["SEQUENCE"]) > int(one["SEQUENCE"])  # type: ignore[index]
    cancelled = CallbackEvent("cb-1@coach", at, "Europe/Berlin", sequence=2)
    calendar, gone = read(cancellation_file(cancelled, now=NOW).content)
    assert calendar["METHOD"] == "CANCEL" and gone["STATUS"] == "CANCELLED"  # type: ignore[index]
    assert gone["UID"] == "cb-1@coach"  # type: ignore[index]


def test_a_cancellation_file_has_its_own_name_and_says_cancel_in_its_media_type() -> None:
    """Saved side by side (the console's files folder), a cancellation must not overwrite the
    file that adds a new time, nor another call's file; the media type's ``method`` (RFC 5545
    8.1) tells an adapter which of the two it is."""
    sunday = CallbackEvent(
        "cb-1@coach", datetime(2026, 12, 6, 18, 0, tzinfo=BERLIN), "Europe/Berlin"
    )
    tuesday = CallbackEvent(
        "cb-2@coach", datetime(2026, 12, 8, 12, 30, tzinfo=BERLIN), "Europe/Berlin"
    )
    gone = cancellation_file(sunday, now=NOW)
    added = [calendar_file(event, now=NOW) for event in (sunday, tuesday)]
    names = {gone.filename, *(file.filename for file in added)}
    assert len(names) == 3 and all(name.endswith(".ics") for name in names)
    assert gone.filename == "recruiter-callback-2026-12-06-1800-cancelled.ics"
    assert gone.media_type == "text/calendar; method=CANCEL"


def test_an_unknown_zone_falls_back_to_utc() -> None:
    at = datetime(2026, 12, 6, 18, 30, tzinfo=UTC)
    _, event = read(calendar_file(CallbackEvent("u", at, "Mars/Olympus"), now=NOW).content)
    assert event["DTSTART"].dt == at  # type: ignore[index]


@given(
    phone=st.one_of(st.none(), st.text(max_size=60)),
    notes=st.one_of(
        st.none(), st.text(st.characters(codec=None), max_size=2000), st.just("\ud800")
    ),
)
def test_any_number_and_notes_read_back(phone: str | None, notes: str | None) -> None:
    at = datetime(2026, 12, 6, 18, 30, tzinfo=BERLIN)
    file = calendar_file(CallbackEvent("u", at, "Europe/Berlin", phone, notes), now=NOW)
    _, event = read(file.content)
    assert event["DTSTART"].dt == at  # type: ignore[index]
    assert "Acme" not in str(event.get("SUMMARY"))  # type: ignore[attr-defined]
    # RFC 5545 3.1: lines are folded at 75 octets, and end with CRLF
    assert all(len(line.encode()) <= 75 for line in file.content.split("\r\n"))
    assert file.content.endswith("END:VEVENT\r\nEND:VCALENDAR\r\n")
