"""Replies to Discord messages: Markdown content, embeds for cards, persistent buttons, modals
(built in :mod:`adapters.discord.controls`).

Neutral markup (:mod:`bot.render.markup`) becomes Discord Markdown; every
:class:`~bot.render.markup.Text` node,
which holds the user's own words wherever they appear, is escaped by :func:`escape_text`, so
``**x**`` and ``[a](https://…)`` stay literal, ``<#id>`` is no channel link and ``@everyone`` shows
as text (the client's ``AllowedMentions.none()`` makes sure it could not ping anyway). Everything
is fitted to Discord's limits (:mod:`adapters.discord.limits`): content over 2000 characters is
split into several messages, cards into an embed within every embed limit.

Consecutive replies are merged into as few messages as fit (a turn's privacy notice and first
question arrive as one message): a message closes after a reply with buttons, so every set of
buttons sits under the text it belongs to.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import discord

from adapters.discord.controls import (
    MODAL_TIMEOUT,
    Buttons,
    Pair,
    build_buttons,
    build_modal,
    form_button_view,
    form_parts,
)
from adapters.discord.limits import (
    BUTTON_LABEL,
    CONTENT,
    EMBED_DESCRIPTION,
    EMBED_FIELDS,
    EMBED_TITLE,
    EMBEDS_PER_MESSAGE,
    EMBEDS_TOTAL,
    FIELD_NAME,
    FIELD_VALUE,
    embed_total,
    fit,
    size,
)
from bot.app import Bold, Italic, LineBreak, Link, ListItem, Node, Text, parse
from bot.boundary import Attachment, Card, Form, Reply

__all__ = (
    "MODAL_TIMEOUT",  # from adapters.discord.controls, as are the button and modal builders
    "MORE_CHOICES",
    "Buttons",
    "Outgoing",
    "build_buttons",
    "build_modal",
    "card_embed",
    "escape_text",
    "form_button_view",
    "form_parts",
    "link_view",
    "render_replies",
    "split_content",
    "to_markdown",
)

CARD_COLOUR = discord.Colour.blurple()
MORE_CHOICES = "More answers:"  # the text above the buttons that did not fit the first message
_EMPTY = "\u200b"  # Discord refuses empty embed field names and values
# A bare URL in user text stays clickable (Discord shows its address, so it hides nothing), but it
# ends at any character that could start or end Markdown, a masked link or a mention: escaping
# those inside it would put backslashes into the address.
_URL = re.compile(r"""(?:https?|steam)://[^\s\\<>\[\]()`|*~"']+""")
# Everywhere else each of these is escaped: a backslash makes Discord show the next punctuation
# character as itself. With every "[" and "]" escaped no masked link can open or close, however
# many there are and however they nest; a "(" right after "]" is escaped too, because Discord's
# link rule ignores escapes inside a link's label. "<" makes ``<#id>``, ``<@id>``, ``<@&id>`` and
# ``<https://…>`` plain text.
_SPECIAL = re.compile(r"[\\*_~|`\[\]<]|(?<=\])\(")
# What makes a line a heading, quote, list item or subtext: only at the start of a line.
_LINE_START = re.compile(r"^([ \t]*)(#|-|>|\d+\.)", re.MULTILINE)
_BROADCAST = re.compile(r"@(everyone|here)")
_ZERO_WIDTH = "\u200b"


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One Discord message to send; ``forms`` lists the forms its buttons open, ``tokens`` the
    short stand-ins (:func:`~adapters.discord.convert.short_token`) its buttons carry."""

    content: str | None
    embeds: tuple[discord.Embed, ...] = ()
    view: discord.ui.View | None = None
    forms: tuple[Form, ...] = ()
    tokens: tuple[Pair, ...] = ()
    files: tuple[Attachment, ...] = ()  # uploaded with the message (the data export)


# -- text ---------------------------------------------------------------------------------------


def escape_text(text: str) -> str:
    """A user's words as literal Discord text: no Markdown, no masked link, no live mention.

    Discord hides a backslash before punctuation, so the escaped text reads exactly as typed.
    (``discord.utils.escape_markdown`` is not enough: it leaves the second of two masked links on
    a line live, and channel mentions untouched.)
    """
    pieces: list[str] = []
    last = 0
    for match in _URL.finditer(text):
        pieces.append(_escape_words(text[last : match.start()]))
        pieces.append(match[0])
        last = match.end()
    pieces.append(_escape_words(text[last:]))
    return "".join(pieces)


def _escape_words(text: str) -> str:
    escaped = _SPECIAL.sub(r"\\\g<0>", text)
    escaped = _LINE_START.sub(_escape_line_start, escaped)
    # A zero-width space after "@" keeps @everyone and @here readable but unable to ping.
    return _BROADCAST.sub("@" + _ZERO_WIDTH + r"\1", escaped) if "@" in escaped else escaped


def _escape_line_start(match: re.Match[str]) -> str:
    marker = match[2]
    if marker.endswith("."):  # "1. " would start a numbered list: escape its dot
        return match[1] + marker[:-1] + "\\."
    return match[1] + "\\" + marker


def to_markdown(markup: str) -> str:
    """Neutral markup as Discord Markdown."""
    return "".join(_markdown(node) for node in parse(markup))


def _markdown(node: Node) -> str:
    match node:
        case Text(text):
            return escape_text(text)
        case Bold(children):
            return "**" + "".join(map(_markdown, children)) + "**"
        case Italic(children):
            return "_" + "".join(map(_markdown, children)) + "_"
        case Link(label_children, url):
            label = "".join(map(_markdown, label_children))
            plain = "".join(_plain(child) for child in label_children)
            return url if plain == url else f"[{label}]({url})"
        case ListItem(children):
            return "- " + "".join(map(_markdown, children))
        case LineBreak():
            return "\n"


def _plain(node: Node) -> str:
    match node:
        case Text(text):
            return text
        case Bold(children) | Italic(children) | ListItem(children):
            return "".join(map(_plain, children))
        case Link(label_children, _):
            return "".join(map(_plain, label_children))
        case LineBreak():
            return "\n"


def split_content(text: str, limit: int = CONTENT) -> list[str]:
    """``text`` in pieces of at most ``limit``, cut at a line break or a space when possible."""
    chunks: list[str] = []
    rest = text.strip()
    while size(rest) > limit:
        head = fit(rest, limit + 1)[:-1]  # the longest prefix that fits (fit adds an ellipsis)
        cut = _cut_point(head)
        chunks.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        chunks.append(rest)
    return [chunk for chunk in chunks if chunk]


def _cut_point(head: str) -> int:
    for separator in ("\n", " "):
        cut = head.rfind(separator)
        if cut > len(head) // 2:
            return cut
    trailing = len(head) - len(head.rstrip("\\"))
    return len(head) - trailing % 2 if len(head) > 1 else len(head)  # keep "\x" together


# -- cards, buttons, modals ---------------------------------------------------------------------


def card_embed(card: Card) -> discord.Embed:
    """A card as one embed within every embed limit (6000 characters in all)."""
    embed = discord.Embed(
        title=fit(to_markdown(card.title).strip(), EMBED_TITLE) or None,
        description=fit(to_markdown(card.text).strip(), EMBED_DESCRIPTION) or None,
        colour=CARD_COLOUR,
    )
    used = size(embed.title or "") + size(embed.description or "")
    for name, value in card.fields[:EMBED_FIELDS]:
        shown_name = fit(to_markdown(name).strip(), FIELD_NAME) or _EMPTY
        shown_value = fit(to_markdown(value).strip(), FIELD_VALUE) or _EMPTY
        cost = size(shown_name) + size(shown_value)
        if used + cost > EMBEDS_TOTAL:
            break  # the total is the one limit that can cut fields off
        embed.add_field(name=shown_name, value=shown_value, inline=size(value) <= 40)
        used += cost
    return embed


def link_view(label: str, url: str) -> discord.ui.View:
    """One link button (a link needs no ``custom_id`` and no handler)."""
    view = discord.ui.View(timeout=None)
    view.add_item(discord.ui.Button(label=fit(label, BUTTON_LABEL), url=url))
    return view


# -- whole replies ------------------------------------------------------------------------------


@dataclass(slots=True)
class _Draft:
    parts: list[str] = field(default_factory=list)
    embeds: list[discord.Embed] = field(default_factory=list)

    def fits_text(self, chunk: str) -> bool:
        return not self.embeds and size("\n\n".join([*self.parts, chunk])) <= CONTENT

    def fits_embed(self, embed: discord.Embed) -> bool:
        total = sum(embed_total(e.to_dict()) for e in [*self.embeds, embed])
        return len(self.embeds) < EMBEDS_PER_MESSAGE and total <= EMBEDS_TOTAL


def render_replies(replies: Sequence[Reply], *, interactive: bool = True) -> list[Outgoing]:
    """Replies as Discord messages; ``interactive=False`` leaves the buttons out."""
    messages: list[Outgoing] = []
    draft = _Draft()

    def flush(
        view: discord.ui.View | None = None,
        forms: tuple[Form, ...] = (),
        tokens: tuple[Pair, ...] = (),
    ) -> None:
        nonlocal draft
        if draft.parts or draft.embeds or view is not None:
            content = "\n\n".join(draft.parts) or (None if draft.embeds else _EMPTY)
            messages.append(Outgoing(content, tuple(draft.embeds), view, forms, tokens))
        draft = _Draft()

    for reply in replies:
        for chunk in split_content(to_markdown(reply.text)):
            if draft.embeds or (draft.parts and not draft.fits_text(chunk)):
                flush()
            draft.parts.append(chunk)
        if reply.card is not None:
            embed = card_embed(reply.card)
            if not draft.fits_embed(embed):
                flush()
            draft.embeds.append(embed)
        if reply.attachment is not None:  # the file goes with the text just before it
            messages.append(
                Outgoing(
                    "\n\n".join(draft.parts) or None,
                    tuple(draft.embeds),
                    files=(reply.attachment,),
                )
            )
            draft = _Draft()
        buttons = build_buttons(reply.choices, reply.form) if interactive else Buttons()
        if buttons.views:
            forms = (reply.form,) if reply.form is not None else ()
            flush(buttons.views[0], forms, buttons.tokens)
            messages += [Outgoing(MORE_CHOICES, view=view) for view in buttons.views[1:]]
    flush()
    return messages
