"""Recruiter contacts and keep-in-touch nudges: the relationship flow's actions through a real
engine, and the keep_in_touch job."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.app import build_actions, load_content
from bot.coaching.contacts import KEEP_IN_TOUCH, KeepInTouchJobs, add_months, keep_in_touch_key
from bot.store import Contact
from bot.store.memory import MemoryStore

SHIPPED_DIALOGS = Path(__file__).resolve().parents[2] / "dialogs"
NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)  # the build_engine fixture's clock

FORM = {
    "contact_name": "Dana Reyes",
    "contact_agency": "Northwind Talent",
    "contact_specialty": "data engineering",
    "contact_reach": "dana@northwind.example",
    "contact_notes": "met at the meetup",
}


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (datetime(2026, 11, 23, 15, tzinfo=UTC), 3, datetime(2027, 2, 23, 15, tzinfo=UTC)),
        (datetime(2026, 11, 30, 9, tzinfo=UTC), 3, datetime(2027, 2, 28, 9, tzinfo=UTC)),
        (datetime(2027, 8, 31, 9, tzinfo=UTC), 6, datetime(2028, 2, 29, 9, tzinfo=UTC)),
        (datetime(2026, 1, 15, 9, tzinfo=UTC), 4, datetime(2026, 5, 15, 9, tzinfo=UTC)),
    ],
)
def test_add_months_keeps_the_day_or_takes_the_months_last(
    start: datetime, months: int, expected: datetime
) -> None:
    assert add_months(start, months) == expected


async def add_dana(chat, cadence: str = "m3") -> None:
    await chat.say("relationship")
    await chat.press("add")
    token = chat.replies[-1].form.token
    await chat.send(form=tuple(FORM.items()), choice_token=token)
    await chat.press(cadence)


async def test_saving_a_contact_plans_a_nudge_after_its_cadence(build_engine, chat_with):
    engine = await build_engine()
    chat = chat_with(engine)
    await add_dana(chat)

    [contact] = await engine.store.list_contacts(chat.ref.user_key)
    assert (contact.name, contact.agency, contact.cadence_months) == (
        "Dana Reyes",
        "Northwind Talent",
        3,
    )
    assert contact.last_contact_at == NOW
    [job] = await engine.store.pending_jobs(chat.ref.user_key)
    assert job.kind == KEEP_IN_TOUCH
    assert job.job_key == keep_in_touch_key(chat.ref.user_key, contact.id)
    assert job.due_at == datetime(2027, 2, 23, 15, tzinfo=UTC)
    assert "Dana" not in repr(job.payload)  # ids only: the name is read when the nudge fires


async def test_no_reminders_means_no_job(build_engine, chat_with):
    engine = await build_engine()
    chat = chat_with(engine)
    await add_dana(chat, cadence="off")
    assert await engine.store.pending_jobs(chat.ref.user_key) == []


async def test_the_nudge_names_the_contact_and_plans_the_next_one(build_engine, chat_with):
    engine = await build_engine()
    chat = chat_with(engine)
    await add_dana(chat)
    [job] = await engine.store.claim_due_jobs(
        now=datetime(2027, 3, 1, tzinfo=UTC), limit=5, worker="w", lease_seconds=60
    )
    later = datetime(2027, 3, 1, 8, tzinfo=UTC)
    handler = KeepInTouchJobs(engine.store, engine.renderer, lambda: later)

    ref, replies = await handler(job)

    assert ref == chat.ref
    [reply] = replies
    assert reply.destination == "dm"
    assert "**Dana Reyes** (Northwind Talent)" in reply.text
    assert "Hi Dana Reyes, I hope all is well at Northwind Talent" in reply.text
    [next_job] = await engine.store.pending_jobs(chat.ref.user_key)
    assert next_job.job_key == job.job_key
    assert next_job.due_at == datetime(2027, 6, 1, 8, tzinfo=UTC)


async def test_a_deleted_contact_sends_no_nudge(build_engine, chat_with):
    engine = await build_engine()
    chat = chat_with(engine)
    await add_dana(chat)
    [job] = await engine.store.pending_jobs(chat.ref.user_key)
    await engine.store.delete_contact(chat.ref.user_key, job.payload["contact_id"])

    handler = KeepInTouchJobs(engine.store, engine.renderer, lambda: NOW)
    assert await handler(job) == (chat.ref, [])


async def test_deleting_in_chat_cancels_the_nudge(build_engine, chat_with):
    engine = await build_engine()
    chat = chat_with(engine)
    await add_dana(chat)
    await chat.press("list")
    await chat.say("dana")
    await chat.press("delete")
    replies = await chat.press("yes")

    assert "Deleted Dana Reyes" in replies[0]
    assert await engine.store.list_contacts(chat.ref.user_key) == []
    assert await engine.store.pending_jobs(chat.ref.user_key) == []


async def test_switching_reminders_on_later_plans_from_now(build_engine, chat_with):
    engine = await build_engine()
    chat = chat_with(engine)
    await add_dana(chat, cadence="off")
    await chat.press("list")
    await chat.say("1")
    await chat.press("edit")
    await chat.press("cadence")
    await chat.press("m6")

    [job] = await engine.store.pending_jobs(chat.ref.user_key)
    assert job.due_at == datetime(2027, 5, 23, 15, tzinfo=UTC)
    [contact] = await engine.store.list_contacts(chat.ref.user_key)
    assert contact.cadence_months == 6


async def test_contacts_of_others_cannot_be_opened(build_engine, chat_with):
    engine = await build_engine()
    await engine.store.save_contact(Contact("console:-:someone-else", "Hidden Person"))
    chat = chat_with(engine)
    await add_dana(chat)
    await chat.press("list")
    replies = await chat.say("hidden")
    assert "couldn't tell which one" in replies[0]


async def test_the_engine_runs_keep_in_touch_jobs_once_registered(build_engine, chat_with):
    engine = await build_engine()
    engine.job_handlers[KEEP_IN_TOUCH] = KeepInTouchJobs(
        engine.store, engine.renderer, lambda: NOW
    )
    chat = chat_with(engine)
    await add_dana(chat)
    [job] = await engine.store.pending_jobs(chat.ref.user_key)
    _, replies = await engine.run_job(job)
    assert "Dana Reyes" in replies[0].text


async def test_open_coach_registers_the_keep_in_touch_handler(tmp_path):
    from bot.app import open_coach
    from bot.config import Settings

    settings = Settings.from_env({"COACH_DATA_DIR": str(tmp_path), "DATABASE_URL": "memory://"})
    coach = await open_coach(settings, store=MemoryStore())
    try:
        assert KEEP_IN_TOUCH in coach.engine.job_handlers
        assert coach.referrals.store is coach.store
    finally:
        await coach.close()


def test_the_relationship_flow_loads_with_every_action() -> None:
    _, registry = load_content(SHIPPED_DIALOGS, actions=build_actions())
    assert {"relationship", "callback", "share_opportunity", "forget", "export"} <= set(
        registry.flows
    )
