"""``recruiter-coach stats``: how people move through each flow, step by step.

For every step of every loaded flow (in file order, with the step's line number) it prints how
often the step was started, answered (asks), retried (an answer refused) and abandoned (the user
stopped, restarted or switched topic while it waited). The counts come from the store's
``funnel_counts`` table, which holds no user content at all: only flow ids, step ids and numbers.
Steps counted in the database but no longer in the flows (an older version) are listed with
``-`` for their line.

``--json`` prints the same as a JSON list, for notebooks and dashboards.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Iterable
from dataclasses import asdict, dataclass

from bot.config import Settings
from bot.errors import ConfigError
from bot.flow.model import Flow
from bot.store import FUNNEL_EVENTS, FunnelRow

__all__ = ("StepStats", "configure", "main", "step_stats")


@dataclass(frozen=True, slots=True)
class StepStats:
    flow: str
    step: str
    line: int | None
    started: int = 0
    answered: int = 0
    retried: int = 0
    abandoned: int = 0


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument(
        "--flow", action="append", default=[], metavar="ID", help="only this flow (repeatable)"
    )


def main(args: argparse.Namespace) -> int:
    settings: Settings = args.settings
    from bot.app import load_content  # loads the flows: only when the command runs

    _, registry = load_content(settings.dialogs_dir)
    rows = asyncio.run(_read_counts(settings.database_url))
    stats = step_stats(registry.flows.values(), rows)
    if args.flow:
        # a flow no longer loaded may still have counts: it is known too
        unknown = sorted(set(args.flow) - set(registry.flows) - {s.flow for s in stats})
        if unknown:
            print(
                f"recruiter-coach stats: no flow called {', '.join(unknown)}; "
                f"flows: {', '.join(sorted(registry.flows))}",
                file=sys.stderr,
            )
            return 2
        stats = [s for s in stats if s.flow in args.flow]
    print(json.dumps([asdict(s) for s in stats], indent=2) if args.json else table(stats))
    return 0


async def _read_counts(url: str) -> list[FunnelRow]:
    from bot.store.factory import build_store

    try:
        store = build_store(url)
    except ValueError as exc:
        raise ConfigError(f"DATABASE_URL: {exc}") from exc
    await store.open()
    try:
        return await store.funnel_stats()
    finally:
        await store.close()


def step_stats(flows: Iterable[Flow], rows: Iterable[FunnelRow]) -> list[StepStats]:
    """One entry per step: every step of the flows (zeros when never counted), in flow and
    file order, then counted steps the flows no longer have."""
    counted = {(r.flow_id, r.step_id): r for r in rows}
    stats: list[StepStats] = []
    for flow in sorted(flows, key=lambda f: f.id):
        for step_id, step in flow.steps.items():
            row = counted.pop((flow.id, step_id), None)
            stats.append(_entry(flow.id, step_id, step.where.line, row))
    stats.extend(_entry(f, s, None, row) for (f, s), row in sorted(counted.items()))
    return stats


def _entry(flow: str, step: str, line: int | None, row: FunnelRow | None) -> StepStats:
    counts = {event: getattr(row, event) for event in FUNNEL_EVENTS} if row else {}
    return StepStats(flow, step, line, **counts)


def table(stats: list[StepStats]) -> str:
    """A plain text table, one line per step, a blank line between flows."""
    header = ("flow", "step", "line", *FUNNEL_EVENTS)
    body = [_cells(s) for s in stats]
    widths = [max(len(row[i]) for row in [header, *body]) for i in range(len(header))]

    def line(row: tuple[str, ...]) -> str:
        # names left-aligned, numbers right-aligned
        pairs = enumerate(zip(row, widths, strict=True))
        cells = [c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in pairs]
        return "  ".join(cells).rstrip()

    lines = [line(header)]
    for index, row in enumerate(body):
        if index and row[0] != body[index - 1][0]:
            lines.append("")
        lines.append(line(row))
    return "\n".join(lines) if body else "No flows loaded."


def _cells(stats: StepStats) -> tuple[str, ...]:
    counts = (str(getattr(stats, event)) for event in FUNNEL_EVENTS)
    return (stats.flow, stats.step, "-" if stats.line is None else str(stats.line), *counts)
