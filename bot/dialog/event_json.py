"""A turn's replies as JSON, kept with the turn by the durable inbox (the event itself is in
:mod:`bot.dialog.inbox_events`).

The engine saves an inbox event's replies in the same transaction as the turn (see
:mod:`bot.dialog.inbox`): a worker killed after that commit but before the replies reached the
platform leaves them in the inbox row, and the worker that takes the conversation over sends
them instead of running the turn again (which would say nothing: the event is processed).
Every field of :class:`~bot.boundary.Reply` makes the round trip unchanged.
"""

from __future__ import annotations

from typing import Any

from bot.boundary import (
    Attachment,
    Card,
    Choice,
    Form,
    FormField,
    Reply,
)
from bot.dialog.state import ref_from_json, ref_to_json

__all__ = ("replies_from_json", "replies_to_json")


def replies_to_json(replies: list[Reply]) -> list[dict[str, Any]]:
    return [_reply_to_json(reply) for reply in replies]


def replies_from_json(data: list[dict[str, Any]]) -> list[Reply]:
    return [_reply_from_json(item) for item in data]


def _pairs(values: tuple[tuple[str, str], ...]) -> list[list[str]]:
    return [list(pair) for pair in values]


def _tuples(values: list[list[str]]) -> tuple[tuple[str, str], ...]:
    return tuple((str(a), str(b)) for a, b in values)


def _reply_to_json(reply: Reply) -> dict[str, Any]:
    card, attachment = reply.card, reply.attachment
    return {
        "text": reply.text,
        "choices": [_choice_to_json(c) for c in reply.choices],
        "form": None if reply.form is None else _form_to_json(reply.form),
        "card": None
        if card is None
        else {
            "title": card.title,
            "fields": _pairs(card.fields),
            "text": card.text,
            "key": card.key,
        },
        "visibility": reply.visibility,
        "destination": reply.destination,
        "attachment": None
        if attachment is None
        else [attachment.filename, attachment.content, attachment.media_type],
        "to": None if reply.to is None else ref_to_json(reply.to),
        "replaces": reply.replaces,
    }


def _choice_to_json(choice: Choice) -> list[str]:
    """id, label, token, style, and the keyword only when there is one (rows written before
    choices had keywords have four values)."""
    values = [choice.id, choice.label, choice.token, choice.style]
    return values if choice.keyword is None else [*values, choice.keyword]


def _reply_from_json(data: dict[str, Any]) -> Reply:
    card, attachment, to = data.get("card"), data.get("attachment"), data.get("to")
    return Reply(
        text=data["text"],
        choices=tuple(Choice(*values) for values in data["choices"]),
        form=None if data.get("form") is None else _form_from_json(data["form"]),
        card=None
        if card is None
        else Card(card["title"], _tuples(card["fields"]), card["text"], card["key"]),
        visibility=data["visibility"],
        destination=data["destination"],
        attachment=None if attachment is None else Attachment(*attachment),
        to=None if to is None else ref_from_json(to),
        replaces=data.get("replaces"),
    )


def _form_to_json(form: Form) -> dict[str, Any]:
    return {
        "title": form.title,
        "fields": [
            {
                "name": f.name,
                "label": f.label,
                "kind": f.kind,
                "required": f.required,
                "placeholder": f.placeholder,
                "options": _pairs(f.options),
                "max_length": f.max_length,
                "initial": f.initial,
            }
            for f in form.fields
        ],
        "token": form.token,
        "submit_label": form.submit_label,
        "errors": _pairs(form.errors),
    }


def _form_from_json(data: dict[str, Any]) -> Form:
    fields = tuple(
        FormField(
            name=f["name"],
            label=f["label"],
            kind=f["kind"],
            required=f["required"],
            placeholder=f["placeholder"],
            options=_tuples(f["options"]),
            max_length=f["max_length"],
            initial=f["initial"],
        )
        for f in data["fields"]
    )
    return Form(
        title=data["title"],
        fields=fields,
        token=data["token"],
        submit_label=data["submit_label"],
        errors=_tuples(data["errors"]),
    )
