"""Pure converters: Slack payloads to :class:`~bot.boundary.Incoming` values (no I/O here).

Every person has one private conversation per workspace, shared by ``/recruiter`` (wherever it
is typed) and the DM with the app; its channel is :data:`PRIVATE_CHANNEL`, not a Slack channel
id, so an answer started in a channel can be finished in the DM. A thread in the DM holds a
conversation of its own (``ConversationRef.thread`` is the thread's ``ts``).

Text that Slack sends is Slack-escaped (``&lt;``) and may hold live tokens (``<@U1|ann>``,
``<!channel>``, ``<https://x|y>``): :func:`to_plain_text` turns it into what the person typed,
readable and inert, before it reaches the engine.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import Any, NotRequired, TypedDict
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.app import recruiter_command
from bot.boundary import Command, ConversationRef, Incoming, UserInfo

__all__ = (
    "PRIVATE_CHANNEL",
    "ActionBody",
    "AdminRequest",
    "CommandPayload",
    "MessageEvent",
    "SlackUser",
    "action_conversation",
    "command_to_incoming",
    "delivery_keys",
    "form_values",
    "message_to_incoming",
    "private_conversation",
    "to_command",
    "to_plain_text",
    "to_user_info",
    "user_is_admin",
)

PRIVATE_CHANNEL = "dm"
FORM_DATETIME_FORMAT = "%Y-%m-%d %H:%M"


# -- raw payload shapes (only the keys we read) ------------------------------------------------


class CommandPayload(TypedDict):
    """A slash command (form-encoded; Bolt parses it into this dict)."""

    team_id: str
    user_id: str
    channel_id: str
    text: str
    trigger_id: str
    response_url: str
    api_app_id: NotRequired[str]
    command: NotRequired[str]


class MessageEvent(TypedDict):
    """A ``message`` event (``message.im``)."""

    type: str
    channel: str
    user: NotRequired[str]
    text: NotRequired[str]
    ts: str
    thread_ts: NotRequired[str]
    channel_type: NotRequired[str]
    subtype: NotRequired[str]
    bot_id: NotRequired[str]


class ActionInfo(TypedDict):
    action_id: str
    value: NotRequired[str]
    action_ts: NotRequired[str]


class ActionUser(TypedDict):
    id: str
    team_id: NotRequired[str]


class ActionBody(TypedDict):
    """A ``block_actions`` payload."""

    type: str
    user: ActionUser
    team: NotRequired[dict[str, str] | None]
    actions: list[ActionInfo]
    trigger_id: NotRequired[str]
    container: NotRequired[dict[str, Any]]
    channel: NotRequired[dict[str, str]]
    message: NotRequired[dict[str, Any]]
    response_url: NotRequired[str]


class SlackProfile(TypedDict, total=False):
    display_name: str
    real_name: str


class SlackUser(TypedDict, total=False):
    """``users.info``'s ``user``."""

    id: str
    name: str
    real_name: str
    tz: str
    locale: str
    is_admin: bool
    is_owner: bool
    is_bot: bool
    profile: SlackProfile


# -- conversations -----------------------------------------------------------------------------


def private_conversation(
    team: str | None, user: str, thread: str | None = None
) -> ConversationRef:
    """The person's private conversation in a workspace (or one of its DM threads)."""
    return ConversationRef(
        platform="slack", space=team, channel=PRIVATE_CHANNEL, user=user, thread=thread
    )


def action_conversation(body: ActionBody) -> ConversationRef:
    """The conversation a button belongs to: the DM thread it was posted in, if any."""
    message = body.get("message") or {}
    container = body.get("container") or {}
    thread = message.get("thread_ts")
    # The parent of a thread carries its own ts as thread_ts: it is not inside the thread.
    if container.get("is_ephemeral") or thread == message.get("ts"):
        thread = None
    return private_conversation(_action_team(body), body["user"]["id"], thread)


def _action_team(body: ActionBody) -> str | None:
    team = body.get("team") or {}
    return team.get("id") or body["user"].get("team_id")


# -- incoming events ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AdminRequest:
    """``/recruiter admin ...``: a workspace setting, for admins and owners only."""

    setting: str
    channel: str | None = None  # the channel id given, None when none could be read


_ADMIN = re.compile(r"^admin(?:\s+(?P<setting>\S+))?(?:\s+(?P<rest>.*))?$", re.IGNORECASE | re.S)
_CHANNEL_ARG = re.compile(
    r"^(?:<#(?P<escaped>[CG][A-Z0-9]+)(?:\|[^>]*)?>|#?(?P<raw>[CG][A-Z0-9]{4,}))$"
)


def to_command(text: str, *, knows_topic: Callable[[str], bool]) -> Command | AdminRequest:
    """What ``/recruiter <text>`` asks for.

    ``admin ...``: a workspace setting (Slack's own). Everything else is read by the core's
    :func:`bot.app.recruiter_command`: start, a command word, a topic (``check``), or a question.
    """
    raw = text.strip()
    admin = _ADMIN.match(raw)
    if admin:
        return _admin_request(admin.group("setting") or "", admin.group("rest") or "")
    return recruiter_command(to_plain_text(raw), knows_topic=knows_topic)


def _admin_request(setting: str, rest: str) -> AdminRequest:
    match = _CHANNEL_ARG.match(rest.strip())
    channel = (match.group("escaped") or match.group("raw")) if match else None
    return AdminRequest(setting=setting.lower(), channel=channel)


def command_to_incoming(payload: CommandPayload, command: Command, user: UserInfo) -> Incoming:
    """The engine event for a slash command (its trigger id de-duplicates a re-sent one)."""
    return Incoming(
        conversation=private_conversation(payload["team_id"], payload["user_id"]),
        command=command,
        event_id=f"cmd:{payload['trigger_id']}",
        user=user,
    )


def delivery_keys(body: Mapping[str, Any]) -> tuple[str, ...]:
    """The de-duplication keys of an Events API delivery: its ``event_id`` and, for a message,
    the message itself, ``msg:<team>:<channel>:<ts>``. Slack re-sends a delivery under the same
    ``event_id``, and sometimes delivers one message twice under two ``event_id`` values; a
    ``ts`` is unique within its channel. The first key is the one the engine stores."""
    keys = []
    event = body.get("event")
    if isinstance(event, Mapping) and event.get("type") == "message":
        channel, ts = event.get("channel"), event.get("ts")
        if channel and ts:
            keys.append(f"msg:{body.get('team_id')}:{channel}:{ts}")
    if body.get("event_id"):
        keys.append(str(body["event_id"]))
    return tuple(keys)


def message_to_incoming(
    event: MessageEvent, *, team: str | None, event_id: str | None, user: UserInfo
) -> Incoming | None:
    """The engine event for a DM to the app; None for edits, bots and other noise."""
    if event.get("subtype") or event.get("bot_id") or "user" not in event:
        return None
    text = to_plain_text(event.get("text", "")).strip()
    if not text:
        return None
    thread = event.get("thread_ts")
    return Incoming(
        conversation=private_conversation(team, event["user"], thread),
        text=text,
        event_id=event_id,
        received_at=_from_ts(event["ts"]),
        user=user,
    )


def _from_ts(ts: str) -> datetime:
    try:
        return datetime.fromtimestamp(float(ts), UTC)
    except (TypeError, ValueError, OverflowError):
        return datetime.now(UTC)


# -- forms -------------------------------------------------------------------------------------


def form_values(
    state: Mapping[str, Mapping[str, Mapping[str, Any]]], *, time_zone: str | None
) -> tuple[tuple[str, str], ...]:
    """A modal's ``view.state.values`` as (field name, value) pairs for ``Incoming.form``.

    The block id is the field name. A date-time picker gives UNIX seconds: they become
    ``YYYY-MM-DD HH:MM`` in the person's zone, the way they would type it.
    """
    values: list[tuple[str, str]] = []
    for name, actions in state.items():
        for element in actions.values():
            values.append((name, _element_value(element, time_zone)))
    return tuple(values)


def _element_value(element: Mapping[str, Any], time_zone: str | None) -> str:
    if element.get("type") == "datetimepicker":
        seconds = element.get("selected_date_time")
        return "" if seconds is None else format_picked_time(int(seconds), time_zone)
    option = element.get("selected_option")
    if isinstance(option, Mapping):
        return str(option.get("value", ""))
    value = element.get("value")
    return "" if value is None else str(value)


def format_picked_time(seconds: int, time_zone: str | None) -> str:
    """UNIX seconds from a date-time picker, as local time in ``time_zone`` (UTC if unknown)."""
    try:
        zone: tzinfo = ZoneInfo(time_zone) if time_zone else UTC
    except (ZoneInfoNotFoundError, ValueError):
        zone = UTC
    return datetime.fromtimestamp(seconds, UTC).astimezone(zone).strftime(FORM_DATETIME_FORMAT)


# -- users -------------------------------------------------------------------------------------


def to_user_info(user: SlackUser) -> UserInfo:
    """What the engine may know of a Slack user: a name, the locale and the IANA time zone."""
    profile = user.get("profile") or {}
    name = profile.get("display_name") or user.get("real_name") or profile.get("real_name")
    return UserInfo(
        display_name=name or user.get("name") or None,
        locale=user.get("locale") or None,
        time_zone=user.get("tz") or None,
    )


def user_is_admin(user: SlackUser) -> bool:
    """Workspace admins and owners may change workspace settings."""
    return bool(user.get("is_admin") or user.get("is_owner"))


# -- text --------------------------------------------------------------------------------------

_TOKEN = re.compile(r"<([^<>]*)>")
_ENTITIES = (("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&"))


def to_plain_text(text: str) -> str:
    """Slack message text as the person wrote it: tokens read as text, entities decoded.

    ``<@U1|ann>`` -> ``@ann``, ``<#C1|jobs>`` -> ``#jobs``, ``<!here>`` -> ``@here``,
    ``<https://x|label>`` -> ``label (https://x)``, but a link Slack made of what was typed is
    what was typed: ``<mailto:a@b.com|a@b.com>`` -> ``a@b.com``. The result goes to the engine
    as plain text; renderers escape it again, so nothing in it can become live.
    """
    plain = _TOKEN.sub(_token_text, text)
    for entity, char in _ENTITIES:  # &amp; last, so "&amp;lt;" stays "&lt;"
        plain = plain.replace(entity, char)
    return plain


def _token_text(match: re.Match[str]) -> str:
    target, _, label = match.group(1).partition("|")
    if target[:1] in ("@", "#"):
        return target[0] + (label or target[1:])
    if target.startswith("!"):
        name = target[1:].split("^")[0]
        return "@" + (label.lstrip("@") if label else name)
    if label and label != target and not _autolinked(target, label):
        return f"{label} ({target})"  # a masked link shows where it really goes
    return label or target.removeprefix("mailto:")


_AUTOLINK_SCHEMES = ("mailto:", "tel:", "http://", "https://")


def _autolinked(target: str, label: str) -> bool:
    """Whether Slack made the link itself from what the person typed: an address
    (``<mailto:a@b.com|a@b.com>``), a number or a bare domain (``<http://x.com|x.com>``). Then
    the label is what they wrote; "a@b.com (mailto:a@b.com)" was no e-mail address."""
    if target.startswith("tel:"):  # <tel:+14155550100|+1 415 555 0100>
        return _digits(target) == _digits(label) != ""
    return any(target == scheme + label for scheme in _AUTOLINK_SCHEMES)


def _digits(text: str) -> str:
    return "".join(c for c in text if c.isdigit())
