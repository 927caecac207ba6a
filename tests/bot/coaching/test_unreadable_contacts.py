"""Every contact detail that cannot be read is named in the chat summary, whichever field it is.

The e-mail used to be the only one: an unreadable website or LinkedIn answer was silently left
out, so the person believed it had been checked. Walks every contact input of the
``check_legitimacy`` action (the one the chat flow runs) with unreadable and readable values.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.coaching.legitimacy import RecruiterReport, check_recruiter
from bot.coaching.legitimacy_actions import INPUTS, check_legitimacy
from bot.coaching.unreadable import CONTACT_NAMES
from bot.render.markup import to_plain

# action input -> (an answer the rules cannot read, one they can)
ANSWERS = {
    "email": ("jane@", "jane@acme.com"),
    "phone": ("call the office", "+1 415 555 0100"),
    "website": ("acme dot com", "https://acme.com/jobs"),
    "linkedin": ("yes I have it", "https://www.linkedin.com/in/jane-roe"),
}
NAMES = {"email": "e-mail address", "phone": "phone number", "website": "website"}
NAMES["linkedin"] = "LinkedIn link"


def summary(**inputs: str) -> str:
    outputs = asyncio.run(check_legitimacy(None, {"company": "Acme", **inputs}))  # type: ignore[arg-type]
    return to_plain(str(outputs["summary"]))


def test_every_contact_input_of_the_action_is_covered() -> None:
    contact_inputs = {name for name, field in INPUTS.items() if field in CONTACT_NAMES}
    assert contact_inputs == set(ANSWERS)


@pytest.mark.parametrize("field", sorted(ANSWERS))
def test_an_unreadable_contact_is_named_in_the_summary(field: str) -> None:
    bad, _ = ANSWERS[field]
    shown = summary(**{field: bad}, asked_for="Can we talk tomorrow?")
    assert "Not checked:" in shown
    assert f"I couldn't read the {NAMES[field]} (“{bad}”), so it wasn't checked." in shown


@pytest.mark.parametrize("field", sorted(ANSWERS))
def test_a_readable_contact_gets_no_note(field: str) -> None:
    _, good = ANSWERS[field]
    assert "Not checked:" not in summary(**{field: good}, asked_for="Can we talk tomorrow?")


def test_all_four_unreadable_are_each_named_once_in_the_order_asked() -> None:
    shown = summary(**{field: bad for field, (bad, _) in ANSWERS.items()})
    positions = [shown.index(f"the {NAMES[field]} (") for field in ANSWERS]
    assert positions == sorted(positions) and shown.count("wasn't checked") == 4


def test_a_skipped_contact_is_not_unreadable() -> None:
    assert "Not checked:" not in summary(email="skip", website="-", linkedin="none", phone="n/a")


def test_the_command_line_report_names_them_too() -> None:
    from bot.coaching.legitimacy_text import report_markup

    result = check_recruiter(RecruiterReport(website="acme dot com", linkedin_url="yes"))
    assert "Not checked:" in report_markup(result) and len(result.unreadable) == 2


@given(st.text(max_size=80))
def test_a_note_never_breaks_on_odd_text(value: str) -> None:
    for field in CONTACT_NAMES:
        fields: dict[str, Any] = {field: value}
        result = check_recruiter(RecruiterReport(**fields))
        assert all("wasn't checked" in note for note in result.unreadable)
        assert len(result.unreadable) <= 1
