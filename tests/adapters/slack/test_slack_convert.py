"""Pure converters: slash command text, DMs, buttons, modal values, users, Slack text."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from adapters.slack.convert import (
    PRIVATE_CHANNEL,
    AdminRequest,
    action_conversation,
    form_values,
    format_picked_time,
    message_to_incoming,
    to_command,
    to_plain_text,
    to_user_info,
    user_is_admin,
)
from bot.answers.parse import Parsed, parse_answer
from bot.boundary import Command
from bot.flow.model import Rule

KNOWN = {"check", "callback", "contacts", "refer", "forget", "export", "legitimacy"}


def command(text: str) -> Command | AdminRequest:
    return to_command(text, knows_topic=lambda word: word.lower() in KNOWN)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", Command("start")),
        ("   ", Command("start")),
        ("help", Command("help")),
        ("Stop", Command("stop")),
        ("back", Command("back")),
        ("check", Command("check")),
        ("CALLBACK", Command("callback")),
        ("export", Command("export")),
        ("forget", Command("forget")),
        ("is this recruiter legit?", Command("ask", "is this recruiter legit?")),
        # `check <text>` checks the text (too little of it: the check asks for the whole message)
        ("check this one please", Command("check", "this one please")),
        (
            "check <mailto:hr@gmail.com|hr@gmail.com> wants a fee",
            Command("check", "hr@gmail.com wants a fee"),
        ),
        ("banana", Command("ask", "banana")),
        ("<@U123|ann> called me", Command("ask", "@ann called me")),
    ],
)
def test_slash_command_text_maps_to_a_command(text: str, expected: Command) -> None:
    assert command(text) == expected


@pytest.mark.parametrize(
    ("text", "channel"),
    [
        ("admin referral-channel <#C0123ABC|jobs>", "C0123ABC"),
        ("admin referral-channel #C0123ABC", "C0123ABC"),
        ("admin referral-channel C0123ABC", "C0123ABC"),
        ("admin referral-channel #jobs", None),
        ("admin referral-channel", None),
    ],
)
def test_admin_referral_channel_reads_the_channel_id(text: str, channel: str | None) -> None:
    assert command(text) == AdminRequest("referral-channel", channel)


def test_slack_text_becomes_what_the_person_typed() -> None:
    text = (
        "Hi <@U1|ann> <!channel> <!here> <#C1|jobs> <https://evil.example|docs> &lt;b&gt; &amp;lt;"
    )
    assert to_plain_text(text) == (
        "Hi @ann @channel @here #jobs docs (https://evil.example) <b> &lt;"
    )
    assert to_plain_text("<mailto:a@b.c|a@b.c> <https://x.y>") == "a@b.c https://x.y"


@pytest.mark.parametrize(
    ("slack", "typed"),
    [
        ("<mailto:jane@example.com|jane@example.com>", "jane@example.com"),
        ("<http://linkedin.com/in/jane|linkedin.com/in/jane>", "linkedin.com/in/jane"),
        ("<http://www.example.com|www.example.com>", "www.example.com"),
        ("<tel:+14155550100|+1 415 555 0100>", "+1 415 555 0100"),
        ("<mailto:a@b.com>", "a@b.com"),
        # masked: the label is not what the link opens, so both are shown
        ("<https://evil.example|bank.example>", "bank.example (https://evil.example)"),
        ("<mailto:thief@evil.example|jane@example.com>",
         "jane@example.com (mailto:thief@evil.example)"),
        ("<tel:+19005550100|+1 415 555 0100>", "+1 415 555 0100 (tel:+19005550100)"),
    ],
)  # fmt: skip
def test_a_link_slack_made_of_what_was_typed_is_what_was_typed(slack: str, typed: str) -> None:
    """An address, a number or a domain typed in a DM reaches the app as a link; the coach read
    "jane@example.com (mailto:jane@example.com)", which no e-mail question could take."""
    assert to_plain_text(slack) == typed


def test_an_address_typed_on_slack_answers_an_email_question() -> None:
    text = to_plain_text("<mailto:jane@example.com|jane@example.com>")
    assert parse_answer("email", text, rule=Rule(), now=datetime.now(UTC)) == Parsed(
        "jane@example.com", "jane@example.com"
    )


def test_dm_messages_from_people_become_text_and_noise_is_dropped() -> None:
    event = {
        "type": "message",
        "channel": "D1",
        "user": "U1",
        "text": "hello",
        "ts": "1700000000.1",
    }
    incoming = message_to_incoming(event, team="T1", event_id="Ev1", user=to_user_info({}))
    assert incoming is not None
    assert incoming.text == "hello" and incoming.event_id == "Ev1"
    assert incoming.conversation.channel == PRIVATE_CHANNEL
    assert incoming.conversation.thread is None
    for noise in ({"subtype": "message_changed"}, {"bot_id": "B1"}, {"text": "  "}):
        assert (
            message_to_incoming(
                {**event, **noise}, team="T1", event_id=None, user=to_user_info({})
            )
            is None
        )
    threaded = message_to_incoming(
        {**event, "thread_ts": "1699.1"}, team="T1", event_id=None, user=to_user_info({})
    )
    assert threaded is not None and threaded.conversation.thread == "1699.1"


def test_a_button_in_a_thread_belongs_to_the_thread_conversation() -> None:
    body = {
        "type": "block_actions",
        "user": {"id": "U1"},
        "team": {"id": "T1"},
        "actions": [],
        "container": {"type": "message"},
        "message": {"ts": "2.0", "thread_ts": "1.0"},
    }
    assert action_conversation(body).thread == "1.0"  # type: ignore[arg-type]
    parent = {**body, "message": {"ts": "1.0", "thread_ts": "1.0"}}
    assert action_conversation(parent).thread is None  # type: ignore[arg-type]
    ephemeral = {**body, "container": {"type": "message", "is_ephemeral": True}}
    assert action_conversation(ephemeral).thread is None  # type: ignore[arg-type]


def test_modal_values_read_every_element_and_pickers_use_the_persons_zone() -> None:
    state = {
        "at": {"value": {"type": "datetimepicker", "selected_date_time": 1767225600}},
        "phone": {"value": {"type": "plain_text_input", "value": "+1 415 555 0100"}},
        "pick": {"value": {"type": "static_select", "selected_option": {"value": "b"}}},
        "empty": {"value": {"type": "plain_text_input", "value": None}},
        "unpicked": {"value": {"type": "datetimepicker", "selected_date_time": None}},
    }
    assert form_values(state, time_zone="America/New_York") == (
        ("at", "2025-12-31 19:00"),
        ("phone", "+1 415 555 0100"),
        ("pick", "b"),
        ("empty", ""),
        ("unpicked", ""),
    )
    assert format_picked_time(1767225600, None) == "2026-01-01 00:00"
    assert format_picked_time(1767225600, "Not/AZone") == "2026-01-01 00:00"


def test_users_info_gives_name_locale_zone_and_admin() -> None:
    user = {
        "id": "U1",
        "name": "ann",
        "tz": "Europe/Berlin",
        "locale": "de-DE",
        "profile": {"display_name": "Ann"},
        "is_admin": False,
        "is_owner": True,
    }
    info = to_user_info(user)  # type: ignore[arg-type]
    assert (info.display_name, info.locale, info.time_zone) == ("Ann", "de-DE", "Europe/Berlin")
    assert user_is_admin(user)  # type: ignore[arg-type]
    assert not user_is_admin({"id": "U2"})
    assert to_user_info({"name": "bob"}).display_name == "bob"


def test_runs_of_plain_replies_are_merged_for_a_response_url() -> None:
    from adapters.slack.send import merge_plain
    from bot.boundary import Choice, Reply

    question = Reply("Q?", choices=(Choice("a", "A", "t"),))
    replies = [Reply("one"), Reply("two"), question, Reply("three"), Reply("dm", destination="dm")]
    assert [r.text for r in merge_plain(replies)] == ["one\n\ntwo", "Q?", "three", "dm"]


def test_merged_plain_replies_keep_their_file() -> None:
    """The script, then the calendar file's message: merged for a response_url, the calendar
    file must still be uploaded; two replies with a file each stay two."""
    from adapters.slack.send import merge_plain
    from bot.boundary import Attachment, Reply

    ics = Attachment("call.ics", "BEGIN:VCALENDAR", "text/calendar")
    export = Attachment("export.json", "{}")
    merged = merge_plain([Reply("script"), Reply("Add to calendar", attachment=ics)])
    assert [(r.text, r.attachment) for r in merged] == [("script\n\nAdd to calendar", ics)]
    apart = merge_plain([Reply("a", attachment=ics), Reply("b", attachment=export)])
    assert [r.attachment for r in apart] == [ics, export]
