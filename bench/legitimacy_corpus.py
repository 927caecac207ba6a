"""The legitimacy check against a labelled corpus: false alarms, misses and agreement.

Runs :func:`bot.coaching.legitimacy.check_recruiter` on every case of
``tests/bot/coaching/legitimacy_corpus.yaml`` (real-looking messages labelled by hand with the
verdict a careful human would give) and prints one row per case and the totals:

- a **false alarm** is a genuine case rated medium or high (the person is told to hold back
  from a real recruiter);
- a **miss** is a scam rated low or unknown (nothing warns the person);
- **milder** / **harsher**: a scam rated medium where the label says high, or the other way
  round. Not wrong enough to count as a miss, shown so that they can be looked at.

The bar is zero false alarms and zero misses (``tests/bot/coaching/test_legitimacy_corpus.py``
holds the check to it). ``--markdown`` prints the table as Markdown, for docs/legitimacy.md.

Usage (from the repository root)::

    python bench/legitimacy_corpus.py
    python bench/legitimacy_corpus.py --markdown
    python bench/legitimacy_corpus.py --corpus my_cases.yaml
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from a checkout
    sys.path.insert(0, str(ROOT))

from bot.coaching.legitimacy import RecruiterReport, check_recruiter  # noqa: E402

CORPUS = ROOT / "tests" / "bot" / "coaching" / "legitimacy_corpus.yaml"
LABELS = ("genuine", "scam")
VERDICTS = ("low", "medium", "high")
OUTCOMES = ("agrees", "milder", "harsher", "false alarm", "miss")


@dataclass(frozen=True, slots=True)
class Case:
    case_id: str
    label: str  # genuine | scam
    verdict: str  # low | medium | high: what a careful human says
    why: str
    report: RecruiterReport


@dataclass(frozen=True, slots=True)
class Row:
    case: Case
    risk: str  # what the check said
    rules: tuple[str, ...]

    @property
    def outcome(self) -> str:
        return outcome(self.case, self.risk)


def load_corpus(path: Path = CORPUS) -> list[Case]:
    """The cases of a corpus file (see the file's header for its format)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [_case(item) for item in data["cases"]]


def _case(item: dict[str, Any]) -> Case:
    label, verdict = str(item["label"]), str(item["verdict"])
    if label not in LABELS or verdict not in VERDICTS:
        raise ValueError(f"{item['id']}: label {label!r} or verdict {verdict!r} is not known")
    return Case(
        str(item["id"]), label, verdict, str(item["why"]), RecruiterReport(**item["report"])
    )


def outcome(case: Case, risk: str) -> str:
    """How the check's risk compares with the human verdict (see the module docstring)."""
    if case.label == "genuine":
        return "agrees" if risk in ("low", "unknown") else "false alarm"
    if risk in ("low", "unknown"):
        return "miss"
    if risk == case.verdict:
        return "agrees"
    return "milder" if risk == "medium" else "harsher"


def evaluate(cases: list[Case]) -> list[Row]:
    rows = []
    for case in cases:
        result = check_recruiter(case.report)
        rows.append(Row(case, result.risk, tuple(f.rule_id for f in result.findings)))
    return rows


def totals(rows: list[Row]) -> Counter[str]:
    return Counter(row.outcome for row in rows)


def text_table(rows: list[Row]) -> str:
    width = max(len(row.case.case_id) for row in rows)
    lines = [f"{'case':<{width}}  {'label':<7}  {'human':<6}  {'check':<7}  outcome      rules"]
    for row in rows:
        case = row.case
        lines.append(
            f"{case.case_id:<{width}}  {case.label:<7}  {case.verdict:<6}  {row.risk:<7}  "
            f"{row.outcome:<11}  {' '.join(row.rules) or '-'}"
        )
    return "\n".join(lines)


def markdown_table(rows: list[Row]) -> str:
    lines = ["| case | label | human | check | outcome | rules |", "|---|---|---|---|---|---|"]
    for row in rows:
        case = row.case
        rules = ", ".join(row.rules) or "-"
        lines.append(
            f"| {case.case_id} | {case.label} | {case.verdict} | {row.risk} | {row.outcome} "
            f"| {rules} |"
        )
    return "\n".join(lines)


def summary(rows: list[Row]) -> str:
    counts = totals(rows)
    labels = Counter(row.case.label for row in rows)
    parts = [f"{counts[name]} {name}" for name in OUTCOMES]
    return (
        f"{len(rows)} cases ({labels['genuine']} genuine, {labels['scam']} scams): "
        + ", ".join(parts)
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="a corpus YAML file")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    args = parser.parse_args(argv)
    rows = evaluate(load_corpus(args.corpus))
    print(markdown_table(rows) if args.markdown else text_table(rows))
    print()
    print(summary(rows))
    counts = totals(rows)
    return 1 if counts["false alarm"] or counts["miss"] else 0


if __name__ == "__main__":
    sys.exit(main())
