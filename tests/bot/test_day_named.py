"""The day or time someone typed for a call ("Tuesday 12:30", "on Thursday", "tomorrow"), read
to find that call among theirs: a moment, a day, or nothing (never a guess)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.answers.datetimes import read_day_or_time

NOW = datetime(2026, 12, 5, 20, 0, tzinfo=UTC)  # Saturday 5 December, 20:00 in London


@pytest.mark.parametrize(
    ("text", "meant"),
    [
        ("Tuesday 12:30", datetime(2026, 12, 8, 12, 30, tzinfo=UTC)),
        ("on Tuesday at 12:30", datetime(2026, 12, 8, 12, 30, tzinfo=UTC)),
        ("tomorrow at 6pm", datetime(2026, 12, 6, 18, 0, tzinfo=UTC)),
        ("Tuesday", date(2026, 12, 8)),
        ("on Thursday", date(2026, 12, 10)),
        ("tomorrow", date(2026, 12, 6)),
        ("tonight", date(2026, 12, 5)),
        ("8 Dec", date(2026, 12, 8)),
    ],
)
def test_a_day_or_a_moment_is_read_in_the_users_zone(text: str, meant: date) -> None:
    found = read_day_or_time(text, NOW, "Europe/London")
    assert found == meant and type(found) is type(meant)


@pytest.mark.parametrize(
    "text", ["", "skip", "soon", "whenever", "next week", "31 Feb", "tomorrow after lunch"]
)
def test_what_names_no_day_is_none(text: str) -> None:
    assert read_day_or_time(text, NOW, "Europe/London") is None


def test_the_day_is_the_users_day() -> None:
    late = datetime(2026, 12, 6, 3, 0, tzinfo=UTC)  # Saturday 22:00 in New York
    assert read_day_or_time("tomorrow", late, "America/New_York") == date(2026, 12, 6)
    assert read_day_or_time("tomorrow", late, "Europe/London") == date(2026, 12, 7)
