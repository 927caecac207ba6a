r"""Neutral markup: the small Markdown subset every ``Reply.text`` is written in.

The engine renders templates into this markup; each adapter parses it with :func:`parse` and walks
the tree to produce its platform's own markup (Slack mrkdwn, Discord Markdown, plain console text).

Syntax, all of it:

- ``**bold**`` and ``_italic_`` (nestable); ``_`` inside a word (``snake_case``) stays text.
- ``[label](https://example.com)``: a link. Only ``http``, ``https``, ``mailto`` and ``tel``
  targets become links; anything else (``javascript:``, relative paths) stays text.
- a line starting with ``- `` is a list item; a line feed is a line break.
- a backslash makes the next character literal: ``\*``, ``\_``, ``\[``, ``\]``, ``\(``, ``\)``,
  ``\\``, ``\<``, ``\>``, ``\@``, ``\```, ``\#``, ``\~``, ``\|`` and ``\-``. A backslash before
  any other character is itself literal.

Markers that do not pair up (``**open``, ``a_b``, ``2 ** 3``) are plain text, never an error.

Safety rests on two rules. Templates pass every user value through :func:`escape` (the template
renderer does this automatically), so a user's ``**x**`` or ``[click](http://evil)`` parses back
as :class:`Text`. And adapters escape every :class:`Text` node for their own platform, so
``<!channel>`` or ``@everyone`` in a Text node never becomes a live mention. :func:`escape`
therefore only escapes what *this* syntax gives meaning to; escaping ``@`` here would not stop a
Slack ping anyway, that is the adapter's job.

Work is linear in the input, and nesting deeper than 8 levels is left as text; the measured
speeds are in docs/benchmarks.md ("Markup and templates").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TypeAlias

__all__ = (
    "Bold",
    "Italic",
    "LineBreak",
    "Link",
    "ListItem",
    "Node",
    "Text",
    "escape",
    "parse",
    "to_plain",
)


@dataclass(frozen=True, slots=True)
class Text:
    """Literal text, escapes already resolved. Adapters escape it for their platform."""

    text: str


@dataclass(frozen=True, slots=True)
class Bold:
    """``**children**``."""

    children: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Italic:
    """``_children_``."""

    children: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Link:
    """``[label](url)``; ``url`` is always http, https, mailto or tel."""

    label_children: tuple[Node, ...]
    url: str


@dataclass(frozen=True, slots=True)
class ListItem:
    """One ``- item`` line (without its line break; lines are separated by :class:`LineBreak`)."""

    children: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class LineBreak:
    """A ``\\n`` between two lines."""


Node: TypeAlias = Text | Bold | Italic | Link | ListItem | LineBreak

_ESCAPABLE = "\\*_[]()<>@`#~|-"
# What escape() escapes: only the characters that this syntax gives meaning to. The backslash
# comes first so that the escapes added for the others are not escaped again.
_MEANINGFUL = "\\*_[]()"
_LIST_START = re.compile(r"^-", re.MULTILINE)
_UNESCAPE = re.compile(r"\\([" + re.escape(_ESCAPABLE) + "])")
# Quick test: a line without any of these characters is one Text node.
_SPECIAL = re.compile(r"[\\*_\[]")

# URL characters: no whitespace, no parentheses (except one balanced level, as in Wikipedia
# links), and none of < > " | ` \ that would let a URL break out of a platform's link syntax.
_URL_CHAR = r"""(?:\\[*_\[\]()\-]|[^\s()\\<>"|`])"""
_URL = rf"(?i:https?://|mailto:|tel:)(?:{_URL_CHAR}|\({_URL_CHAR}*\))+"
# Every alternative starts with a literal character (groups come after it), which lets the regex
# engine skip ahead to the next candidate character instead of trying each alternative everywhere:
# this halves the time of a scan.
_TOKEN = re.compile(
    rf"\\(?P<esc>[{re.escape(_ESCAPABLE)}])"
    r"|\*\*(?P<star>)"
    r"|_(?P<under>)"
    r"|\[(?P<open>)"
    rf"|\]\((?P<url>{_URL})\)"
)

# Token kinds. A token is (kind, payload, can_open, can_close); payload is the text for _TEXT
# and the unescaped URL for _LINK.
_TEXT, _STAR, _UNDER, _OPEN, _LINK = range(5)
_Token: TypeAlias = tuple[int, str, bool, bool]
_LITERAL = {_STAR: "**", _UNDER: "_", _OPEN: "["}
_MAX_DEPTH = 8  # nesting beyond this is text


def escape(text: str) -> str:
    """Escape a user value so that it is literal text in neutral markup.

    ``parse(escape(s))`` is ``(Text(s),)`` for any single-line ``s``; line breaks stay line breaks
    (but never start a list item).
    """
    escaped = text
    for char in _MEANINGFUL:
        # A membership test and str.replace per character beats a regex or str.translate by
        # 3-10x on short values, which are the common case.
        if char in escaped:
            escaped = escaped.replace(char, "\\" + char)
    if escaped.startswith("-") or "\n-" in escaped:
        # Only a "-" at the start of a line can start a list item, so escape just those.
        escaped = _LIST_START.sub(r"\\-", escaped)
    return escaped


def parse(text: str) -> tuple[Node, ...]:
    """Parse neutral markup into a tree of nodes. Never fails: what is not markup is text."""
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    nodes: list[Node] = []
    for index, line in enumerate(text.split("\n")):
        if index:
            nodes.append(LineBreak())
        if line.startswith("- "):
            nodes.append(ListItem(_parse_inline(line[2:])))
        elif line:
            nodes.extend(_parse_inline(line))
    return tuple(nodes)


def to_plain(text: str) -> str:
    """Render neutral markup for a plain terminal: no markers, links as ``label (url)``."""
    return "".join(_plain(node) for node in parse(text))


def _plain(node: Node) -> str:
    match node:
        case Text(text):
            return text
        case Bold(children) | Italic(children):
            return "".join(_plain(child) for child in children)
        case Link(label_children, url):
            label = "".join(_plain(child) for child in label_children)
            return url if label == url else f"{label} ({url})"
        case ListItem(children):
            return "• " + "".join(_plain(child) for child in children)
        case LineBreak():
            return "\n"


def _parse_inline(line: str) -> tuple[Node, ...]:
    if _SPECIAL.search(line) is None:
        return (Text(line),)
    tokens = _tokenize(line)
    return tuple(_build(tokens, 0, len(tokens), _pair(tokens)))


def _tokenize(line: str) -> list[_Token]:
    """Split a line into text runs and delimiters, with CommonMark-style flanking flags."""
    tokens: list[_Token] = []
    text: list[str] = []
    last = 0
    end = len(line)
    for match in _TOKEN.finditer(line):
        start, stop = match.span()
        if start > last:
            text.append(line[last:start])
        last = stop
        kind = match.lastgroup
        if kind == "esc":
            text.append(match.group("esc"))
            continue
        if text:
            tokens.append((_TEXT, "".join(text), False, False))
            text = []
        before = line[start - 1] if start else " "
        after = line[stop] if stop < end else " "
        tokens.append(_delimiter(kind, match, before, after))
    if last < end:
        text.append(line[last:])
    if text:
        tokens.append((_TEXT, "".join(text), False, False))
    return tokens


def _delimiter(kind: str | None, match: re.Match[str], before: str, after: str) -> _Token:
    # A delimiter opens when text follows it and closes when text precedes it, so "2 ** 3"
    # stays text; "_" additionally must not touch a letter or digit outside, so "snake_case" does.
    if kind == "star":
        return (_STAR, "", not after.isspace(), not before.isspace())
    if kind == "under":
        opens = not after.isspace() and not before.isalnum()
        return (_UNDER, "", opens, not before.isspace() and not after.isalnum())
    if kind == "open":
        return (_OPEN, "", True, False)
    url = match.group("url")
    return (_LINK, _UNESCAPE.sub(r"\1", url) if "\\" in url else url, False, True)


def _pair(tokens: list[_Token]) -> dict[int, int]:
    """Match openers with closers in one pass; returns opener index -> closer index.

    A closer pairs with the nearest open opener of its kind; openers between them stay text. One
    stack per kind makes this linear in the number of tokens, so hostile input such as
    ``[[[[...**`` or ``**_**_...`` cannot make the parser slow.
    """
    pairs: dict[int, int] = {}
    openers: dict[int, list[int]] = {_STAR: [], _UNDER: [], _OPEN: []}
    for index, (kind, _, can_open, can_close) in enumerate(tokens):
        if kind == _TEXT:
            continue
        stack = openers[_OPEN if kind == _LINK else kind]
        # An opener right before its closer would make an empty node: leave both as text.
        if can_close and stack and stack[-1] != index - 1:
            opener = stack.pop()
            pairs[opener] = index
            for other in openers.values():
                while other and other[-1] > opener:
                    other.pop()
            if kind == _LINK:
                # Links never nest: an earlier "[" can no longer open a link around this one.
                openers[_OPEN].clear()
        elif can_open:
            stack.append(index)
    return pairs


def _build(
    tokens: list[_Token], start: int, stop: int, pairs: dict[int, int], depth: int = 0
) -> list[Node]:
    if depth >= _MAX_DEPTH:
        # Deeper nesting is never intended; flattening it keeps recursion (here and in every
        # adapter's tree walk) bounded whatever the input.
        pairs = {}
    nodes: list[Node] = []
    text: list[str] = []
    index = start
    while index < stop:
        kind, payload, _, _ = tokens[index]
        close = pairs.get(index)
        if close is None:
            text.append(payload if kind == _TEXT else _literal(kind, payload))
            index += 1
            continue
        if text:
            nodes.append(Text("".join(text)))
            text = []
        children = tuple(_build(tokens, index + 1, close, pairs, depth + 1))
        nodes.append(_node(kind, tokens[close][1], children))
        index = close + 1
    if text:
        nodes.append(Text("".join(text)))
    return nodes


def _literal(kind: int, payload: str) -> str:
    return f"]({payload})" if kind == _LINK else _LITERAL[kind]


def _node(kind: int, url: str, children: tuple[Node, ...]) -> Node:
    if kind == _STAR:
        return Bold(children)
    if kind == _UNDER:
        return Italic(children)
    return Link(children, url)
