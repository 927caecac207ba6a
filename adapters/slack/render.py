"""Replies to Block Kit messages, with a text fallback; and the one place to import rendering from.

Messages are built here; text and escaping live in :mod:`adapters.slack.render_text`, forms as
modals in :mod:`adapters.slack.render_modal`, the App Home view in
:mod:`adapters.slack.render_home` (their public names are re-exported here).

Sizes stay inside :mod:`adapters.slack.limits`: buttons first, then the text, and a message
longer than the text budget is cut with a note rather than rejected by Slack.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypedDict

from adapters.slack.render_home import (
    HOME_ACTIONS,
    HOME_LINE_MAX,
    HOME_LIST_MAX,
    HomeView,
    to_home,
)
from adapters.slack.render_modal import FORM_CALLBACK, to_modal
from adapters.slack.render_text import (
    FALLBACK_MAX,
    Block,
    button,
    mrkdwn_text,
    plain_text,
    slack_escape,
    text_blocks,
    to_fallback,
    to_mrkdwn,
    to_sections,
)
from bot.app import to_plain
from bot.boundary import Card, Choice, Form, Reply

__all__ = (
    "CHOICE_ACTION",
    "CONTINUE_ACTION",
    "FALLBACK_MAX",
    "FORM_ACTION",
    "FORM_CALLBACK",
    "HOME_ACTIONS",
    "HOME_LINE_MAX",
    "HOME_LIST_MAX",
    "Block",
    "HomeView",
    "SlackMessage",
    "continue_button",
    "slack_escape",
    "to_fallback",
    "to_home",
    "to_message",
    "to_modal",
    "to_mrkdwn",
    "to_sections",
)

CHOICE_ACTION = "rc_choice"  # + "_<n>"; the button's value is the choice token
FORM_ACTION = "rc_form"  # opens the modal of the form whose token is the value
CONTINUE_ACTION = "rc_continue_dm"

FIELD_MAX = 2000
TEXT_BUDGET = 11000  # per message, under Slack's undocumented ~13,200 (msg_blocks_too_long)


class SlackMessage(TypedDict):
    """What chat.postMessage, chat.update and respond() take: blocks and their fallback."""

    text: str
    blocks: list[Block]


# -- messages ------------------------------------------------------------------------------------


def to_message(reply: Reply, *, extra: Sequence[Block] = ()) -> SlackMessage:
    """A reply as a Block Kit message; ``extra`` buttons (continue in DM) join its buttons."""
    buttons = [*_choice_buttons(reply.choices)]
    if reply.form is not None:
        buttons.append(_form_button(reply.form))
    buttons += extra
    # Buttons first: they are what the person answers with, so text gives way to them.
    budget = TEXT_BUDGET - sum(len(button["text"]["text"]) for button in buttons)
    blocks: list[Block] = []
    if reply.card is not None:
        card_blocks, budget = _card_blocks(reply.card, budget)
        blocks += card_blocks
    body, budget = text_blocks(reply.text, budget, "text")
    blocks += body
    blocks += _actions(buttons)
    fallback = to_fallback(reply.text or (reply.card.title if reply.card else ""))
    return {"text": fallback if fallback.strip() else "…", "blocks": blocks}


def _card_blocks(card: Card, budget: int) -> tuple[list[Block], int]:
    header_id = f"card:{card.key}"[:255] if card.key else "card"
    blocks: list[Block] = [
        {"type": "header", "block_id": header_id, "text": plain_text(to_plain(card.title), 150)}
    ]
    budget -= min(len(card.title), 150)
    fields = [_field(name, value) for name, value in card.fields]
    for start in range(0, len(fields), 10):
        group = fields[start : start + 10]
        size = sum(len(field["text"]) for field in group)
        if size > budget:
            break
        budget -= size
        blocks.append({"type": "section", "block_id": f"fields_{start}", "fields": group})
    body, budget = text_blocks(card.text, budget, "card_text")
    return blocks + body, budget


def _field(name: str, value: str) -> dict[str, Any]:
    title = slack_escape(to_plain(name)[:200])
    body = to_sections(value, FIELD_MAX - len(title) - 8) or ["-"]
    more = " …" if len(body) > 1 else ""
    return mrkdwn_text(f"*{title}*\n{body[0]}{more}")


def _choice_buttons(choices: Sequence[Choice]) -> list[Block]:
    buttons = []
    for index, choice in enumerate(choices):
        style = {"style": choice.style} if choice.style != "default" else {}
        buttons.append(
            button(choice.label, f"{CHOICE_ACTION}_{index}", value=choice.token, **style)
        )
    return buttons


def _form_button(form: Form) -> Block:
    return button(form.title, FORM_ACTION, value=form.token, style="primary")


def continue_button(url: str) -> Block:
    """The button under a ``/recruiter`` answer that opens the app's DM."""
    return button("Continue in a private DM", CONTINUE_ACTION, url=url[:3000], value="dm")


def _actions(buttons: Sequence[Block]) -> list[Block]:
    return [
        {
            "type": "actions",
            "block_id": f"actions_{start}",
            "elements": list(buttons[start : start + 25]),
        }
        for start in range(0, len(buttons), 25)
    ]
