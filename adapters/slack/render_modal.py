"""A form as a Slack modal: the question on top, one input per field."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from adapters.slack.render_text import Block, plain_text, text_blocks
from bot.boundary import Form, FormField

__all__ = ("FORM_CALLBACK", "to_modal")

FORM_CALLBACK = "rc_form"


def to_modal(form: Form, *, prompt: str, metadata: dict[str, Any]) -> Block:
    """A form as a modal: the question on top, one input per field."""
    blocks, _ = text_blocks(prompt, 6000, "prompt")
    blocks += [_input(field) for field in form.fields[:90]]
    return {
        "type": "modal",
        "callback_id": FORM_CALLBACK,
        "title": plain_text(form.title, 24),
        "submit": plain_text(form.submit_label, 24),
        "close": plain_text("Cancel", 24),
        "private_metadata": json.dumps(metadata, separators=(",", ":"))[:3000],
        "blocks": blocks,
    }


def _input(field: FormField) -> Block:
    block: Block = {
        "type": "input",
        "block_id": field.name[:255],
        "label": plain_text(field.label, 2000),
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
        element["placeholder"] = plain_text(field.placeholder, 150)
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
    items = [
        {"text": plain_text(label, 75), "value": value[:150]} for value, label in options[:100]
    ]
    element: Block = {"type": "radio_buttons" if radio else "static_select", "options": items}
    chosen = next((item for item in items if item["value"] == initial), None)
    if chosen is not None:
        element["initial_option"] = chosen
    return element
