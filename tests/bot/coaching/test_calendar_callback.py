"""Scheduling, moving and cancelling a callback through the engine sends the calendar file:
the event at the agreed time in the user's zone, then the same UID with a higher SEQUENCE,
then a cancellation, each read back with icalendar's parser."""

from __future__ import annotations

from typing import Any

from icalendar import Calendar

from bot.boundary import Command


def calendars(chat: Any) -> list[Calendar]:
    return [
        Calendar.from_ical(r.attachment.content)
        for r in chat.replies
        if r.attachment is not None and r.attachment.media_type.startswith("text/calendar")
    ]


def only_event(chat: Any) -> tuple[Calendar, Any]:
    (calendar,) = calendars(chat)
    (event,) = calendar.walk("VEVENT")
    return calendar, event


async def test_schedule_move_and_cancel_send_one_calendar_event(build_engine, chat_with):
    chat = chat_with(await build_engine(), time_zone="Europe/Berlin")
    await chat.send(command=Command("start"))
    await chat.say("at work")
    await chat.say("tomorrow 18:30")
    said = await chat.say("+1 415 555 0100")
    assert any("Add to calendar" in s for s in said)
    calendar, event = only_event(chat)
    start = event["DTSTART"].dt
    assert calendar["METHOD"] == "PUBLISH" and (start.hour, start.minute) == (18, 30)
    assert str(start.tzinfo) == "Europe/Berlin"
    assert "call you on: +1 415-555-0100" in str(event["DESCRIPTION"])
    uid = str(event["UID"])

    # move it: the same event, a later SEQUENCE, no cancellation file
    await chat.send(command=Command("callback"))
    await chat.press("move")
    await chat.say("tomorrow 19:45")
    await chat.say("ask about the team")
    calendar, moved = only_event(chat)
    assert calendar["METHOD"] == "PUBLISH"
    assert str(moved["UID"]) == uid and int(moved["SEQUENCE"]) == 1
    assert (moved["DTSTART"].dt.hour, moved["DTSTART"].dt.minute) == (19, 45)
    assert "ask about the team" in str(moved["DESCRIPTION"])

    # cancel it: METHOD:CANCEL for the same UID
    await chat.send(command=Command("callback"))
    await chat.press("cancel")
    await chat.press("yes")
    calendar, gone = only_event(chat)
    assert calendar["METHOD"] == "CANCEL" and gone["STATUS"] == "CANCELLED"
    assert str(gone["UID"]) == uid and int(gone["SEQUENCE"]) == 2


async def test_an_actions_messages_follow_the_next_thing_said_and_precede_the_next_question(
    build_engine, chat_with
):
    """The console session of someone with the recruiter on the line: the script to read out
    comes first, then the calendar file, then the next question. Cancelling: the confirmation
    first, then the cancellation file. Exporting: the data, then the closing line."""
    chat = chat_with(await build_engine(), time_zone="Europe/Berlin")
    await chat.send(command=Command("start"))
    await chat.say("at work")
    await chat.say("tomorrow 18:30")
    said = await chat.say("+1 415 555 0100")
    script = next(i for i, s in enumerate(said) if "Here's what to say now" in s)
    calendar = next(i for i, s in enumerate(said) if "Add to calendar" in s)
    assert script < calendar < len(said) - 1 and "How do you feel" in said[-1]

    await chat.send(command=Command("callback"))
    await chat.press("cancel")
    await chat.press("yes")
    files = [i for i, r in enumerate(chat.replies) if r.attachment is not None]
    assert files and files[0] > 0  # the file comes after the words that say what it is

    said = await chat.send(command=Command("export"))
    assert "That's all of it" in said[-1]


async def test_a_reminder_saved_with_its_uid_keeps_it_when_moved_and_cancelled(
    build_engine, chat_with
):
    """Reminders name their event's UID only when the job key does not give it; those saved
    before (2026-12-05) name it always, and that UID is the one moved and cancelled."""
    from bot.store import JobSpec

    engine = await build_engine()
    chat = chat_with(engine, time_zone="Europe/Berlin")
    await chat.send(command=Command("start"))
    for text in ("at work", "tomorrow 18:30", "+1 415 555 0100"):
        await chat.say(text)
    [job] = await engine.store.pending_jobs(chat.ref.user_key)
    assert job.payload["calendar"] == {"sequence": 0}  # the UID comes from the key
    saved_before = {**job.payload, "calendar": {"uid": "earlier@recruiter-coach", "sequence": 0}}
    await engine.store.schedule_jobs(
        (
            JobSpec(
                job.kind, job.due_at, job.user_key, job.conversation_key, saved_before, job.job_key
            ),
        )
    )

    await chat.send(command=Command("callback"))
    await chat.press("move")
    await chat.say("tomorrow 19:45")
    await chat.say("nothing")
    _, moved = only_event(chat)
    assert str(moved["UID"]) == "earlier@recruiter-coach" and int(moved["SEQUENCE"]) == 1

    await chat.send(command=Command("callback"))
    await chat.press("cancel")
    await chat.press("yes")
    calendar, gone = only_event(chat)
    assert calendar["METHOD"] == "CANCEL"
    assert str(gone["UID"]) == "earlier@recruiter-coach" and int(gone["SEQUENCE"]) == 2


async def test_a_new_time_replacing_a_call_sends_the_cancellation_and_the_new_event_apart(
    build_engine, chat_with
):
    """Replacing a call (recruiter_called: "a new time: replace the old one") cancels the old
    event and adds the new one in the same turn: two files, two names, so that the console,
    which saves files by name, keeps both."""
    chat = chat_with(await build_engine(), time_zone="Europe/London")
    await chat.send(command=Command("start"))
    for text in ("at work", "tomorrow 18:00", "+44 7911 123456"):
        await chat.say(text)
    await chat.send(command=Command("restart"))
    for text in ("at work", "Thursday 12:30", "+44 7911 123456"):
        await chat.say(text)
    await chat.press("replace")
    files = [r.attachment for r in chat.replies if r.attachment is not None]
    assert [f.media_type for f in files] == [
        "text/calendar; method=CANCEL",
        "text/calendar; method=PUBLISH",
    ]
    assert files[0].filename != files[1].filename
    assert [Calendar.from_ical(f.content)["METHOD"] for f in files] == ["CANCEL", "PUBLISH"]
