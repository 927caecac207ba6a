"""The Store contract, run against every implementation: memory, SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.store import (
    DuplicateEventError,
    Job,
    JobSpec,
    Store,
    TurnCommit,
    UserRecord,
    VersionConflictError,
)

T0 = datetime(2030, 5, 1, 9, 0, tzinfo=UTC)
LEASE = 300


def job(
    kind: str = "remind",
    *,
    due_at: datetime = T0,
    user: str = "u1",
    key: str | None = None,
    payload: dict[str, Any] | None = None,
) -> JobSpec:
    return JobSpec(kind, due_at, user, f"conv-{user}", dict(payload or {}), key)


def turn(
    state: dict[str, Any] | None,
    expected: int,
    *,
    key: str = "c1",
    user: str = "u1",
    **more: Any,
) -> TurnCommit:
    return TurnCommit(key, user, state, expected, **more)


def in_future() -> datetime:
    return datetime.now(UTC) + timedelta(hours=1)


async def claim(
    store: Store, now: datetime = T0, *, worker: str = "w1", limit: int = 50
) -> list[Job]:
    return await store.claim_due_jobs(now=now, limit=limit, worker=worker, lease_seconds=LEASE)


# conversations


async def test_a_new_conversation_round_trips(any_store: Store) -> None:
    state = {"step": "ask_name", "slots": {"name": "Ada", "n": 3, "ok": True, "x": None}}

    assert await any_store.load_conversation("c1") is None
    assert await any_store.commit_turn(turn(state, 0)) == 1

    loaded = await any_store.load_conversation("c1")
    assert loaded is not None
    assert (loaded.key, loaded.state, loaded.version) == ("c1", state, 1)
    assert loaded.updated_at.tzinfo is not None
    assert loaded.updated_at.utcoffset() == timedelta(0)


async def test_each_turn_bumps_the_version(any_store: Store) -> None:
    await any_store.commit_turn(turn({"n": 1}, 0))
    assert await any_store.commit_turn(turn({"n": 2}, 1)) == 2
    assert await any_store.commit_turn(turn({"n": 3}, 2)) == 3

    loaded = await any_store.load_conversation("c1")
    assert loaded is not None
    assert (loaded.state, loaded.version) == ({"n": 3}, 3)


@pytest.mark.parametrize("stale", [0, 1, 5])
async def test_a_stale_version_conflicts_and_changes_nothing(any_store: Store, stale: int) -> None:
    await any_store.commit_turn(turn({"n": 1}, 0))
    await any_store.commit_turn(turn({"n": 2}, 1))

    with pytest.raises(VersionConflictError):
        await any_store.commit_turn(turn({"n": 99}, stale))

    loaded = await any_store.load_conversation("c1")
    assert loaded is not None
    assert (loaded.state, loaded.version) == ({"n": 2}, 2)


async def test_state_none_deletes_the_conversation(any_store: Store) -> None:
    await any_store.commit_turn(turn({"n": 1}, 0))

    with pytest.raises(VersionConflictError):
        await any_store.commit_turn(turn(None, 0))
    assert await any_store.commit_turn(turn(None, 1)) == 0
    assert await any_store.load_conversation("c1") is None
    # Starting again from nothing is a new conversation.
    assert await any_store.commit_turn(turn({"n": 1}, 0)) == 1


async def test_deleting_a_conversation_that_never_existed_is_a_no_op(any_store: Store) -> None:
    assert await any_store.commit_turn(turn(None, 0, key="never")) == 0
    with pytest.raises(VersionConflictError):
        await any_store.commit_turn(turn(None, 3, key="never"))


async def test_conversations_race_and_both_answers_are_kept(any_store: Store) -> None:
    """Two events for one conversation at once: the loser reloads and applies its turn again."""
    await any_store.commit_turn(turn({"answers": []}, 0))

    both_loaded = asyncio.Barrier(2)

    async def answer(text: str) -> int:
        conflicts = 0
        while True:
            loaded = await any_store.load_conversation("c1")
            assert loaded is not None
            if conflicts == 0:
                await both_loaded.wait()  # both events start from the same version
            state = {"answers": [*loaded.state["answers"], text]}
            try:
                await any_store.commit_turn(turn(state, loaded.version))
                return conflicts
            except VersionConflictError:
                conflicts += 1

    conflicts = await asyncio.gather(answer("yes"), answer("tomorrow"))

    loaded = await any_store.load_conversation("c1")
    assert loaded is not None
    assert sorted(loaded.state["answers"]) == ["tomorrow", "yes"]
    assert loaded.version == 3
    assert sorted(conflicts) == [0, 1]


# processed events


async def test_a_processed_event_is_remembered(any_store: Store) -> None:
    assert not await any_store.is_processed("ev1")
    await any_store.commit_turn(turn({"n": 1}, 0, event_id="ev1", event_expires_at=in_future()))
    assert await any_store.is_processed("ev1")


async def test_an_event_without_expiry_is_remembered(any_store: Store) -> None:
    await any_store.commit_turn(turn({"n": 1}, 0, event_id="ev1"))
    assert await any_store.is_processed("ev1")
    assert await any_store.purge_expired_events(datetime.now(UTC)) == 0


async def test_a_duplicate_event_raises_and_writes_nothing(any_store: Store) -> None:
    await any_store.commit_turn(
        turn({"n": 1}, 0, event_id="ev1", event_expires_at=in_future(), new_jobs=(job(key="k1"),))
    )

    with pytest.raises(DuplicateEventError):
        await any_store.commit_turn(
            turn(
                {"n": 2},
                1,
                event_id="ev1",
                event_expires_at=in_future(),
                new_jobs=(job("other", user="u1"),),
                cancel_job_keys=("k1",),
            )
        )
    with pytest.raises(DuplicateEventError):
        await any_store.commit_turn(turn({"n": 1}, 0, key="c2", event_id="ev1"))

    loaded = await any_store.load_conversation("c1")
    assert loaded is not None
    assert (loaded.state, loaded.version) == ({"n": 1}, 1)
    assert await any_store.load_conversation("c2") is None
    assert [(j.kind, j.job_key) for j in await any_store.pending_jobs("u1")] == [("remind", "k1")]


async def test_a_version_conflict_does_not_mark_the_event_processed(any_store: Store) -> None:
    await any_store.commit_turn(turn({"n": 1}, 0))

    with pytest.raises(VersionConflictError):
        await any_store.commit_turn(turn({"n": 2}, 7, event_id="ev2", new_jobs=(job(),)))

    assert not await any_store.is_processed("ev2")
    assert await any_store.pending_jobs("u1") == []
    # The retry with the right version goes through.
    assert await any_store.commit_turn(turn({"n": 2}, 1, event_id="ev2")) == 2


async def test_expired_events_are_ignored_reused_and_purged(any_store: Store) -> None:
    past = datetime.now(UTC) - timedelta(seconds=1)
    await any_store.commit_turn(turn({"n": 1}, 0, event_id="old", event_expires_at=past))
    await any_store.commit_turn(turn({"n": 2}, 1, event_id="new", event_expires_at=in_future()))

    assert not await any_store.is_processed("old")
    assert await any_store.commit_turn(turn({"n": 3}, 2, event_id="old")) == 3
    assert await any_store.is_processed("old")

    later = datetime.now(UTC) + timedelta(days=2)
    assert await any_store.purge_expired_events(later) == 2
    assert not await any_store.is_processed("new")


# jobs


async def test_scheduling_a_key_again_replaces_the_pending_job(any_store: Store) -> None:
    await any_store.schedule_jobs((job(key="remind:c1", payload={"n": 1}),))
    await any_store.schedule_jobs(
        (job(key="remind:c1", payload={"n": 2}, due_at=T0 + timedelta(1)),)
    )
    await any_store.commit_turn(
        turn({"s": 1}, 0, new_jobs=(job(key="remind:c1", payload={"n": 3}), job(key="other")))
    )

    pending = await any_store.pending_jobs("u1")
    assert sorted((j.job_key, j.payload["n"] if j.payload else None) for j in pending) == [
        ("other", None),
        ("remind:c1", 3),
    ]


async def test_the_last_of_two_specs_with_one_key_wins(any_store: Store) -> None:
    await any_store.schedule_jobs(
        (job(key="k", payload={"n": 1}), job(payload={"n": 2}), job(key="k", payload={"n": 3}))
    )
    pending = await any_store.pending_jobs("u1")
    assert sorted(j.payload["n"] for j in pending) == [2, 3]


async def test_jobs_are_cancelled_by_key(any_store: Store) -> None:
    await any_store.schedule_jobs((job(key="a"), job(key="b"), job(key="c"), job()))

    assert await any_store.cancel_jobs(("a", "missing")) == 1
    await any_store.commit_turn(turn({"s": 1}, 0, cancel_job_keys=("b",)))

    assert sorted(str(j.job_key) for j in await any_store.pending_jobs("u1")) == ["None", "c"]


async def test_a_turn_can_cancel_and_reschedule_the_same_key(any_store: Store) -> None:
    await any_store.schedule_jobs((job(key="timeout:c1", due_at=T0),))
    later = T0 + timedelta(minutes=5)

    await any_store.commit_turn(
        turn(
            {"s": 1},
            0,
            cancel_job_keys=("timeout:c1",),
            new_jobs=(job(key="timeout:c1", due_at=later),),
        )
    )

    assert [(j.job_key, j.due_at) for j in await any_store.pending_jobs("u1")] == [
        ("timeout:c1", later)
    ]


async def test_pending_jobs_are_per_user_in_due_order(any_store: Store) -> None:
    await any_store.schedule_jobs(
        (
            job("b", due_at=T0 + timedelta(hours=2)),
            job("a", due_at=T0 + timedelta(hours=1)),
            job("other", user="u2"),
        )
    )
    pending = await any_store.pending_jobs("u1")
    assert [j.kind for j in pending] == ["a", "b"]
    assert all(j.attempts == 0 and j.user_key == "u1" for j in pending)
    assert pending[0].due_at == T0 + timedelta(hours=1)
    assert pending[0].conversation_key == "conv-u1"


async def test_only_due_jobs_are_claimed_oldest_first(any_store: Store) -> None:
    await any_store.schedule_jobs(
        (
            job("later", due_at=T0 + timedelta(seconds=1)),
            job("second", due_at=T0 - timedelta(minutes=1), payload={"text_ref": 7}),
            job("first", due_at=T0 - timedelta(hours=1)),
        )
    )

    claimed = await claim(any_store)

    assert [j.kind for j in claimed] == ["first", "second"]
    assert all(j.attempts == 1 for j in claimed)
    assert claimed[1].payload == {"text_ref": 7}
    assert await claim(any_store, worker="w2") == []  # claimed ones are not handed out twice
    assert [j.kind for j in await any_store.pending_jobs("u1")] == ["later"]


async def test_claims_respect_the_limit(any_store: Store) -> None:
    await any_store.schedule_jobs(
        tuple(job(f"j{i}", due_at=T0 - timedelta(seconds=i)) for i in range(5))
    )

    first = await claim(any_store, limit=2)
    second = await claim(any_store, limit=2)
    third = await claim(any_store, limit=2)

    assert [j.kind for j in first + second + third] == ["j4", "j3", "j2", "j1", "j0"]


async def test_a_finished_job_is_never_claimed_again(any_store: Store) -> None:
    await any_store.schedule_jobs((job(key="k"),))
    [claimed] = await claim(any_store)

    await any_store.finish_job(claimed.id)

    assert await claim(any_store, T0 + timedelta(days=1)) == []
    assert await any_store.pending_jobs("u1") == []
    # The key is free again.
    await any_store.schedule_jobs((job(key="k"),))
    assert len(await any_store.pending_jobs("u1")) == 1


async def test_a_failed_job_is_never_claimed_again(any_store: Store) -> None:
    await any_store.schedule_jobs((job(),))
    [claimed] = await claim(any_store)

    await any_store.finish_job(claimed.id, error="RuntimeError")

    assert await claim(any_store, T0 + timedelta(days=1)) == []


async def test_a_retried_job_waits_until_its_new_time(any_store: Store) -> None:
    await any_store.schedule_jobs((job(key="k"),))
    [claimed] = await claim(any_store)
    retry_at = T0 + timedelta(minutes=1)

    await any_store.retry_job(claimed.id, due_at=retry_at)

    assert [(j.id, j.due_at) for j in await any_store.pending_jobs("u1")] == [
        (claimed.id, retry_at)
    ]
    assert await claim(any_store, retry_at - timedelta(seconds=1)) == []
    [again] = await claim(any_store, retry_at)
    assert (again.id, again.attempts) == (claimed.id, 2)


async def test_a_claim_past_its_lease_is_taken_over(any_store: Store) -> None:
    await any_store.schedule_jobs((job(),))
    [claimed] = await claim(any_store, worker="dies")

    assert await claim(any_store, T0 + timedelta(seconds=LEASE), worker="w2") == []
    [taken] = await claim(any_store, T0 + timedelta(seconds=LEASE + 1), worker="w2")

    assert (taken.id, taken.attempts) == (claimed.id, 2)


async def test_a_running_job_can_schedule_its_own_key_again(any_store: Store) -> None:
    """A recurring reminder reschedules itself while it runs."""
    await any_store.schedule_jobs((job(key="nudge:u1"),))
    [running] = await claim(any_store)
    tomorrow = T0 + timedelta(days=1)

    await any_store.schedule_jobs((job(key="nudge:u1", due_at=tomorrow),))
    await any_store.finish_job(running.id)

    [pending] = await any_store.pending_jobs("u1")
    assert (pending.job_key, pending.due_at) == ("nudge:u1", tomorrow)
    assert await any_store.cancel_jobs(("nudge:u1",)) == 1


# users and flow sources


async def test_users_are_saved_and_updated(any_store: Store) -> None:
    assert await any_store.load_user("u1") is None

    await any_store.save_user(UserRecord("u1", "Europe/Berlin", {"referral_opt_in": True}))
    assert await any_store.load_user("u1") == UserRecord(
        "u1", "Europe/Berlin", {"referral_opt_in": True}
    )

    await any_store.save_user(UserRecord("u1", None, {}))
    assert await any_store.load_user("u1") == UserRecord("u1", None, {})


async def test_flow_sources_are_kept_by_version(any_store: Store) -> None:
    assert await any_store.load_flow_source("v1") is None

    await any_store.save_flow_source(version="v1", flow_id="intro", source="id: intro\n")
    await any_store.save_flow_source(version="v1", flow_id="intro", source="ignored")
    await any_store.save_flow_source(version="v2", flow_id="intro", source="id: intro # 2\n")

    assert await any_store.load_flow_source("v1") == "id: intro\n"
    assert await any_store.load_flow_source("v2") == "id: intro # 2\n"


# privacy


async def test_forget_user_removes_only_that_user(any_store: Store) -> None:
    for user in ("u1", "u2"):
        await any_store.commit_turn(turn({"name": "Ada"}, 0, key=f"a-{user}", user=user))
        await any_store.commit_turn(turn({"name": "Ada"}, 0, key=f"b-{user}", user=user))
        await any_store.save_user(UserRecord(user, "UTC"))
        await any_store.schedule_jobs((job(user=user), job(user=user, key=f"k-{user}")))
    [done] = await claim(any_store, limit=1)
    await any_store.finish_job(done.id)

    removed = await any_store.forget_user("u1")

    assert removed == 2 + 1 + 2  # conversations, user, jobs (a finished one too)
    assert await any_store.load_conversation("a-u1") is None
    assert await any_store.load_user("u1") is None
    assert await any_store.pending_jobs("u1") == []
    assert await any_store.load_conversation("a-u2") is not None
    assert await any_store.load_user("u2") is not None
    assert len(await any_store.pending_jobs("u2")) == 2
    assert await any_store.forget_user("u1") == 0
    # The forgotten user's job key is free again.
    await any_store.schedule_jobs((job(key="k-u1"),))
