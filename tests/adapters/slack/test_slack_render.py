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
    HOME_LINE_MAX,
    HOME_LIST_MAX,
    HomeView,
    slack_escape,
    to_fallback,
    to_home,
    to_message,
    to_modal,
    to_mrkdwn,
)
from bot.boundary import Card, Choice, Form, FormField, Reply
from bot.render.markup import escape

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


_ITEMS = st.lists(
    st.one_of(
        st.text(max_size=700),
        st.text(alphabet="&<>@!#|*_ \nhere", min_size=HOME_LINE_MAX - 5, max_size=700),
    ),
    max_size=14,
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(callbacks=_ITEMS, contacts=_ITEMS, shared=_ITEMS, answered=_ITEMS)
def test_any_home_is_within_block_kit_limits_and_shows_every_list(
    callbacks: list[str], contacts: list[str], shared: list[str], answered: list[str]
) -> None:
    """Whatever the lists hold (any length, any count, text that grows 5x when escaped), the
    Home passes slack_sdk and our limits, nothing is live, and each list shows its first items
    (their start, escaped) and counts the rest."""
    home = HomeView(
        callbacks=tuple(callbacks),
        contacts=tuple(contacts),
        shared=tuple(shared),
        answered=tuple(answered),
    )
    view = to_home(home)
    assert view_problems(view) == []
    sections = [b["text"]["text"] for b in view["blocks"] if b["type"] == "section"]
    assert not any(token in text for text in sections for token in ("<!", "<@", "<#"))
    shown = "\n".join(sections)
    for items in (callbacks, contacts, shared, answered):
        for item in items[:HOME_LIST_MAX]:
            start = " ".join(item.split())[:20].strip()
            assert slack_escape(start) in shown
        if len(items) > HOME_LIST_MAX:
            assert f"and {len(items) - HOME_LIST_MAX} more" in shown


def test_a_home_with_ten_contacts_at_the_flows_maximum_lengths_is_valid() -> None:
    """The contacts flow allows a 500-character name (edited), a 120-character agency and a
    200-character way to reach them; ten of those, each character needing an escape."""
    from adapters.slack.home import contact_line
    from bot.app import SavedContact

    contacts = [
        contact_line(SavedContact(name="&" * 500, agency="<" * 120, reach=">" * 200))
        for _ in range(12)
    ]
    view = to_home(HomeView(contacts=tuple(contacts), callbacks=tuple(contacts)))
    check_view(view)
    assert "and 2 more (*Show my contacts* lists them all)" in json.dumps(view)


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
