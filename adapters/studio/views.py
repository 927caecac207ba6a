"""The coach's replies as each platform would show them, as JSON for the studio page.

The adapters' own renderers do the work (Block Kit from :mod:`adapters.slack.render`, messages,
embeds and modals from :mod:`adapters.discord.render`, text from :mod:`adapters.console.render`),
so the page shows what the bots would send, limits and shortening included. Each button is
tagged with what pressing it means in the studio (``press`` a choice id, open the ``form``, or
``say`` a label); the page builds every element with ``textContent``, never with HTML.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from types import ModuleType
from typing import Any

from adapters.console.render import format_reply
from bot.app import to_plain
from bot.boundary import Form, Reply

__all__ = ("console_view", "discord_view", "slack_view", "view")

JSON = dict[str, Any]


def view(platform: str, replies: Sequence[Reply]) -> list[JSON]:
    """The replies of one turn as messages of ``platform``."""
    if platform == "slack":
        return slack_view(replies)
    if platform == "discord":
        return discord_view(replies)
    return console_view(replies)


def console_view(replies: Sequence[Reply]) -> list[JSON]:
    return [{"text": format_reply(reply)} for reply in replies]


def slack_view(replies: Sequence[Reply]) -> list[JSON]:
    from adapters.slack.render import FORM_ACTION, to_message, to_modal

    messages: list[JSON] = []
    for reply in replies:
        message: JSON = dict(to_message(reply))
        ids = {choice.token: choice.id for choice in reply.choices}
        for block in message["blocks"]:
            for element in block.get("elements", ()) if block["type"] == "actions" else ():
                if element.get("action_id") == FORM_ACTION:
                    element["studio"] = {"form": True}
                elif element.get("value") in ids:
                    element["studio"] = {"press": ids[element["value"]]}
        if reply.form is not None:
            message["modal"] = to_modal(reply.form, prompt=reply.text, metadata={})
        messages.append(message)
    return messages


def _discord_render() -> ModuleType:
    """adapters.discord.render, imported on first use: discord.py costs start-up time.

    discord.py imports ``audioop`` (for voice, never used here), which warns on Python 3.11+."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "'audioop' is deprecated", DeprecationWarning)
        import adapters.discord.render as render
    return render


def discord_view(replies: Sequence[Reply]) -> list[JSON]:
    render_replies = _discord_render().render_replies
    ids = {choice.token: choice.id for reply in replies for choice in reply.choices}
    messages: list[JSON] = []
    for outgoing in render_replies(replies):
        buttons = (
            [_discord_button(item, ids) for item in outgoing.view.children]
            if outgoing.view
            else []
        )
        message: JSON = {
            "content": outgoing.content or "",
            "embeds": [embed.to_dict() for embed in outgoing.embeds],
            "buttons": buttons,
        }
        if outgoing.forms:
            message["modal"] = _discord_modal(outgoing.forms[0])
        messages.append(message)
    return messages


def _discord_button(item: Any, ids: dict[str, str]) -> JSON:
    from adapters.discord.convert import CHOICE_PREFIX, FORM_PREFIX, LABEL_PREFIX

    inner = getattr(item, "item", item)  # a DynamicItem wraps the real button
    custom_id: str = inner.custom_id or ""
    shown: JSON = {"label": inner.label or "", "style": inner.style.name}
    if custom_id.startswith(FORM_PREFIX):
        shown["studio"] = {"form": True}
    elif custom_id.startswith(LABEL_PREFIX):
        shown["studio"] = {"say": custom_id.removeprefix(LABEL_PREFIX)}
    elif custom_id.startswith(CHOICE_PREFIX):
        token = custom_id.removeprefix(CHOICE_PREFIX)
        shown["studio"] = {"press": ids.get(token, "")}
    return shown


def _discord_modal(form: Form) -> JSON:
    modal = _discord_render().build_modal(form)
    modal.stop()  # never sent: no timeout task left behind
    fields: list[JSON] = []
    for label in modal.children:
        text_input: Any = getattr(label, "component", None)
        if text_input is None:
            continue
        fields.append(
            {
                "name": text_input.custom_id,
                "label": getattr(label, "text", ""),
                "description": getattr(label, "description", None) or "",
                "placeholder": text_input.placeholder or "",
                "required": bool(text_input.required),
                "paragraph": text_input.style.name == "paragraph",
                "value": text_input.default or "",
            }
        )
    return {"title": modal.title, "submit": to_plain(form.submit_label), "fields": fields}
