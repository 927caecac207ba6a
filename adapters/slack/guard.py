"""The last check before anything leaves for Slack: every payload passes our Block Kit check.

The renderer keeps within Slack's limits by construction; this is the net under it, run on
every message, modal and App Home view just before it is sent (not only in tests). A payload
that fails is not sent: the failure is logged by the limits it breaks (never the text), and a
safe version goes instead, so the person still gets an answer:

- a message becomes its plain text fallback (already escaped, at most 3000 characters) in one
  section, with the buttons that pass the check on their own, and a note that it was shortened;
- a modal is not opened: the caller sends the question as a message, whose button opens the
  form again (see :meth:`adapters.slack.send.Sender.open_form`);
- a Home view becomes the Home without its lists, with a note.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from adapters.slack.limits import message_problems, view_problems
from adapters.slack.render import FALLBACK_MAX, HomeView, SlackMessage, to_home

__all__ = ("HOME_NOTICE", "PLAIN_NOTE", "SAFE_TEXT", "safe_home", "safe_message", "safe_modal")

log = logging.getLogger(__name__)

PLAIN_NOTE = "_(shown as plain text: the formatted message did not fit Slack's limits)_"
SAFE_TEXT = "This message did not fit Slack's limits. Type `repeat` to see the question again."
HOME_NOTICE = (
    "Your lists did not fit here. *Show my contacts* below lists your contacts in our DM."
)


def safe_message(message: SlackMessage, where: str) -> SlackMessage:
    """``message`` if it passes :func:`adapters.slack.limits.message_problems`, else a safe
    version of it (logged by the limits it broke)."""
    problems = message_problems(message)
    if not problems:
        return message
    _log_refused(where, problems)
    text = message.get("text")
    if not isinstance(text, str) or not text.strip() or len(text) > FALLBACK_MAX:
        text = SAFE_TEXT
    section = {"type": "section", "text": {"type": "mrkdwn", "text": text, "verbatim": True}}
    note = {"type": "context", "elements": [{"type": "mrkdwn", "text": PLAIN_NOTE}]}
    actions = [b for b in message.get("blocks") or [] if _sound_actions(b)]
    for fallback in (
        SlackMessage(text=text, blocks=[section, note, *actions]),
        SlackMessage(text=text, blocks=[section, note]),
    ):
        if not message_problems(fallback):
            return fallback
    return SlackMessage(text=SAFE_TEXT, blocks=[])


def _sound_actions(block: Mapping[str, Any]) -> bool:
    return block.get("type") == "actions" and not message_problems(
        {"text": "x", "blocks": [dict(block)]}
    )


def safe_modal(view: dict[str, Any]) -> dict[str, Any] | None:
    """``view`` if it passes the check, else ``None`` (logged): the caller then asks the
    question as a message instead."""
    problems = view_problems(view)
    if not problems:
        return view
    _log_refused("modal", problems)
    return None


def safe_home(view: dict[str, Any]) -> dict[str, Any]:
    """``view`` if it passes the check, else the Home without its lists, with a note."""
    problems = view_problems(view)
    if not problems:
        return view
    _log_refused("home view", problems)
    return to_home(HomeView(notice=HOME_NOTICE))


def _log_refused(where: str, problems: list[str]) -> None:
    log.error(
        "a Slack %s breaks Block Kit limits and was replaced by a safe version: %s",
        where,
        "; ".join(problems),
    )
