"""Through the real client and the fake Discord: a choice whose token travels as a short
stand-in reaches the engine as its token (and after a restart shows the question again); a
form of more than 5 fields is filled in two modals and reaches the engine whole; a select's
answer is read."""

from __future__ import annotations

from typing import Any

import pytest

from adapters.discord.convert import short_token
from adapters.discord.handlers import PART_SAVED
from bot.boundary import Form, FormField, Incoming, Reply
from tests.adapters.discord.conftest import BotHarness
from tests.adapters.discord.fake_discord import FakeDiscord
from tests.adapters.discord.payloads import BOT, message_payload, press, submit
from tests.adapters.discord.test_discord_handlers import (
    DM,
    STALE,
    TIME_ZONE,
    USER,
    dm_conversation_started,
    interact,
    is_callback,
)


@pytest.fixture
async def client(bot: BotHarness, fake_discord: FakeDiscord) -> Any:
    fake_discord.dm_channels[USER] = DM
    return await bot.login()


async def test_a_short_token_reaches_the_engine_as_its_token(bot: BotHarness, client: Any) -> None:
    first = await dm_conversation_started(bot)
    token = first.custom_ids()[0].removeprefix("rc:")
    short = short_token(token)
    client.sender.forms.put_token(USER, short, token)  # as the sender does for a long token
    pressed = press("rc:" + short, user_id=USER, message=_shown("rc:" + short), dm_channel=DM)
    followup, _ = await interact(bot, pressed)
    assert TIME_ZONE in followup.content


async def test_after_a_restart_a_short_token_shows_the_question_again(
    bot: BotHarness, client: Any
) -> None:
    first = await dm_conversation_started(bot)
    short = short_token(first.custom_ids()[0].removeprefix("rc:"))
    await bot.close_client()
    await bot.login()  # the stand-ins it sent are not in memory any more
    pressed = press("rc:" + short, user_id=USER, message=_shown("rc:" + short), dm_channel=DM)
    followup, _ = await interact(bot, pressed)
    assert "can you talk" in followup.content.lower() and STALE not in followup.content
    assert followup.custom_ids()  # the question's buttons, fresh


def _shown(*custom_ids: str) -> dict[str, Any]:
    """A message of the bot's that holds buttons with these ids (discord.py looks them up)."""
    buttons = [{"type": 2, "style": 2, "label": "b", "custom_id": i} for i in custom_ids]
    return message_payload(DM, {"components": [{"type": 1, "components": buttons}]}, author=BOT)


def _select(name: str, value: str) -> dict[str, Any]:
    return {"type": 18, "component": {"type": 3, "custom_id": name, "values": [value]}}


async def test_a_form_of_seven_fields_is_filled_in_two_modals(
    bot: BotHarness, client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    texts = [FormField(f"f{n}", f"Field {n}") for n in range(6)]
    fields = (*texts, FormField("agree", "Agree?", kind="yesno"))
    form = Form("Long form", fields, token="9.abcdef.~form")
    seen: list[Incoming] = []
    handle = client.coach.engine.handle

    async def spy(incoming: Incoming, *, durable: bool = False) -> list[Reply]:
        seen.append(incoming)
        return await handle(incoming, durable=durable)

    monkeypatch.setattr(client.coach.engine, "handle", spy)
    client.sender.forms.put(USER, form)  # as sending the reply that offers it does
    first_button = "rcf:" + form.token
    opened, _ = await interact(
        bot,
        press(first_button, user_id=USER, message=_shown(first_button), dm_channel=DM),
        is_callback,
    )
    first = opened.body["data"]
    assert first["custom_id"] == "rcm:" + form.token and first["title"].endswith("(1/2)")
    assert [c["component"]["custom_id"] for c in first["components"]] == [
        f"f{n}" for n in range(5)
    ]
    part_one = submit(
        first["custom_id"], {f"f{n}": f"v{n}" for n in range(5)}, user_id=USER, dm_channel=DM
    )
    saved, _ = await interact(bot, part_one, is_callback)
    message = saved.body["data"]
    assert saved.body["type"] == 4 and message["content"] == PART_SAVED.format(done=1, parts=2)
    next_id = message["components"][0]["components"][0]["custom_id"]
    assert next_id == "rcf:1/" + form.token
    assert seen == []  # nothing reached the engine yet

    opened, _ = await interact(
        bot, press(next_id, user_id=USER, message=_shown(next_id), dm_channel=DM), is_callback
    )
    second = opened.body["data"]
    assert second["custom_id"] == "rcm:1/" + form.token and second["title"].endswith("(2/2)")
    kinds = [c["component"]["type"] for c in second["components"]]
    assert kinds == [4, 3]  # a text input, then the yes/no select
    part_two = submit(second["custom_id"], {"f5": "v5"}, user_id=USER, dm_channel=DM)
    part_two["data"]["components"].append(_select("agree", "yes"))
    await interact(bot, part_two)
    (incoming,) = seen
    assert incoming.choice_token == form.token
    assert dict(incoming.form or ()) == {**{f"f{n}": f"v{n}" for n in range(6)}, "agree": "yes"}
