"""The shipped dialogs: lint-clean, every transcript passes, every step covered, docs current.

When a flow changes, run ``recruiter-coach flows lint``, ``recruiter-coach flows test`` and
``recruiter-coach flows graph dialogs/flows/recruiter_called.yaml --out docs/flows --format svg
--format png`` and commit what they ask for.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.flowtools.casefile import load_cases
from bot.flowtools.graph import mermaid
from bot.flowtools.lint import Dialogs, lint, load_dialogs
from bot.flowtools.transcript import CaseResult, Coverage, run_cases

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "dialogs"


@pytest.fixture(scope="module")
def shipped() -> Dialogs:
    return load_dialogs(SHIPPED)


@pytest.fixture(scope="module")
def transcripts(shipped: Dialogs) -> tuple[list[CaseResult], Coverage]:
    import asyncio

    cases, problems = load_cases(SHIPPED / "tests")
    assert problems == [], "\n".join(str(p) for p in problems)
    coverage = Coverage()
    # A module-scoped fixture cannot use pytest-asyncio's function-scoped loop: run our own.
    results = asyncio.run(run_cases(shipped, cases, coverage))
    return results, coverage


def test_the_shipped_flows_lint_without_errors_or_warnings(shipped: Dialogs) -> None:
    report = lint(shipped)
    assert report.problems == [], "\n".join(str(p) for p in report.problems)
    assert report.flow_count == len(shipped.registry.flows) >= 4


def test_every_shipped_transcript_passes(
    transcripts: tuple[list[CaseResult], Coverage],
) -> None:
    results, _ = transcripts
    failures = [r.failure for r in results if r.failure is not None]
    assert failures == [], "\n".join(failures)
    assert len(results) >= 20


@pytest.mark.parametrize("flow_id", ["recruiter_called", "referral", "verify_recruiter", "menu"])
def test_every_step_of_a_shipped_flow_is_covered(
    flow_id: str, shipped: Dialogs, transcripts: tuple[list[CaseResult], Coverage]
) -> None:
    _, coverage = transcripts
    flow = shipped.registry.flows[flow_id]
    assert coverage.missing(flow) == [], coverage.line(flow)


def test_every_loaded_flow_is_fully_covered(
    shipped: Dialogs, transcripts: tuple[list[CaseResult], Coverage]
) -> None:
    _, coverage = transcripts
    partial = [coverage.line(f) for f in shipped.registry.flows.values() if coverage.missing(f)]
    assert partial == []


def test_the_flow_diagram_in_docs_matches_the_yaml(shipped: Dialogs) -> None:
    expected = mermaid(shipped.registry.flows["recruiter_called"])
    docs = ROOT / "docs" / "flows"
    assert (docs / "recruiter_called.mmd").read_text(encoding="utf-8") == expected, (
        "regenerate: recruiter-coach flows graph dialogs/flows/recruiter_called.yaml "
        "--out docs/flows --format svg --format png"
    )
    assert f"```mermaid\n{expected}```" in (docs / "README.md").read_text(encoding="utf-8")


def test_the_drawn_flow_diagram_shows_every_step(shipped: Dialogs) -> None:
    """The SVG is drawn by Graphviz, which the suite does not need; the drawing must still show
    every step of today's flow (regenerate with the command in this module's docstring)."""
    flow = shipped.registry.flows["recruiter_called"]
    drawn = (ROOT / "docs" / "flows" / "recruiter_called.svg").read_text(encoding="utf-8")
    missing = [step_id for step_id in flow.steps if f">{step_id}</text>" not in drawn]
    assert missing == [], "regenerate docs/flows/recruiter_called.svg"
