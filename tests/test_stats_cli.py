"""``recruiter-coach stats``: per-step funnel counts, with line numbers, as a table or JSON."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from bot.cli.main import main
from bot.cli.stats import StepStats, step_stats, table
from bot.store import FunnelRow, TurnCommit
from bot.store.sql import SqlStore


def seed(url: str) -> None:
    async def run() -> None:
        store = SqlStore(url)
        await store.open()
        funnel = (
            ("forget", "confirm", "started"),
            ("forget", "confirm", "answered"),
            ("forget", "confirm", "started"),
            ("forget", "confirm", "abandoned"),
            ("gone_flow", "old_step", "retried"),
        )
        await store.commit_turn(TurnCommit("c1", "secret-user", {"v": {"x": 1}}, 0, funnel=funnel))
        await store.close()

    asyncio.run(run())


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path / 'coach.db'}"
    seed(url)
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("COACH_DATA_DIR", str(tmp_path))
    return url


def test_json_lists_every_step_with_its_line_and_counts(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["stats", "--json", "--flow", "forget", "--flow", "gone_flow"]) == 0
    rows = json.loads(capsys.readouterr().out)

    confirm = next(r for r in rows if r["step"] == "confirm")
    assert confirm == {
        "flow": "forget",
        "step": "confirm",
        "line": 9,
        "started": 2,
        "answered": 1,
        "retried": 0,
        "abandoned": 1,
    }
    assert [r["step"] for r in rows if r["flow"] == "forget"] == [
        "confirm",
        "erase",
        "erased",
        "kept",
    ]
    assert rows[-1] == {
        "flow": "gone_flow",
        "step": "old_step",
        "line": None,
        "started": 0,
        "answered": 0,
        "retried": 1,
        "abandoned": 0,
    }


def test_the_table_holds_no_user_content(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["stats"]) == 0
    out = capsys.readouterr().out
    assert "secret-user" not in out
    header, *lines = out.splitlines()
    assert header.split() == [
        "flow",
        "step",
        "line",
        "started",
        "answered",
        "retried",
        "abandoned",
    ]
    confirm = next(line for line in lines if line.startswith("forget ") and " confirm " in line)
    assert confirm.split() == ["forget", "confirm", "9", "2", "1", "0", "1"]


def test_flows_are_separated_and_numbers_aligned() -> None:
    stats = [
        StepStats("a", "one", 3, started=10),
        StepStats("a", "two", 12, started=7, answered=5),
        StepStats("b", "x", None, retried=1),
    ]
    assert table(stats).splitlines() == [
        "flow  step  line  started  answered  retried  abandoned",
        "a     one      3       10         0        0          0",
        "a     two     12        7         5        0          0",
        "",
        "b     x        -        0         0        1          0",
    ]


def test_step_stats_without_any_counts_are_zeros() -> None:
    assert step_stats([], [FunnelRow("f", "s", started=1)]) == [StepStats("f", "s", None, 1)]


def test_an_unknown_flow_is_named_with_the_known_ones(tmp_path, monkeypatch, capsys) -> None:
    from bot.cli.main import main

    monkeypatch.setenv("COACH_DATA_DIR", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    assert main(["stats", "--flow", "nope"]) == 2
    err = capsys.readouterr().err
    assert "no flow called nope" in err and "recruiter_called" in err
