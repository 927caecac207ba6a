"""The referral board: cards that name nobody, private answers, counts, closing."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.boundary import ConversationRef
from bot.coaching.referrals import Opportunity, ReferralBoard, parse_token
from bot.render.markup import to_plain
from bot.render.templates import TemplateRenderer
from bot.store import Store

TEMPLATES = Path(__file__).resolve().parents[2] / "dialogs" / "templates"
SHARER = ConversationRef("slack", "D-sharer", "U-sharer", space="T1")
ALEX = ConversationRef("slack", "C-ref", "U-alex", space="T1")
KIM = ConversationRef("slack", "C-ref", "U-kim", space="T1")
ROLE = Opportunity("Data engineer", "Senior", "Remote (EU)", "Python, SQL")


@pytest.fixture
def board(any_store: Store) -> ReferralBoard:
    return ReferralBoard(any_store, TemplateRenderer(template_dirs=[TEMPLATES]))


def card_text(reply) -> str:
    fields = " ".join(f"{k}: {v}" for k, v in reply.card.fields)
    return f"{reply.card.title} {fields} {to_plain(reply.text)}"


async def test_the_referral_channel_is_a_space_setting(board: ReferralBoard) -> None:
    assert await board.referral_channel("slack", "T1") is None
    await board.set_referral_channel("slack", "T1", "C-ref")
    assert await board.referral_channel("slack", "T1") == "C-ref"
    assert await board.referral_channel("discord", "T1") is None


async def test_a_card_names_nobody_and_offers_three_buttons(board: ReferralBoard) -> None:
    referral = await board.share(SHARER, ROLE)
    reply = board.card(referral)

    assert reply.destination == "referral_channel" and reply.visibility == "conversation"
    assert reply.card is not None and reply.card.key == f"referral:{referral.id}"
    assert reply.card.title == "Data engineer"
    assert dict(reply.card.fields) == {
        "Level": "Senior",
        "Location": "Remote \\(EU\\)",  # neutral markup: escaped like any user value
        "Skills": "Python, SQL",
        "Interested": "0",
        "Know someone": "0",
    }
    assert [(c.id, c.label, c.token, c.style) for c in reply.choices] == [
        ("interested", "I'm interested", f"ref:{referral.id}:interested", "primary"),
        ("know_someone", "I know someone", f"ref:{referral.id}:know_someone", "default"),
        ("close", "Close", f"ref:{referral.id}:close", "danger"),
    ]
    text = card_text(reply)
    assert "U-sharer" not in text and "Recruiter" not in text
    assert "Remote (EU)" in to_plain(reply.text)


async def test_the_recruiters_contact_shows_only_when_given(board: ReferralBoard) -> None:
    referral = await board.share(
        SHARER, Opportunity("Designer", recruiter_contact="kim@agency.example")
    )
    reply = board.card(referral)
    assert dict(reply.card.fields)["Recruiter"] == "kim@agency.example"
    assert "Level" not in dict(reply.card.fields)


async def test_user_text_cannot_inject_markup_into_the_card(board: ReferralBoard) -> None:
    referral = await board.share(SHARER, Opportunity("**Boss** [win](https://evil.example)"))
    reply = board.card(referral)
    assert "\\*\\*Boss\\*\\*" in reply.card.title
    assert to_plain(reply.text).startswith("**Boss** [win](https://evil.example)")


async def test_a_dm_outside_any_space_cannot_share(board: ReferralBoard) -> None:
    with pytest.raises(ValueError, match="needs a space"):
        await board.share(ConversationRef("slack", "D1", "U1"), ROLE)


async def test_interest_goes_privately_to_the_sharer(board: ReferralBoard) -> None:
    referral = await board.share(SHARER, ROLE)
    outcome = await board.respond(f"ref:{referral.id}:interested", ALEX, "Alex Doe")

    assert outcome.sharer == SHARER
    assert outcome.notice is not None
    assert outcome.notice.destination == "dm" and outcome.notice.visibility == "private"
    assert "Alex Doe" in outcome.notice.text and "is interested in" in outcome.notice.text
    assert outcome.ack.visibility == "private"
    assert "told the person who shared this" in outcome.ack.text
    assert outcome.card is not None
    assert dict(outcome.card.card.fields)["Interested"] == "1"
    assert "Alex" not in card_text(outcome.card)


async def test_a_display_name_with_a_lone_surrogate_is_cleaned(board: ReferralBoard) -> None:
    referral = await board.share(SHARER, ROLE)
    outcome = await board.respond(f"ref:{referral.id}:interested", ALEX, "Alex\ud800\x00")
    assert outcome.notice is not None and "Alex\ufffd" in outcome.notice.text
    outcome.notice.text.encode("utf-8")  # sendable as JSON to Slack or Discord


async def test_know_someone_counts_and_reminds_to_ask_first(board: ReferralBoard) -> None:
    referral = await board.share(SHARER, ROLE)
    outcome = await board.respond(f"ref:{referral.id}:know_someone", KIM, None)
    assert "ask them first" in outcome.ack.text
    assert outcome.notice is not None and outcome.notice.text.startswith("Someone knows someone")
    assert dict(outcome.card.card.fields)["Know someone"] == "1"
    assert [a.kind for a in await board.answered_by(KIM.user_key)] == ["know_someone"]


async def test_a_repeat_click_is_acknowledged_without_a_notice(board: ReferralBoard) -> None:
    referral = await board.share(SHARER, ROLE)
    await board.respond(f"ref:{referral.id}:interested", ALEX, "Alex")
    again = await board.respond(f"ref:{referral.id}:interested", ALEX, "Alex")

    assert again.notice is None and again.sharer is None
    assert "already answered" in again.ack.text
    assert dict(again.card.card.fields)["Interested"] == "1"


async def test_only_the_sharer_can_close(board: ReferralBoard) -> None:
    referral = await board.share(SHARER, ROLE)
    refused = await board.respond(f"ref:{referral.id}:close", ALEX, "Alex")
    assert "only the person who shared" in refused.ack.text.lower()
    assert refused.card is not None and refused.card.choices != ()

    closed = await board.respond(f"ref:{referral.id}:close", SHARER, "Sam")
    assert closed.ack.text.startswith("Closed.")
    assert closed.card is not None and closed.card.choices == ()
    assert closed.card.card.title == "Closed: Data engineer"
    assert "this opportunity is closed" in closed.card.text.lower()


async def test_a_click_on_a_closed_card_passes_nothing_on(board: ReferralBoard) -> None:
    referral = await board.share(SHARER, ROLE)
    await board.respond(f"ref:{referral.id}:close", SHARER, None)
    late = await board.respond(f"ref:{referral.id}:interested", ALEX, "Alex")
    assert late.notice is None and "closed now" in late.ack.text
    again = await board.respond(f"ref:{referral.id}:close", SHARER, None)
    assert "closed now" in again.ack.text


@pytest.mark.parametrize("token", ["ref:abc:interested", "ref:1:maybe", "nope", "ref:999:close"])
async def test_an_unknown_token_gets_a_polite_answer(board: ReferralBoard, token: str) -> None:
    outcome = await board.respond(token, ALEX, "Alex")
    assert outcome.card is None and outcome.notice is None
    assert "can't find that opportunity" in outcome.ack.text


def test_tokens_parse() -> None:
    assert parse_token("ref:12:know_someone") == (12, "know_someone")
    assert parse_token("ref:12:close") == (12, "close")
    assert parse_token("refx:12:close") is None
    assert parse_token("3.abc.interested") is None


async def test_posted_cards_remember_their_message(board: ReferralBoard) -> None:
    referral = await board.share(SHARER, ROLE)
    await board.record_posted(referral.id, "C-ref", "1700.01")
    [shared] = await board.shared_by(SHARER.user_key)
    assert (shared.channel, shared.message_id) == ("C-ref", "1700.01")
