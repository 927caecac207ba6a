"""The in-memory store's packed rows (bot/store/memory_rows.py, memory_job_rows.py): what goes
in comes back out, and the job-key rules hold for keys of the usual form
(``<kind>:<conversation key>[:...]``, found through the user's jobs) on every store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from bot.boundary import ConversationRef
from bot.dialog.state import ref_to_list
from bot.store import JobSpec, Store, TurnCommit, UserRecord
from bot.store.memory import MemoryStore
from bot.store.memory_job_rows import PayloadShapes, pack_job, unpack_job

T0 = datetime(2026, 11, 24, 23, 15, tzinfo=UTC)
REF = ConversationRef("slack", "C1", "U1", "T1")
DM = ConversationRef("discord", "D9", "U7")  # no space, no thread: "-" in the key
LEASE = 60


def spec(ref: ConversationRef = REF, *, key: str | None = "", **fields: Any) -> JobSpec:
    job_key = f"reminder:{ref.key}:2026-11-24T23:30Z" if key == "" else key
    payload = {
        "ref": ref_to_list(ref),
        "template": "callback_reminder",
        "context": {"at": "2026-11-24T18:30:00-05:00", "time_zone": "America/New_York"},
        "calendar": {"uid": "x@recruiter-coach", "sequence": 0},
    }
    values: dict[str, Any] = {
        "kind": "reminder",
        "due_at": T0,
        "user_key": ref.user_key,
        "conversation_key": ref.key,
        "payload": payload,
        "job_key": job_key,
    }
    return JobSpec(**{**values, **fields})


@pytest.mark.parametrize(
    "job",
    [
        spec(),
        spec(DM),
        spec(key=None),
        spec(key="nudge:someone"),  # a key of another form
        spec(key="timeout:" + REF.key),  # the usual form without a tail
        spec(user_key="another user"),  # not the user the conversation key names
        spec(conversation_key="c1", user_key="u1"),  # a key of another form
        spec(payload={}),
        spec(payload={"ref": ref_to_list(DM), "nested": {"ref": ref_to_list(REF), "e": {}}}),
        spec(payload={"list": [1, {"a": None}], "text": "line\nbreak", "n": 1.5}),
        spec(due_at=datetime(2026, 1, 1, 12, 0, 0, 123457, tzinfo=UTC)),
    ],
)
def test_a_packed_job_unpacks_to_what_was_packed(job: JobSpec) -> None:
    shapes = PayloadShapes()
    row = pack_job(job, 3, shapes)
    assert row is not None
    assert unpack_job(row, shapes) == (job, 3)


@pytest.mark.parametrize(
    "job",
    [
        spec(due_at=T0.astimezone(timezone(timedelta(hours=-5)))),  # kept as given: a row object
        spec(user_key="nul\0inside"),
    ],
)
def test_what_cannot_be_packed_is_said_so(job: JobSpec) -> None:
    assert pack_job(job, 0, PayloadShapes()) is None


async def test_jobs_the_memory_store_cannot_pack_still_work() -> None:
    store = MemoryStore()  # a NUL is not even allowed in PostgreSQL's text
    new_york = T0.astimezone(timezone(timedelta(hours=-5)))
    await store.schedule_jobs((spec(due_at=new_york, key="odd\0key"), spec(DM)))
    pending = await store.pending_jobs(REF.user_key)
    assert [(j.job_key, j.due_at) for j in pending] == [("odd\0key", T0)]
    [claimed, _] = await claim(store)
    assert claimed.job_key == "odd\0key"
    await store.retry_job(claimed.id, due_at=T0)
    assert await store.cancel_jobs(("odd\0key",)) == 1


async def claim(store: Store, now: datetime = T0, worker: str = "w1") -> list[Any]:
    return await store.claim_due_jobs(now=now, limit=10, worker=worker, lease_seconds=LEASE)


async def test_usual_keys_replace_cancel_and_release_like_any_other(any_store: Store) -> None:
    first, second = spec(), spec(payload={"n": 2})
    await any_store.schedule_jobs((first,))
    await any_store.schedule_jobs((second,))  # same key: replaces the pending one
    [pending] = await any_store.pending_jobs(REF.user_key)
    assert pending.payload == {"n": 2} and pending.job_key == first.job_key

    [running] = await claim(any_store)
    await any_store.schedule_jobs((spec(payload={"n": 3}),))  # the running one loses the key
    assert [j.payload for j in await any_store.pending_jobs(REF.user_key)] == [{"n": 3}]
    await any_store.finish_job(running.id)
    assert await any_store.cancel_jobs((str(first.job_key),)) == 1
    assert await any_store.pending_jobs(REF.user_key) == []


async def test_a_usual_key_sent_then_retried_holds_its_key_again(any_store: Store) -> None:
    job = spec(DM)
    await any_store.schedule_jobs((job,))
    [running] = await claim(any_store)
    assert await any_store.mark_job_sending(running.id, attempts=1)
    await any_store.retry_job(running.id, due_at=T0 + timedelta(minutes=1))
    [pending] = await any_store.pending_jobs(DM.user_key)
    assert pending.id == running.id
    assert await any_store.cancel_jobs((str(job.job_key),)) == 1


async def test_a_sending_job_whose_key_was_taken_is_finished_on_retry(any_store: Store) -> None:
    await any_store.schedule_jobs((spec(),))
    [running] = await claim(any_store)
    assert await any_store.mark_job_sending(running.id, attempts=1)
    await any_store.schedule_jobs((spec(payload={"n": 2}),))  # the key is free: taken
    await any_store.retry_job(running.id, due_at=T0)
    assert [j.payload for j in await any_store.pending_jobs(REF.user_key)] == [{"n": 2}]
    assert [j.payload for j in await claim(any_store)] == [{"n": 2}]


async def test_claims_keep_to_their_platforms_and_due_order(any_store: Store) -> None:
    await any_store.schedule_jobs(
        (spec(DM, due_at=T0 - timedelta(minutes=1)), spec(due_at=T0), spec(key="x", due_at=T0))
    )
    claimed = await any_store.claim_due_jobs(
        now=T0, limit=10, worker="w", lease_seconds=LEASE, platforms=("slack",)
    )
    assert [j.job_key for j in claimed] == [spec().job_key, "x"]
    assert [j.conversation_key for j in await claim(any_store)] == [DM.key]


async def test_users_with_the_same_settings_share_one_row_until_forgotten() -> None:
    store = MemoryStore()
    settings = {"privacy_notice": "sha256:1"}
    for user in ("a", "b"):
        await store.save_user(UserRecord(user, "Europe/Berlin", settings))
    assert store._users["a"] is store._users["b"]
    await store.save_user(UserRecord("a", None, {}))
    await store.forget_user("b")
    assert await store.load_user("a") == UserRecord("a", None, {})
    assert await store.load_user("b") is None
    await store.forget_user("a")
    assert store._user_rows._rows == {} and store._user_rows._uses == {}


async def test_a_conversation_of_another_user_than_its_key_names(any_store: Store) -> None:
    state = {"k": [], "v": {"n": 1}, "q": 1}
    await any_store.commit_turn(TurnCommit(REF.key, "someone else", state, 0))
    await any_store.commit_turn(TurnCommit(DM.key, DM.user_key, state, 0))
    exported = await any_store.export_user("someone else")
    assert [c["key"] for c in exported["conversations"]] == [REF.key]
    assert [c["key"] for c in (await any_store.export_user(DM.user_key))["conversations"]] == [
        DM.key
    ]
    assert await any_store.forget_user(DM.user_key) == 1
    assert await any_store.load_conversation(REF.key) is not None


def _dm(index: int) -> ConversationRef:
    return ConversationRef("discord", f"D{index}", f"U{index}")


async def test_the_latest_rows_wait_unpacked_and_the_quietest_is_packed() -> None:
    # A turn's row is packed when its conversation stops being one of the latest, not after
    # every turn; whatever reads it meanwhile reads what was committed.
    from bot.store.memory import MAX_KEPT

    store = MemoryStore()
    refs = [_dm(i) for i in range(MAX_KEPT + 1)]
    for ref in refs:
        state = {"k": [], "v": {"name": ref.user}, "q": 1}
        await store.commit_turn(TurnCommit(ref.key, ref.user_key, state, 0))
    assert list(store._recent_rows) == [ref.key for ref in refs[1:]]
    assert list(store._conversations) == [refs[0].key]  # packed: bytes
    assert isinstance(store._conversations[refs[0].key], bytes)
    for ref in refs:
        stored = await store.load_conversation(ref.key)
        assert stored is not None and stored.state["v"] == {"name": ref.user}
        assert stored.version == 1


async def test_a_row_read_before_it_is_packed_is_a_copy() -> None:
    store = MemoryStore()
    state = {"k": [], "v": {"name": "Alex"}, "q": 1}
    await store.commit_turn(TurnCommit(DM.key, DM.user_key, state, 0))
    first = await store.load_conversation(DM.key)
    assert first is not None
    first.state["v"]["name"] = "changed by the reader"
    again = await store.load_conversation(DM.key)
    assert again is not None and again.state["v"] == {"name": "Alex"}
    # and a commit after the read goes on from the saved version
    assert await store.commit_turn(TurnCommit(DM.key, DM.user_key, state, 1)) == 2


async def test_export_and_forget_see_the_rows_not_packed_yet() -> None:
    store = MemoryStore()
    state = {"k": [], "v": {"name": "Alex"}, "q": 1}
    await store.commit_turn(TurnCommit(DM.key, DM.user_key, state, 0))
    assert store._recent_rows  # the row waits unpacked
    exported = await store.export_user(DM.user_key)
    assert [c["key"] for c in exported["conversations"]] == [DM.key]
    assert await store.forget_user(DM.user_key) == 1
    assert await store.load_conversation(DM.key) is None
    assert not store._recent_rows and not store._conversations
