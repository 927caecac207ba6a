"""Actions on the user's own data: contacts, callbacks, sharing a referral, export and forget.

:func:`register_personal_actions` registers them all (``bot.app.build_actions`` calls it). The
flows that use them: ``relationship`` (contacts), ``callback`` (the upcoming call),
``share_opportunity`` (a referral card), ``export`` and ``forget``.

Actions that send replies of their own (a card, an export) render them with the engine's
renderer (``ActionContext.renderer``), so user values are escaped like in every other message.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime, tzinfo
from typing import Any

from bot.answers.datetimes import read_day_or_time
from bot.answers.zones import resolve_zone
from bot.boundary import Attachment, Reply
from bot.coaching.calendar_file import CANCEL_TEXT, CallbackEvent, cancellation_file, event_uid
from bot.coaching.contacts import register_contact_actions
from bot.coaching.export import export_filename, readable_export
from bot.coaching.referrals import Opportunity, ReferralBoard
from bot.flow.actions import ActionContext, ActionRegistry
from bot.render.formats import format_phone, format_when
from bot.render.markup import escape
from bot.render.templates import TemplateRenderer
from bot.store import JSON, Job

__all__ = ("register_personal_actions",)

_REMINDER = "reminder"


def register_personal_actions(registry: ActionRegistry) -> None:
    register_contact_actions(registry)
    registry.register(
        "find_callback",
        optional_inputs=("number", "when"),
        outputs=(
            "has_callback",
            "callback_at",
            "callback_phone",
            "prep_notes",
            "callback_key",
            "callback_count",
            "callback_list",
            "callback_named",
        ),
        description="One of the user's pending callbacks (the soonest, the `number`th in"
        " `callback_list`, a numbered list of them all, or the one at the day or time `when`"
        " says if it names exactly one: then `callback_named`), from any conversation.",
    )(find_callback)
    registry.register(
        "cancel_callback",
        optional_inputs=("key", "keep_event"),
        outputs=("cancelled",),
        description="Cancel one of the user's callback reminders, by its `key`.",
    )(cancel_callback)
    registry.register(
        "share_referral",
        inputs=("role", "level", "location", "skills"),
        optional_inputs=("recruiter_contact",),
        outputs=("posted", "referral_id", "problem"),
        description="Post an opportunity card to the space's referral channel (after a preview"
        " and a yes); `problem` is no_space or no_channel when nothing was posted.",
    )(share_referral)
    registry.register(
        "export_me",
        outputs=("rows",),
        description="Send the user everything the coach holds about them: JSON and a summary.",
    )(export_me)
    registry.register(
        "forget_me",
        outputs=("removed",),
        description="Erase everything the coach holds about the user; the turn saves nothing.",
    )(forget_me)


def _renderer(ctx: ActionContext) -> TemplateRenderer:
    if ctx.renderer is None:
        raise RuntimeError("this action sends messages: it needs the engine's renderer")
    return ctx.renderer


def _render(ctx: ActionContext, template: str, **context: Any) -> str:
    # with `now`, the `when` filter shows the year of a date in another year
    context = {"now": ctx.now.isoformat(), **context}
    return _renderer(ctx).render(
        platform=ctx.conversation.platform, context=context, seed=0, template=template
    )


# callbacks


async def find_callback(ctx: ActionContext, inputs: Mapping[str, object]) -> Mapping[str, object]:
    reminders = await _reminders(ctx)
    summary = "\n".join(
        f"{n}. {_call_line(job, ctx.time_zone)}" for n, job in enumerate(reminders, start=1)
    )
    named = None if inputs.get("number") else _named(reminders, inputs.get("when"), ctx)
    listing = {
        "callback_count": len(reminders),
        "callback_list": summary,
        "callback_named": named is not None,
    }
    index = named if named is not None else _chosen(inputs.get("number"), len(reminders))
    if index is None:
        return (
            dict.fromkeys(("callback_at", "callback_phone", "prep_notes", "callback_key"), None)
            | {"has_callback": False}
            | listing
        )
    job = reminders[index]  # the soonest unless a number picks another
    details = job.payload.get("context") or {}
    return listing | {
        "has_callback": True,
        "callback_at": details.get("at"),
        "callback_phone": details.get("phone"),
        "prep_notes": details.get("notes"),
        "callback_key": job.job_key,
    }


async def _reminders(ctx: ActionContext) -> list[Job]:
    """The user's pending callback reminders, soonest first."""
    jobs = await ctx.store.pending_jobs(ctx.user_key)
    return sorted((j for j in jobs if j.kind == _REMINDER), key=lambda j: j.due_at)


def _chosen(number: object, count: int) -> int | None:
    """The index ``number`` (1 = the soonest) picks; the soonest without one; None if none."""
    if count == 0:
        return None
    if number is None or str(number).strip() == "":
        return 0
    try:
        index = int(float(str(number))) - 1
    except ValueError:
        return None
    return index if 0 <= index < count else None


def _named(reminders: list[Job], when: object, ctx: ActionContext) -> int | None:
    """The index of the one call at the day or time ``when`` says ("Tuesday 12:30", "on
    Thursday"); None when it names no call, several, or no day the grammar reads."""
    meant = read_day_or_time(str(when or ""), ctx.now, ctx.time_zone)
    if meant is None:
        return None
    _, zone = resolve_zone(ctx.time_zone)
    found = [i for i, job in enumerate(reminders) if _is_at(job, meant, zone)]
    return found[0] if len(found) == 1 else None


def _is_at(job: Job, meant: datetime | date, zone: tzinfo) -> bool:
    """Whether the call is at that minute, or on that day in the user's zone."""
    details = job.payload.get("context") or {}
    if not details.get("at"):
        return False
    at = datetime.fromisoformat(str(details["at"]))
    if isinstance(meant, datetime):  # a datetime is a date too: this test comes first
        return at.replace(second=0, microsecond=0) == meant.replace(second=0, microsecond=0)
    return at.astimezone(zone).date() == meant


def _call_line(job: Job, time_zone: str | None) -> str:
    """One call in the list, in neutral markup: its time and the number to be called on."""
    details = job.payload.get("context") or {}
    when = format_when(str(details.get("at") or job.due_at.isoformat()), time_zone)
    phone = details.get("phone")
    return escape(f"{when}, on {format_phone(str(phone))}" if phone else when)


async def cancel_callback(
    ctx: ActionContext, inputs: Mapping[str, object]
) -> Mapping[str, object]:
    key = str(inputs.get("key") or "")
    # Only a reminder of this user's: a key from the flow must not reach someone else's job.
    mine = {j.job_key: j for j in await _reminders(ctx)}
    if not key or key not in mine:
        return {"cancelled": False}
    ctx.cancel(key)
    # a new time updates the calendar event instead (schedule_reminder's `replaces`)
    cancellation = None if inputs.get("keep_event") else _calendar_cancellation(mine[key], ctx)
    if cancellation is not None:
        ctx.send(cancellation)
    return {"cancelled": True}


def _calendar_cancellation(job: Job, ctx: ActionContext) -> Reply | None:
    """The calendar file that removes a cancelled call (when it had one)."""
    calendar = job.payload.get("calendar")
    details = job.payload.get("context") or {}
    uid = event_uid(calendar, job.job_key)
    if uid is None or not isinstance(calendar, Mapping) or not details.get("at"):
        return None
    event = CallbackEvent(
        uid=uid,
        at=datetime.fromisoformat(str(details["at"])),
        time_zone=ctx.time_zone,
        sequence=int(calendar.get("sequence") or 0) + 1,
    )
    when = format_when(str(details["at"]), ctx.time_zone, now=ctx.now)
    text = CANCEL_TEXT.format(when=when)
    return Reply(escape(text), attachment=cancellation_file(event, now=ctx.now))


# referrals


async def share_referral(ctx: ActionContext, inputs: Mapping[str, object]) -> Mapping[str, object]:
    ref = ctx.conversation
    if ref.space is None:  # a DM outside any workspace or server has no referral channel
        return {"posted": False, "referral_id": None, "problem": "no_space"}
    board = ReferralBoard(ctx.store, _renderer(ctx))
    channel = await board.referral_channel(ref.platform, ref.space)
    if channel is None:
        return {"posted": False, "referral_id": None, "problem": "no_channel"}
    contact = str(inputs.get("recruiter_contact") or "").strip() or None
    opportunity = Opportunity(
        role=str(inputs["role"]).strip(),
        level=str(inputs["level"]).strip(),
        location=str(inputs["location"]).strip(),
        skills=str(inputs["skills"]).strip(),
        recruiter_contact=contact,
    )
    referral = await board.share(ref, opportunity)
    ctx.send(board.card(referral, channel))
    return {"posted": True, "referral_id": referral.id, "problem": None}


# export and forget


async def export_me(ctx: ActionContext, inputs: Mapping[str, object]) -> Mapping[str, object]:
    data: dict[str, list[dict[str, JSON]]] = {}
    for user_key in identities(ctx):
        for table, rows in (await ctx.store.export_user(user_key)).items():
            data.setdefault(table, []).extend(rows)
    document = readable_export(data, now=ctx.now, time_zone=ctx.time_zone)
    text = json.dumps(document, indent=2, ensure_ascii=False)
    summary = _render(ctx, "export_summary", zone=ctx.time_zone, **_summary(data))
    if ctx.conversation.platform in ("console", "discord"):  # a file: saved, or uploaded
        file = Attachment(export_filename(ctx.now), text)
        ctx.send(Reply(summary, attachment=file))
    else:
        ctx.send(Reply(_render(ctx, "export_json", export_json=text)))
        ctx.send(Reply(summary))
    return {"rows": sum(len(rows) for rows in data.values())}


def _summary(data: Mapping[str, list[dict[str, JSON]]]) -> dict[str, Any]:
    """What the readable summary shows, from the export's rows."""
    users = data.get("users", [])
    jobs = [j for j in data.get("jobs", []) if j.get("status") == "pending"]
    return {
        "time_zone": next((u.get("time_zone") for u in users if u.get("time_zone")), None),
        "conversations": len(data.get("conversations", [])),
        "contacts": data.get("contacts", []),
        "reminders": [{"kind": j["kind"], "due_at": j["due_at"]} for j in jobs],
        "referrals": [
            {**r["opportunity"], **_counts(r)} if isinstance(r["opportunity"], dict) else r
            for r in data.get("referrals", [])
        ],
        "answers": data.get("referral_responses", []),
    }


def _counts(referral: Mapping[str, JSON]) -> dict[str, JSON]:
    keys = ("status", "interested_count", "know_someone_count")
    return {key: referral.get(key) for key in keys}


def identities(ctx: ActionContext) -> list[str]:
    """Every key this person has on this platform: the one of this conversation and, when it
    belongs to a server or workspace, the space-less one adapters keep per person."""
    ref = ctx.conversation
    return list(dict.fromkeys((ctx.user_key, f"{ref.platform}:-:{ref.user}")))


async def forget_me(ctx: ActionContext, inputs: Mapping[str, object]) -> Mapping[str, object]:
    removed = 0
    for user_key in identities(ctx):
        removed += await ctx.store.forget_user(user_key)
    ctx.erased = True  # so the engine does not save this turn, which would write a row again
    return {"removed": removed}
