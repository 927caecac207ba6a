"""The "Check this recruiter" message shortcut (a message's ⋯ menu -> Check this recruiter).

The message's text (and its attachments' text, for forwarded or bot-posted messages) goes to
the engine as ``/recruiter check <text>``. The verdict is sent through the shortcut's
``response_url`` as ephemeral messages, so only the person who asked sees it, wherever they
clicked; nothing is posted to the channel and nothing here logs the text. Like every event it is
saved in the durable inbox before the ack and run from there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from adapters.slack.convert import private_conversation, to_plain_text
from bot.app import CHECK_COMMAND
from bot.boundary import Command, Incoming

if TYPE_CHECKING:
    from slack_bolt.async_app import AsyncApp

    from adapters.slack.handlers import Ack, Handlers

__all__ = ("CHECK_CALLBACK", "MAX_TEXT", "message_text", "register_shortcuts", "save_check")

CHECK_CALLBACK = "check_this_recruiter"  # the manifests' shortcut callback_id
MAX_TEXT = 4000  # the engine's paste check reads at most this much


def register_shortcuts(app: AsyncApp, handlers: Handlers) -> None:
    """Listen for the message shortcut; saved in the inbox before the ack, like every event."""

    async def check_this_recruiter(ack: Ack, body: dict[str, Any]) -> None:
        await save_check(handlers, body)
        await ack()

    app.shortcut(CHECK_CALLBACK)(check_this_recruiter)


async def save_check(handlers: Handlers, body: dict[str, Any]) -> None:
    """The check as one engine turn in the inbox, answered privately through the shortcut's
    ``response_url``."""
    user = body["user"]["id"]
    team = (body.get("team") or {}).get("id") or body["user"].get("team_id")
    app = body.get("api_app_id")
    incoming = Incoming(
        conversation=private_conversation(team, user),
        command=Command(CHECK_COMMAND, message_text(body.get("message") or {})),
        event_id=f"shortcut:{body.get('trigger_id', '')}",
    )
    route = {
        "response_url": body.get("response_url"),
        "continue_url": f"{handlers.redirect_base}?app={app}&team={team}" if app else None,
    }
    await handlers.save(incoming, route)


def message_text(message: dict[str, Any]) -> str:
    """The plain text of a Slack message: its text, then each attachment's text."""
    parts = [str(message.get("text") or "")]
    for attachment in message.get("attachments") or []:
        if isinstance(attachment, dict):
            parts.extend(str(attachment.get(key) or "") for key in ("pretext", "title", "text"))
    text = "\n".join(part for part in parts if part.strip())
    return to_plain_text(text)[:MAX_TEXT]
