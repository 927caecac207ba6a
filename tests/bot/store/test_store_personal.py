"""Personal data in every Store: contacts, referrals, space settings, funnel counts, export and
forget, on memory, SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import MetaData, select

from bot.store import Contact, FunnelRow, JobSpec, Store, TurnCommit, UserRecord
from bot.store.memory import MemoryStore
from bot.store.sql import SqlStore
from tests.sql_engine import sql_engine

T0 = datetime(2030, 5, 1, 9, 0, tzinfo=UTC)
SECRET = "slack:T1:U-forget-me-42"
KEEP = "slack:T1:U-keep-me-7"


def contact(user: str = SECRET, name: str = "Dana Reyes", **more: Any) -> Contact:
    fields: dict[str, Any] = {
        "agency": "Northwind Talent",
        "specialty": "data engineering",
        "reach": "dana@northwind.example",
        "notes": "met at the meetup",
        "cadence_months": 3,
    }
    fields.update(more)
    return Contact(user_key=user, name=name, **fields)


async def share(store: Store, user: str = SECRET, role: str = "Data Engineer") -> int:
    referral = await store.create_referral(
        platform="slack",
        space="T1",
        sharer_key=user,
        sharer_ref={"platform": "slack", "channel": "D1", "user": user, "space": "T1"},
        opportunity={"role": role, "level": "senior", "recruiter_contact": None},
    )
    return referral.id


# contacts


async def test_contacts_are_saved_listed_and_fetched(any_store: Store) -> None:
    first = await any_store.save_contact(contact())
    second = await any_store.save_contact(contact(name="Sam Lee", cadence_months=None))
    await any_store.save_contact(contact(user=KEEP, name="Other"))

    listed = await any_store.list_contacts(SECRET)
    assert [c.name for c in listed] == ["Dana Reyes", "Sam Lee"]
    assert [c.id for c in listed] == [first, second]
    fetched = await any_store.get_contact(SECRET, first)
    assert fetched is not None
    assert (fetched.agency, fetched.reach, fetched.cadence_months) == (
        "Northwind Talent",
        "dana@northwind.example",
        3,
    )
    assert fetched.created_at is not None and fetched.created_at.tzinfo is not None


async def test_a_contact_is_updated_only_by_its_owner(any_store: Store) -> None:
    contact_id = await any_store.save_contact(contact())
    seen = T0 - timedelta(days=2)
    changed = contact(name="Dana R.", cadence_months=6, last_contact_at=seen, id=contact_id)
    assert await any_store.save_contact(changed) == contact_id

    stored = await any_store.get_contact(SECRET, contact_id)
    assert stored is not None
    assert (stored.name, stored.cadence_months, stored.last_contact_at) == ("Dana R.", 6, seen)
    with pytest.raises(LookupError):
        await any_store.save_contact(contact(user=KEEP, id=contact_id))
    assert await any_store.get_contact(KEEP, contact_id) is None


async def test_a_cadence_outside_three_to_six_months_is_refused(any_store: Store) -> None:
    with pytest.raises(ValueError, match="between 3 and 6"):
        await any_store.save_contact(contact(cadence_months=12))


async def test_a_contact_is_deleted_only_by_its_owner(any_store: Store) -> None:
    contact_id = await any_store.save_contact(contact())
    assert await any_store.delete_contact(KEEP, contact_id) is False
    assert await any_store.delete_contact(SECRET, contact_id) is True
    assert await any_store.delete_contact(SECRET, contact_id) is False
    assert await any_store.list_contacts(SECRET) == []


# funnel counts


async def test_turns_add_up_their_funnel_counts(any_store: Store) -> None:
    funnel = (("menu", "pick", "started"), ("menu", "pick", "answered"))
    await any_store.commit_turn(TurnCommit("c1", SECRET, {}, 0, funnel=funnel))
    await any_store.commit_turn(
        TurnCommit("c2", KEEP, {}, 0, funnel=(*funnel, ("menu", "pick", "started")))
    )
    await any_store.commit_turn(
        TurnCommit("c1", SECRET, {}, 1, funnel=(("callback", "new_time", "retried"),) * 2)
    )

    assert await any_store.funnel_stats() == [
        FunnelRow("callback", "new_time", retried=2),
        FunnelRow("menu", "pick", started=3, answered=2),
    ]


async def test_a_conflicting_turn_counts_nothing(any_store: Store) -> None:
    await any_store.commit_turn(TurnCommit("c1", SECRET, {}, 0))
    with pytest.raises(Exception, match="c1"):
        await any_store.commit_turn(
            TurnCommit("c1", SECRET, {}, 0, funnel=(("menu", "pick", "started"),))
        )
    assert await any_store.funnel_stats() == []


# space settings


async def test_space_settings_are_set_replaced_and_removed(any_store: Store) -> None:
    assert await any_store.get_space_setting("slack", "T1", "referral_channel") is None
    await any_store.set_space_setting("slack", "T1", "referral_channel", "C1")
    await any_store.set_space_setting("slack", "T1", "referral_channel", "C2")
    await any_store.set_space_setting("discord", "T1", "referral_channel", "99")
    assert await any_store.get_space_setting("slack", "T1", "referral_channel") == "C2"
    await any_store.set_space_setting("slack", "T1", "referral_channel", None)
    assert await any_store.get_space_setting("slack", "T1", "referral_channel") is None
    assert await any_store.get_space_setting("discord", "T1", "referral_channel") == "99"


# referrals


async def test_a_referral_is_created_posted_and_read_back(any_store: Store) -> None:
    referral_id = await share(any_store)
    await any_store.set_referral_message(referral_id, "C-ref", "1700000000.0001")

    referral = await any_store.get_referral(referral_id)
    assert referral is not None
    assert (referral.status, referral.channel, referral.message_id) == (
        "open",
        "C-ref",
        "1700000000.0001",
    )
    assert referral.opportunity["role"] == "Data Engineer"
    assert referral.sharer_ref["channel"] == "D1"
    assert (referral.interested_count, referral.know_someone_count) == (0, 0)
    assert await any_store.get_referral(referral_id + 1000) is None


async def test_clicks_count_once_per_person_and_kind(any_store: Store) -> None:
    referral_id = await share(any_store)
    assert await any_store.add_referral_response(referral_id, KEEP, "interested") is True
    assert await any_store.add_referral_response(referral_id, KEEP, "interested") is False
    assert await any_store.add_referral_response(referral_id, KEEP, "know_someone") is True
    assert await any_store.add_referral_response(referral_id, "slack:T1:U3", "interested")

    referral = await any_store.get_referral(referral_id)
    assert referral is not None
    assert (referral.interested_count, referral.know_someone_count) == (2, 1)
    answers = await any_store.referrals_answered_by(KEEP)
    assert sorted(a.kind for a in answers) == ["interested", "know_someone"]
    assert {a.referral_id for a in answers} == {referral_id}


async def test_two_people_clicking_at_once_both_count(any_store: Store) -> None:
    referral_id = await share(any_store)
    results = await asyncio.gather(
        *(
            any_store.add_referral_response(referral_id, f"slack:T1:U{n}", "interested")
            for n in range(2)
        ),
        any_store.add_referral_response(referral_id, "slack:T1:U0", "interested"),
    )
    assert sorted(results) == [False, True, True]
    referral = await any_store.get_referral(referral_id)
    assert referral is not None and referral.interested_count == 2


async def test_a_closed_or_missing_referral_takes_no_answers(any_store: Store) -> None:
    referral_id = await share(any_store)
    assert await any_store.close_referral(referral_id, KEEP) is False  # not theirs
    assert await any_store.close_referral(referral_id, SECRET) is True
    assert await any_store.close_referral(referral_id, SECRET) is False  # already closed
    assert await any_store.add_referral_response(referral_id, KEEP, "interested") is False
    assert await any_store.add_referral_response(9999, KEEP, "interested") is False

    referral = await any_store.get_referral(referral_id)
    assert referral is not None
    assert (referral.status, referral.interested_count) == ("closed", 0)
    assert referral.closed_at is not None


async def test_an_unknown_answer_kind_is_refused(any_store: Store) -> None:
    referral_id = await share(any_store)
    with pytest.raises(ValueError, match="unknown referral answer"):
        await any_store.add_referral_response(referral_id, KEEP, "maybe")


async def test_referrals_shared_by_a_user_newest_first(any_store: Store) -> None:
    first = await share(any_store, role="first")
    second = await share(any_store, role="second")
    await share(any_store, user=KEEP)
    shared = await any_store.referrals_shared_by(SECRET)
    assert [r.id for r in shared] == [second, first]


# export and forget


async def fill_for(store: Store, user: str) -> dict[str, int]:
    """One row of every kind about ``user``; returns ids to look for."""
    conv = f"slack:T1:D1:-:{user}"
    await store.commit_turn(
        TurnCommit(conv, user, {"v": {"name": f"name-of-{user}"}}, 0, event_id=f"ev-{len(user)}")
    )
    await store.save_user(UserRecord(user, "Europe/Berlin", {"privacy_notice": 1}))
    await store.schedule_jobs(
        (JobSpec("reminder", T0, user, conv, {"ref": {"user": user}}, f"reminder:{conv}"),)
    )
    contact_id = await store.save_contact(contact(user=user, notes=f"notes of {user}"))
    referral_id = await share(store, user=user)
    await store.enqueue_event(  # a message saved but not handled yet (a worker restarting)
        event_id=f"inbox-{user}",
        conversation_key=conv,
        user_key=user,
        stamp="000000000000001.000100",
        payload={"incoming": {"text": f"typed by {user}"}, "route": {}},
        now=T0,
    )
    # what the platform said about the person, cached for the workers
    await store.save_profile(user, {"name": f"profile-of-{user}"}, expires_at=T0)
    return {"contact": contact_id, "referral": referral_id}


async def test_export_holds_every_row_created_for_the_user(any_store: Store) -> None:
    mine = await fill_for(any_store, SECRET)
    theirs = await fill_for(any_store, KEEP)
    await any_store.add_referral_response(theirs["referral"], SECRET, "interested")
    await any_store.add_referral_response(mine["referral"], KEEP, "know_someone")

    exported = await any_store.export_user(SECRET)

    assert set(exported) == {
        "conversations",
        "users",
        "jobs",
        "contacts",
        "referrals",
        "referral_responses",
        "inbox_events",
        "profiles",
    }
    assert {name: len(rows) for name, rows in exported.items()} == dict.fromkeys(exported, 1)
    assert exported["conversations"][0]["state"] == {"v": {"name": f"name-of-{SECRET}"}}
    assert exported["users"][0]["time_zone"] == "Europe/Berlin"
    assert exported["jobs"][0]["payload"] == {"ref": {"user": SECRET}}
    assert exported["contacts"][0]["notes"] == f"notes of {SECRET}"
    assert exported["referrals"][0]["id"] == mine["referral"]
    assert exported["referrals"][0]["know_someone_count"] == 1
    assert exported["referral_responses"][0]["referral_id"] == theirs["referral"]
    assert exported["profiles"][0]["profile"] == {"name": f"profile-of-{SECRET}"}
    waiting = exported["inbox_events"][0]
    assert waiting["payload"]["incoming"] == {"text": f"typed by {SECRET}"}
    assert waiting["status"] == "pending"
    text = json.dumps(exported)  # JSON-ready as it is
    assert KEEP not in text  # who answered the user's referral is not theirs to export


async def test_forget_takes_answers_off_other_peoples_counts(any_store: Store) -> None:
    theirs = await fill_for(any_store, KEEP)
    mine = await fill_for(any_store, SECRET)
    await any_store.add_referral_response(theirs["referral"], SECRET, "interested")
    await any_store.add_referral_response(theirs["referral"], "slack:T1:U3", "interested")
    await any_store.add_referral_response(mine["referral"], KEEP, "interested")

    # conversation, user, job, contact, referral + its answer, own answer, inbox event
    assert await any_store.forget_user(SECRET) == 9

    kept = await any_store.get_referral(theirs["referral"])
    assert kept is not None and kept.interested_count == 1
    assert await any_store.get_referral(mine["referral"]) is None
    assert await any_store.referrals_answered_by(KEEP) == []  # went with my referral
    assert all(rows == [] for rows in (await any_store.export_user(SECRET)).values())
    assert len((await any_store.export_user(KEEP))["contacts"]) == 1
    if isinstance(any_store, MemoryStore):  # test_sql_store scans the SQL tables one by one
        assert "forget-me" not in repr(vars(any_store))


async def every_row(store: SqlStore) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table the database has, found by reflecting the live schema (not
    the tables in code), so a table added without forget support cannot hide."""
    reflected = MetaData()
    async with sql_engine(store).connect() as conn:
        await conn.run_sync(reflected.reflect)
        return {
            table.name: [dict(row._mapping) for row in await conn.execute(select(table))]
            for table in reflected.sorted_tables
        }


async def test_after_forget_no_table_mentions_the_user(store: SqlStore) -> None:
    theirs = await fill_for(store, KEEP)
    mine = await fill_for(store, SECRET)
    await store.add_referral_response(theirs["referral"], SECRET, "know_someone")
    await store.add_referral_response(mine["referral"], KEEP, "interested")
    await store.commit_turn(TurnCommit("c-f", SECRET, {}, 0, funnel=(("m", "s", "started"),)))
    await store.set_space_setting("slack", "T1", "referral_channel", "C-ref")
    before = await every_row(store)
    assert {"contacts", "referrals", "referral_responses", "funnel_counts"} <= set(before)
    assert any("forget-me" in repr(rows) for rows in before.values())

    await store.forget_user(SECRET)

    rows = await every_row(store)
    mentions = [
        (table, row)
        for table, table_rows in rows.items()
        for row in table_rows
        if any("forget-me" in str(value) for value in row.values())
    ]
    assert mentions == []
    assert any("keep-me" in repr(row) for row in rows["referrals"])
    assert rows["funnel_counts"] != [] and rows["space_settings"] != []


async def test_two_workers_counting_clicks_lose_none(store_url: str) -> None:
    first, second = SqlStore(store_url), SqlStore(store_url)
    await first.open()
    await second.open()
    try:
        referral_id = await share(first)
        clicks = [
            worker.add_referral_response(referral_id, f"slack:T1:U{n}", kind)
            for n in range(10)
            for worker, kind in ((first, "interested"), (second, "know_someone"))
        ]
        clicks += [second.add_referral_response(referral_id, "slack:T1:U0", "interested")]
        results = await asyncio.gather(*clicks)
        referral = await second.get_referral(referral_id)
    finally:
        await first.close()
        await second.close()

    assert results.count(True) == 20 and results.count(False) == 1
    assert referral is not None
    assert (referral.interested_count, referral.know_someone_count) == (10, 10)
