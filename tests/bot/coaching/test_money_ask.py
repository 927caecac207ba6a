"""Any request that the person pay is a red flag and never sits beside "No money asked".

The reviewer's miss was `--asked-for 'they want $50 for training'`: rated low with the good
sign. These tests walk the ways people write such a request (amount forms x verbs x purposes,
payment rails, deposits, "we'll reimburse you") and the sentences that must stay quiet (the
employer pays, a salary, "we cover your travel", "no fee").
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.coaching.legitimacy import LegitimacyResult, RecruiterReport, check_recruiter
from bot.coaching.legitimacy_text import summary_markup
from bot.coaching.money_ask import money_asked
from bot.coaching.rule_catalog import MONEY_RULES
from bot.render.markup import to_plain

AMOUNTS = [
    "$50", "50 USD", "USD 50", "€50", "£50", "50 euros", "fifty dollars", "a hundred dollars",
    "$1,200", "$49.99", "50$", "75 bucks", "Rs. 500",
]  # fmt: skip
PURPOSES = [
    "training", "the equipment", "a laptop", "onboarding", "your certification",
    "the background check", "your visa", "the starter kit", "the software licence",
]  # fmt: skip
TEMPLATES = [
    "They want {amount} for {purpose}.",
    "Please pay {amount} for {purpose} before your first day.",
    "You'll need to send {amount} to cover {purpose}.",
    "Kindly transfer {amount} for {purpose} today.",
    "You must buy {purpose} for {amount} from our partner.",
    "Purchase {purpose} ({amount}) and keep the receipt.",
    "The cost of {purpose} is {amount}, payable before you start.",
    "We need you to cover {amount} for {purpose}.",
    "There is a {amount} fee for {purpose}.",
    "Before we can book you in, {purpose} costs {amount}.",
]
OTHER_ASKS = [
    "A refundable deposit of $100 is required before onboarding.",
    "Pay the registration by gift card and send me the codes.",
    "You can pay the processing fee with Zelle or Cash App.",
    "Send the onboarding payment in bitcoin to the wallet below.",
    "Wire the money to our vendor for your home office setup.",
    "Buy the laptop from our vendor and we'll reimburse you on your first paycheck.",
    "Purchase the software yourself; we'll reimburse you later.",
    "Every new hire covers their own background check, about 45 dollars.",
    "To secure your spot, a small one-time fee applies.",
    "Training materials are 89 euros, due on Monday.",
    "The last step is the certification course, 75 USD, due before orientation.",
    "Your laptop ships once we receive a refundable deposit of €120.",
    "Starter kit (£40) payable on your first day.",
]
QUIET = [
    "Our client pays our fee; it never costs you anything.",
    "The salary is $50 an hour, paid weekly.",
    "The role pays $95,000 a year plus a bonus.",
    "We cover your travel to the final interview.",
    "There is no fee at any stage of the process.",
    "We'll send you a laptop before your first day.",
    "Paid training: $22 an hour for the first two weeks.",
    "You'll get a $500 home-office stipend for equipment.",
    "The company covers the $300 certification once you join.",
    "Our placement fee is paid by the employer, never by you.",
    "We'll pay you $150 for the training day.",
    "We reimburse up to $2,000 a year for courses.",
    "Your relocation package includes $5,000 for moving costs, paid by us.",
    "There is no training fee and no deposit.",
    "You never pay us anything; the hiring company pays the recruiter.",
    "The base pay is $28 per hour, with overtime.",
    "Please send your CV and the certification you mentioned.",
    "Could you share your salary expectations in dollars?",
    "Training, $22 an hour, starts Monday.",
    "Once we receive your signed contract, you'll get $500 for equipment.",
    "The uniform is provided; the $25 deposit is waived for new starters.",
]


def check(text: str) -> LegitimacyResult:
    return check_recruiter(
        RecruiterReport(company="Acme", email="jane.roe@acme.com", asked_for=text)
    )


def assert_flagged(text: str) -> None:
    result = check(text)
    fired = {f.rule_id for f in result.findings}
    assert fired & MONEY_RULES, (text, fired)
    assert result.risk == "high", text
    assert not any(p.rule_id == "P05" for p in result.positives), text
    assert "No money asked" not in to_plain(summary_markup(result)), text


def test_the_reported_miss() -> None:
    assert_flagged("they want $50 for training")


@pytest.mark.parametrize("template", TEMPLATES)
@pytest.mark.parametrize("amount", AMOUNTS)
def test_every_amount_form_and_verb_is_a_request_to_pay(template: str, amount: str) -> None:
    for purpose in PURPOSES:
        assert_flagged(template.format(amount=amount, purpose=purpose))


@pytest.mark.parametrize("text", OTHER_ASKS)
def test_rails_deposits_and_reimbursement_are_requests_to_pay(text: str) -> None:
    assert_flagged(text)


@pytest.mark.parametrize("text", QUIET)
def test_the_employer_paying_or_a_salary_is_no_request(text: str) -> None:
    assert money_asked(text) is None, text
    result = check(f"Hi, I recruit for Acme. {text} Are you free for a call on Tuesday?")
    assert not {f.rule_id for f in result.findings} & MONEY_RULES, text
    assert result.risk == "low", text


@given(
    st.sampled_from(TEMPLATES),
    st.sampled_from(AMOUNTS),
    st.sampled_from(PURPOSES),
    st.sampled_from(["", "Hi Sam! ", "Great news, you passed the screen. ", "Dear candidate, "]),
    st.sampled_from(["", " Reply soon.", " Thanks, Jane", " Let me know if you have questions."]),
    st.booleans(),
)
def test_a_request_in_any_wrapping_and_case_is_flagged(
    template: str, amount: str, purpose: str, before: str, after: str, shout: bool
) -> None:
    text = before + template.format(amount=amount, purpose=purpose) + after
    assert_flagged(text.upper() if shout else text)


@given(st.sampled_from(QUIET), st.sampled_from(QUIET))
def test_two_quiet_sentences_stay_quiet(first: str, second: str) -> None:
    assert money_asked(f"{first} {second}") is None


@given(st.text(max_size=300))
def test_money_asked_never_raises(text: str) -> None:
    found = money_asked(text)
    assert found is None or 0 < len(found) <= 80
