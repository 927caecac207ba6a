"""The App Home tab as a Block Kit view, within every limit whatever the data."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from adapters.slack.render_text import (
    SECTION_MAX,
    Block,
    button,
    mrkdwn_text,
    plain_text,
    slack_escape,
)

__all__ = ("HOME_ACTIONS", "HOME_LINE_MAX", "HOME_LIST_MAX", "HomeView", "to_home")

HOME_ACTIONS = ("rc_home_start", "rc_home_contacts", "rc_home_export", "rc_home_forget")


@dataclass(frozen=True, slots=True)
class HomeView:
    """What the App Home shows one person; every string is plain text (escaped here).
    ``notice`` is a line shown on top (when the full Home could not be shown)."""

    callbacks: tuple[str, ...] = ()
    contacts: tuple[str, ...] = ()
    shared: tuple[str, ...] = ()
    answered: tuple[str, ...] = ()
    notice: str | None = None


HOME_LIST_MAX = 10  # items shown per list; the rest are counted ("…and 3 more")
HOME_LINE_MAX = 500  # characters of one item; escaped (5x at most) it still fits a section
WELCOME = "A recruiter calling? I'll help you answer, call back and decide."
MORE_CONTACTS = " (*Show my contacts* lists them all)"


def to_home(home: HomeView) -> Block:
    """The App Home tab: coaching, callbacks, contacts, referrals and privacy controls.

    Within every Block Kit limit whatever the data: at most :data:`HOME_LIST_MAX` items a list
    (then a count), each cut to :data:`HOME_LINE_MAX` characters, packed into sections of at
    most 3000 characters after escaping: 60 blocks at most, of the 100 a view may hold.
    """
    start = button("Start coaching", "rc_home_start", value="start", style="primary")
    notice = [_context(slack_escape(_one_line(home.notice)))] if home.notice else []
    blocks: list[Block] = [
        {"type": "header", "text": plain_text("Recruiter Coach", 150)},
        *notice,
        {
            "type": "section",
            "text": mrkdwn_text(
                "A recruiter calling? I'll help you answer, call back and decide."
            ),
            "accessory": start,
        },
        *_home_list("Upcoming callbacks", home.callbacks, "No callbacks scheduled."),
        *_home_list(
            "Recruiter contacts", home.contacts, "Ask me to show or add contacts.", MORE_CONTACTS
        ),
        {
            "type": "actions",
            "elements": [button("Show my contacts", "rc_home_contacts", value="contacts")],
        },
        *_home_list("Referrals you shared", home.shared, "None yet."),
        *_home_list("Referrals you answered", home.answered, "None yet."),
        *_privacy_blocks(),
    ]
    return {"type": "home", "blocks": blocks}


def _home_list(title: str, items: Sequence[str], empty: str, more: str = "") -> list[Block]:
    lines = [f"• {slack_escape(_one_line(item))}" for item in items[:HOME_LIST_MAX]]
    if len(items) > HOME_LIST_MAX:
        lines.append(f"…and {len(items) - HOME_LIST_MAX} more{more}")
    texts = _pack(lines, SECTION_MAX) if lines else [f"_{empty}_"]
    return [
        {"type": "divider"},
        {"type": "header", "text": plain_text(title, 150)},
        *(_section_plain(text) for text in texts),
    ]


def _one_line(item: str) -> str:
    """An item as one line of at most :data:`HOME_LINE_MAX` characters (before escaping)."""
    line = " ".join(item.split()) or "…"
    return line if len(line) <= HOME_LINE_MAX else line[: HOME_LINE_MAX - 1] + "…"


def _pack(lines: Sequence[str], limit: int) -> list[str]:
    """Lines joined into as few texts of at most ``limit`` characters as they fit in (each
    line is shorter than ``limit``)."""
    texts: list[str] = []
    for line in lines:
        if texts and len(texts[-1]) + 1 + len(line) <= limit:
            texts[-1] += "\n" + line
        else:
            texts.append(line)
    return texts


def _context(text: str) -> Block:
    return {"type": "context", "elements": [mrkdwn_text(text)]}


def _section_plain(text: str) -> Block:
    return {"type": "section", "text": mrkdwn_text(text)}


def _privacy_blocks() -> list[Block]:
    confirm = {
        "title": plain_text("Forget everything?", 100),
        "text": plain_text("This erases your conversations, reminders and contacts here.", 300),
        "confirm": plain_text("Forget me", 30),
        "deny": plain_text("Keep", 30),
        "style": "danger",
    }
    buttons = [
        button("Export my data", "rc_home_export", value="export"),
        button("Forget me", "rc_home_forget", value="forget", style="danger", confirm=confirm),
    ]
    return [
        {"type": "divider"},
        {"type": "header", "text": plain_text("Your data", 150)},
        _section_plain("Only you see this. Export what I keep about you, or erase it."),
        {"type": "actions", "elements": buttons},
    ]
