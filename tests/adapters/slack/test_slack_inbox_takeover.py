"""Slack events run by their own listener code from the durable inbox (a slash command, a modal
submission, a referral-card click) are durable like DMs: a worker that dies after the turn was
saved but before sending leaves the replies in the event's inbox row, and the worker that takes
the conversation over sends them, the kind's way, without running the event again; and a busy
database is waited out (a late answer), never apologised for."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from adapters.slack.cli import SlackWorker
from adapters.slack.convert import private_conversation
from adapters.slack.send import Surface
from bot.coaching.referrals import Opportunity
from bot.dialog import busy
from bot.dialog import engine as engine_module
from bot.store import StoreBusyError
from tests.adapters.slack.conftest import Harness, button, slack_settings
from tests.adapters.slack.fake_slack import FakeSlack
from tests.adapters.slack.test_slack_inbox_interactive import (
    _at_work,
    _harness,
    _inbox,
    _scripts,
    _submission,
)

LEASE = 0.5  # the survivor takes a dead worker's hold over this soon (the default is 15 s)


class Dies:
    """Stands in for one of the first worker's Sender methods: its process dies the moment it
    starts sending (after the turn's commit); nothing after that runs."""

    def __init__(self) -> None:
        self.at = asyncio.Event()

    async def __call__(self, *args: Any, **kwargs: Any) -> None:
        self.at.set()
        raise asyncio.CancelledError  # the drain's task ends here, as the process would


def _sender(worker: SlackWorker) -> Any:
    assert worker.delivery is not None and worker.delivery.sender is not None
    return worker.delivery.sender


async def _survivor(settings: Any) -> SlackWorker:
    """Another worker, started after the first died; it takes the dead worker's hold over."""
    survivor = SlackWorker(settings, host="127.0.0.1", port=0)
    await survivor.start()
    _inbox(survivor).lease_seconds = LEASE
    return survivor


async def test_a_slash_commands_replies_are_sent_by_the_worker_that_takes_over(
    tmp_path: Path, sqlite_url: str, fake_slack: FakeSlack
) -> None:
    settings = slack_settings(tmp_path, sqlite_url, fake_slack)
    first = SlackWorker(settings, host="127.0.0.1", port=0)
    await first.start()
    dies = _sender(first).send = Dies()
    async with aiohttp.ClientSession() as session:
        assert (await _harness(fake_slack, first, session).command("")).status == 200
        await asyncio.wait_for(dies.at.wait(), 20)
    assert first.coach is not None
    saved = await first.coach.store.load_conversation(private_conversation("T1", "U1").key)
    await first.stop()
    assert saved is not None and fake_slack.hooks == []  # the turn saved, nothing sent
    survivor = await _survivor(settings)
    try:
        hooks = await fake_slack.wait_for("hook", 2)  # the privacy note, the first question
    finally:
        await survivor.stop()
    assert "can you talk" in hooks[-1].args["text"].lower()
    assert len(fake_slack.hooks) == 2


async def test_a_submissions_replies_are_sent_by_the_worker_that_takes_over(
    tmp_path: Path, sqlite_url: str, fake_slack: FakeSlack
) -> None:
    settings = slack_settings(tmp_path, sqlite_url, fake_slack)
    first = SlackWorker(settings, host="127.0.0.1", port=0)
    await first.start()
    async with aiohttp.ClientSession() as session:
        harness = _harness(fake_slack, first, session)
        view = await _at_work(harness)
        dies = _sender(first).send = Dies()
        response = await harness.interactive(_submission(view, trigger="trigger-dies"))
        assert response.status == 200 and response.text == ""  # no errors: the modal closes
        await asyncio.wait_for(dies.at.wait(), 20)
    await first.stop()
    assert _scripts(fake_slack) == []
    survivor = await _survivor(settings)
    try:
        await fake_slack.wait_for("hook", 4)  # the answer, as a message
    finally:
        await survivor.stop()
    scripts = _scripts(fake_slack)
    assert len(scripts) == 1 and "415-555-0100" in scripts[0]


async def test_a_referral_clicks_replies_are_sent_by_the_worker_that_takes_over(
    tmp_path: Path, sqlite_url: str, fake_slack: FakeSlack
) -> None:
    """Run again, the click would be "you answered already", and the sharer never told."""
    settings = slack_settings(tmp_path, sqlite_url, fake_slack)
    first = SlackWorker(settings, host="127.0.0.1", port=0)
    await first.start()
    assert first.coach is not None
    board, sender = first.coach.referrals, _sender(first)
    await board.set_referral_channel("slack", "T1", "C0JOBS")
    sharer = private_conversation("T1", "U1")
    referral = await board.share(sharer, Opportunity(role="Staff engineer", level="Senior"))
    await sender.send(
        Surface(client=sender.clients.base, conversation=sharer), [board.card(referral, "C0JOBS")]
    )
    posted = (await fake_slack.wait_for("chat.postMessage"))[0].args
    dies = sender.update_card = Dies()
    async with aiohttp.ClientSession() as session:
        await _harness(fake_slack, first, session).click(
            button(posted["blocks"], "I'm interested"),
            user="U2",
            ephemeral=False,
            channel="C0JOBS",
            message={"ts": "1700000001.000100"},
        )
        await asyncio.wait_for(dies.at.wait(), 20)
    await first.stop()
    assert fake_slack.named("chat.update") == [] and fake_slack.hooks == []
    survivor = await _survivor(settings)
    try:
        await fake_slack.wait_for("chat.update")  # the card's count
        ack = (await fake_slack.wait_for("hook"))[0].args
        notice = (await fake_slack.wait_for("chat.postMessage", 2))[-1].args
    finally:
        await survivor.stop()
    assert "told the person" in ack["text"]
    assert notice["channel"] == "DU1"  # the sharer heard of it


@pytest.fixture
def apology_limit_of_50_ms(monkeypatch: pytest.MonkeyPatch) -> None:
    """The 60 s after which a turn run as it arrives apologises, shortened to 50 ms."""
    monkeypatch.setattr(busy.Backoff.__init__, "__defaults__", (0.05,))
    monkeypatch.setattr(engine_module, "BUSY_RETRY_SECONDS", 0.05)


def _busy_for_a_while(slack: Harness, monkeypatch: pytest.MonkeyPatch, seconds: float) -> None:
    """Every turn's commit meets a busy database for ``seconds`` from the first one's try."""
    assert slack.coach is not None
    store = slack.coach.store
    commit_turn = store.commit_turn
    since: list[float] = []

    async def busy_commit(commit: Any) -> int:
        now = asyncio.get_running_loop().time()
        since[:] = since or [now]
        if now < since[0] + seconds:
            raise StoreBusyError("pool")
        return await commit_turn(commit)

    monkeypatch.setattr(store, "commit_turn", busy_commit)


@pytest.mark.usefixtures("apology_limit_of_50_ms")
async def test_a_slash_command_on_a_busy_database_is_answered_late_not_with_an_apology(
    slack: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    _busy_for_a_while(slack, monkeypatch, 0.5)  # ten times the limit
    await slack.command("")
    hooks = await slack.fake.wait_for("hook", 2)
    texts = [hook.args["text"] for hook in hooks]
    assert not any("Sorry" in text for text in texts)
    assert "can you talk" in texts[-1].lower()


@pytest.mark.usefixtures("apology_limit_of_50_ms")
async def test_a_submission_on_a_busy_database_is_answered_late_not_with_an_apology(
    slack: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    view = await _at_work(slack)
    _busy_for_a_while(slack, monkeypatch, 0.5)
    response = await slack.interactive(_submission(view, trigger="trigger-busy"))
    assert response.status == 200
    await slack.fake.wait_for("hook", 4)
    assert not any("Sorry" in hook.args["text"] for hook in slack.fake.hooks)
    assert len(_scripts(slack.fake)) == 1
