"""The App Home lists every waiting callback, each with its own time and number, as the person
says the time."""

from __future__ import annotations

from datetime import UTC, datetime

from adapters.slack.home import callback_line
from bot.coaching.home import callbacks_of
from bot.store import Job


def reminder(job_id: int, at: str, phone: str) -> Job:
    return Job(
        id=job_id,
        kind="reminder",
        due_at=datetime.fromisoformat(at).astimezone(UTC),
        user_key="slack:T1:U1",
        conversation_key="slack:T1:D1:-:U1",
        payload={"context": {"at": at, "phone": phone}},
        job_key=f"reminder:slack:T1:D1:-:U1:{at}",
        attempts=0,
    )


def test_two_callbacks_are_both_listed_soonest_first() -> None:
    jobs = [
        reminder(2, "2026-11-26T12:30:00-05:00", "+14155550199"),
        reminder(1, "2026-11-24T18:30:00-05:00", "+14155550100"),
    ]
    assert tuple(map(callback_line, callbacks_of(jobs, "America/New_York"))) == (
        "Tuesday 24 November, 6:30 pm, on +1 415-555-0100",
        "Thursday 26 November, 12:30 pm, on +1 415-555-0199",
    )
