"""Each callback keeps its own reminder: a second call does not delete the first one's, a new
time for the same call replaces it (after asking), and the user can list and cancel them.

Runs on every store (memory, SQLite, PostgreSQL), with the real scheduler firing the reminders.
"""

from __future__ import annotations

from datetime import datetime, timedelta

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
    engine = await build_engine(store=any_store)
    chat = chat_with(engine)
    await chat.say("start")
    await set_up_call(chat, "tomorrow 18:30", "+1 415 555 0100")
    await set_up_call(chat, "Thursday 12:30", "+1 415 555 0199")
    await chat.press("keep_both")
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


async def test_changing_your_mind_cancels_one_reminder_not_all(
    build_engine, chat_with, any_store: Store
) -> None:
    from bot.coaching.reminders import cancel_reminder
    from bot.flow.actions import ActionContext

    engine = await build_engine(store=any_store)
    chat = chat_with(engine)
    await chat.say("start")
    await set_up_call(chat, "tomorrow 18:30", "+1 415 555 0100")
    await set_up_call(chat, "Thursday 12:30", "+1 415 555 0199")
    await chat.press("keep_both")
    context = ActionContext(conversation=chat.ref, now=NOW, time_zone=None, store=any_store)
    assert await cancel_reminder(context, {}) == {"cancelled": True}
    [soonest, _] = await reminders(any_store, chat)
    assert context.cancel_job_keys == [soonest.job_key]
