"""Helpers for the flow tools' tests: run ``flows ...`` in-process and build test folders.

- ``flows_cli("lint", str(path))`` -> (exit code, what was printed), through
  :func:`bot.cli.flows.configure` and :func:`bot.cli.flows.main` on a parser of our own.
- ``shipped_copy()`` -> a copy of the shipped ``dialogs/`` (flows and templates) to break.
- The ``dialogs`` fixture of ``tests/bot/conftest.py`` builds small folders from YAML text.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.cli.flows import configure, main

SHIPPED = Path(__file__).resolve().parents[3] / "dialogs"

FlowsCli = Callable[..., tuple[int, str]]


def run_flows(*argv: str) -> tuple[int, str]:
    parser = argparse.ArgumentParser(prog="recruiter-coach flows")
    configure(parser)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(parser.parse_args(list(argv)))
    return code, out.getvalue()


@pytest.fixture
def flows_cli() -> FlowsCli:
    return run_flows


@pytest.fixture
def shipped_copy(tmp_path: Path) -> Callable[[], Path]:
    def copy() -> Path:
        root = tmp_path / "shipped"
        shutil.copytree(SHIPPED / "flows", root / "flows")
        shutil.copytree(SHIPPED / "templates", root / "templates")
        return root

    return copy
