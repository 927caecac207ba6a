"""A date picked in the callback modal is confirmed like a typed one (issue 9 item 7): a date
far ahead gets one question with the full date and its year, with yes/no buttons; no asks again
(the form's button), yes goes on to the script."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tests.adapters.slack.conftest import Harness, button

BERLIN = ZoneInfo("Europe/Berlin")


def _said(slack: Harness) -> list[dict[str, Any]]:
    return [c.args for c in slack.fake.hooks] + [
        c.args for c in slack.fake.named("chat.postMessage")
    ]


async def _wait_for_text(slack: Harness, words: str, seen: int) -> dict[str, Any]:
    for _ in range(200):
        found = [m for m in _said(slack)[seen:] if words in str(m.get("text", ""))]
        if found:
            return found[0]
        await asyncio.sleep(0.05)
    raise AssertionError(f"{words!r} never said; said: {[m.get('text') for m in _said(slack)]}")


async def _submit_a_far_date(slack: Harness) -> tuple[datetime, dict[str, Any]]:
    slack.fake.add_user("U1", real_name="Sam", tz="Europe/Berlin")
    await slack.command("")
    hooks = await slack.fake.wait_for("hook", 2)
    await slack.click(button(hooks[-1].args["blocks"], "I'm at work, I can't talk"))
    view = (await slack.fake.wait_for("views.open"))[0].args["view"]
    day = datetime.now(BERLIN).date() + timedelta(days=100)
    at = datetime.combine(day, datetime.min.time().replace(hour=18, minute=30), BERLIN)
    picked = {
        "callback_at": {"type": "datetimepicker", "selected_date_time": int(at.timestamp())},
        "callback_phone": {"type": "plain_text_input", "value": "+1 415 555 0100"},
    }
    seen = len(_said(slack))
    await slack.submit(view, picked)
    check = await _wait_for_text(slack, "Just to check", seen)
    assert str(at.year) in check["text"] and f"{at.day} {at:%B}" in check["text"]
    assert not slack.fake.named("files.completeUploadExternal")  # nothing scheduled yet
    return at, check


async def test_a_far_date_picked_in_the_modal_is_confirmed_with_its_year(slack: Harness) -> None:
    at, check = await _submit_a_far_date(slack)
    seen = len(_said(slack))
    await slack.click(button(check["blocks"], "Yes, that's right"))
    script = await _wait_for_text(slack, "Here's what to say now", seen)
    assert f"{at.day} {at:%B}" in script["text"] and "415-555-0100" in script["text"]
    await slack.fake.wait_for("files.completeUploadExternal")  # the calendar file, after it


async def test_no_to_the_picked_date_asks_for_the_time_again(slack: Harness) -> None:
    _, check = await _submit_a_far_date(slack)
    seen = len(_said(slack))
    await slack.click(button(check["blocks"], "No"))
    again = await _wait_for_text(slack, "When suits you", seen)
    assert again["blocks"]  # the question again, with its button that opens the form
    assert not slack.fake.named("files.completeUploadExternal")
