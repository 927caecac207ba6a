"""Two workers (two engines with their own connection pools) on one database."""

from __future__ import annotations

import asyncio

from bot.store.sql import SqlStore

THREE_QUESTIONS = """
flow: three
steps:
  first:
    ask: text
    slot: first
    text: First?
    next: second
  second:
    ask: text
    slot: second
    text: Second?
    next: third
  third:
    ask: text
    slot: third
    text: Third?
"""


async def test_two_events_at_once_lose_no_answer(store_url, build_engine, dialogs, chat_with):
    folder = dialogs({"three": THREE_QUESTIONS})
    stores = [SqlStore(store_url), SqlStore(store_url)]
    try:
        workers = [await build_engine(folder, store=s, entry_flow="three") for s in stores]
        chats = [chat_with(w) for w in workers]
        await chats[0].say("start")
        await asyncio.gather(chats[0].say("from worker one"), chats[1].say("from worker two"))
        state = await chats[1].state()
        answers = [state.slots.get(name) for name in ("first", "second")]
        assert sorted(answers) == ["from worker one", "from worker two"]
        assert state.top.step == "third" and state.seq == 3
    finally:
        for store in stores:
            await store.close()


async def test_a_retried_event_on_another_worker_is_answered_once(
    store_url, build_engine, dialogs, chat_with
):
    folder = dialogs({"three": THREE_QUESTIONS})
    stores = [SqlStore(store_url), SqlStore(store_url)]
    try:
        workers = [await build_engine(folder, store=s, entry_flow="three") for s in stores]
        chats = [chat_with(w) for w in workers]
        await chats[0].say("start")
        results = await asyncio.gather(
            chats[0].say("answer", event_id="Ev1"), chats[1].say("answer", event_id="Ev1")
        )
        assert sorted(len(r) for r in results) == [0, 1]
        state = await chats[0].state()
        assert state.slots == {"first": "answer"}
    finally:
        for store in stores:
            await store.close()
