"""An answered question's buttons, replaced by the answer ("You chose: Yes"), so an old button
cannot be pressed twice by mistake. The message keeps its text and other blocks.

A message in the app's DM is changed with ``chat.update``; an ephemeral one (a ``/recruiter``
answer) through the click's ``response_url`` with ``replace_original``. Never raises: the
answer has been sent already, and this only guards against a second press.
"""

from __future__ import annotations

import logging
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from adapters.slack.render import CHOICE_ACTION, slack_escape
from adapters.slack.users import error_code

__all__ = ("CHOSE", "answered_blocks", "chosen_label", "mark_answered")

log = logging.getLogger(__name__)

CHOSE = "You chose: *{label}*"
MAX_LABEL = 75  # a button label's own limit


def chosen_label(body: dict[str, Any]) -> str | None:
    """The pressed button's label: from the action, else from the message's blocks."""
    action = (body.get("actions") or [{}])[0]
    text = (action.get("text") or {}).get("text")
    if isinstance(text, str) and text.strip():
        return text[:MAX_LABEL]
    for element in _elements((body.get("message") or {}).get("blocks") or []):
        if element.get("action_id") == action.get("action_id"):
            label = (element.get("text") or {}).get("text")
            return str(label)[:MAX_LABEL] if label else None
    return None


def answered_blocks(blocks: list[dict[str, Any]], label: str) -> list[dict[str, Any]]:
    """``blocks`` without the choice buttons, and a context line naming the answer."""
    kept = [block for block in blocks if not _has_choices(block)]
    line = {"type": "mrkdwn", "text": CHOSE.format(label=slack_escape(label))}
    return [*kept, {"type": "context", "elements": [line]}]


async def mark_answered(client: AsyncWebClient, body: dict[str, Any]) -> None:
    """Replace the pressed message's choice buttons by the answer."""
    container = body.get("container") or {}
    label = chosen_label(body)
    if label is None or container.get("type") != "message":
        return
    message = body.get("message") or {}
    blocks = answered_blocks(list(message.get("blocks") or []), label)
    text = str(message.get("text") or "") or CHOSE.format(label=slack_escape(label))
    try:
        if container.get("is_ephemeral"):
            url = body.get("response_url")
            if url:
                hook = AsyncWebhookClient(url, session=client.session)  # the worker's
                await hook.send_dict({"replace_original": True, "text": text, "blocks": blocks})
            return
        channel, ts = container.get("channel_id"), container.get("message_ts")
        if channel and ts:
            await client.chat_update(channel=channel, ts=ts, text=text, blocks=blocks)
    except (SlackApiError, SlackClientError, aiohttp.ClientError, TimeoutError) as exc:
        log.warning("could not replace the answered buttons: %s", error_code(exc) or "error")


def _elements(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e for b in blocks if b.get("type") == "actions" for e in b.get("elements") or []]


def _has_choices(block: dict[str, Any]) -> bool:
    return block.get("type") == "actions" and any(
        str(e.get("action_id", "")).startswith(CHOICE_ACTION) for e in block.get("elements") or []
    )
