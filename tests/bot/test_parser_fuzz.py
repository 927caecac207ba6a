# ruff: noqa: RUF001  (fullwidth look-alike characters are what these tests are about)
"""Every typed-ask parser reads any text without raising: fullwidth and other NFKC traps,
odd brackets, huge numbers, mixed scripts. Fullwidth input means its ASCII twin."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.answers.parse import Invalid, Parsed, Unparsed, parse_answer
from bot.answers.zones import parse_time_zone
from bot.flow.model import ASK_KINDS, ChoiceOption, Rule

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("America/New_York"))
CHOICES = (ChoiceOption("at_work", "I'm at work", match=("busy",)), ChoiceOption("free", "Free"))
RULES = {"scale": Rule(min=1, max=5), "number": Rule(min=0, max=1e6)}
PICKS = Rule(max=2)  # a choice that takes up to two answers
PATTERN = Rule(pattern=r"[A-Z]{2}\d{4}", pattern_message="Like AB1234.")
TRAPS = [
    "a＠b", "＠", "．", "：／／", "ｈｔｔｐｓ：／／", "ｅｘａｍｐｌｅ", "１２", "０", "＋",
    "℀", "℁",
    "ﬁ", "İ", "ß", "ǅ", "½", "²", "𝟓", "٣", "ⅷ", "\u2024", "\u3002", "\uff0e", "[", "]", "[::1]",
    "http://", "https://", "mailto:", "tel:", "@", "@@", ".", ":", "/", "%", "%00", "xn--",
    "e", "1e999", "-", "nan", "inf", " ", "\u200b", "\u202e", "🎉", "tomorrow", "18:30", "yes",
]  # fmt: skip
HOSTILE = st.one_of(
    st.lists(st.sampled_from(TRAPS), max_size=12).map("".join),
    st.text(max_size=60),
)


@pytest.mark.parametrize("kind", ASK_KINDS)
@settings(max_examples=250, deadline=None)
@given(text=HOSTILE)
def test_no_parser_raises_on_any_text(kind: str, text: str) -> None:
    for rule in (RULES.get(kind, Rule()), PICKS if kind == "choice" else PATTERN):
        outcome = parse_answer(
            kind, text, rule=rule, now=NOW, time_zone="Europe/Berlin", choices=CHOICES
        )
        assert isinstance(outcome, Parsed | Unparsed | Invalid)
        if not isinstance(outcome, Parsed):
            assert outcome.reason.strip()  # something polite to show, never empty


@settings(max_examples=300, deadline=None)
@given(text=HOSTILE)
def test_time_zone_answers_never_raise(text: str) -> None:
    zone = parse_time_zone(text)
    assert zone is None or isinstance(zone, str)


@pytest.mark.parametrize(
    ("kind", "typed", "value"),
    [
        ("email", "ａ＠ｅｘａｍｐｌｅ．ｃｏｍ", "a@example.com"),
        ("url", "ｈｔｔｐｓ：／／ｅｘａｍｐｌｅ．ｃｏｍ", "https://example.com"),
        ("number", "１２３", 123),
        ("scale", "４", 4),
        ("yesno", "ｙｅｓ", True),
        ("phone", "＋１ ４１５ ５５５ ０１００", "+14155550100"),
    ],
)
def test_fullwidth_answers_mean_their_ascii_twins(kind: str, typed: str, value: object) -> None:
    outcome = parse_answer(kind, typed, rule=RULES.get(kind, Rule()), now=NOW)
    assert outcome == Parsed(value, outcome.display) if isinstance(outcome, Parsed) else False


def test_unreadable_addresses_get_a_polite_reason() -> None:
    email = parse_answer("email", "a＠b", rule=Rule(), now=NOW)
    url = parse_answer("url", "a＠b", rule=Rule(), now=NOW)
    assert isinstance(email, Invalid) and "doesn't look right" in email.reason
    assert isinstance(url, Unparsed) and "doesn't look like a web address" in url.reason
    assert parse_answer("text", "ａ＠ｂ", rule=Rule(), now=NOW) == Parsed("ａ＠ｂ", "ａ＠ｂ")
