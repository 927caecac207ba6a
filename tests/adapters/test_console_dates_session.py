"""A whole console session, piped, as a person would have it: an ambiguous date confirmed with
its year, two callbacks whose reminders are both kept and listed, and the export read back from
the file the console names."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.answers.parse import Parsed, parse_answer
from bot.flow.model import Rule
from tests.adapters.test_console import run_console

BERLIN = ZoneInfo("Europe/Berlin")


def ambiguous_day(now: datetime) -> datetime:
    """A day ahead whose "dd/mm" is also a date read the other way round ("12/01")."""
    day = now + timedelta(days=10)
    while day.day > 12 or day.day == day.month:
        day += timedelta(days=1)
    return day


def test_two_callbacks_an_ambiguous_date_and_the_export(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    now = datetime.now(BERLIN)
    day = ambiguous_day(now)
    typed = f"{day.day}/{day.month} 18:00"
    read = parse_answer("datetime", typed, rule=Rule(), now=now, time_zone="Europe/Berlin")
    assert isinstance(read, Parsed) and read.confirm
    lines = [
        "start",
        "at work",
        typed,
        "yes",
        "+44 20 7946 0958",
        "restart",
        "at work",
        "tomorrow 9:00",
        "+44 20 7946 0959",
        "1",  # a second call: keep both
        "menu",
        "On the phone now",
        "My callback: see or move it",
        "stop",
        "export",
    ]
    result = run_console(data_dir, lines, TZ="Europe/Berlin")
    out = result.stdout
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in out + result.stderr

    # the guess is confirmed, in full and with its year, before it is used
    assert f"Just to check: {read.display}?" in out
    assert str(day.year) in read.display

    # the second call asks, keeps both, and both are listed
    assert "You already have a recruiter call on" in out
    assert "You have 2 recruiter calls coming up, each with its own reminder" in out
    assert "+44 20 7946 0958" in out and "+44 20 7946 0959" in out

    # the export: a summary, and a file whose path is printed, with readable keys
    assert "Reminders waiting to be sent: 2" in out
    match = re.search(r"The full details are in this file \(JSON\): (\S+\.json)", out)
    assert match is not None, out
    exported = json.loads(Path(match[1]).read_text(encoding="utf-8"))
    assert Path(match[1]).stat().st_mode & 0o077 == 0  # private to the user
    phones = sorted(r["phone_to_be_called_on"] for r in exported["reminders"])
    assert phones == ["+442079460958", "+442079460959"]
    assert exported["time_zone"] == "Europe/Berlin"
    assert out.count("Type forget if you'd like me to erase it.") == 1
