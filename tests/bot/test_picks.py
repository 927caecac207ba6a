"""Several options in one message ("1, 2 and 4"), and choice labels that are words."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.answers.parse import Invalid, Parsed, Unparsed, parse_answer
from bot.app import build_actions, load_content
from bot.flow.model import AskStep, ChoiceOption, Rule

NOW = datetime(2026, 11, 23, tzinfo=UTC)
OPTIONS = (
    ChoiceOption("pay", "Pay and benefits", match=("pay", "money")),
    ChoiceOption("growth", "Growth and learning", match=("growth",)),
    ChoiceOption("manager", "Manager and team", match=("boss",)),
    ChoiceOption("balance", "Work-life balance", match=("hours",)),
    ChoiceOption("mission", "Mission and purpose"),
)
UP_TO_THREE = Rule(max=3)


def picks(text: str) -> object:
    return parse_answer("choice", text, rule=UP_TO_THREE, now=NOW, choices=OPTIONS)


@pytest.mark.parametrize(
    ("text", "ids"),
    [
        ("1, 2 and 4", ["pay", "growth", "balance"]),
        ("1 2 4", ["pay", "growth", "balance"]),
        ("4; 1 & 2", ["balance", "pay", "growth"]),
        ("pay and growth", ["pay", "growth"]),
        ("Manager and team, 1", ["manager", "pay"]),
        ("Pay and benefits and Work-life balance", ["pay", "balance"]),
        ("boss, hours or money", ["manager", "balance", "pay"]),
        ("Mission and purpose", ["mission"]),
        ("3", ["manager"]),
        ("2 and 2", ["growth"]),
    ],
)
def test_up_to_three_in_one_message(text: str, ids: list[str]) -> None:
    outcome = picks(text)
    assert isinstance(outcome, Parsed)
    assert outcome.value == ids


@pytest.mark.parametrize("text", ["pay and bananas", "7", "", "and", "1, 2, and something"])
def test_a_part_that_names_nothing_is_not_read(text: str) -> None:
    assert isinstance(picks(text), Unparsed)


def test_more_than_three_is_refused_with_the_count() -> None:
    outcome = picks("1, 2, 3 and 4")
    assert isinstance(outcome, Invalid)
    assert "no more than 3" in outcome.reason


def test_a_single_choice_is_still_one_id() -> None:
    outcome = parse_answer("choice", "2", rule=Rule(), now=NOW, choices=OPTIONS)
    assert isinstance(outcome, Parsed) and outcome.value == "growth"


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(min_value=1, max_value=5), min_size=1, max_size=3, unique=True),
    st.sampled_from([", ", " and ", " & ", " ", "; "]),
)
def test_numbers_in_any_order_with_any_joiner(numbers: list[int], joiner: str) -> None:
    outcome = picks(joiner.join(map(str, numbers)))
    assert isinstance(outcome, Parsed)
    assert outcome.value == [OPTIONS[n - 1].id for n in numbers]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_any_text_is_read_or_refused_never_raises(text: str) -> None:
    outcome = picks(text)
    assert isinstance(outcome, Parsed | Unparsed | Invalid)
    if isinstance(outcome, Parsed):
        assert isinstance(outcome.value, list)
        assert 1 <= len(outcome.value) <= 3


def test_a_long_message_is_refused_quickly() -> None:
    assert isinstance(picks("pay and " * 5000), Unparsed)


def test_no_shipped_choice_is_labelled_with_a_bare_number() -> None:
    _, registry = load_content(
        Path(__file__).resolve().parents[2] / "dialogs", actions=build_actions()
    )
    bare = [
        f"{flow.id}.{step.id}: {option.label!r}"
        for flow in registry.flows.values()
        for step in flow.steps.values()
        if isinstance(step, AskStep)
        for option in step.choices
        if not any(ch.isalpha() for ch in option.label)
    ]
    assert bare == []
