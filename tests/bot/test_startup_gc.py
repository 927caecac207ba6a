"""The collector runs rarely during start-up and as usual once the coach is open (bot.startup)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot import startup
from bot.app import open_coach
from bot.config import Settings


@pytest.fixture(autouse=True)
def thresholds() -> Iterator[tuple[int, ...]]:
    startup.end()
    before = gc.get_threshold()
    yield before
    startup.end()
    gc.set_threshold(*before)


def test_begin_raises_the_young_threshold_and_end_puts_it_back(
    thresholds: tuple[int, ...],
) -> None:
    startup.end()  # without begin: nothing to put back
    assert gc.get_threshold() == thresholds
    startup.begin()
    startup.begin()  # twice: the first saved thresholds are kept
    assert gc.get_threshold()[0] >= startup.START_THRESHOLD
    assert gc.get_threshold()[1:] == thresholds[1:]
    startup.end()
    assert gc.get_threshold() == thresholds


async def test_open_coach_ends_the_start_up_setting(
    thresholds: tuple[int, ...], tmp_path: Path
) -> None:
    startup.begin()
    coach = await open_coach(Settings(data_dir=tmp_path, database_url="memory://"))
    try:
        assert gc.get_threshold() == thresholds  # a running worker collects as usual
    finally:
        await coach.close()


def test_the_command_line_begins_it_and_ends_it_on_return(
    monkeypatch: pytest.MonkeyPatch, thresholds: tuple[int, ...]
) -> None:
    import bot.cli.main

    seen: list[tuple[int, ...]] = []

    def command(argv: list[str]) -> int:
        seen.append(gc.get_threshold())
        return 0

    monkeypatch.setattr(bot.cli.main, "_main", command)
    assert bot.cli.main.main([]) == 0
    assert seen[0][0] >= startup.START_THRESHOLD  # raised while the command ran
    assert gc.get_threshold() == thresholds  # and put back when it returned
