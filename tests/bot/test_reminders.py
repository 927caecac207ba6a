"""Each callback keeps its own reminder: a second call does not delete the first one's, a new
time for the same call replaces it (after asking), and the user can list and cancel them.

Runs on every store (memory, SQLite, PostgreSQL), with the real scheduler firing the reminders.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from bot.boundary import Reply
from bot.dialog.scheduler import Scheduler
from bot.store import Job, Store
from tests.bot.conftest import NOW  # Monday 23 November 2026, 10:00 in New York


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


async def set_up_call(chat, when: str, phone: str) -> list[str]:
    await chat.say("restart")
    for text in ("at work", when):
        await chat.say(text)
    return await chat.say(phone)


async def reminders(store: Store, chat) -> list[Job]:
    return [j for j in await store.pending_jobs(chat.ref.user_key) if j.kind == "reminder"]


async def two_calls_kept(build_engine, chat_with, store: Store, first: str, second: str):
    """A chat whose user set up two calls (two recruiters: both kept), numbers 0100 and 0199."""
    chat = chat_with(await build_engine(store=store))
    await chat.say("start")
    await set_up_call(chat, first, "+1 415 555 0100")
    await set_up_call(chat, second, "+1 415 555 0199")
    await chat.press("keep_both")
    return chat


async def test_two_callbacks_keep_two_reminders_and_both_fire(
    build_engine, chat_with, any_store: Store
) -> None:
    clock = Clock()
    engine = await build_engine(store=any_store, clock=clock)
    chat = chat_with(engine)
    await chat.say("start")
    await set_up_call(chat, "tomorrow 18:30", "+1 415 555 0100")
    texts = await set_up_call(chat, "Thursday 12:30", "+1 415 555 0199")
    assert "You already have a recruiter call on Tuesday 24 November, 6:30 pm" in texts[-1]
    await chat.press("keep_both")
    assert len(await reminders(any_store, chat)) == 2

    fired: list[Reply] = []

    async def deliver(job: Job) -> None:
        _, replies = await engine.run_job(job)
        fired.extend(replies)

    worker = Scheduler(any_store, deliver, worker_id="w1", clock=clock)
    clock.now = NOW + timedelta(days=4)
    assert await worker.run_once() == 2
    assert [r.destination for r in fired] == ["dm", "dm"]
    assert "+1 415-555-0100" in fired[0].text and "+1 415-555-0199" in fired[1].text
    assert await reminders(any_store, chat) == []


async def test_a_new_time_for_the_same_call_replaces_its_reminder_when_the_user_says_so(
    build_engine, chat_with, any_store: Store
) -> None:
    engine = await build_engine(store=any_store)
    chat = chat_with(engine)
    await chat.say("start")
    await set_up_call(chat, "tomorrow 18:30", "+1 415 555 0100")
    await set_up_call(chat, "Thursday 12:30", "+1 415 555 0100")
    await chat.press("replace")
    [left] = await reminders(any_store, chat)
    assert left.payload["context"]["at"] == "2026-11-26T12:30:00-05:00"  # type: ignore[index]


async def test_the_user_lists_their_calls_and_cancels_one(
    build_engine, chat_with, any_store: Store
) -> None:
    chat = await two_calls_kept(
        build_engine, chat_with, any_store, "tomorrow 18:30", "Thursday 12:30"
    )
    await chat.say("menu")
    await chat.press("phone")
    listing = "\n".join(await chat.press("callback"))
    assert "You have 2 recruiter calls coming up" in listing
    assert "1. Tuesday 24 November, 6:30 pm" in listing and "+1 415-555-0100" in listing
    assert "2. Thursday 26 November, 12:30 pm" in listing and "+1 415-555-0199" in listing

    shown = "\n".join(await chat.say("2"))
    assert "Thursday 26 November, 12:30 pm" in shown
    await chat.press("cancel")
    await chat.press("yes")
    [left] = await reminders(any_store, chat)
    assert left.payload["context"]["phone"] == "+14155550100"  # type: ignore[index]


async def change_mind(chat, when: str) -> list[str]:
    """The "I changed my mind" topic, a note to Priya, and the call's day as the user types it."""
    await chat.say("menu")
    await chat.press("saying_no")
    await chat.press("change_mind")
    await chat.press("note")
    await chat.say("Priya")
    return await chat.say(when)


async def test_changing_your_mind_cancels_the_call_named_not_the_soonest(
    build_engine, chat_with, any_store: Store
) -> None:
    chat = await two_calls_kept(
        build_engine, chat_with, any_store, "tomorrow 18:30", "Thursday 12:30"
    )
    asked = await change_mind(chat, "Thursday 12:30")
    assert "cancel the reminder for your call on Thursday 26 November, 12:30 pm?" in asked[-1]
    said = await chat.press("yes")
    assert any("Open the attached file to remove the call" in s for s in said)
    [left] = await reminders(any_store, chat)  # the other recruiter's call stays
    assert left.payload["context"]["phone"] == "+14155550100"  # type: ignore[index]


async def test_changing_your_mind_asks_which_call_when_the_day_names_several(
    build_engine, chat_with, any_store: Store
) -> None:
    chat = await two_calls_kept(
        build_engine, chat_with, any_store, "Thursday 12:30", "Thursday 18:30"
    )
    asked = await change_mind(chat, "on Thursday")
    assert "Which one is the call with Priya?" in asked[-1]
    assert len(await reminders(any_store, chat)) == 2  # nothing cancelled by a guess
    await chat.say("2")
    [left] = await reminders(any_store, chat)
    assert left.payload["context"]["phone"] == "+14155550100"  # type: ignore[index]


class Posting:
    """A platform that answers each send with the posted message's id (a Slack ``ts``), and
    can die right after it answered."""

    def __init__(self, *, die_after_send: bool = False) -> None:
        self.sent: list[list[Reply]] = []
        self.die_after_send = die_after_send

    async def deliver(self, conversation, replies) -> list[str]:
        self.sent.append(list(replies))
        if self.die_after_send:  # the worker is killed once the platform has the message
            raise SystemExit("killed")
        return [f"1795000000.{len(self.sent):06d}"]


async def _job_row(store: Store, user_key: str) -> dict:
    [row] = (await store.export_user(user_key))["jobs"]
    return row


async def test_a_reminder_records_the_platforms_answer_and_is_never_sent_twice(
    build_engine, chat_with, any_store: Store
) -> None:
    """The send is marked before the platform is called and the posted message's ts is written
    to the job row as soon as the platform answered: a worker dying after that leaves a row an
    operator can read as delivered, and a takeover never sends the reminder again."""
    from bot.app import _job_runner

    clock = Clock()
    engine = await build_engine(store=any_store, clock=clock)
    chat = chat_with(engine)
    await chat.say("start")
    await set_up_call(chat, "tomorrow 18:30", "+1 415 555 0100")
    clock.now = NOW + timedelta(days=2)

    platform = Posting()
    worker = Scheduler(any_store, _job_runner(engine, platform), worker_id="w1", clock=clock)
    assert await worker.run_once() == 1
    row = await _job_row(any_store, chat.ref.user_key)
    assert (row["status"], row["sent_ref"]) == ("done", "1795000000.000001")
    assert len(platform.sent) == 1
    assert await worker.run_once() == 0 and len(platform.sent) == 1


async def test_a_worker_killed_mid_send_leaves_a_sending_row_that_is_not_sent_again(
    build_engine, chat_with, any_store: Store
) -> None:
    from bot.app import _job_runner

    clock = Clock()
    engine = await build_engine(store=any_store, clock=clock)
    chat = chat_with(engine)
    await chat.say("start")
    await set_up_call(chat, "tomorrow 18:30", "+1 415 555 0100")
    clock.now = NOW + timedelta(days=2)

    dying = Posting(die_after_send=True)
    worker = Scheduler(
        any_store, _job_runner(engine, dying), worker_id="dies", clock=clock, lease_seconds=60
    )
    with pytest.raises(SystemExit):
        await worker.run_once()
    row = await _job_row(any_store, chat.ref.user_key)
    # what an operator sees: marked sending, no platform answer recorded (it may have gone out)
    assert (row["status"], row["sent_ref"]) == ("sending", None)

    clock.now += timedelta(seconds=61)  # the lease ran out: another worker polls
    survivor = Posting()
    other = Scheduler(any_store, _job_runner(engine, survivor), worker_id="w2", clock=clock)
    assert await other.run_once() == 0
    assert survivor.sent == []  # at most one reminder per callback
