"""An answered question's buttons: disabled, the pressed one green, so an old button cannot be
pressed twice by mistake (the engine would answer a stale press politely; this spares the
confusion). The message keeps its text; only its components change.
"""

from __future__ import annotations

import logging
from typing import Any

import discord

__all__ = ("answered_view", "mark_answered")

log = logging.getLogger(__name__)


def answered_view(message: discord.Message, pressed: str | None) -> discord.ui.View | None:
    """The message's buttons and selects, all disabled; the pressed button green. None when the
    message has no components (nothing to change)."""
    if not message.components:
        return None
    view = discord.ui.View.from_message(message, timeout=None)
    for item in view.children:
        if isinstance(item, discord.ui.Button):
            item.disabled = item.url is None  # a link (the DM's) still works
            if pressed is not None and item.custom_id == pressed:
                item.style = discord.ButtonStyle.success
        elif isinstance(item, discord.ui.Select):
            item.disabled = True
    return view


async def mark_answered(interaction: discord.Interaction[Any]) -> None:
    """Edit the pressed message (the interaction's original, after a deferred update). Never
    raises: the answer has already been sent, and the buttons only guard against a re-press."""
    message = interaction.message
    if message is None or not interaction.response.is_done():
        return
    data: dict[str, Any] = dict(interaction.data or {})
    pressed = data.get("custom_id")
    view = answered_view(message, pressed if isinstance(pressed, str) else None)
    if view is None:
        return
    try:
        await interaction.edit_original_response(view=view)
    except (discord.HTTPException, ValueError) as exc:
        log.warning("could not disable the answered buttons: %s", type(exc).__name__)
