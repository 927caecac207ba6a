"""Our Block Kit validator: what slack_sdk's models check, plus what only Slack's servers do.

slack_sdk validates an object tree when ``to_dict()`` walks it, but ``Block.parse`` returns
``None`` (and only logs) for a type it does not know, and several limits are enforced only by the
server (PLATFORMS.md 1.9 and 1.13). :func:`message_problems` and :func:`view_problems` list
every problem found; :func:`check_message` and :func:`check_view` raise :class:`BlockKitError`.

Checks, beyond the SDK's own:

- the SDK's round trip loses nothing (no ``None`` from ``Block.parse``, no dropped element);
- a message has a text fallback and at most 50 blocks; a view at most 100;
- section fields at most 2000 characters; options of checkboxes and radio buttons at most 10;
- all text in a message at most :data:`AGGREGATE_MAX` characters (Slack's undocumented
  ``msg_blocks_too_long``);
- block ids unique in the message or view, action ids unique too;
- no live mention, broadcast or channel link (``<!``, ``<@``, ``<#``) in mrkdwn text.

Problems name the limit and where, never the text: they are logged when a payload is refused
before sending (:mod:`adapters.slack.guard`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from bot.errors import LimitError

__all__ = (
    "AGGREGATE_MAX",
    "BlockKitError",
    "check_message",
    "check_view",
    "message_problems",
    "view_problems",
)

MESSAGE_BLOCKS_MAX = 50
VIEW_BLOCKS_MAX = 100
FIELD_MAX = 2000
OPTIONS_MAX = 10
AGGREGATE_MAX = 12000  # Slack rejects messages at about 13,200; keep a margin
_LIVE_TOKEN = re.compile(r"<[!@#]")


class BlockKitError(LimitError):
    """Rendered Block Kit that Slack would reject (or that could ping people)."""


def check_message(message: Mapping[str, Any]) -> None:
    """Raise :class:`BlockKitError` unless ``message`` (text + blocks) is sendable."""
    problems = message_problems(message)
    if problems:
        raise BlockKitError(problems)


def check_view(view: Mapping[str, Any]) -> None:
    """Raise :class:`BlockKitError` unless ``view`` (a modal or home tab) is valid."""
    problems = view_problems(view)
    if problems:
        raise BlockKitError(problems)


def message_problems(message: Mapping[str, Any]) -> list[str]:
    blocks: list[dict[str, Any]] = list(message.get("blocks") or [])
    problems: list[str] = []
    text = message.get("text")
    if not isinstance(text, str) or not text.strip():
        problems.append("no text fallback")
    elif _LIVE_TOKEN.search(text):
        problems.append("live mention or link in the text fallback")
    if len(blocks) > MESSAGE_BLOCKS_MAX:
        problems.append(f"{len(blocks)} blocks (at most {MESSAGE_BLOCKS_MAX} in a message)")
    problems += _block_problems(blocks)
    total = sum(len(t) for t in _texts(blocks))
    if total > AGGREGATE_MAX:
        problems.append(f"{total} characters of text (at most {AGGREGATE_MAX})")
    return problems


def view_problems(view: Mapping[str, Any]) -> list[str]:
    blocks: list[dict[str, Any]] = list(view.get("blocks") or [])
    problems: list[str] = []
    if len(blocks) > VIEW_BLOCKS_MAX:
        problems.append(f"{len(blocks)} blocks (at most {VIEW_BLOCKS_MAX} in a view)")
    try:
        parsed = View(**dict(view)).to_dict()
    except (SlackObjectFormationError, TypeError, ValueError, KeyError) as exc:
        return [*problems, f"slack_sdk rejects the view: {_reason(exc)}"]
    if parsed != dict(view):
        problems.append("slack_sdk's round trip changed the view (an unknown type or key)")
    return problems + _block_problems(blocks)


def _block_problems(blocks: Sequence[dict[str, Any]]) -> list[str]:
    problems: list[str] = []
    for index, block in enumerate(blocks):
        problems += [f"block {index}: {p}" for p in _one_block(block)]
    problems += _duplicates([b["block_id"] for b in blocks if "block_id" in b], "block_id")
    problems += _duplicates(list(_action_ids(blocks)), "action_id")
    live = sum(1 for text in _texts(blocks, only="mrkdwn") if _LIVE_TOKEN.search(text))
    if live:  # the text itself stays out: problems are logged
        problems.append(f"live mention or link in {live} mrkdwn text(s)")
    return problems


def _one_block(block: dict[str, Any]) -> list[str]:
    try:
        parsed = Block.parse(block)
        if parsed is None:
            return [f"unknown block type {block.get('type')!r}"]
        if parsed.to_dict() != block:
            return ["slack_sdk's round trip changed it (an unknown element or key)"]
    except (SlackObjectFormationError, TypeError, ValueError, KeyError) as exc:
        return [f"slack_sdk rejects it: {_reason(exc)}"]
    problems = []
    for field in block.get("fields") or []:
        if len(field.get("text", "")) > FIELD_MAX:
            problems.append(f"a section field over {FIELD_MAX} characters")
    for element in _elements(block):
        choice_list = element.get("type") in ("checkboxes", "radio_buttons")
        if choice_list and len(element.get("options", [])) > OPTIONS_MAX:
            problems.append(f"{element['type']} with more than {OPTIONS_MAX} options")
    return problems


def _reason(exc: Exception) -> str:
    """slack_sdk's own messages name a limit ("text attribute cannot exceed 3000 characters");
    any other exception may quote a value, so only its type is kept."""
    return str(exc) if isinstance(exc, SlackObjectFormationError) else type(exc).__name__


def _elements(block: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    yield from block.get("elements") or []
    for key in ("element", "accessory"):
        if isinstance(block.get(key), Mapping):
            yield block[key]


def _action_ids(blocks: Sequence[Mapping[str, Any]]) -> Iterator[str]:
    for block in blocks:
        prefix = block.get("block_id", "")
        for element in _elements(block):
            if "action_id" in element:
                # Inputs share the action id "value" across blocks: unique per block is enough.
                yield f"{prefix}/{element['action_id']}"


def _duplicates(values: Sequence[str], what: str) -> list[str]:
    counts = Counter(values)
    return [f"duplicate {what} {value!r}" for value in sorted(counts) if counts[value] > 1]


def _texts(node: Any, only: str | None = None) -> Iterator[str]:
    """Every ``text`` string in a block tree (text objects, fields, options, labels); with
    ``only``, those of text objects of that type (``plain_text`` is never parsed by Slack)."""
    if isinstance(node, Mapping):
        text = node.get("text")
        if isinstance(text, str) and (only is None or node.get("type") == only):
            yield text
        for key, value in node.items():
            if key != "text" or not isinstance(value, str):
                yield from _texts(value, only)
    elif isinstance(node, list):
        for item in node:
            yield from _texts(item, only)
