"""The legitimacy check against the hand-labelled corpus: zero false alarms, zero misses.

``legitimacy_corpus.yaml`` holds realistic cases labelled with the verdict a careful human would
give (genuine recruiters of every kind, and scams of every rule). A genuine case rated medium or
high is a false alarm; a scam rated low or unknown is a miss. ``bench/legitimacy_corpus.py``
prints the same table; docs/legitimacy.md shows it, and a test keeps the docs current.
"""

from __future__ import annotations

import importlib.util
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType

import pytest

from bot.coaching.legitimacy import check_recruiter
from bot.coaching.rule_catalog import RULES

ROOT = Path(__file__).resolve().parents[3]
DOCS = ROOT / "docs" / "legitimacy.md"
MIN_CASES = 60


def _bench() -> ModuleType:
    path = ROOT / "bench" / "legitimacy_corpus.py"
    spec = importlib.util.spec_from_file_location("legitimacy_corpus_bench", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being built
    spec.loader.exec_module(module)
    return module


BENCH = _bench()
CASES = BENCH.load_corpus()
ROWS = BENCH.evaluate(CASES)


def test_the_corpus_is_large_varied_and_balanced() -> None:
    labels = Counter(case.label for case in CASES)
    assert len(CASES) >= MIN_CASES
    assert abs(labels["genuine"] - labels["scam"]) <= 2, labels
    assert len({case.case_id for case in CASES}) == len(CASES)
    assert len({case.report.asked_for for case in CASES}) == len(CASES)  # no copy-paste cases
    assert all(case.verdict == "low" for case in CASES if case.label == "genuine")


def test_the_scams_cover_every_rule() -> None:
    fired = Counter(rule for row in ROWS if row.case.label == "scam" for rule in row.rules)
    assert set(RULES) - set(fired) == set(), "rules no scam case shows"


def test_no_false_alarm_and_no_miss() -> None:
    counts = BENCH.totals(ROWS)
    wrong = [row for row in ROWS if row.outcome in ("false alarm", "miss")]
    report = "\n".join(
        f"{row.outcome}: {row.case.case_id} ({row.case.label}, human {row.case.verdict}) rated "
        f"{row.risk}: {' '.join(row.rules) or 'no rule'}"
        for row in wrong
    )
    assert counts["false alarm"] == 0 and counts["miss"] == 0, report


def test_most_verdicts_agree_exactly() -> None:
    # Milder/harsher are not wrong enough to count, but they must stay rare.
    counts = BENCH.totals(ROWS)
    assert counts["agrees"] >= 0.95 * len(ROWS), counts


@pytest.mark.parametrize(
    ("label", "risk", "outcome"),
    [
        ("genuine", "low", "agrees"),
        ("genuine", "unknown", "agrees"),
        ("genuine", "medium", "false alarm"),
        ("genuine", "high", "false alarm"),
        ("scam", "low", "miss"),
        ("scam", "unknown", "miss"),
        ("scam", "medium", "milder"),
        ("scam", "high", "agrees"),
    ],
)
def test_outcomes_are_counted_as_documented(label: str, risk: str, outcome: str) -> None:
    case = BENCH.Case("x", label, "high" if label == "scam" else "low", "", CASES[0].report)
    assert BENCH.outcome(case, risk) == outcome


def test_the_bench_script_prints_the_table_and_fails_on_a_miss(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert BENCH.main([]) == 0
    out = capsys.readouterr().out
    assert "0 false alarm, 0 miss" in out
    assert CASES[0].case_id in out
    corpus = tmp_path / "one.yaml"
    corpus.write_text(
        "cases:\n  - {id: fee, label: genuine, verdict: low, why: w,\n"
        "     report: {asked_for: 'Pay the $50 registration fee today.'}}\n",
        encoding="utf-8",
    )
    assert BENCH.main(["--corpus", str(corpus), "--markdown"]) == 1
    assert "| fee | genuine | low | high | false alarm |" in capsys.readouterr().out


def test_the_docs_show_the_current_table() -> None:
    text = DOCS.read_text(encoding="utf-8")
    assert BENCH.markdown_table(ROWS) in text, "run: python bench/legitimacy_corpus.py --markdown"
    assert BENCH.summary(ROWS) in text


def test_each_case_is_checked_in_well_under_a_second() -> None:
    import time

    started = time.process_time()  # CPU time: the machine's load does not count
    for case in CASES:
        check_recruiter(case.report)
    assert (time.process_time() - started) / len(CASES) < 0.2
