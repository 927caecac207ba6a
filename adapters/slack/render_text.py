"""Slack text: neutral markup to escaped mrkdwn, cut into sections, and the small Block Kit
pieces (text objects, sections, buttons) that messages, modals and the App Home share.

Escaping happens here and only here. Neutral markup (:mod:`bot.render.markup`) is parsed and every
:class:`~bot.render.markup.Text` node is escaped for mrkdwn (``&`` ``<`` ``>``), with ``@here``,
``@channel`` and ``@everyone`` broken by a word joiner, so no user value can become a mention,
a broadcast or a disguised link. ``mrkdwn`` objects are ``verbatim`` so Slack does not linkify
or parse mentions on its own. ``plain_text`` objects (buttons, titles, labels) are never parsed
by Slack, so they carry text as it is. Long text is split into several sections at safe points
(never inside an entity or a link).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from bot.app import Bold, Italic, LineBreak, Link, ListItem, Node, Text, parse, to_plain

__all__ = (
    "FALLBACK_MAX",
    "SECTION_MAX",
    "SHORTENED",
    "Block",
    "button",
    "mrkdwn_text",
    "plain_text",
    "section",
    "slack_escape",
    "text_blocks",
    "to_fallback",
    "to_mrkdwn",
    "to_sections",
)

Block = dict[str, Any]

SECTION_MAX = 3000
FALLBACK_MAX = 3000
_SLICE = 300  # raw characters per escaped piece: escaping grows text 5x at most
_BROADCAST = re.compile(r"@(here|channel|everyone)", re.IGNORECASE)  # "@here2" too
_WORD_JOINER = "\u2060"
SHORTENED = "_(shortened: the full text did not fit in one Slack message)_"


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


def plain_text(text: str, limit: int) -> dict[str, Any]:
    text = text.strip() or "…"
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return {"type": "plain_text", "text": text, "emoji": True}


def mrkdwn_text(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": text, "verbatim": True}


def section(text: str, block_id: str) -> Block:
    return {"type": "section", "block_id": block_id, "text": mrkdwn_text(text)}


def text_blocks(text: str, budget: int, prefix: str) -> tuple[list[Block], int]:
    blocks: list[Block] = []
    for index, chunk in enumerate(to_sections(text)):
        if len(chunk) > budget:
            blocks.append({"type": "context", "elements": [mrkdwn_text(SHORTENED)]})
            return blocks, 0
        budget -= len(chunk)
        blocks.append(section(chunk, f"{prefix}_{index}"))
    return blocks, budget


def button(text: str, action_id: str, **extra: Any) -> Block:
    return {"type": "button", "action_id": action_id, "text": plain_text(text, 75), **extra}
