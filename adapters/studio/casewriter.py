"""Save as a test: the studio's conversation as a transcript test, and running the tests.

The file written is an ordinary ``<dialogs>/tests/*.yaml`` case (see
:mod:`bot.flowtools.casefile`): the start, the clock and zone, the platform, and per turn what
the author did, the first words the coach answered, its buttons and the step it waited at. A
jump to a reminder cannot be written (transcript tests only time questions out), so a
conversation with one is saved up to it and the result says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from adapters.studio.session import Record, StudioSession
from bot.app import to_plain
from bot.flowtools.casefile import load_cases
from bot.flowtools.transcript import Coverage, run_cases

__all__ = ("Saved", "case_data", "run_tests", "save_case")

_EXPECT_CHARS = 60


@dataclass(frozen=True, slots=True)
class Saved:
    path: Path
    note: str | None  # turns left out, and why
    failures: list[str]
    coverage: list[str]


def case_data(session: StudioSession, name: str) -> tuple[dict[str, Any], str | None]:
    """The case as YAML-ready data, and a note when some turns could not be written."""
    case: dict[str, Any] = {"name": name, "flow": session.entry_flow()}
    if session.start.step:
        case["start"] = session.start.step
    if session.start.slots:
        case["slots"] = dict(session.start.slots)
    case["time_zone"] = session.time_zone or None
    case["now"] = (session.now - session.clock_moved).isoformat()
    case["platform"] = session.platform
    turns: list[dict[str, Any]] = []
    note = None
    for number, record in enumerate(session.records, start=1):
        turn = _turn(record)
        if turn is None:
            note = f"turn {number} jumped to a {record.job_kind}: saved the turns before it"
            break
        turns.append(turn)
    case["turns"] = turns
    return case, note


def _turn(record: Record) -> dict[str, Any] | None:
    turn: dict[str, Any]
    kind, value = record.turn.kind, record.turn.value
    if kind == "jump":
        if record.job_kind != "ask_timeout":
            return None
        turn = {"timeout": True}
    elif kind == "form":
        turn = {"form": dict(value) if isinstance(value, tuple) else {}}
    else:
        turn = {kind: value}
    expected = _first_words(record)
    if expected:
        turn["bot"] = [expected]
    if record.replies:
        turn["choices"] = [choice.label for choice in record.replies[-1].choices]
    turn["step"] = record.at
    return turn


def _first_words(record: Record) -> str:
    """The start of the first line the coach said: enough to notice a changed reply."""
    for reply in record.replies:
        for line in to_plain(reply.text).splitlines():
            if line.strip():
                return _words(line.strip())
    return ""


def _words(line: str) -> str:
    """At most _EXPECT_CHARS characters, cut between words."""
    if len(line) <= _EXPECT_CHARS:
        return line
    cut = line[: _EXPECT_CHARS + 1].rsplit(" ", 1)[0]
    return (cut if cut != line[: _EXPECT_CHARS + 1] else line[:_EXPECT_CHARS]).rstrip()


def save_case(session: StudioSession, name: str) -> tuple[Path, str | None]:
    """Write the conversation to a new file in ``<dialogs>/tests``; its path and the note."""
    data, note = case_data(session, name)
    folder = session.root / "tests"
    folder.mkdir(parents=True, exist_ok=True)
    stem = "studio_" + (re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_") or "case")
    path = folder / f"{stem}.yaml"
    number = 2
    while path.exists():
        path = folder / f"{stem}_{number}.yaml"
        number += 1
    header = "# Saved from the flow studio (recruiter-coach flows studio); edit freely.\n"
    text = yaml.safe_dump([data], sort_keys=False, allow_unicode=True, width=99)
    path.write_text(header + text, encoding="utf-8")
    return path, note


async def run_tests(
    session: StudioSession, only: Path | None = None
) -> tuple[list[str], list[str]]:
    """Run the folder's transcript tests (or one file's): failures, and coverage per flow."""
    cases, problems = load_cases(session.root / "tests")
    if only is not None:
        cases = [c for c in cases if Path(c.path).resolve() == only.resolve()]
        problems = [p for p in problems if Path(p.path).resolve() == only.resolve()]
    coverage = Coverage()
    results = await run_cases(session.dialogs, cases, coverage)
    failures = [str(p) for p in problems] + [r.failure for r in results if r.failure]
    passed = sum(r.passed for r in results)
    summary = f"{passed} passed, {len(results) - passed} failed"
    lines = [summary] + [coverage.line(f) for f in session.dialogs.registry.flows.values()]
    return failures, lines
