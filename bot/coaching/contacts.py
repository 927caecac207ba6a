"""Recruiter contacts and keeping in touch: the actions the ``relationship`` flow calls, and the
``keep_in_touch`` job that nudges the user every few months.

Saving a contact with a cadence (3 to 6 months) schedules one ``keep_in_touch`` job, keyed
``keep_in_touch:<user_key>:<contact id>`` so that saving again replaces it and deleting the
contact cancels it. When the job fires, :class:`KeepInTouchJobs` reads the contact from the store
(the job's payload holds only ids, so an edited name shows and a deleted contact sends nothing),
sends a DM with the ``contact_nudge`` template and schedules the next nudge.

Privacy: nothing here logs; contact fields travel only between the store and templates.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Mapping
from dataclasses import asdict, replace
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from bot.boundary import ConversationRef, Reply
from bot.dialog.state import ref_from_json, ref_to_list
from bot.flow.actions import ActionContext, ActionRegistry
from bot.render.markup import escape
from bot.render.templates import TemplateRenderer
from bot.store import Contact, ContactBook, Job, JobQueue, JobSpec

__all__ = (
    "CADENCES",
    "KEEP_IN_TOUCH",
    "KeepInTouchJobs",
    "NudgeStore",
    "add_months",
    "keep_in_touch_key",
    "register_contact_actions",
)

KEEP_IN_TOUCH = "keep_in_touch"
# The relationship flow's cadence choice ids; "off" means no nudges.
CADENCES: Mapping[str, int | None] = {"m3": 3, "m4": 4, "m6": 6, "off": None}
EDITABLE_FIELDS = ("name", "agency", "specialty", "reach", "notes", "cadence")
_EMPTY_ANSWERS = frozenset({"none", "no", "-", "n/a", "na", "nothing", "skip"})
# A nudge is never sooner than this after saving, even when the last contact was long ago.
_MIN_FIRST_NUDGE = timedelta(days=1)


def add_months(moment: datetime, months: int) -> datetime:
    """The same day and time ``months`` later (the month's last day when it is shorter)."""
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def keep_in_touch_key(user_key: str, contact_id: int) -> str:
    return f"{KEEP_IN_TOUCH}:{user_key}:{contact_id}"


def first_nudge_at(contact: Contact, now: datetime) -> datetime | None:
    """When to suggest the first note: a cadence after the last contact (or after now)."""
    if contact.cadence_months is None:
        return None
    due = add_months(contact.last_contact_at or now, contact.cadence_months)
    return max(due, now + _MIN_FIRST_NUDGE).astimezone(UTC)


def nudge_job(ref: ConversationRef, user_key: str, contact_id: int, due_at: datetime) -> JobSpec:
    return JobSpec(
        kind=KEEP_IN_TOUCH,
        due_at=due_at,
        user_key=user_key,
        conversation_key=ref.key,
        payload={"ref": ref_to_list(ref), "contact_id": contact_id},
        job_key=keep_in_touch_key(user_key, contact_id),
    )


def contact_view(contact: Contact, number: int = 0) -> dict[str, Any]:
    """A contact as template values (``number`` is its place in the user's list, from 1)."""
    view = {
        k: v
        for k, v in asdict(contact).items()
        if k not in ("user_key", "created_at", "updated_at")
    }
    view["last_contact_at"] = (
        contact.last_contact_at.isoformat() if contact.last_contact_at else None
    )
    view["number"] = number
    return view


class NudgeStore(ContactBook, JobQueue, Protocol):
    """The store ports the nudge job uses: the contact it is about, and the next nudge."""


class KeepInTouchJobs:
    """The ``keep_in_touch`` job handler for :attr:`bot.dialog.engine.Engine.job_handlers`."""

    def __init__(
        self, store: NudgeStore, renderer: TemplateRenderer, clock: Callable[[], datetime]
    ) -> None:
        self.store, self.renderer, self.clock = store, renderer, clock

    async def __call__(self, job: Job) -> tuple[ConversationRef, list[Reply]]:
        ref = ref_from_json(job.payload["ref"])
        contact = await self.store.get_contact(job.user_key, int(job.payload["contact_id"]))
        if contact is None or contact.cadence_months is None:
            return ref, []  # deleted or switched off since: nothing to say, nothing to plan
        text = self.renderer.render(
            platform=ref.platform,
            context={"contact": contact_view(contact)},
            seed=job.id,
            template="contact_nudge",
        )
        # From now, not from the due time: after downtime the next nudge still waits a cadence.
        next_at = add_months(self.clock(), contact.cadence_months).astimezone(UTC)
        await self.store.schedule_jobs((nudge_job(ref, job.user_key, contact.id, next_at),))
        return ref, [Reply(text, destination="dm")]


# -- actions -----------------------------------------------------------------------------------


def register_contact_actions(registry: ActionRegistry) -> None:
    registry.register(
        "save_contact",
        inputs=("name", "agency", "specialty", "reach", "notes", "cadence"),
        outputs=("contact_id", "next_nudge"),
        description="Save a new recruiter contact and plan its keep-in-touch nudges.",
    )(save_contact)
    registry.register(
        "list_contacts",
        outputs=("contacts", "count", "summary"),
        description="The user's recruiter contacts: a list, how many, and a numbered summary.",
    )(list_contacts)
    registry.register(
        "find_contact",
        inputs=("query",),
        outputs=("found", "contact"),
        description="Find one of the user's contacts by its number in the list or its name.",
    )(find_contact)
    registry.register(
        "update_contact",
        inputs=("contact_id", "field", "value"),
        outputs=("contact", "next_nudge"),
        description=f"Change one field of a contact: one of {', '.join(EDITABLE_FIELDS)}.",
    )(update_contact)
    registry.register(
        "delete_contact",
        inputs=("contact_id",),
        outputs=("deleted",),
        description="Delete a contact and its keep-in-touch nudges.",
    )(delete_contact)


def _text(value: object) -> str:
    text = "" if value is None else str(value).strip()
    return "" if text.lower() in _EMPTY_ANSWERS else text


def _cadence(value: object) -> int | None:
    if str(value) not in CADENCES:
        raise ValueError(f"unknown cadence; use one of {', '.join(CADENCES)}")
    return CADENCES[str(value)]


def _plan(ctx: ActionContext, contact: Contact) -> str | None:
    """Schedule (or cancel) the contact's nudges; the first nudge's time, ISO, or None."""
    due = first_nudge_at(contact, ctx.now)
    if due is None:
        ctx.cancel(keep_in_touch_key(ctx.user_key, contact.id))
        return None
    ctx.schedule(nudge_job(ctx.conversation, ctx.user_key, contact.id, due))
    return due.isoformat()


async def save_contact(ctx: ActionContext, inputs: Mapping[str, object]) -> Mapping[str, object]:
    contact = Contact(
        user_key=ctx.user_key,
        name=str(inputs["name"]).strip(),
        agency=_text(inputs["agency"]),
        specialty=_text(inputs["specialty"]),
        reach=_text(inputs["reach"]),
        notes=_text(inputs["notes"]),
        cadence_months=_cadence(inputs["cadence"]),
        last_contact_at=ctx.now.astimezone(UTC),  # they are saving it because they just talked
    )
    contact = replace(contact, id=await ctx.store.save_contact(contact))
    return {"contact_id": contact.id, "next_nudge": _plan(ctx, contact)}


async def list_contacts(ctx: ActionContext, inputs: Mapping[str, object]) -> Mapping[str, object]:
    contacts = await ctx.store.list_contacts(ctx.user_key)
    views = [contact_view(c, n) for n, c in enumerate(contacts, start=1)]
    return {"contacts": views, "count": len(views), "summary": _summary(views)}


def _summary(views: list[dict[str, Any]]) -> str:
    """A numbered list in neutral markup, every value escaped (the flow shows it with
    ``{{ summary | markup }}``)."""
    lines = []
    for view in views:
        extra = ", ".join(escape(str(view[k])) for k in ("agency", "specialty") if view[k])
        lines.append(
            f"- {view['number']}. **{escape(view['name'])}**" + (f" ({extra})" if extra else "")
        )
    return "\n".join(lines)


async def find_contact(ctx: ActionContext, inputs: Mapping[str, object]) -> Mapping[str, object]:
    contacts = await ctx.store.list_contacts(ctx.user_key)
    match = _match(contacts, str(inputs["query"]))
    if match is None:
        return {"found": False, "contact": None}
    return {"found": True, "contact": contact_view(contacts[match], match + 1)}


def _match(contacts: list[Contact], query: str) -> int | None:
    """The index of the contact ``query`` names: a number in the list, the whole name, or a
    part of exactly one name."""
    wanted = query.strip().lstrip("#").rstrip(".").casefold()
    if wanted.isdigit():
        index = int(wanted) - 1
        return index if 0 <= index < len(contacts) else None
    names = [c.name.casefold() for c in contacts]
    if wanted in names:
        return names.index(wanted)
    partial = [i for i, name in enumerate(names) if wanted and wanted in name]
    return partial[0] if len(partial) == 1 else None


async def update_contact(ctx: ActionContext, inputs: Mapping[str, object]) -> Mapping[str, object]:
    contact = await _own_contact(ctx, inputs["contact_id"])
    field, value = str(inputs["field"]), inputs["value"]
    if field not in EDITABLE_FIELDS:
        raise ValueError(f"unknown contact field; use one of {', '.join(EDITABLE_FIELDS)}")
    contact = _changed(contact, field, value)
    await ctx.store.save_contact(contact)
    next_nudge = _plan(ctx, contact) if field == "cadence" else None
    ids = [c.id for c in await ctx.store.list_contacts(ctx.user_key)]
    return {"contact": contact_view(contact, ids.index(contact.id) + 1), "next_nudge": next_nudge}


def _changed(contact: Contact, field: str, value: object) -> Contact:
    if field == "cadence":
        return replace(contact, cadence_months=_cadence(value))
    if field == "name":
        return replace(contact, name=str(value).strip())
    if field == "agency":
        return replace(contact, agency=_text(value))
    if field == "specialty":
        return replace(contact, specialty=_text(value))
    if field == "reach":
        return replace(contact, reach=_text(value))
    return replace(contact, notes=_text(value))


async def delete_contact(ctx: ActionContext, inputs: Mapping[str, object]) -> Mapping[str, object]:
    contact_id = int(str(inputs["contact_id"]))
    deleted = await ctx.store.delete_contact(ctx.user_key, contact_id)
    ctx.cancel(keep_in_touch_key(ctx.user_key, contact_id))
    return {"deleted": deleted}


async def _own_contact(ctx: ActionContext, contact_id: object) -> Contact:
    contact = await ctx.store.get_contact(ctx.user_key, int(str(contact_id)))
    if contact is None:
        raise LookupError("that contact is not one of this user's contacts")
    return contact
