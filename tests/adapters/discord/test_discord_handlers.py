"""L2/L3: the handlers with real discord.py objects.

The client is the real ``CoachClient``, logged in to the fake REST API (so ``setup_hook`` ran:
dynamic items registered, commands synced); gateway payloads are handed to discord.py's own
parser (``parsers["INTERACTION_CREATE"]``, ``["MESSAGE_CREATE"]``), which routes them through
the ``CommandTree``, the dynamic items and our listeners exactly as in production. What the
bot does is read from the requests the fake recorded.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime
from typing import Any

import discord
import pytest

from adapters.discord.convert import to_conversation
from adapters.discord.delivery import DiscordDelivery
from adapters.discord.handlers import CANNOT_DM, CONTINUE_IN_DM, dm_url
from adapters.discord.users import DM_CLOSED_NOTE
from bot.boundary import Reply
from bot.dialog.state import ref_to_json
from bot.store import JobSpec
from tests.adapters.discord.conftest import BotHarness
from tests.adapters.discord.fake_discord import FakeDiscord, Request
from tests.adapters.discord.payloads import (
    BOT,
    GUILD_ID,
    message_payload,
    press,
    slash,
    submit,
    user,
)

USER = 4242
DM = 1500000000000000001
CAN_TALK = "can you talk"
TIME_ZONE = "Which city's time are you on?"
STALE = "belongs to an earlier question"


def is_callback(request: Request) -> bool:
    return request.path.endswith("/callback")


def is_followup(request: Request) -> bool:
    return request.method == "POST" and request.path.startswith("/webhooks/")


def is_dm_post(request: Request) -> bool:
    return request.method == "POST" and request.path == f"/channels/{DM}/messages"


@pytest.fixture
async def client(bot: BotHarness, fake_discord: FakeDiscord) -> Any:
    fake_discord.dm_channels[USER] = DM
    return await bot.login()


async def interact(
    bot: BotHarness, payload: dict[str, Any], until: Any = is_followup
) -> tuple[Request, list[Request]]:
    """Feed an interaction; wait for the request ``until`` matches; return it and all since."""
    mark = bot.fake.mark()
    bot.feed("INTERACTION_CREATE", payload)
    found = await bot.fake.wait_for(until, after=mark)
    return found, bot.fake.requests[mark:]


async def dm_conversation_started(bot: BotHarness) -> Request:
    """``/recruiter`` in the DM: the reply with the first question's buttons."""
    found, _ = await interact(bot, slash(user_id=USER, dm_channel=DM))
    return found


def message_of(request: Request) -> dict[str, Any]:
    return message_payload(DM, request.payload, author=BOT)


# -- /recruiter ---------------------------------------------------------------------------------


async def test_slash_in_a_server_defers_privately_and_sends_the_buttons_to_the_dm(
    bot: BotHarness, client: Any
) -> None:
    followup, since = await interact(bot, slash(user_id=USER))
    assert is_callback(since[0])  # the 3-second deadline: deferred before anything else
    assert since[0].body == {"type": 5, "data": {"flags": 64}}  # thinking, ephemeral
    dm_post = next(r for r in since if is_dm_post(r))
    assert CAN_TALK in dm_post.content
    assert all(i.startswith("rc:") for i in dm_post.custom_ids()) and dm_post.custom_ids()
    # the private answer: the same text, no buttons, and a link to continue in the DM
    assert CAN_TALK in followup.content and CONTINUE_IN_DM in followup.content
    assert followup.payload["flags"] & 64
    link = followup.payload["components"][0]["components"][0]
    assert link["url"] == dm_url(DM) and "custom_id" not in link


async def test_slash_in_the_dm_answers_there_with_the_buttons(
    bot: BotHarness, client: Any
) -> None:
    followup, since = await interact(bot, slash(user_id=USER, dm_channel=DM))
    assert since[0].body == {"type": 5}  # thinking, not ephemeral: the DM is private
    assert CAN_TALK in followup.content
    assert followup.custom_ids() and not any(is_dm_post(r) for r in since)
    assert not followup.payload.get("flags", 0) & 64


async def test_slash_with_a_topic_starts_that_flow(bot: BotHarness, client: Any) -> None:
    followup, _ = await interact(bot, slash(user_id=USER, dm_channel=DM, topic="referral"))
    assert "What's their first name?" in followup.content


async def test_the_topic_option_autocompletes_the_topic_ids(bot: BotHarness, client: Any) -> None:
    payload = slash(user_id=USER, topic="ref")
    payload["type"] = 4
    payload["data"]["options"][0]["focused"] = True
    callback, _ = await interact(bot, payload, until=is_callback)
    assert callback.body["type"] == 8
    choices = callback.body["data"]["choices"]
    assert {"name": "Offer a referral (referral)", "value": "referral"} in choices
    assert all("ref" in c["name"].lower() for c in choices)


async def test_dms_closed_keeps_the_buttons_in_the_private_answer(
    bot: BotHarness, client: Any
) -> None:
    bot.fake.closed_dms.add(DM)
    _, since = await interact(
        bot, slash(user_id=USER), until=lambda r: is_followup(r) and CANNOT_DM in r.content
    )
    assert any(is_dm_post(r) for r in since)  # tried, and Discord said 50007
    private = [r for r in since if is_followup(r)]
    assert any(i.startswith("rc:") for r in private for i in r.custom_ids())
    assert all(r.payload["flags"] & 64 for r in private)


async def test_a_reply_meant_for_the_dm_goes_there_from_a_server(
    bot: BotHarness, client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def handle(incoming: Any, *, durable: bool = False) -> list[Reply]:
        return [Reply("Your export is ready.", destination="dm")]

    assert bot.coach is not None
    monkeypatch.setattr(bot.coach.engine, "handle", handle)
    followup, since = await interact(bot, slash(user_id=USER))
    assert any(is_dm_post(r) and "Your export" in r.content for r in since)
    assert CONTINUE_IN_DM in followup.content


# -- buttons and modals -------------------------------------------------------------------------


async def test_a_button_is_deferred_then_answered_and_a_stale_one_politely(
    bot: BotHarness, client: Any
) -> None:
    first = await dm_conversation_started(bot)
    at_work = first.custom_ids()[0]
    pressed = press(at_work, user_id=USER, message=message_of(first), dm_channel=DM)
    followup, since = await interact(bot, pressed)
    assert since[0].body == {"type": 6}  # deferred update: no "thinking" for a button
    assert TIME_ZONE in followup.content
    again = press(at_work, user_id=USER, message=message_of(first), dm_channel=DM)
    stale, _ = await interact(bot, again)
    assert STALE in stale.content


async def test_a_label_button_sends_its_label_as_typed_text(bot: BotHarness, client: Any) -> None:
    await dm_conversation_started(bot)
    label = {"type": 2, "style": 2, "label": "I'm at work", "custom_id": "rc~:I'm at work"}
    shown = message_payload(DM, {"components": [{"type": 1, "components": [label]}]}, author=BOT)
    pressed = press(label["custom_id"], user_id=USER, message=shown, dm_channel=DM)
    followup, _ = await interact(bot, pressed)
    assert TIME_ZONE in followup.content  # as if "I'm at work" had been typed


async def to_the_form(bot: BotHarness) -> Request:
    """Start, press "at work", give a time zone: the reply that offers the callback form."""
    first = await dm_conversation_started(bot)
    pressed = press(first.custom_ids()[0], user_id=USER, message=message_of(first), dm_channel=DM)
    await interact(bot, pressed)
    mark = bot.fake.mark()
    bot.feed("MESSAGE_CREATE", message_payload(DM, {"content": "Berlin"}, author=user(USER)))
    return await bot.fake.wait_for(is_dm_post, after=mark)


async def test_a_form_button_opens_its_modal_as_the_first_response(
    bot: BotHarness, client: Any
) -> None:
    offer = await to_the_form(bot)
    form_id = next(i for i in offer.custom_ids() if i.startswith("rcf:"))
    pressed = press(form_id, user_id=USER, message=message_of(offer), dm_channel=DM)
    callback, since = await interact(bot, pressed, until=is_callback)
    assert since == [callback] and callback.body["type"] == 9
    modal = callback.body["data"]
    assert modal["custom_id"] == "rcm:" + form_id.removeprefix("rcf:")
    assert [c["component"]["custom_id"] for c in modal["components"]] == [
        "callback_at",
        "callback_phone",
    ]


async def test_after_a_restart_a_form_button_shows_the_question_again(
    bot: BotHarness, client: Any
) -> None:
    offer = await to_the_form(bot)
    form_id = next(i for i in offer.custom_ids() if i.startswith("rcf:"))
    await bot.close_client()
    await bot.login()  # a new process: the forms it offered are not in memory any more
    pressed = press(form_id, user_id=USER, message=message_of(offer), dm_channel=DM)
    followup, since = await interact(bot, pressed)
    assert since[0].body == {"type": 6}
    assert form_id in followup.custom_ids()  # the same form, offered again


async def test_a_modal_submission_is_answered_with_errors_then_accepted(
    bot: BotHarness, client: Any
) -> None:
    offer = await to_the_form(bot)
    token = next(i for i in offer.custom_ids() if i.startswith("rcf:")).removeprefix("rcf:")
    bad = submit(
        "rcm:" + token,
        {"callback_at": "tomorrow 18:30", "callback_phone": "call me maybe"},
        user_id=USER,
        dm_channel=DM,
    )
    retry, since = await interact(bot, bad)
    assert is_callback(since[0])
    assert "rcf:" + token in retry.custom_ids()  # asked again, same form
    good = submit(
        "rcm:" + token,
        {"callback_at": "tomorrow 18:30", "callback_phone": "+1 415 555 0100"},
        user_id=USER,
        dm_channel=DM,
    )
    # the script first (the recruiter is on the line), then the calendar file's message
    mark = bot.fake.mark()
    await interact(bot, good, until=lambda r: is_followup(r) and "Add to calendar" in r.content)
    said = "\n".join(r.content for r in bot.fake.requests[mark:] if is_followup(r))
    assert -1 < said.find("Here's what to say now") < said.find("Add to calendar")
    assert "+1 415-555-0100" in said


async def test_a_modal_that_is_not_ours_is_left_alone(bot: BotHarness, client: Any) -> None:
    foreign = submit("other:1", {"a": "b"}, user_id=USER, dm_channel=DM)
    bot.feed("INTERACTION_CREATE", foreign)
    await interact(bot, slash(user_id=USER, dm_channel=DM))  # a later event is answered
    assert not any(foreign["id"] in r.path for r in bot.fake.requests)


# -- DMs -----------------------------------------------------------------------------------------


async def test_dm_text_is_answered_and_bots_and_servers_are_ignored(
    bot: BotHarness, client: Any
) -> None:
    mark = bot.fake.mark()
    from_bot = message_payload(DM, {"content": "start"}, author=BOT)
    in_server = {**message_payload(DM, {"content": "start"}, author=user(USER))}
    in_server["guild_id"] = str(GUILD_ID)
    bot.feed("MESSAGE_CREATE", from_bot)
    bot.feed("MESSAGE_CREATE", in_server)
    bot.feed("MESSAGE_CREATE", message_payload(DM, {"content": "start"}, author=user(USER)))
    answer = await bot.fake.wait_for(is_dm_post, after=mark)
    assert CAN_TALK in answer.content
    posts = [r for r in bot.fake.requests[mark:] if r.method == "POST"]
    assert posts == [answer]


# -- reminders and closed DMs --------------------------------------------------------------------


async def test_a_reminder_arrives_as_a_dm_through_the_scheduler(
    bot: BotHarness, client: Any
) -> None:
    assert bot.coach is not None
    ref = to_conversation(user_id=USER, dm_channel_id=DM)
    mark = bot.fake.mark()
    await bot.coach.store.schedule_jobs(
        (
            JobSpec(
                kind="reminder",
                due_at=datetime.now(UTC),
                user_key=ref.user_key,
                conversation_key=ref.key,
                payload={
                    "ref": ref_to_json(ref),
                    "template": "callback_reminder",
                    "context": {"at": datetime.now(UTC).isoformat(), "time_zone": "UTC"},
                },
            ),
        )
    )
    reminder = await bot.fake.wait_for(is_dm_post, after=mark)
    assert "Reminder:" in reminder.content


async def test_closed_dms_are_logged_without_content_and_noted_once(
    bot: BotHarness, client: Any, caplog: pytest.LogCaptureFixture
) -> None:
    bot.fake.closed_dms.add(DM)
    secret = "call Jane Secret at 555"
    with caplog.at_level(logging.INFO):
        await bot.delivery.deliver(
            to_conversation(user_id=USER, dm_channel_id=DM), [Reply(secret)]
        )
    assert "DMs closed" in caplog.text and secret not in caplog.text
    bot.fake.closed_dms.clear()
    first, _ = await interact(bot, slash(user_id=USER, dm_channel=DM))
    assert DM_CLOSED_NOTE.split(".")[0] in first.content
    second, _ = await interact(bot, slash(user_id=USER, dm_channel=DM))
    assert DM_CLOSED_NOTE.split(".")[0] not in second.content


async def test_a_delivery_refused_for_another_reason_is_not_retried(
    bot: BotHarness, client: Any, caplog: pytest.LogCaptureFixture
) -> None:
    bot.fake.forbidden_channels.add(DM)
    delivery: DiscordDelivery = bot.delivery
    await delivery.deliver(to_conversation(user_id=USER, dm_channel_id=DM), [Reply("hi")])
    assert "HTTP 403 (code 50013)" in caplog.text


async def test_a_failing_followup_is_logged_without_text_and_nothing_crashes(
    bot: BotHarness, client: Any, caplog: pytest.LogCaptureFixture
) -> None:
    bot.fake.fail_webhooks = True
    failing = slash(user_id=USER, dm_channel=DM, question="my secret")
    mark = bot.fake.mark()
    bot.feed("INTERACTION_CREATE", failing)

    def followups() -> int:
        return sum(1 for r in bot.fake.requests[mark:] if failing["token"] in r.path)

    # the reply fails, then the apology fails too: both are attempted, neither escapes
    await bot.fake.wait_for(lambda r: followups() >= 3, after=mark)  # defer + 2 follow-ups
    bot.fake.fail_webhooks = False
    answered, _ = await interact(bot, slash(user_id=USER, dm_channel=DM))  # still answering
    assert CAN_TALK in answered.content
    assert "failed with HTTPException" in caplog.text
    assert "my secret" not in caplog.text


# -- command sync --------------------------------------------------------------------------------


def syncs(fake: FakeDiscord) -> int:
    return sum(1 for r in fake.requests if r.method == "PUT" and r.path.endswith("/commands"))


async def test_commands_are_synced_only_when_they_changed_or_when_forced(
    bot: BotHarness, client: Any
) -> None:
    assert syncs(bot.fake) == 1 and client.synced is True
    await bot.close_client()
    again = await bot.login()
    assert syncs(bot.fake) == 1 and again.synced is False
    await bot.close_client()
    forced = await bot.login(force_sync=True)
    assert syncs(bot.fake) == 2 and forced.synced is True
    await bot.close_client()
    changed = await bot.open()
    changed.tree.get_commands()[0].description = "A new description"
    await changed.login("MTEwMDAwMDAwMDAwMDAwMDAwMQ.fake.token")
    assert syncs(bot.fake) == 3 and changed.synced is True


async def test_the_commands_are_usable_in_dms_and_installable_by_users(
    bot: BotHarness, client: Any
) -> None:
    sync = next(r for r in bot.fake.requests if r.method == "PUT")
    commands = {c["name"]: c for c in sync.body}
    recruiter = commands["recruiter"]
    assert recruiter["contexts"] == [0, 1, 2] and recruiter["integration_types"] == [0, 1]
    assert [o["name"] for o in recruiter["options"]] == ["topic", "question"]
    assert not any(o["required"] for o in recruiter["options"])
    admin = commands["recruiter-admin"]
    assert admin["contexts"] == [0] and admin["integration_types"] == [0]
    assert int(admin["default_member_permissions"]) == 1 << 5  # Manage Server
    assert client.allowed_mentions.to_dict() == {"parse": []}
    assert client.intents == discord.Intents(guilds=True, dm_messages=True)


def _button_id(request: Request, label: str) -> str:
    rows = request.payload.get("components") or []
    found = [c["custom_id"] for r in rows for c in r["components"] if c.get("label") == label]
    assert found, f"no button {label!r} in {request.payload}"
    return str(found[0])


@pytest.mark.parametrize("answer", ["Yes, that's right", "No"])
async def test_an_ambiguous_date_in_the_modal_is_confirmed_with_its_year(
    bot: BotHarness, client: Any, answer: str
) -> None:
    """Issue 9 item 7 through the modal: "12/01 18:00" typed in the form gets one question with
    the full date and its year; yes goes on to the script, no asks for the time again."""
    offer = await to_the_form(bot)
    token = next(i for i in offer.custom_ids() if i.startswith("rcf:")).removeprefix("rcf:")
    filled = submit(
        "rcm:" + token,
        {"callback_at": "12/01 18:00", "callback_phone": "+1 415 555 0100"},
        user_id=USER,
        dm_channel=DM,
    )
    check, _ = await interact(
        bot, filled, until=lambda r: is_followup(r) and "Just to check" in r.content
    )
    assert re.search(r"\b(January|December),? 20\d\d\b", check.content, re.IGNORECASE)
    pressed = press(
        _button_id(check, answer), user_id=USER, message=message_of(check), dm_channel=DM
    )
    words = "Here's what to say now" if answer.startswith("Yes") else "When suits you"
    reply, _ = await interact(bot, pressed, until=lambda r: words in (r.content or ""))
    assert words in reply.content
