"""Signed requests through the real Bolt app over HTTP, against the fake Slack Web API."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from adapters.slack.limits import check_message, check_view
from bot.store import Contact
from tests.adapters.slack.conftest import Harness, button, buttons


async def test_slash_command_answers_privately_with_a_continue_button(slack: Harness) -> None:
    response = await slack.command("")
    assert response.status == 200
    assert response.text == ""
    hooks = await slack.fake.wait_for("hook", 2)
    last = hooks[-1].args
    assert last["response_type"] == "ephemeral"
    assert "can you talk" in last["text"].lower()
    assert button(last["blocks"], "Continue in a private DM")["url"].startswith(
        "https://slack.com/app_redirect?app=A1&team=T1"
    )
    assert slack.fake.named("chat.postMessage") == []


async def test_continue_in_dm_posts_the_current_question_in_the_apps_dm(slack: Harness) -> None:
    await slack.command("")
    hooks = await slack.fake.wait_for("hook", 2)
    await slack.click(button(hooks[-1].args["blocks"], "Continue in a private DM"))
    posted = await slack.fake.wait_for("chat.postMessage")
    assert slack.fake.named("conversations.open")[0].args["users"] == "U1"
    assert posted[0].args["channel"] == "DU1"
    assert "can you talk" in posted[0].args["text"].lower()


async def test_a_dm_is_answered_in_the_dm_and_a_thread_holds_its_own_conversation(
    slack: Harness,
) -> None:
    await slack.dm("hi")
    first = await slack.fake.wait_for("chat.postMessage", 2)  # privacy notice, question
    assert {c.args["channel"] for c in first} == {"DU1"}
    assert all(c.args.get("thread_ts") is None for c in first)
    await slack.click(
        button(first[-1].args["blocks"], "I can talk now"),
        ephemeral=False,
        channel="DU1",
        message={"ts": "1700000000.000002"},
    )
    moved_on = await slack.fake.wait_for("chat.postMessage", 3)
    assert "how do you feel" in moved_on[-1].args["text"].lower()
    await slack.dm("hi", thread="1700000000.000009")
    threaded = await slack.fake.wait_for("chat.postMessage", 4)
    assert threaded[-1].args["thread_ts"] == "1700000000.000009"
    assert "can you talk" in threaded[-1].args["text"].lower()  # a new conversation


async def _at_work(slack: Harness) -> dict:
    """/recruiter, then "I'm at work": the callback form's modal opens. Returns the view."""
    await slack.command("")
    hooks = await slack.fake.wait_for("hook", 2)
    await slack.click(button(hooks[-1].args["blocks"], "I'm at work, I can't talk"))
    opened = await slack.fake.wait_for("views.open")
    assert opened[0].args["trigger_id"] == f"trigger-{slack.triggers}"
    return opened[0].args["view"]


async def test_a_form_opens_as_a_modal_right_after_the_click(slack: Harness) -> None:
    view = await _at_work(slack)
    elements = {
        b["block_id"]: b["element"]["type"] for b in view["blocks"] if b["type"] == "input"
    }
    assert elements == {"callback_at": "datetimepicker", "callback_phone": "plain_text_input"}
    # the question also arrives as a message whose button reopens the form
    hooks = await slack.fake.wait_for("hook", 3)
    assert button(hooks[-1].args["blocks"], "Call me back")["action_id"] == "rc_form"


async def test_modal_errors_show_inline_and_a_valid_form_moves_on(slack: Harness) -> None:
    view = await _at_work(slack)
    at = int(time.time()) + 2 * 86400
    picked = {"type": "datetimepicker", "selected_date_time": at}
    bad = await slack.submit(
        view,
        {"callback_at": picked, "callback_phone": {"type": "plain_text_input", "value": "12"}},
    )
    assert bad.status == 200
    assert bad.json()["response_action"] == "errors"
    assert set(bad.json()["errors"]) == {"callback_phone"}
    good = await slack.submit(
        view,
        {
            "callback_at": picked,
            "callback_phone": {"type": "plain_text_input", "value": "+1 415 555 0100"},
        },
    )
    assert good.status == 200 and good.text == ""
    hooks = await slack.fake.wait_for("hook", 5)
    script = next(h.args["text"] for h in hooks if "Here's what to say" in h.args["text"])
    local = datetime.fromtimestamp(at, ZoneInfo("Europe/Berlin"))
    assert local.strftime("%H:%M") in script
    assert slack.coach is not None
    jobs = await slack.coach.store.pending_jobs("slack:T1:U1")
    assert [job.kind for job in jobs] == ["reminder"]


async def test_a_stale_click_gets_the_engines_polite_answer(slack: Harness) -> None:
    await slack.command("")
    hooks = await slack.fake.wait_for("hook", 2)
    old = button(hooks[-1].args["blocks"], "I can talk now")
    await slack.click(old)
    await slack.fake.wait_for("hook", 3)
    await slack.click(old)
    hooks = await slack.fake.wait_for("hook", 5)
    texts = [h.args["text"] for h in hooks[3:]]
    assert any("belongs to an earlier question" in text for text in texts)
    assert "how do you feel" in texts[-1].lower()


async def test_a_stale_form_button_gets_the_polite_answer_not_a_modal(slack: Harness) -> None:
    await _at_work(slack)
    hooks = await slack.fake.wait_for("hook", 3)
    form_button = button(hooks[-1].args["blocks"], "Call me back")
    await slack.command("restart")
    await slack.fake.wait_for("hook", 4)
    await slack.click(form_button)
    hooks = await slack.fake.wait_for("hook", 6)
    assert any("earlier question" in h.args["text"] for h in hooks[4:])
    assert len(slack.fake.named("views.open")) == 1


async def test_app_home_shows_callbacks_and_privacy_controls(slack: Harness) -> None:
    view = await _at_work(slack)
    at = int(time.time()) + 86400
    await slack.submit(
        view,
        {
            "callback_at": {"type": "datetimepicker", "selected_date_time": at},
            "callback_phone": {"type": "plain_text_input", "value": "+1 415 555 0100"},
        },
    )
    assert slack.coach is not None
    await slack.coach.store.save_contact(
        Contact(
            user_key="slack:T1:U1", name="Kim <!here>", agency="Acme", reach="kim@acme.example"
        )
    )
    await slack.event({"type": "app_home_opened", "user": "U1", "channel": "DU1", "tab": "home"})
    published = await slack.fake.wait_for("views.publish")
    home = published[0].args["view"]
    assert published[0].args["user_id"] == "U1"
    text = json.dumps(home)
    when = datetime.fromtimestamp(at, ZoneInfo("Europe/Berlin")).strftime("%H:%M")
    assert when in text and "+1 415-555-0100" in text
    assert "Kim &lt;!here&gt; (Acme): kim@acme.example" in text
    labels = [b["text"]["text"] for b in buttons(home["blocks"])]
    assert {"Export my data", "Forget me", "Show my contacts"} <= set(labels)
    check_view(home)


async def test_home_start_button_starts_coaching_in_the_dm(slack: Harness) -> None:
    await slack.click({"action_id": "rc_home_start", "value": "start"}, view=True)
    posted = await slack.fake.wait_for("chat.postMessage", 2)
    assert posted[-1].args["channel"] == "DU1"
    assert "can you talk" in posted[-1].args["text"].lower()
    await slack.fake.wait_for("views.publish")


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"secret": "wrong"}, "bad signature"),
        ({"signed": False}, "no signature"),
        ({"timestamp": int(time.time()) - 600}, "stale timestamp"),
    ],
)
async def test_unsigned_or_stale_requests_get_401(slack: Harness, change: dict, why: str) -> None:
    body = "command=%2Frecruiter&text=&team_id=T1&user_id=U1&trigger_id=t&response_url=x"
    response = await slack.post(body, "application/x-www-form-urlencoded", **change)
    assert response.status == 401, why
    assert slack.fake.hooks == [] and slack.fake.named("auth.test") == []


async def test_a_retried_event_is_answered_once(slack: Harness) -> None:
    first = await slack.dm("hi", event_id="EvSame")
    retry = await slack.dm(
        "hi",
        event_id="EvSame",
        headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"},
    )
    assert first.status == retry.status == 200
    await slack.fake.wait_for("chat.postMessage", 2)
    await asyncio.sleep(0.3)
    assert len(slack.fake.named("chat.postMessage")) == 2  # privacy notice + one question


async def test_a_rate_limited_call_is_retried_after_retry_after(slack: Harness) -> None:
    slack.fake.fail_next("chat.postMessage", status=429, retry_after=1)
    await slack.dm("hi")
    posted = await slack.fake.wait_for("chat.postMessage", 3, timeout=15)
    assert posted[1].at - posted[0].at >= 1.0
    assert {p.args["text"] for p in posted[:2]} == {posted[0].args["text"]}


async def test_everything_sent_passes_slack_sdk_and_our_limits(slack: Harness) -> None:
    await _at_work(slack)
    await slack.dm("hi")
    await slack.fake.wait_for("chat.postMessage", 2)
    for call in slack.fake.hooks + slack.fake.named("chat.postMessage"):
        check_message(call.args)
        assert "<!" not in json.dumps(call.args)
    for call in slack.fake.named("views.open"):
        check_view(call.args["view"])


async def test_url_verification_and_ssl_check_are_answered_by_bolt(slack: Harness) -> None:
    body = json.dumps({"type": "url_verification", "challenge": "abc123", "token": "t"})
    response = await slack.post(body, "application/json")
    assert response.status == 200 and "abc123" in response.text
    ssl = await slack.post("ssl_check=1&token=t", "application/x-www-form-urlencoded")
    assert ssl.status == 200


async def test_the_same_message_redelivered_with_a_new_event_id_is_answered_once(
    slack: Harness,
) -> None:
    """Slack may deliver one message twice under two event ids: (channel, ts) is the key."""
    message = {
        "type": "message",
        "channel": "DU1",
        "channel_type": "im",
        "user": "U1",
        "text": "hi",
        "ts": f"{time.time():.6f}",
    }
    first = await slack.event(dict(message), event_id="EvFirst")
    again = await slack.event(dict(message), event_id="EvSecond")
    assert first.status == again.status == 200
    await slack.fake.wait_for("chat.postMessage", 2)
    await asyncio.sleep(0.3)
    assert len(slack.fake.named("chat.postMessage")) == 2  # privacy notice + one question
    # a new message in the same channel (a new ts) is answered as usual
    await slack.event(
        {**message, "ts": f"{time.time() + 1:.6f}", "text": "help"}, event_id="EvThird"
    )
    await slack.fake.wait_for("chat.postMessage", 3)


@pytest.mark.parametrize("error", ["expired_trigger_id", "invalid_arguments", "internal_error"])
async def test_a_form_that_cannot_open_still_asks_its_question_as_a_message(
    slack: Harness, error: str
) -> None:
    """views.open fails: the question arrives anyway, with a button that opens the form again."""
    slack.fake.fail_next("views.open", status=200, error=error)
    await slack.command("")
    hooks = await slack.fake.wait_for("hook", 2)
    await slack.click(button(hooks[-1].args["blocks"], "I'm at work, I can't talk"))
    hooks = await slack.fake.wait_for("hook", 4)
    assert "couldn't open the form" in hooks[2].args["text"]
    assert "when suits you" in hooks[3].args["text"].lower()
    again = button(hooks[-1].args["blocks"], "Call me back")
    await slack.click(again)  # Slack opens it this time
    opened = await slack.fake.wait_for("views.open", 2)
    assert opened[-1].args["trigger_id"] == f"trigger-{slack.triggers}"
    assert opened[-1].args["view"]["title"]["text"] == "Call me back"


async def test_a_form_button_whose_modal_cannot_open_asks_again_as_a_message(
    slack: Harness,
) -> None:
    await _at_work(slack)
    hooks = await slack.fake.wait_for("hook", 3)
    slack.fake.fail_next("views.open", status=200, error="expired_trigger_id")
    await slack.click(button(hooks[-1].args["blocks"], "Call me back"))
    hooks = await slack.fake.wait_for("hook", 5)
    assert "couldn't open the form" in hooks[3].args["text"]
    assert not any("earlier question" in h.args["text"] for h in hooks[3:])
    assert button(hooks[-1].args["blocks"], "Call me back")["action_id"] == "rc_form"


async def test_a_submission_is_answered_within_3s_when_users_info_is_rate_limited(
    slack: Harness,
) -> None:
    """users.info answers 429 "retry after 3 s": the modal still closes in time, and the answer
    (in the person's zone, once users.info has answered) follows as a message. "In time" is
    shown without a clock: the acknowledgement comes while users.info is not answering at all."""
    view = await _at_work(slack)
    assert slack.delivery is not None and slack.delivery.handlers is not None
    await slack.delivery.handlers.users.forget("T1", "U1")  # the next submission must ask Slack
    slack.fake.fail_next("users.info", status=429, retry_after=3)
    slack.fake.hold("users.info")
    at = int(time.time()) + 2 * 86400
    response = await slack.submit(
        view,
        {
            "callback_at": {"type": "datetimepicker", "selected_date_time": at},
            "callback_phone": {"type": "plain_text_input", "value": "+1 415 555 0100"},
        },
    )
    assert response.status == 200 and response.text == ""  # users.info still held
    slack.fake.release("users.info")
    hooks = await slack.fake.wait_for("hook", 5, timeout=15)
    script = next(h.args["text"] for h in hooks if "Here's what to say" in h.args["text"])
    local = datetime.fromtimestamp(at, ZoneInfo("Europe/Berlin"))
    assert local.strftime("%H:%M") in script
    assert len(slack.fake.named("users.info")) >= 2  # the 429, then the retry


async def test_app_home_publishes_ten_contacts_at_the_flows_maximum_lengths(
    slack: Harness,
) -> None:
    """Twelve contacts whose name (500, after an edit), agency (120) and reach (200) are as
    long as the contacts flow allows, each character escaped to 4-5: the Home is published
    within Block Kit's limits, shows ten, and says where the rest are."""
    assert slack.coach is not None
    for number in range(12):
        await slack.coach.store.save_contact(
            Contact(
                user_key="slack:T1:U1",
                name=f"{number:02d}" + "&" * 498,
                agency="<" * 120,
                reach=">" * 200,
            )
        )
    await slack.event({"type": "app_home_opened", "user": "U1", "channel": "DU1", "tab": "home"})
    home = (await slack.fake.wait_for("views.publish"))[0].args["view"]
    check_view(home)
    text = json.dumps(home)
    assert all(f"{n:02d}&amp;&amp;" in text for n in range(10))
    assert "and 2 more (*Show my contacts* lists them all)" in text
