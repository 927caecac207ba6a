"""DMs through the durable inbox (bot.dialog.inbox), as ``recruiter-coach slack`` runs them:
answered in the order Slack stamped them, never lost by a worker that dies after the 200."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import aiohttp

from adapters.slack.cli import EVENTS_PATH, SlackWorker
from tests.adapters.slack.conftest import Harness, slack_settings
from tests.adapters.slack.fake_slack import FakeSlack

BURST = ("at work", "tomorrow 18:30", "+1 415 555 0100")


def _dm_event(text: str, ts: float, user: str = "U1") -> dict[str, Any]:
    return {
        "type": "message",
        "channel": f"D{user}",
        "channel_type": "im",
        "user": user,
        "text": text,
        "ts": f"{ts:.6f}",
    }


async def _texts(fake: FakeSlack, count: int, timeout: float = 10.0) -> list[str]:
    calls = await fake.wait_for("chat.postMessage", count, timeout=timeout)
    return [c.args["text"] for c in calls]


async def test_three_dms_sent_together_are_applied_in_slacks_order_and_all_kept(
    slack: Harness,
) -> None:
    await slack.dm("start")
    await _texts(slack.fake, 2)  # privacy notice, "can you talk?"
    now = time.time()
    events = [_dm_event(text, now + i * 0.015) for i, text in enumerate(BURST)]
    # The network delivers them the other way round, all within a few milliseconds.
    responses = await asyncio.gather(
        *(slack.event(e, event_id=f"EvBurst{i}") for i, e in reversed(list(enumerate(events))))
    )
    assert all(r.status == 200 for r in responses)
    texts = await _texts(slack.fake, 6)
    assert "Which number" in texts[3]  # asked after the time, answered by the third DM
    # the script first (the recruiter is on the line), then the calendar file's message
    assert "Here's what to say" in texts[4] and "415-555-0100" in texts[4]
    assert "Add to calendar" in texts[5]
    jobs = await slack.coach.store.pending_jobs("slack:T1:U1")
    assert [job.kind for job in jobs if job.kind == "reminder"] == ["reminder"]
    assert not any("Sorry" in text for text in texts)


async def test_a_dm_is_saved_before_its_200(slack: Harness) -> None:
    inbox = slack.delivery.handlers.inbox  # type: ignore[union-attr]
    assert inbox is not None
    await inbox.stop()  # nothing runs events now: the 200 can only mean "saved"
    response = await slack.dm("start", event_id="EvSaved")
    assert response.status == 200
    claimed = await slack.coach.store.claim_conversations(
        now=_far_future(), limit=5, worker="someone else", lease_seconds=1
    )
    assert claimed == ["slack:T1:dm:-:U1"]
    assert slack.fake.named("chat.postMessage") == []


async def test_a_worker_killed_after_the_200_leaves_its_dm_to_the_survivor(
    tmp_path: Path, postgres_url: str, fake_slack: FakeSlack
) -> None:
    settings = slack_settings(tmp_path, postgres_url, fake_slack)
    doomed, survivor = (SlackWorker(settings, host="127.0.0.1", port=0) for _ in range(2))
    await doomed.start()
    await survivor.start()
    session = aiohttp.ClientSession()
    try:
        for worker in (doomed, survivor):
            _inbox(worker).lease_seconds = 1.0
        hang = asyncio.Event()

        async def stuck(*_: object) -> Any:  # the worker freezes holding the conversation
            await hang.wait()

        _inbox(doomed).adapter.prepare = stuck  # type: ignore[method-assign]
        harness = Harness(
            fake_slack, f"http://127.0.0.1:{doomed.port}{EVENTS_PATH}", session=session
        )
        assert (await harness.dm("start", event_id="EvDoomed")).status == 200
        await asyncio.sleep(0.3)  # claimed by the doomed worker, which now "dies"
        await _kill(doomed)
        texts = await _texts(fake_slack, 2, timeout=10)  # the survivor, once the lease is over
        assert "can you talk" in texts[-1].lower()
        await asyncio.sleep(1.5)
        assert len(fake_slack.named("chat.postMessage")) == 2  # once, not twice
    finally:
        await session.close()
        await survivor.stop()


async def test_a_dm_left_by_a_dead_worker_is_answered_after_a_restart(
    tmp_path: Path, sqlite_url: str, fake_slack: FakeSlack
) -> None:
    settings = slack_settings(tmp_path, sqlite_url, fake_slack)
    first = SlackWorker(settings, host="127.0.0.1", port=0)
    await first.start()
    session = aiohttp.ClientSession()
    try:
        inbox = _inbox(first)
        await inbox.stop()  # dies between the 200 and the work
        harness = Harness(
            fake_slack, f"http://127.0.0.1:{first.port}{EVENTS_PATH}", session=session
        )
        assert (await harness.dm("start", event_id="EvRestart")).status == 200
        await first.stop()
        restarted = SlackWorker(settings, host="127.0.0.1", port=0)
        await restarted.start()
        try:
            texts = await _texts(fake_slack, 2, timeout=10)
            assert "can you talk" in texts[-1].lower()
        finally:
            await restarted.stop()
    finally:
        await session.close()


def _inbox(worker: SlackWorker) -> Any:
    assert worker.delivery is not None and worker.delivery.handlers is not None
    return worker.delivery.handlers.inbox


async def _kill(worker: SlackWorker) -> None:
    """As close to kill -9 as one process allows: every task of the worker's inbox is cancelled
    (nothing is released or finished), then the rest is shut."""
    inbox = _inbox(worker)
    tasks = [t for t in (inbox._task, *inbox._active.values()) if t is not None]
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    inbox._task = None
    inbox._active.clear()
    await worker.stop()


def _far_future() -> Any:
    from datetime import UTC, datetime, timedelta

    return datetime.now(UTC) + timedelta(hours=1)


async def test_a_dm_with_a_lone_surrogate_is_saved_and_answered(slack: Harness) -> None:
    response = await slack.dm("\ud800 start")
    assert response.status == 200
    texts = await _texts(slack.fake, 2)
    assert not any("Sorry" in text for text in texts)


async def test_an_answer_button_is_saved_before_its_200_and_answered_in_turn(
    slack: Harness,
) -> None:
    from tests.adapters.slack.conftest import button

    await slack.dm("start")
    first = await slack.fake.wait_for("chat.postMessage", 2)
    inbox = slack.delivery.handlers.inbox  # type: ignore[union-attr]
    await inbox.stop()  # nothing runs events now: the 200 can only mean "saved"
    pressed = button(first[-1].args["blocks"], "I'm at work, I can't talk")
    response = await slack.click(pressed, ephemeral=False, channel="DU1")
    assert response.status == 200
    claimed = await slack.coach.store.claim_conversations(
        now=_far_future(), limit=5, worker="someone else", lease_seconds=1
    )
    assert claimed == ["slack:T1:dm:-:U1"]
    assert len(slack.fake.named("chat.postMessage")) == 2
