"""L1: every message, embed, view and modal the renderer builds stays within Discord's limits,
whatever the input, and user text can neither format nor ping.

Hostile inputs: empty, maximum-length and far longer, Markdown and mention injection, astral
emoji (two UTF-16 units each), backslash runs, line-break floods. Each rendered payload goes
through discord.py's own serialisation (``to_dict`` / ``to_components``) and our validator
(:mod:`adapters.discord.limits`), which the last tests show catches every limit it claims to.
"""

from __future__ import annotations

from typing import Any

import discord
import pytest

from adapters.discord import limits
from adapters.discord.delivery import FormCache, Sender
from adapters.discord.limits import (
    LimitError,
    check_message,
    check_modal,
    embed_total,
    fit,
    message_problems,
    modal_problems,
    size,
)
from adapters.discord.render import (
    Outgoing,
    build_buttons,
    build_modal,
    card_embed,
    escape_text,
    render_replies,
    split_content,
    to_markdown,
)
from bot.boundary import Card, Choice, Form, FormField, Reply
from bot.render.markup import escape

ASTRAL = "\U0001d518"  # a letter outside the BMP: two UTF-16 units
HOSTILE = {
    "empty": "",
    "blank": "   \n\n  ",
    "everyone": "@everyone and @here, <@123456789012345678> <@&234567890123456789> "
    "<@!345678901234567890>",
    "markdown": "**bold** __u__ *it* ~~s~~ `code` ```block``` ||spoiler|| > quote # head -# small",
    "link": "[click me](https://evil.example) <https://evil.example> [x](javascript:alert(1))",
    "backslashes": "\\" * 9 + "*" + "\\",
    "emoji": "🧑‍💻" * 700,  # ZWJ sequences of astral characters: 5 UTF-16 units each
    "astral": ASTRAL * 3000,
    "lines": "\n".join(["- item"] * 900),
    "blob": "x" * 4000,
    "huge": "word " * 5000,
    "max_content": "y" * 2000,
    "unicode": "Zoë Ørsted — naïve café 北京 مرحبا " * 100,
}
CASES = sorted(HOSTILE)


def payload(message: Outgoing) -> tuple[str | None, list[Any], list[Any]]:
    """The three parts of a message as Discord receives them."""
    components = message.view.to_components() if message.view is not None else []
    return message.content, [embed.to_dict() for embed in message.embeds], components


def assert_fits(messages: list[Outgoing]) -> None:
    assert messages, "nothing rendered"
    for message in messages:
        assert message_problems(*payload(message)) == []


def choices(count: int, label: str, token_length: int = 10) -> tuple[Choice, ...]:
    return tuple(
        Choice(f"c{n}", f"{label}{n}", f"{n}." + "t" * token_length) for n in range(count)
    )


@pytest.mark.parametrize("case", CASES)
def test_reply_text_fits_and_splits_when_hostile(case: str) -> None:
    text = HOSTILE[case]
    for markup in (text, escape(text)):
        messages = render_replies([Reply(markup)])
        if markup.strip():
            assert_fits(messages)
        else:  # Discord refuses an empty message: nothing is sent
            assert messages == []


@pytest.mark.parametrize("case", CASES)
def test_a_card_fits_every_embed_limit_when_hostile(case: str) -> None:
    text = HOSTILE[case] or "-"
    card = Card(
        title=text * 3,
        fields=tuple((text * 2, text * 4) for _ in range(40)),
        text=text * 5,
        key="referral:1",
    )
    embed = card_embed(card)
    data = embed.to_dict()
    assert len(data.get("fields", [])) <= limits.EMBED_FIELDS
    assert embed_total(data) <= limits.EMBEDS_TOTAL
    assert message_problems(None, [data], []) == []


def test_many_cards_are_spread_over_messages_within_the_6000_and_10_embed_limits() -> None:
    cards = [
        Reply("", card=Card("t" * 300, tuple(("n" * 300, "v" * 2000) for _ in range(5))))
        for _ in range(25)
    ]
    messages = render_replies(cards)
    assert len(messages) > 1
    assert_fits(messages)
    assert sum(len(m.embeds) for m in messages) == 25
    assert all(len(m.embeds) <= limits.EMBEDS_PER_MESSAGE for m in messages)


def custom_ids(view: discord.ui.View) -> list[str]:
    return [c["custom_id"] for row in view.to_components() for c in row["components"]]


@pytest.mark.parametrize("case", CASES)
def test_buttons_fit_when_labels_are_hostile_and_none_is_dropped(case: str) -> None:
    label = HOSTILE[case]
    buttons = build_buttons(choices(40, label), None)
    assert len(buttons.views) == 2  # 25 + 15: the rest go in a second message
    for view in buttons.views:
        components = view.to_components()  # discord.py's own checks (rows, widths)
        assert len(components) <= limits.ROWS
        assert all(len(row["components"]) <= limits.BUTTONS_PER_ROW for row in components)
        assert message_problems("x", [], components) == []
    assert sum(len(custom_ids(v)) for v in buttons.views) == 40


def test_a_token_too_long_for_a_custom_id_falls_back_to_the_label_then_to_a_short_token() -> None:
    buttons = build_buttons(
        (
            Choice("a", "Yes", "1." + "t" * 120),
            Choice("b", "L" * 120, "2." + "t" * 120),  # label too long for rc~: as well
            Choice("c", "Fine", "3.short"),
            Choice("d", "Twice", "3.short"),  # the same token twice: one button
            Choice("e", "Yes", "4." + "u" * 120),  # the same label again: a short token
        ),
        None,
    )
    (view,) = buttons.views
    ids = custom_ids(view)
    shorts = dict(buttons.tokens)
    assert ids[0] == "rc~:Yes" and ids[2] == "rc:3.short" and len(ids) == 4
    assert shorts[ids[1].removeprefix("rc:")] == "2." + "t" * 120
    assert shorts[ids[3].removeprefix("rc:")] == "4." + "u" * 120
    assert all(len(i) <= limits.CUSTOM_ID for i in ids)


@pytest.mark.parametrize("case", CASES)
def test_a_form_fits_its_modals_when_hostile(case: str) -> None:
    text = HOSTILE[case]
    fields = tuple(
        FormField(
            name=f"field_{n}",
            label=text,
            kind="long_text" if n % 2 else "choice",
            placeholder=text or None,
            options=(("a", text), ("b", text)),
            max_length=10_000,
            initial=text or None,
            required=bool(n % 3),
        )
        for n in range(8)
    )
    form = Form(
        title=text, fields=fields, token="7.abcdef.~form", errors=(("field_1", text or "?"),)
    )
    first, second = build_modal(form, 0).to_dict(), build_modal(form, 1).to_dict()
    for data in (first, second):
        assert modal_problems(data) == []
    assert len(first["components"]) == limits.MODAL_INPUTS and len(second["components"]) == 3
    assert first["title"].endswith("(1/2)") and second["title"].endswith("(2/2)")
    (view,) = build_buttons((), form).views
    assert message_problems("x", [], view.to_components()) == []


def test_a_form_whose_field_names_or_token_do_not_fit_still_gets_its_button_and_modal() -> None:
    form = Form("Title", (FormField("n" * 101, "Label"),), token="1.abc." + "f" * 120)
    buttons = build_buttons((), form)
    (view,) = buttons.views
    (custom_id,) = custom_ids(view)
    assert dict(buttons.tokens)[custom_id.removeprefix("rcf:")] == form.token
    data = build_modal(form).to_dict()
    assert modal_problems(data) == []
    assert data["custom_id"] == "rcm:" + custom_id.removeprefix("rcf:")
    assert data["components"][0]["component"]["custom_id"] == "#0"


@pytest.mark.parametrize("case", CASES)
def test_content_splits_into_pieces_of_at_most_2000(case: str) -> None:
    text = HOSTILE[case]
    pieces = split_content(text)
    assert all(0 < size(piece) <= limits.CONTENT for piece in pieces)
    assert "".join("".join(pieces).split()) == "".join(text.split())
    for piece in pieces:  # a cut never separates a backslash from what it escapes
        assert (len(piece) - len(piece.rstrip("\\"))) % 2 == 0 or piece is pieces[-1]


def test_text_just_over_2000_becomes_two_messages_cut_at_a_space() -> None:
    text = "a" * 1500 + " " + "b" * 600
    messages = render_replies([Reply(text)])
    assert [m.content for m in messages] == ["a" * 1500, "b" * 600]


def test_replies_are_merged_and_buttons_stay_under_their_own_text() -> None:
    replies = [
        Reply("Privacy first."),
        Reply("Can you talk?", choices=choices(2, "opt")),
        Reply("Later text."),
    ]
    messages = render_replies(replies)
    assert [m.content for m in messages] == ["Privacy first.\n\nCan you talk?", "Later text."]
    assert messages[0].view is not None and messages[1].view is None
    assert render_replies(replies, interactive=False)[0].view is None


# -- escaping ----------------------------------------------------------------------------------


def test_mentions_in_user_text_are_broken() -> None:
    shown = to_markdown(escape(HOSTILE["everyone"]))
    assert "@everyone" not in shown and "@here" not in shown
    # "\<" shows the raw text, never a mention (and AllowedMentions.none() could not ping)
    assert "\\<@123456789012345678>" in shown and "\\<@&234567890123456789>" in shown
    assert "@\u200beveryone" in shown


def test_markdown_and_links_in_user_text_stay_literal() -> None:
    shown = to_markdown(escape("**bold** _it_ [click](https://evil.example) a* then *b"))
    assert "**bold**" not in shown
    assert "\\[click\\]\\(https://evil.example)" in shown  # every bracket escaped: no link
    assert "\\*\\*bold\\*\\*" in shown
    # a lone marker is escaped too, so it cannot pair with markup from the next node
    assert to_markdown("a\\* then **b**") == "a\\* then **b**"


def test_author_markup_becomes_discord_markdown() -> None:
    shown = to_markdown("**Hi** _there_, see [the guide](https://example.com)\n- one\n- two")
    assert shown == "**Hi** _there_, see [the guide](https://example.com)\n- one\n- two"
    assert to_markdown("[https://x.com](https://x.com)") == "https://x.com"


def test_urls_in_user_text_are_left_clickable() -> None:
    assert escape_text("see https://example.com/a_b_c") == "see https://example.com/a_b_c"


# -- the validator itself -----------------------------------------------------------------------


def test_size_counts_utf16_units_and_fit_never_exceeds_the_limit() -> None:
    assert size("a" + ASTRAL) == 3
    assert size(fit(ASTRAL * 100, 45)) <= 45
    assert fit("abc", 3) == "abc"
    assert fit("ab\\*cdef", 4) == "ab…"  # no lone backslash before the ellipsis


def test_the_validator_catches_each_message_limit() -> None:
    too_many_fields = {"fields": [{"name": "n", "value": "v"}] * 26}
    cases: dict[str, tuple[str | None, list[Any], list[Any]]] = {
        "content has 2001": ("x" * 2001, [], []),
        "embed 0 title": (None, [{"title": "t" * 257}], []),
        "embed 0 description": (None, [{"description": "d" * 4097}], []),
        "26 fields": (None, [too_many_fields], []),
        "field 0 name": (None, [{"fields": [{"name": "n" * 257, "value": "v"}]}], []),
        "field 0 value": (None, [{"fields": [{"name": "n", "value": "v" * 1025}]}], []),
        "empty name or value": (None, [{"fields": [{"name": " ", "value": "v"}]}], []),
        "6002 characters in all": (None, [{"description": "d" * 3001}] * 2, []),
        "11 embeds": (None, [{"title": "t"}] * 11, []),
        "footer": (None, [{"footer": {"text": "f" * 2049}}], []),
        "the message is empty": ("", [], []),
    }
    for expected, (content, embeds, components) in cases.items():
        problems = message_problems(content, embeds, components)
        assert any(expected in p for p in problems), (expected, problems)
    with pytest.raises(LimitError):
        check_message("x" * 2001, [], [])


def test_the_validator_catches_each_component_limit() -> None:
    def button(custom_id: str, label: str = "ok") -> dict[str, object]:
        return {"type": 2, "label": label, "custom_id": custom_id}

    cases = {
        "6 rows": [{"components": [button(f"r{n}")]} for n in range(6)],
        "6 buttons": [{"components": [button(f"b{n}") for n in range(6)]}],
        "a custom_id has 101 characters": [{"components": [button("c" * 101)]}],
        "used twice": [{"components": [button("same"), button("same")]}],
        "button label": [{"components": [button("l", "L" * 81)]}],
        "no label": [{"components": [button("l", " ")]}],
        "neither custom_id nor url": [{"components": [{"type": 2, "label": "x"}]}],
    }
    for expected, components in cases.items():
        problems = message_problems("x", [], components)
        assert any(expected in p for p in problems), (expected, problems)


def test_the_validator_catches_each_modal_limit() -> None:
    def field(label: str = "L", **extra: object) -> dict[str, object]:
        custom_id = extra.pop("custom_id", "f")
        return {
            "type": 18,
            "label": label,
            "component": {"type": 4, "custom_id": custom_id, **extra},
        }

    good = {"title": "T", "custom_id": "rcm:1", "components": [field()]}
    assert modal_problems(good) == []
    cases = {
        "modal title": {**good, "title": "T" * 46},
        "no title": {**good, "title": ""},
        "6 inputs": {**good, "components": [field(custom_id=f"f{n}") for n in range(6)]},
        "input label": {**good, "components": [field("L" * 46)]},
        "input placeholder": {**good, "components": [field(placeholder="p" * 101)]},
        "input value": {**good, "components": [field(value="v" * 4001)]},
        "max_length": {**good, "components": [field(max_length=4001)]},
        "expected a label": {**good, "components": [{"type": 4, "custom_id": "x"}]},
        "used twice": {**good, "components": [field(), field()]},
    }
    for expected, modal in cases.items():
        problems = modal_problems(modal)
        assert any(expected in p for p in problems), (expected, problems)
    with pytest.raises(LimitError):
        check_modal(cases["modal title"])


def test_discord_py_still_leaves_these_limits_to_us() -> None:
    # If discord.py starts checking them itself, our validator may go: this test will say so.
    view = discord.ui.View()
    view.add_item(discord.ui.Button(label="L" * 81, custom_id="c" * 101))
    assert view.to_components()
    modal = discord.ui.Modal(title="T" * 46)
    modal.add_item(discord.ui.TextInput(label="L" * 46))
    assert modal.to_dict()
    assert len(discord.Embed(title="t" * 300)) == 300


async def test_a_message_over_a_limit_is_logged_without_its_text_and_still_sent(
    caplog: pytest.LogCaptureFixture,
) -> None:
    sent: list[Outgoing] = []

    class Target:
        async def send(self, message: Outgoing) -> None:
            sent.append(message)

    secret = "s" * 2001  # what a renderer bug could produce; Discord would answer 400
    await Sender(FormCache()).send_rendered(Target(), [Outgoing(secret)], user_id=1)
    assert sent and "content has 2001 characters" in caplog.text
    assert "sss" not in caplog.text
