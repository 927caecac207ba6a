"""Block Kit as HTML that looks like Slack: for the conversation picture in docs/slack.md.

Only what the adapter sends is drawn (header, section text and fields, actions, context,
divider, input). mrkdwn from the adapter is already escaped for Slack (``&amp;`` ``&lt;``
``&gt;``), which is also safe HTML; the only ``<`` left are the adapter's own links.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any

_LINK = re.compile(r"<([^<>|]+)\|([^<>]*)>")
_BOLD = re.compile(r"(?<![\w*])\*(?!\s)([^*\n]+?)(?<!\s)\*(?![\w*])")
_ITALIC = re.compile(r"(?<![\w_])_(?!\s)([^_\n]+?)(?<!\s)_(?![\w_])")

CSS = """
body { margin: 0; background: #fff; font: 15px/1.46668 Lato, 'Helvetica Neue', Arial, sans-serif;
       color: #1d1c1d; }
.channel { border-bottom: 1px solid #ddd; padding: 14px 20px; font-weight: 900; font-size: 18px; }
.msg { display: flex; padding: 8px 20px; }
.avatar { width: 36px; height: 36px; border-radius: 6px; margin-right: 10px; flex: none;
          display: flex; align-items: center; justify-content: center; color: #fff;
          font-weight: 900; }
.app .avatar { background: #2c7a4b; } .user .avatar { background: #7c3085; }
.name { font-weight: 900; } .badge { background: #e8e8e8; color: #616061; font-size: 10px;
        padding: 1px 3px; border-radius: 2px; margin-left: 4px; font-weight: 700; }
.time { color: #616061; font-size: 12px; margin-left: 6px; }
.note { color: #616061; font-size: 13px; font-style: italic; margin-top: 2px; }
.section { margin: 4px 0; white-space: normal; } .fields { display: grid;
           grid-template-columns: 1fr 1fr; gap: 6px 24px; margin: 6px 0; }
.header { font-weight: 900; font-size: 17px; margin: 6px 0 2px; }
.actions { margin: 8px 0 2px; display: flex; flex-wrap: wrap; gap: 8px; }
.button { border: 1px solid #ccc; border-radius: 4px; padding: 3px 12px; font-weight: 700;
          font-size: 13px; background: #fff; }
.button.primary { background: #007a5a; color: #fff; border-color: #007a5a; }
.button.danger { color: #e01e5a; border-color: #e01e5a; }
a { color: #1264a3; text-decoration: none; } .context { color: #616061; font-size: 12px; }
.modal { border: 1px solid #ccc; border-radius: 8px; box-shadow: 0 4px 12px #0002;
         width: 420px; margin: 4px 0; } .modal .title { font-weight: 900; font-size: 18px;
         padding: 14px 16px; border-bottom: 1px solid #ddd; } .modal .body { padding: 8px 16px; }
.input label { display: block; font-weight: 700; margin: 10px 0 4px; } .input .box {
         border: 1px solid #aaa; border-radius: 4px; padding: 6px 8px; color: #1d1c1d; }
.modal .foot { text-align: right; padding: 10px 16px; border-top: 1px solid #ddd; }
"""


def mrkdwn(text: str) -> str:
    """Slack mrkdwn (as the adapter writes it) as HTML."""
    out = _LINK.sub(r'<a href="\1">\2</a>', text)
    out = _BOLD.sub(r"<b>\1</b>", out)
    out = _ITALIC.sub(r"<i>\1</i>", out)
    return out.replace("\n", "<br>")


def _plain(obj: dict[str, Any]) -> str:
    return html.escape(obj["text"])


def block(b: dict[str, Any]) -> str:
    kind = b["type"]
    if kind == "header":
        return f'<div class="header">{_plain(b["text"])}</div>'
    if kind == "section":
        parts = []
        if "text" in b:
            parts.append(f'<div class="section">{mrkdwn(b["text"]["text"])}</div>')
        if "fields" in b:
            cells = "".join(f"<div>{mrkdwn(f['text'])}</div>" for f in b["fields"])
            parts.append(f'<div class="fields">{cells}</div>')
        return "".join(parts)
    if kind == "actions":
        buttons = "".join(
            f'<span class="button {e.get("style", "")}">{_plain(e["text"])}</span>'
            for e in b["elements"]
        )
        return f'<div class="actions">{buttons}</div>'
    if kind == "context":
        return f'<div class="context">{mrkdwn(b["elements"][0]["text"])}</div>'
    if kind == "input":
        return (
            f'<div class="input"><label>{_plain(b["label"])}</label><div class="box">…</div></div>'
        )
    return "<hr>" if kind == "divider" else ""


@dataclass
class Entry:
    who: str  # "app" or a person's name
    blocks: list[dict[str, Any]]
    text: str = ""
    note: str = ""  # "Only visible to you", a click, a modal
    modal: dict[str, Any] | None = None


def page(channel: str, entries: list[Entry]) -> str:
    rows = [f'<div class="channel"># {html.escape(channel)}</div>']
    for entry in entries:
        rows.append(_entry(entry))
    head = f"<head><meta charset='utf-8'><style>{CSS}</style></head>"
    return f"<!doctype html><html>{head}<body>{''.join(rows)}</body></html>"


def _entry(entry: Entry) -> str:
    app = entry.who == "app"
    name = "Recruiter Coach" if app else html.escape(entry.who)
    badge = '<span class="badge">APP</span>' if app else ""
    body = (
        "".join(block(b) for b in entry.blocks)
        or f'<div class="section">{html.escape(entry.text)}</div>'
    )
    if entry.modal is not None:
        body += _modal(entry.modal)
    note = f'<div class="note">{html.escape(entry.note)}</div>' if entry.note else ""
    return (
        f'<div class="msg {"app" if app else "user"}"><div class="avatar">{name[0]}</div><div>'
        f'<span class="name">{name}</span>{badge}<span class="time">12:0{len(entry.blocks) % 10}'
        f"</span>{note}{body}</div></div>"
    )


def _modal(view: dict[str, Any]) -> str:
    inner = "".join(block(b) for b in view["blocks"])
    return (
        f'<div class="modal"><div class="title">{_plain(view["title"])}</div>'
        f'<div class="body">{inner}</div><div class="foot"><span class="button primary">'
        f"{_plain(view['submit'])}</span></div></div>"
    )
