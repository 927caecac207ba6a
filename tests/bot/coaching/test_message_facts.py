"""The facts in a pasted recruiter message: addresses, links, numbers, what they ask for."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.boundary import ConversationRef
from bot.coaching.message_actions import check_message
from bot.coaching.message_facts import (
    MAX_EACH,
    MessageFacts,
    check_inputs,
    extract,
    looks_like_message,
)
from bot.flow.actions import ActionContext
from bot.store.memory import MemoryStore

SCAM = (
    "Hi! I'm Dana from Acme hiring. Write to me at acme.hr.team@gmail.com or call "
    "+1 415 555 0132, or see https://acme-careers.xyz/apply. You're hired, no interview "
    "needed! Please pay the $60 training fee and send your SSN."
)


def test_a_scam_message_gives_its_address_link_number_and_asks() -> None:
    facts = extract(SCAM)
    assert facts.emails == ("acme.hr.team@gmail.com",)
    assert facts.links == ("https://acme-careers.xyz/apply",)
    assert facts.phones == ("+1 415 555 0132",)
    assert set(facts.asks) == {"money", "data", "offer"}
    assert "money or a fee" in facts.ask_words


def test_the_domain_of_an_address_is_not_a_link_and_trailing_dots_go() -> None:
    facts = extract("Mail jo@firm.com. Or visit www.firm.com/jobs.")
    assert facts.emails == ("jo@firm.com",)
    assert facts.links == ("www.firm.com/jobs",)


def test_a_plain_message_has_no_facts() -> None:
    assert extract("Thanks for your time today, talk soon.").empty


def test_the_check_gets_the_first_of_each_and_the_whole_text() -> None:
    inputs = check_inputs(SCAM)
    assert inputs == {
        "asked_for": SCAM,
        "email": "acme.hr.team@gmail.com",
        "website": "https://acme-careers.xyz/apply",
        "phone": "+1 415 555 0132",
    }


def _context() -> ActionContext:
    return ActionContext(
        conversation=ConversationRef("console", "c", "u"),
        now=datetime(2026, 11, 23, tzinfo=UTC),
        time_zone="UTC",
        store=MemoryStore(),
    )


def test_the_action_runs_the_legitimacy_check_on_the_message() -> None:
    out = asyncio.run(check_message(_context(), {"message": SCAM}))
    assert out["is_message"] is True
    assert out["risk"] == "high"
    assert out["emails"] == ["acme.hr.team@gmail.com"]
    assert "money or a fee" in out["asks"]  # type: ignore[operator]


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=400))
def test_any_text_gives_facts_that_are_in_it(text: str) -> None:
    facts = extract(text)
    assert isinstance(facts, MessageFacts)
    for item in (*facts.emails, *facts.links):
        assert item in text
    for group in (facts.emails, facts.links, facts.phones):
        assert len(group) <= MAX_EACH


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.sampled_from(["a@b.io", "x.org", "\ud800", "😀", "\uff20", "https://t.co/x"]),
        max_size=30,
    ),
    st.integers(min_value=0, max_value=60_000),
)
def test_hostile_and_huge_text_is_fine(parts: list[str], padding: int) -> None:
    text = " ".join(parts) + " " + "y" * padding
    facts = extract(text)
    inputs = check_inputs(text, facts)
    inputs["asked_for"].encode("utf-8")  # no lone surrogate reaches the check
    assert len(inputs["asked_for"]) <= 5000


def test_a_few_words_without_facts_are_no_message() -> None:
    assert not looks_like_message("not sure really")
    assert looks_like_message("pay the fee")  # short, but it asks for money
    assert looks_like_message("jo@firm.com")
    assert looks_like_message("Could we talk on Thursday about the role please")
    out = asyncio.run(check_message(_context(), {"message": "hmm"}))
    assert out == {"is_message": False}
