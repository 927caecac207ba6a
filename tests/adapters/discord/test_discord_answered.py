"""A pressed question's buttons are disabled (the pressed one green) on Discord, in the DM and
in a server's private answer, with the real discord.py client against the fake Discord."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import discord
import pytest

from adapters.discord.answered import answered_view
from tests.adapters.discord.conftest import BotHarness
from tests.adapters.discord.fake_discord import FakeDiscord, Request
from tests.adapters.discord.payloads import BOT, message_payload, press, slash

USER = 4545
DM = 1500000000000000021


def is_followup(request: Request) -> bool:
    return request.method == "POST" and request.path.startswith("/webhooks/")


def is_original_edit(request: Request) -> bool:
    return request.method == "PATCH" and request.path.endswith("/messages/@original")


@pytest.fixture
async def client(bot: BotHarness, fake_discord: FakeDiscord) -> Any:
    fake_discord.dm_channels[USER] = DM
    return await bot.login()


async def interact(bot: BotHarness, payload: dict[str, Any], until: Any) -> Request:
    mark = bot.fake.mark()
    bot.feed("INTERACTION_CREATE", payload)
    return await bot.fake.wait_for(until, after=mark)


def buttons(payload: dict[str, Any]) -> list[dict[str, Any]]:
    return [c for row in payload.get("components") or [] for c in row.get("components", [])]


async def test_a_pressed_questions_buttons_are_disabled_and_the_answer_marked(
    bot: BotHarness, client: Any
) -> None:
    question = await interact(
        bot, slash(user_id=USER, dm_channel=DM), lambda r: is_followup(r) and r.custom_ids()
    )
    first = question.custom_ids()[0]
    message = message_payload(DM, question.payload, author=BOT)
    edit = await interact(bot, press(first, user_id=USER, message=message, dm_channel=DM),
                          is_original_edit)  # fmt: skip
    edited = buttons(edit.payload)
    assert edited and all(b.get("disabled") for b in edited)
    pressed = [b for b in edited if b.get("custom_id") == first]
    assert pressed and pressed[0]["style"] == discord.ButtonStyle.success.value
    # the answer itself was sent before the buttons changed
    assert any(is_followup(r) for r in bot.fake.requests[-6:])


def test_a_message_without_components_is_left_alone(bot: BotHarness) -> None:
    bare = SimpleNamespace(components=[])
    assert answered_view(bare, "x") is None  # type: ignore[arg-type]
