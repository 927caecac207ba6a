"""Persistent buttons: :class:`discord.ui.DynamicItem` classes whose ``custom_id`` is the state.

discord.py matches the ``custom_id`` of every pressed button against the templates registered
with ``Client.add_dynamic_items``, on any message, sent by any run of the bot. So a button
pressed a week after it was sent, after any number of restarts, still reaches
:class:`ButtonHandler`; the engine then decides whether the question it belongs to is still
open (and answers politely when it is not). Nothing is kept in the view objects themselves.

The handler is found through the client (``interaction.client.buttons``), because discord.py
builds these items itself, from the template, when a press arrives.
"""

from __future__ import annotations

import re
from typing import Any, Protocol, runtime_checkable

import discord

from adapters.discord.convert import CHOICE_PREFIX, FORM_PREFIX, LABEL_PREFIX

__all__ = ("ButtonHandler", "ChoiceButton", "FormButton", "LabelButton", "dynamic_items")

Button = discord.ui.Button[discord.ui.View]
Interaction = discord.Interaction[Any]
_CHOICE = re.compile(re.escape(CHOICE_PREFIX) + r"(?P<token>.+)", re.DOTALL)
_LABEL = re.compile(re.escape(LABEL_PREFIX) + r"(?P<label>.+)", re.DOTALL)
_FORM = re.compile(re.escape(FORM_PREFIX) + r"(?P<token>.+)", re.DOTALL)


class ButtonHandler(Protocol):
    """What a press does; :class:`adapters.discord.handlers.Handlers` implements it."""

    async def choice_pressed(self, interaction: Interaction, token: str) -> None: ...

    async def label_pressed(self, interaction: Interaction, label: str) -> None: ...

    async def form_pressed(self, interaction: Interaction, token: str) -> None: ...


@runtime_checkable
class ButtonHost(Protocol):
    """A client that knows its button handler."""

    @property
    def buttons(self) -> ButtonHandler: ...


def _handler(interaction: Interaction) -> ButtonHandler:
    client = interaction.client
    if not isinstance(client, ButtonHost):
        raise TypeError("persistent buttons need a client with a .buttons handler")
    return client.buttons


class ChoiceButton(discord.ui.DynamicItem[Button], template=_CHOICE):
    """A choice: ``rc:<token>``."""

    def __init__(
        self,
        token: str,
        *,
        label: str = "…",
        style: discord.ButtonStyle = discord.ButtonStyle.secondary,
    ) -> None:
        super().__init__(
            discord.ui.Button(label=label, style=style, custom_id=CHOICE_PREFIX + token)
        )
        self.token = token

    @classmethod
    async def from_custom_id(
        cls,
        interaction: Interaction,
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> ChoiceButton:
        return cls(match["token"])

    async def callback(self, interaction: Interaction) -> None:
        await _handler(interaction).choice_pressed(interaction, self.token)


class LabelButton(discord.ui.DynamicItem[Button], template=_LABEL):
    """A choice whose token did not fit a ``custom_id``: ``rc~:<label>``, sent as typed text."""

    def __init__(
        self,
        text: str,
        *,
        shown: str | None = None,
        style: discord.ButtonStyle = discord.ButtonStyle.secondary,
    ) -> None:
        button: Button = discord.ui.Button(
            label=shown or text, style=style, custom_id=LABEL_PREFIX + text
        )
        super().__init__(button)
        self.text = text  # sent as if typed; ``shown`` is the label fitted to 80 characters

    @classmethod
    async def from_custom_id(
        cls,
        interaction: Interaction,
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> LabelButton:
        return cls(match["label"])

    async def callback(self, interaction: Interaction) -> None:
        await _handler(interaction).label_pressed(interaction, self.text)


class FormButton(discord.ui.DynamicItem[Button], template=_FORM):
    """Opens a form in a modal: ``rcf:<token>``."""

    def __init__(self, token: str, *, label: str = "Fill in") -> None:
        super().__init__(
            discord.ui.Button(
                label=label, style=discord.ButtonStyle.primary, custom_id=FORM_PREFIX + token
            )
        )
        self.token = token

    @classmethod
    async def from_custom_id(
        cls,
        interaction: Interaction,
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> FormButton:
        return cls(match["token"])

    async def callback(self, interaction: Interaction) -> None:
        await _handler(interaction).form_pressed(interaction, self.token)


def dynamic_items() -> tuple[type[discord.ui.DynamicItem[Any]], ...]:
    """Every persistent item class, for ``Client.add_dynamic_items`` at start."""
    return (ChoiceButton, LabelButton, FormButton)
