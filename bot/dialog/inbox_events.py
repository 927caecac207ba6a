"""What the durable inbox (:mod:`bot.dialog.inbox`) stores of an event: the platform's stamp as
text that sorts, and the :class:`~bot.boundary.Incoming` as JSON."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from bot.boundary import Command, Incoming, UserInfo
from bot.dialog.state import ref_from_json, ref_to_json

__all__ = ("decimal_stamp", "incoming_from_json", "incoming_to_json", "integer_stamp")


# -- stamps: the platform's order, as text that sorts -------------------------------------------


def decimal_stamp(value: str) -> str:
    """A Slack ``ts`` (``"1733329483.000200"``) as text that sorts as the moments do."""
    try:
        number = Decimal(value)
    except InvalidOperation:
        number = Decimal(0)
    if not number.is_finite() or number < 0:
        number = Decimal(0)
    whole, _, fraction = f"{number:.6f}".partition(".")
    return f"{int(whole):015d}.{fraction}"


def integer_stamp(value: int) -> str:
    """A Discord snowflake (or any non-negative id that grows with time) as text that sorts."""
    return f"{max(value, 0):020d}"


# -- the event as JSON ---------------------------------------------------------------------------


def incoming_to_json(incoming: Incoming) -> dict[str, Any]:
    user = incoming.user
    return {
        "conversation": ref_to_json(incoming.conversation),
        "text": incoming.text,
        "choice_token": incoming.choice_token,
        "form": None if incoming.form is None else [list(pair) for pair in incoming.form],
        "command": None
        if incoming.command is None
        else [incoming.command.name, incoming.command.args],
        "timeout_token": incoming.timeout_token,
        "event_id": incoming.event_id,
        "received_at": incoming.received_at.isoformat(),
        "user": [user.display_name, user.locale, user.time_zone],
    }


def incoming_from_json(data: dict[str, Any]) -> Incoming:
    form = data.get("form")
    command = data.get("command")
    name, locale, zone = data.get("user") or (None, None, None)
    received = datetime.fromisoformat(data["received_at"])
    return Incoming(
        conversation=ref_from_json(data["conversation"]),
        text=data.get("text"),
        choice_token=data.get("choice_token"),
        form=None if form is None else tuple((str(k), str(v)) for k, v in form),
        command=None if command is None else Command(str(command[0]), str(command[1])),
        timeout_token=data.get("timeout_token"),
        event_id=data.get("event_id"),
        received_at=received if received.tzinfo else received.replace(tzinfo=UTC),
        user=UserInfo(display_name=name, locale=locale, time_zone=zone),
    )
