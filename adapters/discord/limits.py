"""Discord's size limits, and a validator for the ones discord.py leaves to the server.

discord.py checks a few limits itself (5 rows, 5 buttons a row, 25 children a view, 5 inputs a
modal, 10 embeds a message); everything else (embed sizes, ``custom_id`` length, labels, modal
titles, message content) comes back from Discord as HTTP 400 "Invalid form body" (50035) at the
moment a user is waiting for an answer. The renderer fits text to these limits with :func:`fit`,
and :func:`message_problems` / :func:`modal_problems` check the finished payloads in tests (and
in the renderer's own debug checks). Sources: PLATFORMS.md sections 2.4 and 2.6.

Lengths are counted in UTF-16 code units, as the Discord clients count them. This is never less
than the number of code points, so text that fits here fits whichever way the server counts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bot.errors import LimitError

__all__ = (
    "AUTHOR_NAME",
    "BUTTONS_PER_ROW",
    "BUTTON_LABEL",
    "CONTENT",
    "CUSTOM_ID",
    "EMBEDS_PER_MESSAGE",
    "EMBEDS_TOTAL",
    "EMBED_DESCRIPTION",
    "EMBED_FIELDS",
    "EMBED_TITLE",
    "FIELD_NAME",
    "FIELD_VALUE",
    "FOOTER_TEXT",
    "INPUT_PLACEHOLDER",
    "INPUT_VALUE",
    "LABEL_DESCRIPTION",
    "LABEL_TEXT",
    "MODAL_INPUTS",
    "MODAL_TITLE",
    "OPTION_TEXT",
    "ROWS",
    "SELECT_OPTIONS",
    "SELECT_PLACEHOLDER",
    "LimitError",
    "check_message",
    "check_modal",
    "embed_total",
    "fit",
    "message_problems",
    "modal_problems",
    "size",
)

CONTENT = 2000
EMBEDS_PER_MESSAGE = 10
EMBED_TITLE = 256
EMBED_DESCRIPTION = 4096
EMBED_FIELDS = 25
FIELD_NAME = 256
FIELD_VALUE = 1024
FOOTER_TEXT = 2048
AUTHOR_NAME = 256
EMBEDS_TOTAL = 6000  # title, description, field names and values, footer, author: all embeds
CUSTOM_ID = 100
BUTTON_LABEL = 80
BUTTON_URL = 512
BUTTONS_PER_ROW = 5
ROWS = 5
MODAL_TITLE = 45
MODAL_INPUTS = 5
LABEL_TEXT = 45
LABEL_DESCRIPTION = 100
INPUT_PLACEHOLDER = 100
INPUT_VALUE = 4000
SELECT_OPTIONS = 25
SELECT_PLACEHOLDER = 150
OPTION_TEXT = 100  # an option's label, value and description

_ELLIPSIS = "…"
_TEXT_INPUT = 4
_STRING_SELECT = 3
_LABEL = 18

Payload = Mapping[str, Any]


def size(text: str) -> int:
    """The length Discord sees: UTF-16 code units (an emoji outside the BMP counts 2)."""
    return len(text) + sum(1 for char in text if ord(char) > 0xFFFF)


def fit(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` (by :func:`size`), ending in an ellipsis when it was cut.

    A cut never leaves a lone backslash at the end, which would escape the ellipsis instead of
    the character it was meant for.
    """
    if size(text) <= limit:
        return text
    budget = limit - size(_ELLIPSIS)
    kept: list[str] = []
    used = 0
    for char in text:
        width = 2 if ord(char) > 0xFFFF else 1
        if used + width > budget:
            break
        kept.append(char)
        used += width
    cut = "".join(kept)
    trailing = len(cut) - len(cut.rstrip("\\"))
    if trailing % 2:  # an odd run of backslashes ends in an escape without its character
        cut = cut[:-1]
    return cut + _ELLIPSIS


def check_message(
    content: str | None, embeds: Sequence[Payload], components: Sequence[Payload]
) -> None:
    """Raise :class:`LimitError` when Discord would refuse this message."""
    problems = message_problems(content, embeds, components)
    if problems:
        raise LimitError(problems)


def check_modal(modal: Payload) -> None:
    """Raise :class:`LimitError` when Discord would refuse this modal (``Modal.to_dict()``)."""
    problems = modal_problems(modal)
    if problems:
        raise LimitError(problems)


def message_problems(
    content: str | None, embeds: Sequence[Payload], components: Sequence[Payload]
) -> list[str]:
    """Everything too big in a message: ``embeds`` as ``Embed.to_dict()``, ``components`` as
    ``View.to_components()``."""
    problems: list[str] = []
    if content is not None and size(content) > CONTENT:
        problems.append(f"content has {size(content)} characters (limit {CONTENT})")
    if not content and not embeds and not components:
        problems.append("the message is empty")
    if len(embeds) > EMBEDS_PER_MESSAGE:
        problems.append(f"{len(embeds)} embeds (limit {EMBEDS_PER_MESSAGE})")
    total = 0
    for index, embed in enumerate(embeds):
        problems += _embed_problems(index, embed)
        total += embed_total(embed)
    if total > EMBEDS_TOTAL:
        problems.append(f"the embeds hold {total} characters in all (limit {EMBEDS_TOTAL})")
    problems += _component_problems(components)
    return problems


def _embed_problems(index: int, embed: Payload) -> list[str]:
    where = f"embed {index}"
    problems = _too_long(
        (f"{where} title", embed.get("title"), EMBED_TITLE),
        (f"{where} description", embed.get("description"), EMBED_DESCRIPTION),
        (f"{where} footer", embed.get("footer", {}).get("text"), FOOTER_TEXT),
        (f"{where} author", embed.get("author", {}).get("name"), AUTHOR_NAME),
    )
    fields = embed.get("fields", [])
    if len(fields) > EMBED_FIELDS:
        problems.append(f"{where} has {len(fields)} fields (limit {EMBED_FIELDS})")
    for number, field in enumerate(fields):
        name, value = field.get("name", ""), field.get("value", "")
        if not name.strip() or not value.strip():
            problems.append(f"{where} field {number} has an empty name or value")
        problems += _too_long(
            (f"{where} field {number} name", name, FIELD_NAME),
            (f"{where} field {number} value", value, FIELD_VALUE),
        )
    return problems


def embed_total(embed: Payload) -> int:
    """The characters of one embed that count towards the 6000 of a message."""
    parts = [
        embed.get("title"),
        embed.get("description"),
        embed.get("footer", {}).get("text"),
        embed.get("author", {}).get("name"),
    ]
    for field in embed.get("fields", []):
        parts += [field.get("name"), field.get("value")]
    return sum(size(part.strip()) for part in parts if part)


def _component_problems(rows: Sequence[Payload]) -> list[str]:
    problems: list[str] = []
    if len(rows) > ROWS:
        problems.append(f"{len(rows)} rows of components (limit {ROWS})")
    seen: set[str] = set()
    for number, row in enumerate(rows):
        buttons = row.get("components", [])
        if len(buttons) > BUTTONS_PER_ROW:
            problems.append(f"row {number} has {len(buttons)} buttons (limit {BUTTONS_PER_ROW})")
        for button in buttons:
            problems += _button_problems(button, seen)
    return problems


def _button_problems(button: Payload, seen: set[str]) -> list[str]:
    label = button.get("label") or ""
    problems = _too_long(
        ("button label", label, BUTTON_LABEL), ("button url", button.get("url"), BUTTON_URL)
    )
    if not label.strip():
        problems.append("a button has no label")
    custom_id = button.get("custom_id")
    if custom_id is not None:
        problems += _custom_id_problems(custom_id, seen)
    elif not button.get("url"):
        problems.append("a button has neither custom_id nor url")
    return problems


def _custom_id_problems(custom_id: str, seen: set[str]) -> list[str]:
    # The id itself is left out of the message: it can hold a choice's label.
    problems = []
    if not 1 <= size(custom_id) <= CUSTOM_ID:
        problems.append(f"a custom_id has {size(custom_id)} characters (1 to {CUSTOM_ID})")
    if custom_id in seen:
        problems.append("a custom_id is used twice")
    seen.add(custom_id)
    return problems


def modal_problems(modal: Payload) -> list[str]:
    """Everything Discord would refuse in a modal: title, inputs, labels, ids."""
    title = modal.get("title") or ""
    problems = _too_long(("modal title", title, MODAL_TITLE))
    if not title.strip():
        problems.append("the modal has no title")
    seen: set[str] = set()
    problems += _custom_id_problems(modal.get("custom_id", ""), seen)
    components = modal.get("components", [])
    if not 1 <= len(components) <= MODAL_INPUTS:
        problems.append(f"the modal has {len(components)} inputs (1 to {MODAL_INPUTS})")
    for component in components:
        problems += _modal_component_problems(component, seen)
    return problems


def _modal_component_problems(component: Payload, seen: set[str]) -> list[str]:
    if component.get("type") != _LABEL:
        return [f"modal component of type {component.get('type')} (expected a label)"]
    text = component.get("label") or ""
    problems = _too_long(
        ("input label", text, LABEL_TEXT),
        ("input description", component.get("description"), LABEL_DESCRIPTION),
    )
    if not text.strip():
        problems.append("an input has no label")
    field = component.get("component", {})
    if field.get("type") == _STRING_SELECT:
        return problems + _select_problems(field, seen)
    if field.get("type") != _TEXT_INPUT:
        return [*problems, "a label holds something other than a text input or a select"]
    problems += _too_long(
        ("input placeholder", field.get("placeholder"), INPUT_PLACEHOLDER),
        ("input value", field.get("value"), INPUT_VALUE),
    )
    maximum = field.get("max_length")
    if maximum is not None and not 1 <= maximum <= INPUT_VALUE:
        problems.append(f"input max_length {maximum} (1 to {INPUT_VALUE})")
    return problems + _custom_id_problems(field.get("custom_id", ""), seen)


def _select_problems(select: Payload, seen: set[str]) -> list[str]:
    options = select.get("options", [])
    problems = _too_long(("select placeholder", select.get("placeholder"), SELECT_PLACEHOLDER))
    if not 1 <= len(options) <= SELECT_OPTIONS:
        problems.append(f"a select has {len(options)} options (1 to {SELECT_OPTIONS})")
    values = [option.get("value", "") for option in options]
    if len(set(values)) < len(values):
        problems.append("a select has two options with the same value")
    for option in options:
        if not option.get("label", "").strip() or not option.get("value"):
            problems.append("a select option has no label or no value")
        problems += _too_long(
            ("option label", option.get("label"), OPTION_TEXT),
            ("option value", option.get("value"), OPTION_TEXT),
            ("option description", option.get("description"), OPTION_TEXT),
        )
    low, high = select.get("min_values", 1), select.get("max_values", 1)
    if not 0 <= low <= high <= max(len(options), 1):
        problems.append(f"a select takes {low} to {high} of {len(options)} options")
    return problems + _custom_id_problems(select.get("custom_id", ""), seen)


def _too_long(*checks: tuple[str, str | None, int]) -> list[str]:
    return [
        f"{what} has {size(text)} characters (limit {limit})"
        for what, text, limit in checks
        if text is not None and size(text) > limit
    ]
