"""Slash commands and modal submissions through the durable inbox (bot.dialog.inbox): saved before
their 200, run exactly once, kept by a worker that stops between the 200 and the work, and
applied in Slack's order with the DMs of the same conversation."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import aiohttp

from adapters.slack.cli import EVENTS_PATH, SlackWorker
from tests.adapters.slack.conftest import Harness, button, slack_settings
from tests.adapters.slack.fake_slack import FakeSlack

PHONE = "+1 415 555 0100"


async def _at_work(slack: Harness) -> dict[str, Any]:
    """/recruiter, then "I'm at work": the callback form's modal opens. Returns the view."""
    await slack.command("")
    hooks = await slack.fake.wait_for("hook", 2)
    await slack.click(button(hooks[-1].args["blocks"], "I'm at work, I can't talk"))
    opened = await slack.fake.wait_for("views.open")
    await slack.fake.wait_for("hook", 3)  # the question as a message too
    return opened[0].args["view"]


def _submission(view: dict[str, Any], *, trigger: str, phone: str = PHONE) -> dict[str, Any]:
    """A view_submission payload as Slack sends it (the trigger id names this submission)."""
    at = int(time.time()) + 2 * 86400
    values = {
        "callback_at": {"value": {"type": "datetimepicker", "selected_date_time": at}},
        "callback_phone": {"value": {"type": "plain_text_input", "value": phone}},
    }
    return {
        "type": "view_submission",
        "user": {"id": "U1", "team_id": "T1"},
        "team": {"id": "T1"},
        "api_app_id": "A1",
        "trigger_id": trigger,
        "view": {
            "id": "V1",
            "type": "modal",
            "callback_id": view["callback_id"],
            "private_metadata": view.get("private_metadata", ""),
            "hash": "h1",
            "state": {"values": values},
            "blocks": view["blocks"],
        },
    }


def _scripts(fake: FakeSlack) -> list[str]:
    return [h.args["text"] for h in fake.hooks if "Here's what to say" in h.args["text"]]


async def _reminders(slack: Harness) -> list[str]:
    assert slack.coach is not None
    jobs = await slack.coach.store.pending_jobs("slack:T1:U1")
    return [job.kind for job in jobs if job.kind == "reminder"]


async def test_a_slash_command_sent_twice_is_run_once(slack: Harness) -> None:
    """The same request twice (a proxy's retry): one turn, one set of answers."""
    same = {"trigger_id": "trigger-same", "response_url": slack.fake.hook_url("same")}
    first = await slack.command("", **same)
    again = await slack.command("", **same)
    assert first.status == again.status == 200
    hooks = await slack.fake.wait_for("hook", 2)  # the privacy note and the first question
    await slack.command("help")  # runs after both copies, in the same conversation
    await slack.fake.wait_for("hook", 3)
    assert len(slack.fake.hooks) == 3
    assert "can you talk" in hooks[1].args["text"].lower()


async def test_a_modal_submission_sent_twice_is_run_once(slack: Harness) -> None:
    view = await _at_work(slack)
    payload = _submission(view, trigger="trigger-submit")
    first = await slack.interactive(payload)
    again = await slack.interactive(payload)
    assert first.status == again.status == 200
    assert first.text == again.text == ""  # no errors: the modal closes
    await slack.fake.wait_for("hook", 5)
    await slack.command("help")  # runs after both copies
    await slack.fake.wait_for("hook", 6)
    assert len(_scripts(slack.fake)) == 1
    assert await _reminders(slack) == ["reminder"]


async def test_modal_errors_still_travel_in_the_ack(slack: Harness) -> None:
    view = await _at_work(slack)
    bad = await slack.interactive(_submission(view, trigger="trigger-bad", phone="12"))
    assert bad.json()["response_action"] == "errors"
    assert set(bad.json()["errors"]) == {"callback_phone"}
    good = await slack.interactive(_submission(view, trigger="trigger-good"))
    assert good.status == 200 and good.text == ""
    await slack.fake.wait_for("hook", 5)
    assert len(_scripts(slack.fake)) == 1


async def test_a_slash_command_left_by_a_stopped_worker_is_run_after_a_restart(
    tmp_path: Path, sqlite_url: str, fake_slack: FakeSlack
) -> None:
    settings = slack_settings(tmp_path, sqlite_url, fake_slack)
    first = SlackWorker(settings, host="127.0.0.1", port=0)
    await first.start()
    async with aiohttp.ClientSession() as session:
        await _inbox(first).stop()  # the worker stops working between the 200 and the work
        harness = _harness(fake_slack, first, session)
        assert (await harness.command("")).status == 200
        await first.stop()
    assert fake_slack.hooks == []
    restarted = SlackWorker(settings, host="127.0.0.1", port=0)
    await restarted.start()
    try:
        hooks = await fake_slack.wait_for("hook", 2)
    finally:
        await restarted.stop()
    assert "can you talk" in hooks[-1].args["text"].lower()


async def test_a_submission_left_by_a_stopped_worker_is_run_after_a_restart(
    tmp_path: Path, sqlite_url: str, fake_slack: FakeSlack
) -> None:
    settings = slack_settings(tmp_path, sqlite_url, fake_slack)
    first = SlackWorker(settings, host="127.0.0.1", port=0)
    await first.start()
    async with aiohttp.ClientSession() as session:
        harness = _harness(fake_slack, first, session)
        view = await _at_work(harness)
        await _inbox(first).stop()  # the worker stops working between the 200 and the work
        response = await harness.interactive(_submission(view, trigger="trigger-kept"))
        assert response.status == 200 and response.text == ""  # the modal closes
        await first.stop()
    assert _scripts(fake_slack) == []
    restarted = SlackWorker(settings, host="127.0.0.1", port=0)
    await restarted.start()
    try:
        await fake_slack.wait_for("hook", 4)  # the answer follows as a message
        scripts = _scripts(fake_slack)
    finally:
        await restarted.stop()
    assert len(scripts) == 1 and "415-555-0100" in scripts[0]


async def test_a_dm_sent_before_a_slash_command_is_applied_first_even_when_it_arrives_later(
    slack: Harness,
) -> None:
    """The DM was typed 0.4 s before the command but its event reaches the app after it: the
    inbox applies them in Slack's order (the DM answers "can you talk?", then the command)."""
    await slack.command("")
    await slack.fake.wait_for("hook", 2)  # "can you talk?"
    typed = time.time() - 0.4
    await slack.command("help")
    await slack.event(
        {
            "type": "message",
            "channel": "DU1",
            "channel_type": "im",
            "user": "U1",
            "text": "at work",
            "ts": f"{typed:.6f}",
        }
    )
    dm = await slack.fake.wait_for("chat.postMessage", 1)
    hooks = await slack.fake.wait_for("hook", 3)
    assert "when" in dm[0].args["text"].lower() or "call" in dm[0].args["text"].lower()
    assert dm[0].at < hooks[2].at  # the DM's answer went out before the command's


async def test_a_submission_waits_for_a_dm_sent_before_it(slack: Harness) -> None:
    """A DM sent just before the submission is applied first; the submission then fills the
    form (its errors could still have gone back in the ack: it answered within the budget)."""
    view = await _at_work(slack)
    await slack.dm("help")
    response = await slack.interactive(_submission(view, trigger="trigger-after-dm"))
    assert response.status == 200 and response.text == ""
    dm = await slack.fake.wait_for("chat.postMessage", 1)
    await slack.fake.wait_for("hook", 5)
    script = next(h for h in slack.fake.hooks if "Here's what to say" in h.args["text"])
    assert dm[0].at < script.at
    assert await _reminders(slack) == ["reminder"]


def _harness(fake: FakeSlack, worker: SlackWorker, session: aiohttp.ClientSession) -> Harness:
    return Harness(fake, f"http://127.0.0.1:{worker.port}{EVENTS_PATH}", session=session)


def _inbox(worker: SlackWorker) -> Any:
    assert worker.delivery is not None and worker.delivery.handlers is not None
    return worker.delivery.handlers.inbox
