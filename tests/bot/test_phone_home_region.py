"""A phone number typed the way the person's own country writes it is read in that country (the
country of their time zone): "07911 123456" in London was refused for its missing +44. One that
could belong elsewhere ("415 555 0100" typed in Berlin) still asks for the country code, rather
than being read as a German number."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.answers.parse import Parsed, Unparsed, parse_answer
from bot.answers.zones import zone_country
from bot.flow.model import Rule

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)


def phone(text: str, zone: str | None) -> object:
    return parse_answer("phone", text, rule=Rule(), now=NOW, time_zone=zone)


@pytest.mark.parametrize(
    ("text", "zone", "e164"),
    [
        ("07911 123456", "Europe/London", "+447911123456"),
        ("030 1234567", "Europe/Berlin", "+49301234567"),
        ("415 555 0100", "America/New_York", "+14155550100"),
        ("(415) 555-0100", "America/Los_Angeles", "+14155550100"),
        ("+1 415 555 0100", "Europe/Berlin", "+14155550100"),
        ("0044 7911 123456", "Europe/Berlin", "+447911123456"),
    ],
)
def test_a_national_number_is_read_in_the_persons_country(text: str, zone: str, e164: str) -> None:
    result = phone(text, zone)
    assert isinstance(result, Parsed) and result.value == e164


@pytest.mark.parametrize(
    ("text", "zone"),
    [
        ("415 555 0100", "Europe/Berlin"),  # a valid German number too: not a guess to make
        ("07911 123456", "America/New_York"),
        ("07911 123456", "UTC"),
        ("07911 123456", None),
    ],
)
def test_a_number_that_may_be_from_elsewhere_asks_for_its_country_code(
    text: str, zone: str | None
) -> None:
    result = phone(text, zone)
    assert isinstance(result, Unparsed) and "country code" in result.reason


def test_zones_name_their_country() -> None:
    assert zone_country("Europe/London") == "GB" and zone_country("Asia/Kolkata") == "IN"
    assert zone_country("UTC") is None and zone_country(None) is None
