"""Every payload is checked against Block Kit's limits just before it is sent, not only in
tests: a broken one is replaced by a safe version and logged by limit, never by its text."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest

import adapters.slack.on_home
import adapters.slack.send
from adapters.slack.guard import HOME_NOTICE, PLAIN_NOTE, safe_home, safe_message, safe_modal
from adapters.slack.limits import check_message, check_view
from adapters.slack.render import HomeView, SlackMessage, to_home, to_message
from bot.boundary import Choice, Reply
from tests.adapters.slack.conftest import Harness, button

SECRET = "my salary is 95k"  # stands for anything a person wrote: it must never reach a log


def broken(message: SlackMessage) -> SlackMessage:
    """``message`` with 60 extra sections, one of them holding a live broadcast."""
    extra = [
        {"type": "section", "text": {"type": "mrkdwn", "text": f"<!channel> {SECRET} {i}"}}
        for i in range(60)
    ]
    return SlackMessage(text=message["text"], blocks=[*extra, *message["blocks"]])


def test_a_broken_message_becomes_its_plain_text_with_its_buttons(
    caplog: pytest.LogCaptureFixture,
) -> None:
    reply = Reply(
        f"Can you talk? {SECRET}", choices=(Choice("yes", "Yes", "t1"), Choice("no", "No", "t2"))
    )
    caplog.set_level(logging.ERROR)
    safe = safe_message(broken(to_message(reply)), "chat.postMessage")
    check_message(safe)
    assert SECRET in safe["blocks"][0]["text"]["text"]  # the person still reads the question
    assert PLAIN_NOTE in json.dumps(safe)
    assert [b["text"]["text"] for b in safe["blocks"][-1]["elements"]] == ["Yes", "No"]
    assert "blocks (at most 50 in a message)" in caplog.text
    assert "live mention or link" in caplog.text
    assert SECRET not in caplog.text


def test_a_sound_message_is_sent_as_it_is(caplog: pytest.LogCaptureFixture) -> None:
    message = to_message(Reply("hello", choices=(Choice("yes", "Yes", "t1"),)))
    assert safe_message(message, "chat.postMessage") is message
    assert caplog.text == ""


def test_a_broken_modal_is_not_opened_and_a_broken_home_is_replaced(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.ERROR)
    modal = {"type": "modal", "title": {"type": "plain_text", "text": SECRET * 5}, "blocks": []}
    assert safe_modal(modal) is None
    home = to_home(HomeView(contacts=(SECRET,)))
    home["blocks"] += [{"type": "divider"}] * 100
    safe = safe_home(home)
    check_view(safe)
    assert HOME_NOTICE.split("*")[0] in json.dumps(safe) and SECRET not in json.dumps(safe)
    assert "blocks (at most 100 in a view)" in caplog.text
    assert SECRET not in caplog.text


async def test_every_message_sent_over_the_web_api_and_response_urls_is_checked(
    slack: Harness, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A renderer bug that produced a message Slack would refuse: what goes out is the safe
    version, through chat.postMessage (a DM) and through a response_url (/recruiter)."""
    render = adapters.slack.send.to_message

    def buggy(reply: Reply, **extra: Any) -> SlackMessage:
        return broken(render(reply, **extra))

    monkeypatch.setattr(adapters.slack.send, "to_message", buggy)
    caplog.set_level(logging.ERROR)
    await slack.dm("hi")
    posted = await slack.fake.wait_for("chat.postMessage", 2)
    await slack.command("", user="U2")
    hooks = await slack.fake.wait_for("hook", 2)
    for call in [*posted, *hooks]:
        check_message(call.args)
        assert SECRET not in json.dumps(call.args)
    assert "can you talk" in posted[-1].args["blocks"][0]["text"]["text"].lower()
    assert button(posted[-1].args["blocks"], "I can talk now")  # still answerable
    assert "at most 50" in caplog.text and SECRET not in caplog.text


async def test_a_modal_that_fails_the_check_is_asked_as_a_message(
    slack: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    render = adapters.slack.send.to_modal

    def buggy(*args: Any, **kwargs: Any) -> dict[str, Any]:
        view = render(*args, **kwargs)
        return {**view, "blocks": view["blocks"] * 60}  # 120 blocks, duplicate ids

    monkeypatch.setattr(adapters.slack.send, "to_modal", buggy)
    await slack.command("")
    hooks = await slack.fake.wait_for("hook", 2)
    await slack.click(button(hooks[-1].args["blocks"], "I'm at work, I can't talk"))
    hooks = await slack.fake.wait_for("hook", 4)
    assert "couldn't open the form" in hooks[2].args["text"]
    assert button(hooks[3].args["blocks"], "Call me back")
    assert slack.fake.named("views.open") == []


async def test_a_home_that_fails_the_check_is_published_without_its_lists(
    slack: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    def buggy(home: HomeView) -> dict[str, Any]:
        view = to_home(home)
        return {**view, "blocks": view["blocks"] * 10}

    monkeypatch.setattr(adapters.slack.on_home, "to_home", buggy)
    await slack.event({"type": "app_home_opened", "user": "U1", "channel": "DU1", "tab": "home"})
    published = (await slack.fake.wait_for("views.publish"))[0].args["view"]
    check_view(published)
    assert "did not fit here" in json.dumps(published)
