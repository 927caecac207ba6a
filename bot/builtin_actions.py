"""The actions every deployment has: reminders for a callback.

Content actions (legitimacy check, contacts, referrals) register themselves the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

from bot.actions import ActionContext, ActionRegistry
from bot.state import ref_to_json
from bot.store import JobSpec

__all__ = ("register_builtin_actions",)

DEFAULT_LEAD_MINUTES = 15


def register_builtin_actions(registry: ActionRegistry) -> None:
    registry.register(
        "schedule_reminder",
        inputs=("at",),
        optional_inputs=("before_minutes", "template", "details"),
        outputs=("reminder_at",),
        description="Remind the user by DM before a time; `details` is a mapping shown in it.",
    )(schedule_reminder)
    registry.register(
        "cancel_reminder",
        outputs=("cancelled",),
        description="Cancel this conversation's pending reminder.",
    )(cancel_reminder)


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
    context.schedule(
        JobSpec(
            kind="reminder",
            due_at=remind_at,
            user_key=ref.user_key,
            conversation_key=ref.key,
            job_key=f"reminder:{ref.key}",
            payload={
                "ref": ref_to_json(ref),
                "template": str(inputs.get("template") or "callback_reminder"),
                "context": {"at": at.isoformat(), "time_zone": context.time_zone, **details},
            },
        )
    )
    return {"reminder_at": remind_at.isoformat()}


async def cancel_reminder(
    context: ActionContext, inputs: Mapping[str, object]
) -> Mapping[str, object]:
    context.cancel(f"reminder:{context.conversation.key}")
    return {"cancelled": True}
