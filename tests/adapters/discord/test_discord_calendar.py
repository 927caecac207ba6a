"""The callback's calendar file on Discord: attached to the answer in the DM (the real
discord.py client's multipart upload to the fake Discord), read back by icalendar at the agreed
time in the person's zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar

from tests.adapters.discord.conftest import BotHarness
from tests.adapters.discord.fake_discord import FakeDiscord
from tests.adapters.discord.payloads import dm
from tests.adapters.discord.test_discord_e2e import DM, USER, event, fill_the_form


def has_file(request: object) -> bool:
    return bool(getattr(request, "files", None)) and getattr(request, "method", "") == "POST"


async def test_a_scheduled_callback_attaches_its_calendar_file(
    bot: BotHarness, fake_discord: FakeDiscord
) -> None:
    fake = fake_discord
    fake.dm_channels[USER] = DM
    await bot.start()

    def dm_post(r: object) -> bool:
        return getattr(r, "path", "") == f"/channels/{DM}/messages"

    await event(fake, "MESSAGE_CREATE", dm("hi", user_id=USER, channel_id=DM), dm_post)
    mark = fake.mark()
    await fake.dispatch("MESSAGE_CREATE", dm("at work", user_id=USER, channel_id=DM))
    await fake.wait_for(lambda r: dm_post(r) and "which city" in r.content.lower(), after=mark)
    offer = await event(fake, "MESSAGE_CREATE", dm("Berlin", user_id=USER, channel_id=DM),
                        lambda r: dm_post(r) and bool(r.custom_ids()))  # fmt: skip
    mark = fake.mark()
    await fill_the_form(fake, offer)
    upload = await fake.wait_for(has_file, after=mark)
    [(name, content)] = upload.files.items()
    assert name.endswith(".ics") and "Add to calendar" in upload.content
    (vevent,) = Calendar.from_ical(content).walk("VEVENT")
    start = vevent["DTSTART"].dt
    berlin = ZoneInfo("Europe/Berlin")
    tomorrow = (datetime.now(UTC).astimezone(berlin) + timedelta(days=1)).date()
    assert start == datetime.combine(tomorrow, datetime.min.time(), berlin).replace(
        hour=18, minute=30
    )
    assert str(start.tzinfo) == "Europe/Berlin"
