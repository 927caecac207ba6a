"""Replies to Block Kit: messages with a text fallback, forms as modals, and the App Home view.

Escaping happens here and only here. Neutral markup (:mod:`bot.render.markup`) is parsed and every
:class:`~bot.render.markup.Text` node is escaped for mrkdwn (``&`` ``<`` ``>``), with ``@here``,
``@channel`` and ``@everyone`` broken by a word joiner, so no user value can become a mention,
a broadcast or a disguised link. ``mrkdwn`` objects are ``verbatim`` so Slack does not linkify
or parse mentions on its own. ``plain_text`` objects (buttons, titles, labels) are never parsed
by Slack, so they carry text as it is.

Sizes stay inside :mod:`adapters.slack.limits`: long text is split into several sections at
safe points (never inside an entity or a link), and a message longer than the text budget is
cut with a note rather than rejected by Slack.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypedDict

from bot.app import Bold, Italic, LineBreak, Link, ListItem, Node, Text, parse, to_plain
from bot.boundary import Card, Choice, Form, FormField, Reply

__all__ = (
    "CHOICE_ACTION",
    "CONTINUE_ACTION",
    "FORM_ACTION",
    "FORM_CALLBACK",
    "HOME_ACTIONS",
    "HOME_LINE_MAX",
    "HOME_LIST_MAX",
    "Block",
    "HomeView",
    "SlackMessage",
    "slack_escape",
    "to_fallback",
    "to_home",
    "to_message",
    "to_modal",
    "to_mrkdwn",
    "to_sections",
)

Block = dict[str, Any]
CHOICE_ACTION = "rc_choice"  # + "_<n>"; the button's value is the choice token
FORM_ACTION = "rc_form"  # opens the modal of the form whose token is the value
CONTINUE_ACTION = "rc_continue_dm"
FORM_CALLBACK = "rc_form"
HOME_ACTIONS = ("rc_home_start", "rc_home_contacts", "rc_home_export", "rc_home_forget")

SECTION_MAX = 3000
FIELD_MAX = 2000
TEXT_BUDGET = 11000  # per message, under Slack's undocumented ~13,200 (msg_blocks_too_long)
FALLBACK_MAX = 3000
_SLICE = 300  # raw characters per escaped piece: escaping grows text 5x at most
_BROADCAST = re.compile(r"@(here|channel|everyone)", re.IGNORECASE)  # "@here2" too
_WORD_JOINER = "\u2060"
SHORTENED = "_(shortened: the full text did not fit in one Slack message)_"


class SlackMessage(TypedDict):
    """What chat.postMessage, chat.update and respond() take: blocks and their fallback."""

    text: str
    blocks: list[Block]


# -- text ----------------------------------------------------------------------------------------


def slack_escape(text: str) -> str:
    """Escape Slack's control characters (``&`` first) and defuse broadcast words."""
    return _escape_entities(_defuse(text))


def _defuse(text: str) -> str:
    return _BROADCAST.sub("@" + _WORD_JOINER + r"\1", text) if "@" in text else text


def _escape_entities(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_mrkdwn(text: str) -> str:
    """Neutral markup to Slack mrkdwn, every literal piece escaped."""
    return "".join(_render(node) for node in parse(text))


def _render(node: Node) -> str:
    match node:
        case Text(text):
            return slack_escape(text)
        case Bold(children):
            return "*" + _join(children) + "*"
        case Italic(children):
            return "_" + _join(children) + "_"
        case Link(label_children, url):
            label = _join(label_children).replace("|", "\u2223")
            return f"<{slack_escape(url)}|{label}>"
        case ListItem(children):
            return "• " + _join(children)
        case LineBreak():
            return "\n"


def _join(nodes: Sequence[Node]) -> str:
    return "".join(_render(node) for node in nodes)


def _atoms(node: Node, limit: int) -> list[str]:
    """Rendered pieces that may be cut between but never inside, each at most ``limit``."""
    if isinstance(node, Text):
        # Defused before slicing, so a cut cannot separate "@" from "here" (the word joiner
        # stays with the "@"); escaped after, so a cut never falls inside an entity.
        raw = _defuse(node.text)
        return [_escape_entities(raw[i : i + _SLICE]) for i in range(0, len(raw), _SLICE)]
    whole = _render(node)
    if len(whole) <= limit:
        return [whole]
    match node:  # too long to keep whole: keep its text, drop its formatting
        case Bold(children) | Italic(children) | ListItem(children):
            return [atom for child in children for atom in _atoms(child, limit)]
        case Link(label_children, url):
            label = [atom for child in label_children for atom in _atoms(child, limit)]
            return [*label, *_atoms(Text(f" ({url})"), limit)]
    return [whole[:limit]]  # only a line break gets here


def to_sections(text: str, limit: int = SECTION_MAX) -> list[str]:
    """Neutral markup as mrkdwn pieces of at most ``limit`` characters, cut at line ends when
    it can be."""
    chunks: list[str] = []
    current = ""
    for node in parse(text):
        for atom in _atoms(node, limit):
            if len(current) + len(atom) > limit:
                chunks.append(current)
                current = ""
            current += atom
    chunks.append(current)
    return [chunk.strip("\n") for chunk in chunks if chunk.strip()]


def to_fallback(text: str) -> str:
    """The notification text sent with blocks: plain, escaped, short."""
    plain = to_plain(text)
    if len(plain) > FALLBACK_MAX:
        plain = plain[: FALLBACK_MAX - 1] + "…"
    return slack_escape(plain)


def _plain(text: str, limit: int) -> dict[str, Any]:
    text = text.strip() or "…"
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return {"type": "plain_text", "text": text, "emoji": True}


def _mrkdwn(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": text, "verbatim": True}


def _section(text: str, block_id: str) -> Block:
    return {"type": "section", "block_id": block_id, "text": _mrkdwn(text)}


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
    text_blocks, budget = _text_blocks(reply.text, budget, "text")
    blocks += text_blocks
    blocks += _actions(buttons)
    fallback = to_fallback(reply.text or (reply.card.title if reply.card else ""))
    return {"text": fallback if fallback.strip() else "…", "blocks": blocks}


def _text_blocks(text: str, budget: int, prefix: str) -> tuple[list[Block], int]:
    blocks: list[Block] = []
    for index, chunk in enumerate(to_sections(text)):
        if len(chunk) > budget:
            blocks.append({"type": "context", "elements": [_mrkdwn(SHORTENED)]})
            return blocks, 0
        budget -= len(chunk)
        blocks.append(_section(chunk, f"{prefix}_{index}"))
    return blocks, budget


def _card_blocks(card: Card, budget: int) -> tuple[list[Block], int]:
    header_id = f"card:{card.key}"[:255] if card.key else "card"
    blocks: list[Block] = [
        {"type": "header", "block_id": header_id, "text": _plain(to_plain(card.title), 150)}
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
    text_blocks, budget = _text_blocks(card.text, budget, "card_text")
    return blocks + text_blocks, budget


def _field(name: str, value: str) -> dict[str, Any]:
    title = slack_escape(to_plain(name)[:200])
    body = to_sections(value, FIELD_MAX - len(title) - 8) or ["-"]
    more = " …" if len(body) > 1 else ""
    return _mrkdwn(f"*{title}*\n{body[0]}{more}")


def _button(text: str, action_id: str, **extra: Any) -> Block:
    return {"type": "button", "action_id": action_id, "text": _plain(text, 75), **extra}


def _choice_buttons(choices: Sequence[Choice]) -> list[Block]:
    buttons = []
    for index, choice in enumerate(choices):
        style = {"style": choice.style} if choice.style != "default" else {}
        buttons.append(
            _button(choice.label, f"{CHOICE_ACTION}_{index}", value=choice.token, **style)
        )
    return buttons


def _form_button(form: Form) -> Block:
    return _button(form.title, FORM_ACTION, value=form.token, style="primary")


def continue_button(url: str) -> Block:
    """The button under a ``/recruiter`` answer that opens the app's DM."""
    return _button("Continue in a private DM", CONTINUE_ACTION, url=url[:3000], value="dm")


def _actions(buttons: Sequence[Block]) -> list[Block]:
    return [
        {
            "type": "actions",
            "block_id": f"actions_{start}",
            "elements": list(buttons[start : start + 25]),
        }
        for start in range(0, len(buttons), 25)
    ]


# -- modals --------------------------------------------------------------------------------------


def to_modal(form: Form, *, prompt: str, metadata: dict[str, Any]) -> Block:
    """A form as a modal: the question on top, one input per field."""
    blocks, _ = _text_blocks(prompt, 6000, "prompt")
    blocks += [_input(field) for field in form.fields[:90]]
    return {
        "type": "modal",
        "callback_id": FORM_CALLBACK,
        "title": _plain(form.title, 24),
        "submit": _plain(form.submit_label, 24),
        "close": _plain("Cancel", 24),
        "private_metadata": json.dumps(metadata, separators=(",", ":"))[:3000],
        "blocks": blocks,
    }


def _input(field: FormField) -> Block:
    block: Block = {
        "type": "input",
        "block_id": field.name[:255],
        "label": _plain(field.label, 2000),
        "optional": not field.required,
        "element": _element(field),
    }
    return block


def _element(field: FormField) -> Block:
    element: Block
    if field.kind == "datetime":
        element = {"type": "datetimepicker"}
    elif field.kind == "yesno":
        element = _select((("yes", "Yes"), ("no", "No")), field.initial, radio=True)
    elif field.options and field.kind in ("choice", "scale"):
        element = _select(field.options, field.initial, radio=len(field.options) <= 5)
    elif field.kind in ("number", "scale"):
        element = {"type": "number_input", "is_decimal_allowed": True}
    elif field.kind in ("email", "url"):
        element = {"type": f"{field.kind}_text_input"}
    else:
        element = _text_input(field)
    if field.placeholder and element["type"] not in ("radio_buttons", "datetimepicker"):
        element["placeholder"] = _plain(field.placeholder, 150)
    element["action_id"] = "value"
    return element


def _text_input(field: FormField) -> Block:
    element: Block = {"type": "plain_text_input", "multiline": field.kind == "long_text"}
    if field.max_length:
        element["max_length"] = min(field.max_length, 3000)
    if field.initial:
        element["initial_value"] = field.initial[: element.get("max_length", 3000)]
    return element


def _select(options: Sequence[tuple[str, str]], initial: str | None, *, radio: bool) -> Block:
    items = [{"text": _plain(label, 75), "value": value[:150]} for value, label in options[:100]]
    element: Block = {"type": "radio_buttons" if radio else "static_select", "options": items}
    chosen = next((item for item in items if item["value"] == initial), None)
    if chosen is not None:
        element["initial_option"] = chosen
    return element


# -- App Home ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HomeView:
    """What the App Home shows one person; every string is plain text (escaped here).
    ``notice`` is a line shown on top (when the full Home could not be shown)."""

    callbacks: tuple[str, ...] = ()
    contacts: tuple[str, ...] = ()
    shared: tuple[str, ...] = ()
    answered: tuple[str, ...] = ()
    notice: str | None = None


HOME_LIST_MAX = 10  # items shown per list; the rest are counted ("…and 3 more")
HOME_LINE_MAX = 500  # characters of one item; escaped (5x at most) it still fits a section
MORE_CONTACTS = " (*Show my contacts* lists them all)"


def to_home(home: HomeView) -> Block:
    """The App Home tab: coaching, callbacks, contacts, referrals and privacy controls.

    Within every Block Kit limit whatever the data: at most :data:`HOME_LIST_MAX` items a list
    (then a count), each cut to :data:`HOME_LINE_MAX` characters, packed into sections of at
    most 3000 characters after escaping: 60 blocks at most, of the 100 a view may hold.
    """
    start = _button("Start coaching", "rc_home_start", value="start", style="primary")
    notice = [_context(slack_escape(_one_line(home.notice)))] if home.notice else []
    blocks: list[Block] = [
        {"type": "header", "text": _plain("Recruiter Coach", 150)},
        *notice,
        {
            "type": "section",
            "text": _mrkdwn("A recruiter calling? I'll help you answer, call back and decide."),
            "accessory": start,
        },
        *_home_list("Upcoming callbacks", home.callbacks, "No callbacks scheduled."),
        *_home_list(
            "Recruiter contacts", home.contacts, "Ask me to show or add contacts.", MORE_CONTACTS
        ),
        {
            "type": "actions",
            "elements": [_button("Show my contacts", "rc_home_contacts", value="contacts")],
        },
        *_home_list("Referrals you shared", home.shared, "None yet."),
        *_home_list("Referrals you answered", home.answered, "None yet."),
        *_privacy_blocks(),
    ]
    return {"type": "home", "blocks": blocks}


def _home_list(title: str, items: Sequence[str], empty: str, more: str = "") -> list[Block]:
    lines = [f"• {slack_escape(_one_line(item))}" for item in items[:HOME_LIST_MAX]]
    if len(items) > HOME_LIST_MAX:
        lines.append(f"…and {len(items) - HOME_LIST_MAX} more{more}")
    texts = _pack(lines, SECTION_MAX) if lines else [f"_{empty}_"]
    return [
        {"type": "divider"},
        {"type": "header", "text": _plain(title, 150)},
        *(_section_plain(text) for text in texts),
    ]


def _one_line(item: str) -> str:
    """An item as one line of at most :data:`HOME_LINE_MAX` characters (before escaping)."""
    line = " ".join(item.split()) or "…"
    return line if len(line) <= HOME_LINE_MAX else line[: HOME_LINE_MAX - 1] + "…"


def _pack(lines: Sequence[str], limit: int) -> list[str]:
    """Lines joined into as few texts of at most ``limit`` characters as they fit in (each
    line is shorter than ``limit``)."""
    texts: list[str] = []
    for line in lines:
        if texts and len(texts[-1]) + 1 + len(line) <= limit:
            texts[-1] += "\n" + line
        else:
            texts.append(line)
    return texts


def _context(text: str) -> Block:
    return {"type": "context", "elements": [_mrkdwn(text)]}


def _section_plain(text: str) -> Block:
    return {"type": "section", "text": _mrkdwn(text)}


def _privacy_blocks() -> list[Block]:
    confirm = {
        "title": _plain("Forget everything?", 100),
        "text": _plain("This erases your conversations, reminders and contacts here.", 300),
        "confirm": _plain("Forget me", 30),
        "deny": _plain("Keep", 30),
        "style": "danger",
    }
    buttons = [
        _button("Export my data", "rc_home_export", value="export"),
        _button("Forget me", "rc_home_forget", value="forget", style="danger", confirm=confirm),
    ]
    return [
        {"type": "divider"},
        {"type": "header", "text": _plain("Your data", 150)},
        _section_plain("Only you see this. Export what I keep about you, or erase it."),
        {"type": "actions", "elements": buttons},
    ]
