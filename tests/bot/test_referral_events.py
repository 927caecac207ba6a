"""Referral events go through ``Coach.handle`` like every other event (issue 11): the admin's
channel setting, a card's posted message id and clicks on a card, on a real SQLite store.

What the board answers says where it goes with the boundary types alone: the card edit carries
``Reply.replaces``, the sharer's notice ``Reply.to``, the clicker's thanks neither."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import REFERRAL_CHANNEL_COMMAND, REFERRAL_POSTED, Coach, open_coach
from bot.boundary import Command, ConversationRef, Incoming, UserInfo
from bot.coaching.referrals import Opportunity
from bot.config import Settings

SHARER = ConversationRef("discord", "D-sharer", "U-sharer", space="G1")
KIM = ConversationRef("discord", "C-ref", "U-kim", space="G1")
ADMIN = ConversationRef("discord", "C-admin", "U-admin", space="G1")


@pytest.fixture
async def coach(tmp_path: Path) -> AsyncIterator[Coach]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'coach.db'}"
    opened = await open_coach(Settings(data_dir=tmp_path, database_url=url))
    yield opened
    await opened.close()


def command(where: ConversationRef, name: str, args: str) -> Incoming:
    return Incoming(conversation=where, command=Command(name, args))


async def test_the_admin_setting_is_an_event(coach: Coach) -> None:
    assert await coach.handle(command(ADMIN, REFERRAL_CHANNEL_COMMAND, "C-ref")) == []
    assert await coach.referrals.referral_channel("discord", "G1") == "C-ref"
    assert await coach.handle(command(ADMIN, REFERRAL_CHANNEL_COMMAND, "off")) == []
    assert await coach.referrals.referral_channel("discord", "G1") is None
    # Outside any server there is nothing to set: an apology, nothing saved, no conversation.
    nowhere = ConversationRef("discord", "D-admin", "U-admin")
    (apology,) = await coach.handle(command(nowhere, REFERRAL_CHANNEL_COMMAND, "C-ref"))
    assert apology.text and apology.to is None
    assert await coach.store.load_conversation(ADMIN.key) is None


async def test_a_card_click_is_an_event_whose_replies_say_where_they_go(coach: Coach) -> None:
    await coach.handle(command(ADMIN, REFERRAL_CHANNEL_COMMAND, "C-ref"))
    referral = await coach.referrals.share(SHARER, Opportunity(role="Data engineer"))
    card = coach.referrals.card(referral, "C-ref")
    assert card.to is not None and (card.to.channel, card.to.space) == ("C-ref", "G1")
    posted = command(SHARER, REFERRAL_POSTED, f"{referral.id} C-ref 1700.01")
    assert await coach.handle(posted) == []
    stored = await coach.store.get_referral(referral.id)
    assert stored is not None and (stored.channel, stored.message_id) == ("C-ref", "1700.01")

    click = Incoming(
        conversation=KIM,
        choice_token=f"ref:{referral.id}:interested",
        user=UserInfo(display_name="Kim"),
    )
    edit, thanks, notice = await coach.handle(click)
    assert edit.replaces == f"referral:{referral.id}" and edit.to is None
    assert edit.card is not None and ("Interested", "1") in edit.card.fields
    assert thanks.replaces is None and thanks.to is None and thanks.visibility == "private"
    assert notice.to == SHARER and notice.destination == "dm" and notice.replaces is None
    assert "Kim" in notice.text  # only the sharer learns who answered
    assert "Kim" not in edit.text + thanks.text

    # Clicking again: the card and a private note, no second notice.
    again = await coach.handle(click)
    assert [reply.replaces is not None for reply in again] == [True, False]
    assert all(reply.to is None for reply in again)
    # A click is not a turn of anyone's conversation.
    assert await coach.store.load_conversation(KIM.key) is None


async def test_a_click_on_a_card_that_is_gone_only_answers_the_clicker(coach: Coach) -> None:
    (thanks,) = await coach.handle(Incoming(conversation=KIM, choice_token="ref:999:interested"))
    assert thanks.to is None and thanks.replaces is None and thanks.text


async def test_other_events_are_turns_as_before(coach: Coach) -> None:
    replies = await coach.handle(Incoming(conversation=SHARER, text="start"))
    assert replies and all(reply.replaces is None and reply.to is None for reply in replies)
    assert await coach.store.load_conversation(SHARER.key) is not None
