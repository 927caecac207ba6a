"""The public API adapters use (docs/architecture.md): ``Coach`` methods and the ``Home`` read
model, on a real SQLite store, driven through ``Coach.handle`` as an adapter drives it."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.app import (
    AnsweredReferral,
    Callback,
    Coach,
    Home,
    SavedContact,
    SharedReferral,
    open_coach,
)
from bot.boundary import ConversationRef, Incoming, UserInfo
from bot.coaching.referrals import Opportunity
from bot.config import Settings
from bot.store import Contact, UserRecord

ME = ConversationRef(platform="slack", channel="D1", user="U1", space="T1")
ZONE = "America/New_York"


async def say(coach: Coach, text: str) -> None:
    user = UserInfo(display_name="Ana", time_zone=ZONE)
    await coach.handle(Incoming(conversation=ME, text=text, user=user))


@pytest.fixture
async def coach(tmp_path: Path) -> AsyncIterator[Coach]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'coach.db'}"
    opened = await open_coach(Settings(data_dir=tmp_path, database_url=url))
    yield opened
    await opened.close()


async def test_home_lists_callbacks_contacts_and_referrals(coach: Coach) -> None:
    assert await coach.home(ME.user_key, ZONE) == Home()
    assert not await coach.is_running(ME)
    for line in ("start", "at work", "tomorrow 18:30", "+1 415 555 0100"):
        await say(coach, line)
    await coach.store.save_contact(Contact(user_key=ME.user_key, name="Dana", agency="Acme"))
    referral = await coach.referrals.share(ME, Opportunity(role="Staff engineer"))
    other = ConversationRef(platform="slack", channel="D2", user="U2", space="T1")
    await coach.referrals.respond(f"ref:{referral.id}:interested", other, "Bo")
    await coach.referrals.respond(f"ref:{referral.id}:know_someone", ME, "Ana")

    home = await coach.home(ME.user_key, ZONE)
    (callback,) = home.callbacks
    assert isinstance(callback, Callback)
    assert callback.phone == "+1 415-555-0100" and "6:30 pm" in callback.when
    assert home.contacts == (SavedContact("Dana", "Acme", ""),)
    assert home.shared == (SharedReferral(referral.id, "Staff engineer", "open", 1, 1),)
    assert home.answered == (AnsweredReferral(referral.id, "know someone"),)
    with pytest.raises(dataclasses.FrozenInstanceError):
        home.callbacks = ()  # type: ignore[misc]


async def test_is_running_follows_the_conversation(coach: Coach) -> None:
    await say(coach, "start")
    assert await coach.is_running(ME)
    await say(coach, "stop")
    assert not await coach.is_running(ME)


async def test_user_settings_keep_the_time_zone(coach: Coach) -> None:
    assert await coach.user_settings("discord:user:7") == {}
    await coach.store.save_user(UserRecord(ME.user_key, ZONE))  # as the engine keeps a zone
    await coach.save_user_settings(ME.user_key, {"space": "G1"})
    settings = await coach.user_settings(ME.user_key)
    settings["space"] = "changed"  # a copy: the caller cannot change what is stored
    assert await coach.user_settings(ME.user_key) == {"space": "G1"}
    record = await coach.store.load_user(ME.user_key)
    assert record is not None and record.time_zone == ZONE


def test_topics_and_knows_topic_agree(coach: Coach) -> None:
    topics = coach.topics()
    assert topics and all(coach.knows_topic(topic) for topic, _ in topics)
    assert not coach.knows_topic("no-such-topic-" + datetime.now(UTC).isoformat())
