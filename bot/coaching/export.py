"""The export a person gets back: every stored row about them, under self-explaining keys.

The store's rows (:meth:`bot.store.Store.export_user`) use internal shapes: a conversation's state
is compact JSON (``k``, ``v``, ``q``, ``h``...), conversation keys are encoded
(``slack:T1:D1:-:U1``), jobs carry worker bookkeeping. :func:`readable_export` turns them into
the document that is handed back (written to a file, or attached), whose keys
``docs/personal-data.md`` explains one by one. Nothing a person told the coach is left out:
answers given before going ``back`` are kept under ``earlier_answers``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from bot.dialog.state import earlier_values
from bot.store import JSON

__all__ = ("EXPORT_FORMAT", "export_filename", "readable_export")

EXPORT_FORMAT = "recruiter-coach-export/1"
_KINDS = {"reminder": "callback reminder", "keep_in_touch": "keep-in-touch nudge"}

Rows = Mapping[str, Sequence[Mapping[str, JSON]]]


def export_filename(now: datetime) -> str:
    return f"recruiter-coach-export-{now.strftime('%Y-%m-%d-%H%M%S')}.json"


def readable_export(rows: Rows, *, now: datetime, time_zone: str | None) -> dict[str, Any]:
    """The export document: a header, then one list per kind of record."""
    users = rows.get("users", [])
    return {
        "format": EXPORT_FORMAT,
        "explained_in": "docs/personal-data.md (Recruiter Coach)",
        "exported_at": now.isoformat(),
        "time_zone": time_zone or next((u.get("time_zone") for u in users), None),
        "accounts": [_account(u) for u in users],
        "conversations": [_conversation(c) for c in rows.get("conversations", [])],
        "reminders": [_reminder(j) for j in rows.get("jobs", [])],
        "recruiter_contacts": [_contact(c) for c in rows.get("contacts", [])],
        "opportunities_shared": [_shared(r) for r in rows.get("referrals", [])],
        "opportunity_answers": [_answer(a) for a in rows.get("referral_responses", [])],
        "messages_not_yet_handled": [
            _waiting(e) for e in rows.get("inbox_events", []) if e.get("status") == "pending"
        ],
    }


_CONVERSATION_PARTS = ("platform", "workspace_or_server", "channel", "thread", "user")
_PERSON_PARTS = ("platform", "workspace_or_server", "user")


def _where(key: object) -> dict[str, str | None]:
    """An encoded key (``platform:space:channel:thread:user`` or ``platform:space:user``) as
    named parts."""
    parts: list[str | None] = [None if p == "-" else p for p in str(key or "").split(":")]
    names = _CONVERSATION_PARTS if len(parts) == 5 else _PERSON_PARTS
    parts = (parts + [None] * len(names))[: len(names)]
    return dict(zip(names, parts, strict=True))


def _mapping(value: object) -> dict[str, Any]:
    return dict(value) if isinstance(value, Mapping) else {}


def _account(user: Mapping[str, JSON]) -> dict[str, Any]:
    settings = _mapping(user.get("settings"))
    return {
        "who": _where(user.get("user_key")),
        "time_zone": user.get("time_zone"),
        "privacy_notice_shown": bool(settings.get("privacy_notice")),
        "first_seen_at": user.get("created_at"),
        "updated_at": user.get("updated_at"),
    }


def _conversation(row: Mapping[str, JSON]) -> dict[str, Any]:
    state = _mapping(row.get("state"))
    stack = state.get("k") or []
    top = stack[-1] if stack else None
    earlier = earlier_values(state.get("h"))
    return {
        "where": _where(row.get("key")),
        "current_topic": top[0] if top else None,
        "current_step": top[2] if top else None,
        # slots ending in _key hold references to stored rows (a reminder's key), not answers
        "answers": {k: v for k, v in _mapping(state.get("v")).items() if not k.endswith("_key")},
        "earlier_answers": earlier,
        "time_zone_given": state.get("z"),
        "started_at": row.get("created_at"),
        "last_message_at": row.get("updated_at"),
    }


def _reminder(job: Mapping[str, JSON]) -> dict[str, Any]:
    payload = _mapping(job.get("payload"))
    details = _mapping(payload.get("context"))
    return {
        "kind": _KINDS.get(str(job.get("kind")), str(job.get("kind"))),
        "status": job.get("status"),
        "send_at": job.get("due_at"),
        "call_at": details.pop("at", None),
        "phone_to_be_called_on": details.pop("phone", None),
        "notes": details.pop("notes", None),
        "contact_number": payload.get("contact_id"),
        "sending_attempts": job.get("attempts"),
        "created_at": job.get("created_at"),
    }


def _waiting(event: Mapping[str, JSON]) -> dict[str, Any]:
    """A message saved on arrival and not applied yet (the coach was busy or restarting); the
    one that asked for this export is among them until its turn ends."""
    incoming = _mapping(_mapping(event.get("payload")).get("incoming"))
    form = incoming.get("form")
    command = incoming.get("command")
    return {
        "where": _where(event.get("conversation_key")),
        "text": incoming.get("text"),
        "form_answers": {str(p[0]): p[1] for p in form if isinstance(p, list) and len(p) == 2}
        if isinstance(form, list)
        else None,
        "command": " ".join(str(part) for part in command if part) if command else None,
        "received_at": event.get("enqueued_at"),
    }


def _contact(contact: Mapping[str, JSON]) -> dict[str, Any]:
    return {
        "number": contact.get("id"),
        "name": contact.get("name"),
        "agency": contact.get("agency"),
        "specialty": contact.get("specialty"),
        "how_to_reach": contact.get("reach"),
        "notes": contact.get("notes"),
        "nudge_every_months": contact.get("cadence_months"),
        "last_contact_at": contact.get("last_contact_at"),
        "saved_at": contact.get("created_at"),
        "updated_at": contact.get("updated_at"),
    }


def _shared(referral: Mapping[str, JSON]) -> dict[str, Any]:
    opportunity = (
        referral.get("opportunity") if isinstance(referral.get("opportunity"), dict) else {}
    )
    return {
        "number": referral.get("id"),
        "platform": referral.get("platform"),
        "opportunity": opportunity,
        "status": referral.get("status"),
        "people_interested": referral.get("interested_count"),
        "people_who_know_someone": referral.get("know_someone_count"),
        "shared_at": referral.get("created_at"),
        "closed_at": referral.get("closed_at"),
    }


def _answer(answer: Mapping[str, JSON]) -> dict[str, Any]:
    return {
        "opportunity_number": answer.get("referral_id"),
        "answer": str(answer.get("kind") or "").replace("_", " "),
        "answered_at": answer.get("created_at"),
    }
