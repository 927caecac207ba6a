"""A worker killed between a turn's commit and the sending of its replies (bot.dialog.inbox): the
worker that takes the conversation over sends the saved replies, so nothing acknowledged goes
unanswered (the kill -9 loss of docs/slack.md, scaling). Real engines on every store; the kill
is the drain's task ending at the send, with its hold left behind as a dead process leaves it.
Also: a reply's every field survives the trip through the inbox row."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from bot.boundary import (
    Attachment,
    Card,
    Choice,
    ConversationRef,
    Form,
    FormField,
    Incoming,
    Reply,
)
from bot.dialog.event_json import replies_from_json, replies_to_json
from bot.dialog.inbox import Inbox
from bot.store import Store
from bot.store.memory import MemoryStore
from bot.store.sql import SqlStore
from tests.bot.test_engine_workers import THREE_QUESTIONS
from tests.bot.test_inbox import Recorder, _event, _ref, _state, _until


class KilledAtTheSend(Recorder):
    """The first worker: its process dies the moment it starts sending a reply (after the
    turn's commit). Nothing after that point runs: no send, no 'done', no release."""

    def __init__(self) -> None:
        super().__init__()
        self.killed = asyncio.Event()

    async def deliver(
        self, incoming: Incoming, route: dict[str, Any], replies: list[Reply]
    ) -> None:
        self.killed.set()
        raise asyncio.CancelledError  # the task ends here, as the process would


def _store(url: str) -> Store:
    return MemoryStore() if url == "memory://" else SqlStore(url)


async def _three_questions(url: str, build_engine: Any, dialogs: Any) -> tuple[Store, Any]:
    store = _store(url)
    engine = await build_engine(
        dialogs({"three": THREE_QUESTIONS}),
        store=store,
        entry_flow="three",
        clock=lambda: datetime.now(UTC),
    )
    return store, engine


def _two_workers(engine: Any) -> tuple[KilledAtTheSend, Recorder, Inbox, Inbox]:
    """A worker killed at its first send, and the one that takes its work over."""
    dying, survivor = KilledAtTheSend(), Recorder()
    settings: dict[str, Any] = {"lease_seconds": 0.5, "settle_seconds": 0, "poll_seconds": 0.02}
    first = Inbox(engine.store, engine, dying, worker_id="dies", **settings)
    second = Inbox(engine.store, engine, survivor, worker_id="lives", **settings)
    return dying, survivor, first, second


async def test_replies_saved_with_the_turn_are_sent_by_the_worker_that_takes_over(
    any_store_url: str, build_engine: Any, dialogs: Any
) -> None:
    store, engine = await _three_questions(any_store_url, build_engine, dialogs)
    dying, survivor, first, second = _two_workers(engine)
    try:
        incoming, stamp = _event(1, "start", 1000.0)
        await first.enqueue(incoming, stamp=stamp)
        await asyncio.wait_for(dying.killed.wait(), 20)
        await first.stop()  # the dead process claims nothing more
        assert (await _state(engine, 1)).active  # the turn was saved before the kill
        second.start()

        async def answered() -> bool:
            return bool(survivor.sent[_ref(1).key])

        await _until(answered)
        assert survivor.sent[_ref(1).key][-1] == "First?"
        # The event is done: the next message is the answer to the first question.
        incoming, stamp = _event(1, "one", 1001.0)
        await second.enqueue(incoming, stamp=stamp)

        async def second_question() -> bool:
            return survivor.sent[_ref(1).key][-1:] == ["Second?"]

        await _until(second_question)
        assert (await _state(engine, 1)).slots == {"first": "one"}
    finally:
        await second.stop()
        await first.stop()
        await store.close()


class CountsClicks:
    """An event that is not a conversation's turn (a referral-card click, the way Discord's inbox
    runs it): its answer depends on what it wrote before, so running it again says another thing
    (the board's "you answered already")."""

    def __init__(self) -> None:
        self.clicks = 0

    def claims(self, incoming: Incoming) -> bool:
        return incoming.choice_token == "click"

    async def handle(self, incoming: Incoming) -> list[Reply]:
        self.clicks += 1
        return [Reply(f"click {self.clicks}"), Reply("notice", to=_ref(2))]


async def test_the_replies_of_an_event_that_is_not_a_turn_are_sent_by_the_worker_that_takes_over(
    any_store_url: str, build_engine: Any, dialogs: Any
) -> None:
    store, engine = await _three_questions(any_store_url, build_engine, dialogs)
    clicks = CountsClicks()
    engine.event_handlers.append(clicks)
    dying, survivor, first, second = _two_workers(engine)
    try:
        click = Incoming(_ref(1), choice_token="click", event_id="click-1")
        await first.enqueue(click, stamp=_event(1, "", 1000.0)[1])
        await asyncio.wait_for(dying.killed.wait(), 20)
        await first.stop()
        second.start()

        async def answered() -> bool:
            return bool(survivor.sent[_ref(1).key])

        await _until(answered)
    finally:
        await second.stop()
        await first.stop()
        await store.close()
    assert clicks.clicks == 1  # not run again: its replies were kept
    assert survivor.sent[_ref(1).key] == ["click 1", "notice"]


_text = st.text(max_size=20)
_pairs = st.lists(st.tuples(_text, _text), max_size=3).map(tuple)
_ref_values = st.builds(
    ConversationRef,
    platform=st.sampled_from(["slack", "discord", "console"]),
    channel=_text,
    user=_text,
    space=st.none() | _text,
    thread=st.none() | _text,
)
_fields = st.builds(
    FormField,
    name=_text,
    label=_text,
    kind=st.sampled_from(["text", "choice", "datetime"]),
    required=st.booleans(),
    placeholder=st.none() | _text,
    options=_pairs,
    max_length=st.none() | st.integers(1, 3000),
    initial=st.none() | _text,
)
_replies = st.builds(
    Reply,
    text=_text,
    choices=st.lists(
        st.builds(
            Choice,
            _text,
            _text,
            _text,
            st.sampled_from(["default", "primary"]),
            keyword=st.none() | _text,
        ),
        max_size=3,
    ).map(tuple),
    form=st.none() | st.builds(Form, _text, st.lists(_fields, max_size=2).map(tuple), _text),
    card=st.none() | st.builds(Card, _text, _pairs, _text, st.none() | _text),
    visibility=st.sampled_from(["private", "conversation"]),
    destination=st.sampled_from(["conversation", "dm", "referral_channel"]),
    attachment=st.none() | st.builds(Attachment, _text, _text, _text),
    to=st.none() | _ref_values,
    replaces=st.none() | _text,
)


@given(st.lists(_replies, max_size=3))
def test_replies_survive_the_trip_through_json(replies: list[Reply]) -> None:
    assert replies_from_json(replies_to_json(replies)) == replies
