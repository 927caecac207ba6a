"""The actions every deployment has: reminders for a callback.

Content actions (legitimacy check, contacts, referrals) register themselves the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

from bot.boundary import Reply
from bot.coaching.calendar_file import (
    ADD_TEXT,
    CallbackEvent,
    calendar_file,
    calendar_uid,
    event_uid,
)
from bot.dialog.state import ref_to_list
from bot.flow.actions import ActionContext, ActionRegistry
from bot.store import JSON, JobSpec

__all__ = ("REMINDER", "register_builtin_actions", "reminder_key")

DEFAULT_LEAD_MINUTES = 15
REMINDER = "reminder"  # the job kind


def register_builtin_actions(registry: ActionRegistry) -> None:
    registry.register(
        "schedule_reminder",
        inputs=("at",),
        optional_inputs=("before_minutes", "template", "details", "replaces"),
        outputs=("reminder_at",),
        description="Remind the user by DM before a time; `details` is a mapping shown in it.",
    )(schedule_reminder)


async def schedule_reminder(
    context: ActionContext, inputs: Mapping[str, object]
) -> Mapping[str, object]:
    at = datetime.fromisoformat(str(inputs["at"]))
    lead = timedelta(minutes=int(str(inputs.get("before_minutes") or DEFAULT_LEAD_MINUTES)))
    # a call very soon still gets its reminder now; stores keep UTC
    remind_at = max(at - lead, context.now).astimezone(UTC)
    ref = context.conversation
    details = inputs.get("details") or {}
    if not isinstance(details, Mapping):
        raise TypeError("schedule_reminder: `details` must be a mapping")
    job_key = reminder_key(ref.key, at)
    replaces = str(inputs.get("replaces") or "")
    calendar = await _calendar_event(context, job_key, replaces, at, details)
    context.schedule(
        JobSpec(
            kind=REMINDER,
            due_at=remind_at,
            user_key=ref.user_key,
            conversation_key=ref.key,
            job_key=job_key,
            payload={
                "ref": ref_to_list(ref),
                "template": str(inputs.get("template") or "callback_reminder"),
                "context": {"at": at.isoformat(), "time_zone": context.time_zone, **details},
                "calendar": _calendar_payload(calendar, job_key),
            },
        )
    )
    context.send(Reply(ADD_TEXT, attachment=calendar_file(calendar, now=context.now)))
    return {"reminder_at": remind_at.isoformat()}


async def _calendar_event(
    context: ActionContext,
    job_key: str,
    replaces: str,
    at: datetime,
    details: Mapping[str, object],
) -> CallbackEvent:
    """The calendar event of this callback: a new one, or, for a new time (``replaces`` names
    the user's earlier reminder), that event's UID with the next SEQUENCE, so calendar apps
    move the event instead of adding a second one."""
    uid, sequence = calendar_uid(job_key), 0
    if replaces:
        for job in await context.store.pending_jobs(context.user_key):
            earlier = job.payload.get("calendar")
            earlier_uid = event_uid(earlier, job.job_key)
            if job.job_key == replaces and earlier_uid and isinstance(earlier, Mapping):
                uid, sequence = earlier_uid, int(earlier.get("sequence") or 0) + 1
    phone, notes = details.get("phone"), details.get("notes")
    return CallbackEvent(
        uid=uid,
        at=at,
        time_zone=context.time_zone,
        phone=str(phone) if phone else None,
        notes=str(notes) if notes else None,
        sequence=sequence,
    )


def _calendar_payload(event: CallbackEvent, job_key: str) -> dict[str, JSON]:
    """The event's UID is left out when the job key gives it (see ``event_uid``)."""
    if event.uid == calendar_uid(job_key):
        return {"sequence": event.sequence}
    return {"uid": event.uid, "sequence": event.sequence}


def reminder_key(conversation_key: str, at: datetime) -> str:
    """One key per call: a second callback keeps the first one's reminder (the same time again
    replaces it, which is what the user meant)."""
    return f"{REMINDER}:{conversation_key}:{at.astimezone(UTC).strftime('%Y-%m-%dT%H:%MZ')}"
