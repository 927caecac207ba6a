"""``forget`` on Slack leaves nothing behind: after it, no row of any table names the person or
their DM with the app (whose channel id is theirs alone; the fake Slack names it ``D<user>``),
whichever way they asked: a DM, ``/recruiter forget``, the App Home's button. Before processed
event ids were kept as digests, the DM's message keys (``msg:T1:D...:ts``) stayed behind."""

from __future__ import annotations

import asyncio
from typing import Any

from bot.store.sql import SqlStore
from tests.adapters.slack.conftest import Harness, button
from tests.bot.store.test_store_personal import every_row

PERSON = "U7FORGETME"


async def _rows(slack: Harness) -> dict[str, list[dict[str, Any]]]:
    assert slack.coach is not None
    store = slack.coach.store
    assert isinstance(store, SqlStore)
    return await every_row(store)


async def _settled(slack: Harness) -> dict[str, list[dict[str, Any]]]:
    """Every row, once the inbox has run every event it was given."""
    for _ in range(200):
        rows = await _rows(slack)
        if all(event["status"] == "done" for event in rows["inbox_events"]):
            await asyncio.sleep(0.2)  # the Home published after the last turn
            return await _rows(slack)
        await asyncio.sleep(0.05)
    raise AssertionError("the inbox did not run every event")


def _naming(rows: dict[str, list[dict[str, Any]]]) -> list[tuple[str, dict[str, Any]]]:
    return [
        (table, row)
        for table, table_rows in rows.items()
        for row in table_rows
        if any(PERSON in str(value) for value in row.values())
    ]


async def _a_conversation(slack: Harness) -> None:
    home = {"type": "app_home_opened", "user": PERSON, "channel": f"D{PERSON}", "tab": "home"}
    await slack.event(home)
    await slack.dm("start", user=PERSON)
    await slack.dm("at work", user=PERSON)
    rows = await _settled(slack)
    assert {table for table, _ in _naming(rows)} >= {"conversations", "profiles", "users"}


async def test_forget_by_dm_leaves_no_row_naming_the_person(slack: Harness) -> None:
    await _a_conversation(slack)
    await slack.dm("forget", user=PERSON)
    await slack.dm("yes", user=PERSON)
    rows = await _settled(slack)
    assert "erased everything" in slack.fake.named("chat.postMessage")[-1].args["text"]
    assert _naming(rows) == []


async def test_forget_from_the_home_leaves_no_row_naming_the_person(slack: Harness) -> None:
    await _a_conversation(slack)
    published = slack.fake.named("views.publish")[-1].args["view"]["blocks"]
    await slack.click(button(published, "Forget me"), user=PERSON, view=True)
    await _settled(slack)
    assert "Erase everything?" in slack.fake.named("chat.postMessage")[-1].args["text"]
    await slack.dm("yes", user=PERSON)
    rows = await _settled(slack)
    assert "erased everything" in slack.fake.named("chat.postMessage")[-1].args["text"]
    assert _naming(rows) == []


async def test_forget_by_slash_command_leaves_no_row_naming_the_person(slack: Harness) -> None:
    await _a_conversation(slack)
    await slack.command("forget", user=PERSON)
    hooks = await slack.fake.wait_for("hook", 1)
    assert "Erase everything?" in hooks[-1].args["text"]
    await slack.click(button(hooks[-1].args["blocks"], "Yes"), user=PERSON)
    rows = await _settled(slack)
    assert "erased everything" in slack.fake.hooks[-1].args["text"]
    assert _naming(rows) == []
