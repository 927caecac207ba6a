"""Every rendered message, modal and home view passes slack_sdk's models and our limits, with
hostile and maximum-length inputs; no user value comes out as a live mention or link."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.slack.limits import (
    BlockKitError,
    check_message,
    check_view,
    message_problems,
    view_problems,
)
from adapters.slack.render import (
    HomeView,
    slack_escape,
    to_fallback,
    to_home,
    to_message,
    to_modal,
    to_mrkdwn,
)
from bot.boundary import Card, Choice, Form, FormField, Reply
from bot.markup import escape

HOSTILE = [
    "<!channel>",
    "<!here|here>",
    "<!everyone>",
    "<@U123ABC>",
    "<#C123|general>",
    "<!subteam^S123>",
    "<https://evil.example|innocent>",
    "& < > &amp; &lt;",
    "@here @channel @everyone",
    "**bold** _it_ [click](https://evil.example)",
    "line\n- item\n\\",
    "ünïcødé 🎉 \u202e rtl",
    "`code` ~strike~ >quote",
]
BLOB = "<!channel>&" * 400  # 4400 characters, each one needing an escape


def user_text(value: str) -> str:
    """What a template makes of a user's value: escaped neutral markup."""
    return f"You said: {escape(value)}"


def live_tokens(payload: object) -> bool:
    text = json.dumps(payload, ensure_ascii=False)
    return any(token in text for token in ("<!", "<@", "<#", "<https://evil"))


def test_hostile_values_are_escaped_and_never_live() -> None:
    for value in [*HOSTILE, BLOB]:
        message = to_message(Reply(user_text(value)))
        check_message(message)
        assert not live_tokens(message), value
    assert to_mrkdwn(escape("<!channel> & <@U1>")) == "&lt;!channel&gt; &amp; &lt;@U1&gt;"
    assert "@\u2060here" in slack_escape("@here")
    assert to_fallback(escape("<!here>")) == "&lt;!here&gt;"


def test_author_markup_becomes_mrkdwn_and_links_stay_links() -> None:
    text = "**Call** _now_: [the guide](https://example.com/a?b=1&c=2)\n- one\n- two"
    assert to_mrkdwn(text) == (
        "*Call* _now_: <https://example.com/a?b=1&amp;c=2|the guide>\n• one\n• two"
    )


def test_maximum_sizes_fit_after_splitting_and_shortening() -> None:
    long_text = "\n".join(f"{i}: " + "word " * 200 for i in range(40))  # ~40,000 characters
    reply = Reply(
        user_text(BLOB) + "\n" + long_text,
        choices=tuple(Choice(f"c{i}", "L" * 200, f"1.abc.c{i}", "primary") for i in range(60)),
        card=Card(
            title="T" * 500 + "<!here>",
            fields=tuple((escape("<@U1>") * 50, escape(BLOB)) for _ in range(30)),
            text=escape(BLOB),
            key="referral:1",
        ),
        form=Form("F" * 100, (FormField("x", "X"),), "1.abc.~form"),
    )
    message = to_message(reply)
    assert message_problems(message) == []
    assert not live_tokens(message)
    assert len(message["blocks"]) <= 50
    assert "shortened" in json.dumps(message)


def test_every_field_kind_makes_a_valid_modal_even_at_the_limits() -> None:
    fields = (
        FormField("text", "L" * 3000, placeholder="P" * 500, max_length=9000, initial="i" * 9000),
        FormField("long", "Long", "long_text", required=False),
        FormField(
            "pick", "Pick", "choice", options=tuple((f"v{i}" * 40, "O" * 99) for i in range(150))
        ),
        FormField("few", "Few", "choice", options=(("a", "A"), ("b", "B"))),
        FormField("yes", "Yes?", "yesno"),
        FormField("when", "When", "datetime"),
        FormField("phone", "Phone", "phone"),
        FormField("mail", "Mail", "email"),
        FormField("site", "Site", "url"),
        FormField("count", "Count", "number"),
        FormField("scale", "Scale", "scale"),
    )
    form = Form(
        "A title far longer than twenty-four", fields, "9.abcdef.~form", "Send it now please!!!!!"
    )
    view = to_modal(form, prompt=user_text(BLOB), metadata={"t": form.token, "ru": "x" * 5000})
    assert view_problems(view) == []
    assert len(view["private_metadata"]) <= 3000
    assert not live_tokens(view)


def test_home_view_with_hostile_and_many_items_is_valid() -> None:
    items = tuple(HOSTILE * 3)
    view = to_home(HomeView(callbacks=items, contacts=items, shared=items, answered=items))
    check_view(view)
    assert not live_tokens(view)
    assert "and 29 more" in json.dumps(view)


def test_the_validator_catches_what_the_sdk_does_not() -> None:
    section = {"type": "section", "block_id": "a", "text": {"type": "mrkdwn", "text": "x"}}
    too_many = {"text": "x", "blocks": [{**section, "block_id": str(i)} for i in range(51)]}
    assert any("51 blocks" in p for p in message_problems(too_many))
    duplicate = {"text": "x", "blocks": [section, section]}
    assert any("duplicate block_id" in p for p in message_problems(duplicate))
    unknown = {"text": "x", "blocks": [{"type": "no_such_block"}]}
    assert any("unknown block type" in p for p in message_problems(unknown))
    wide = {"type": "section", "fields": [{"type": "mrkdwn", "text": "y" * 2001}]}
    assert any("section field" in p for p in message_problems({"text": "x", "blocks": [wide]}))
    live = {"text": "x", "blocks": [{**section, "text": {"type": "mrkdwn", "text": "<!here>"}}]}
    assert any("live mention" in p for p in message_problems(live))
    assert message_problems({"blocks": [section]}) == ["no text fallback"]
    big = [
        {**section, "block_id": str(i), "text": {"type": "mrkdwn", "text": "z" * 2900}}
        for i in range(5)
    ]
    assert any("characters of text" in p for p in message_problems({"text": "x", "blocks": big}))
    radio = {
        "type": "input",
        "block_id": "r",
        "label": {"type": "plain_text", "text": "R"},
        "element": {
            "type": "radio_buttons",
            "action_id": "v",
            "options": [
                {"text": {"type": "plain_text", "text": str(i)}, "value": str(i)}
                for i in range(11)
            ],
        },
    }
    modal = {
        "type": "modal",
        "title": {"type": "plain_text", "text": "t"},
        "submit": {"type": "plain_text", "text": "s"},
        "blocks": [radio],
    }
    assert any("more than 10 options" in p for p in view_problems(modal))
    try:
        check_message(unknown)
    except BlockKitError as exc:
        assert exc.problems
    else:
        raise AssertionError("an unknown block passed")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    value=st.text(max_size=5000),
    raw=st.text(alphabet="<>&!@#|*_[]()-\\\n ahttps:/.x", max_size=400),
)
def test_any_value_and_any_markup_renders_valid_and_inert(value: str, raw: str) -> None:
    for reply in (
        Reply(user_text(value)),
        Reply(raw or "x"),
        Reply(user_text(raw), card=Card(escape(value), ((escape(raw), escape(value)),))),
    ):
        message = to_message(reply)
        assert message_problems(message) == []
        mrkdwn = [
            b["text"]["text"] for b in message["blocks"] if "text" in b and b["type"] == "section"
        ]
        assert not any(t in m for m in [*mrkdwn, message["text"]] for t in ("<!", "<@", "<#"))


def test_the_conversation_picture_draws_mrkdwn_buttons_and_modals() -> None:
    from tests.adapters.slack.blockkit_html import Entry, mrkdwn, page

    assert mrkdwn("*Call* _now_ <https://a.example/?a=1&amp;b=2|guide> &lt;!here&gt;\nok") == (
        '<b>Call</b> <i>now</i> <a href="https://a.example/?a=1&amp;b=2">guide</a> '
        "&lt;!here&gt;<br>ok"
    )
    message = to_message(Reply("**Hi** <x>", choices=(Choice("a", "A & B", "t", "primary"),)))
    form = Form("Call me back", (FormField("when", "When?", "datetime"),), "1.a.~form")
    html = page(
        "general",
        [
            Entry("app", message["blocks"], note="Only visible to you"),
            Entry("Sam", [], text="/recruiter", modal=to_modal(form, prompt="p", metadata={})),
        ],
    )
    assert "<b>Hi</b> &lt;x&gt;" in html
    assert 'class="button primary">A &amp; B<' in html
    assert "Call me back" in html and "When?" in html and "Only visible to you" in html
