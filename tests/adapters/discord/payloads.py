"""Gateway and REST payloads as Discord sends them: users, messages, and what a user does
(a slash command, a button press, a modal submission, a DM). Ids are real snowflakes whose time
is now, so ``created_at`` and ``received_at`` are realistic."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any

import discord

APP_ID = 1100000000000000001
BOT = {"id": str(APP_ID), "username": "coach", "discriminator": "0", "avatar": None, "bot": True}
GUILD_ID = 1200000000000000001
GUILD_CHANNEL_ID = 1200000000000000002
REFERRAL_CHANNEL_ID = 1200000000000000003
_ids = itertools.count(1)


def snowflake() -> int:
    """A new id whose timestamp is now (``received_at`` comes from it)."""
    return discord.utils.time_snowflake(datetime.now(UTC)) + next(_ids) % 4096


def user(user_id: int, name: str = "sam") -> dict[str, Any]:
    return {"id": str(user_id), "username": name, "discriminator": "0", "avatar": None,
            "global_name": name.title()}  # fmt: skip


def app_info() -> dict[str, Any]:
    return {"id": str(APP_ID), "name": "Recruiter Coach", "description": "", "icon": None,
            "bot_public": True, "bot_require_code_grant": False, "owner": user(1, "owner"),
            "verify_key": "00", "flags": 0, "summary": ""}  # fmt: skip


def message_payload(
    channel_id: int, body: dict[str, Any] | None, *, author: dict[str, Any]
) -> dict[str, Any]:
    body = body or {}
    return {
        "id": str(snowflake()),
        "channel_id": str(channel_id),
        "author": author,
        "content": body.get("content") or "",
        "timestamp": datetime.now(UTC).isoformat(),
        "edited_timestamp": None,
        "tts": False,
        "mention_everyone": False,
        "mentions": [],
        "mention_roles": [],
        "attachments": [],
        "embeds": body.get("embeds") or [],
        "components": body.get("components") or [],
        "pinned": False,
        "type": 0,
        "flags": body.get("flags") or 0,
    }


# -- what users do --------------------------------------------------------------------------------


def _interaction(
    kind: int,
    data: dict[str, Any],
    *,
    user_id: int,
    dm_channel: int | None,
    permissions: int = 0,
    guild_id: int = GUILD_ID,
    **extra: Any,
) -> dict[str, Any]:
    """An INTERACTION_CREATE payload: in the bot's DM when ``dm_channel``, else in the guild."""
    interaction_id = snowflake()
    payload: dict[str, Any] = {
        "id": str(interaction_id),
        "application_id": str(APP_ID),
        "type": kind,
        "token": f"token-{interaction_id}",
        "version": 1,
        "data": data,
        "locale": "en-GB",
        "attachment_size_limit": 8 * 1024 * 1024,
        "entitlements": [],
        "app_permissions": "0",
        **extra,
    }
    if dm_channel is not None:
        payload.update(_in_dm(user_id, dm_channel))
    else:
        payload.update(_in_guild(user_id, permissions, guild_id))
    return payload


def _in_dm(user_id: int, channel_id: int) -> dict[str, Any]:
    return {
        "context": 1,
        "user": user(user_id),
        "channel": {"id": str(channel_id), "type": 1, "recipients": [user(user_id)]},
        "channel_id": str(channel_id),
        "authorizing_integration_owners": {"1": str(user_id)},
    }


def _in_guild(user_id: int, permissions: int, guild_id: int = GUILD_ID) -> dict[str, Any]:
    member = {
        "user": user(user_id),
        "roles": [],
        "joined_at": "2024-01-01T00:00:00+00:00",
        "deaf": False,
        "mute": False,
        "permissions": str(permissions),
        "flags": 0,
    }
    channel = {"id": str(GUILD_CHANNEL_ID), "type": 0, "guild_id": str(guild_id),
               "name": "general", "position": 0, "permission_overwrites": []}  # fmt: skip
    return {
        "context": 0,
        "guild_id": str(guild_id),
        "guild_locale": "en-US",
        "member": member,
        "channel": channel,
        "channel_id": str(GUILD_CHANNEL_ID),
        "authorizing_integration_owners": {"0": str(guild_id)},
    }


def slash(
    *, user_id: int, dm_channel: int | None = None, guild_id: int = GUILD_ID, **options: str
) -> dict[str, Any]:
    """``/recruiter`` with string options (in ``guild_id`` unless ``dm_channel``)."""
    data = {
        "id": "1300000000000000001",
        "name": "recruiter",
        "type": 1,
        "options": [{"type": 3, "name": name, "value": value} for name, value in options.items()],
    }
    return _interaction(2, data, user_id=user_id, dm_channel=dm_channel, guild_id=guild_id)


def admin_referral_channel(
    *, user_id: int, channel_id: int = REFERRAL_CHANNEL_ID, manage_guild: bool = True
) -> dict[str, Any]:
    """``/recruiter-admin referral-channel channel:<id>`` in the guild."""
    channel = {"id": str(channel_id), "type": 0, "name": "referrals", "guild_id": str(GUILD_ID),
               "permissions": "0", "position": 1, "parent_id": None}  # fmt: skip
    data = {
        "id": "1300000000000000002",
        "name": "recruiter-admin",
        "type": 1,
        "options": [
            {"type": 1, "name": "referral-channel",
             "options": [{"type": 7, "name": "channel", "value": str(channel_id)}]}
        ],
        "resolved": {"channels": {str(channel_id): channel}},
    }  # fmt: skip
    return _interaction(
        2, data, user_id=user_id, dm_channel=None, permissions=32 if manage_guild else 0
    )


def press(
    custom_id: str,
    *,
    user_id: int,
    message: dict[str, Any],
    dm_channel: int | None = None,
    guild_id: int = GUILD_ID,
) -> dict[str, Any]:
    """A press of the button ``custom_id`` on ``message``."""
    data = {"custom_id": custom_id, "component_type": 2}
    return _interaction(
        3, data, user_id=user_id, dm_channel=dm_channel, message=message, guild_id=guild_id
    )


def submit(
    custom_id: str, values: dict[str, str], *, user_id: int, dm_channel: int | None = None
) -> dict[str, Any]:
    """A modal submission: one text input per value, inside labels (type 18)."""
    components = [
        {"type": 18, "component": {"type": 4, "custom_id": name, "value": value}}
        for name, value in values.items()
    ]
    data = {"custom_id": custom_id, "components": components}
    return _interaction(5, data, user_id=user_id, dm_channel=dm_channel)


def dm(text: str, *, user_id: int, channel_id: int) -> dict[str, Any]:
    """A MESSAGE_CREATE for text typed in the DM channel."""
    return message_payload(channel_id, {"content": text}, author=user(user_id))
