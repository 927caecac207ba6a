"""Discord-like HTML for the pictures in docs/discord.md, drawn from the message payloads the bot
really sent to the fake Discord (content, embeds, buttons). Dark theme, no external assets."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any

_STYLES = {1: "primary", 2: "secondary", 3: "success", 4: "danger", 5: "link"}
_CSS = """
body { margin: 0; background: #313338; color: #dbdee1; font: 15px/1.4 'Noto Sans', 'DejaVu Sans',
  sans-serif; }
.channel { padding: 10px 16px; color: #f2f3f5; font-weight: 600;
  border-bottom: 1px solid #1f2023; }
.msg { display: flex; gap: 12px; padding: 8px 16px; }
.avatar { width: 38px; height: 38px; border-radius: 50%; flex: none; background: #5865f2;
  color: white; display: flex; align-items: center; justify-content: center; font-weight: 700; }
.avatar.user { background: #3ba55c; }
.name { color: #f2f3f5; font-weight: 600; }
.badge { background: #5865f2; color: white; font-size: 10px; padding: 1px 4px; border-radius: 3px;
  margin-left: 4px; vertical-align: 2px; }
.note { color: #949ba4; font-size: 12px; margin-left: 6px; }
.ephemeral { color: #949ba4; font-size: 12px; margin-top: 4px; }
.embed { border-left: 4px solid #5865f2; background: #2b2d31; border-radius: 4px;
  padding: 8px 12px; margin-top: 6px; max-width: 520px; }
.embed .title { color: #f2f3f5; font-weight: 600; }
.fields { display: flex; flex-wrap: wrap; gap: 4px 24px; margin-top: 4px; }
.field b { display: block; color: #f2f3f5; font-size: 13px; }
.row { display: flex; flex-wrap: wrap; gap: 8px; margin-top: 8px; }
.btn { padding: 3px 14px; border-radius: 3px; color: white; font-size: 14px; }
.primary { background: #5865f2; } .secondary { background: #4e5058; }
.success { background: #248046; } .danger { background: #da373c; } .link { background: #4e5058; }
.disabled { opacity: .5; }
.thinking { color: #949ba4; font-style: italic; }
"""


@dataclass
class Message:
    """One message as drawn: who, what they sent (a payload), and notes."""

    author: str
    payload: dict[str, Any] = field(default_factory=dict)
    text: str = ""  # for what a person typed or did
    note: str = ""  # beside the name (which process sent it, for one)
    ephemeral: bool = False
    thinking: bool = False


def _markdown(text: str) -> str:
    """The little Markdown the bot uses: escapes removed, **bold**, *italic*, line breaks."""
    text = re.sub(r"\\([\\*_`~|>\[\]()#<@-])", r"\1", html.escape(text, quote=False))
    text = re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", text)
    text = re.sub(r"(?<!\*)\*(?!\s)(.+?)\*", r"<i>\1</i>", text)
    return text.replace("\n", "<br>").replace("\u200b", "")


def _embed(embed: dict[str, Any]) -> str:
    parts = []
    if embed.get("title"):
        parts.append(f"<div class='title'>{_markdown(embed['title'])}</div>")
    if embed.get("description"):
        parts.append(f"<div>{_markdown(embed['description'])}</div>")
    fields = "".join(
        f"<div class='field'><b>{_markdown(f['name'])}</b>{_markdown(f['value'])}</div>"
        for f in embed.get("fields") or []
    )
    if fields:
        parts.append(f"<div class='fields'>{fields}</div>")
    return f"<div class='embed'>{''.join(parts)}</div>"


def _rows(components: list[dict[str, Any]]) -> str:
    rows = []
    for row in components:
        buttons = []
        for item in row.get("components") or []:
            style = _STYLES.get(int(item.get("style") or 2), "secondary")
            disabled = " disabled" if item.get("disabled") else ""
            label = html.escape(str(item.get("label") or item.get("placeholder") or "⋯"))
            arrow = " ↗" if style == "link" else ""
            buttons.append(f"<span class='btn {style}{disabled}'>{label}{arrow}</span>")
        rows.append(f"<div class='row'>{''.join(buttons)}</div>")
    return "".join(rows)


def _message(message: Message) -> str:
    bot = message.author == "Recruiter Coach"
    avatar = "RC" if bot else message.author[:1]
    badge = "<span class='badge'>APP</span>" if bot else ""
    note = f"<span class='note'>{html.escape(message.note)}</span>" if message.note else ""
    body = []
    if message.thinking:
        body.append("<div class='thinking'>Recruiter Coach is thinking…</div>")
    text = message.text or str(message.payload.get("content") or "")
    if text:
        body.append(f"<div>{_markdown(text)}</div>")
    body += [_embed(embed) for embed in message.payload.get("embeds") or []]
    body.append(_rows(message.payload.get("components") or []))
    if message.ephemeral:
        body.append("<div class='ephemeral'>Only you can see this · Dismiss message</div>")
    return (
        f"<div class='msg'><div class='avatar{'' if bot else ' user'}'>{avatar}</div><div>"
        f"<span class='name'>{html.escape(message.author)}</span>{badge}{note}"
        f"{''.join(body)}</div></div>"
    )


def page(sections: list[tuple[str, list[Message]]]) -> str:
    """A page with a header per section (a channel or a DM) and its messages."""
    parts = []
    for title, messages in sections:
        parts.append(f"<div class='channel'>{html.escape(title)}</div>")
        parts += [_message(message) for message in messages]
    head = f"<head><meta charset='utf-8'><style>{_CSS}</style></head>"
    return f"<html>{head}<body>{''.join(parts)}</body></html>"
