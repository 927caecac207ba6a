"""Start-up benchmark: how long a person waits for the console and for ``classify``.

Targets (issue 14): console to first prompt <= 0.3 s, ``classify`` and the first routed
question <= 0.3 s, each the median wall time of whole processes, with the data folder already
in place (database created, router saved). Measured here, each in fresh processes with
``COACH_DATA_DIR`` in a temporary directory (``DATABASE_URL``, ``COACH_*``, ``SLACK_*``,
``DISCORD_*`` removed), and checked, so a fast failure never passes:

- ``python -c pass``: the interpreter alone, the floor every start pays on this machine;
- ``printf 'start\\n' | python -m bot.cli console``: must print the first question;
- ``python -m bot.cli classify "is this recruiter even real"``: must print ``legitimacy``; the
  first run trains the router and saves it in the data folder (reported apart), later runs read
  it back;
- ``printf 'is this recruiter even real\\n' | python -m bot.cli console``: a first message that
  must be routed to the legitimacy topic (its question is printed) with the router on disk; a
  new user every run (``--user bench-routed-<random>``), so no conversation is in progress.

Besides the wall time each run's CPU time (user + system of the child) is recorded: on a
shared machine the wall time moves with the load, the CPU time much less. The load average is
printed at the start and the end.

Bytecode: the children may write and read ``.pyc`` files (in a temporary ``PYTHONPYCACHEPREFIX``,
so no checkout is touched), as an installed package has them, even when the calling shell sets
``PYTHONDONTWRITEBYTECODE`` (this machine's sessions do: before 2026-12-05 every timed start
compiled the project's ~100 modules from source). ``--source-only`` measures that way again.

``--baseline DIR`` measures another checkout (``git archive main | tar -x -C DIR``) in the same
go: each round runs every case in both, alternating which goes first, so a burst of load hits
both alike; the table then gives both medians and their ratio.

Usage::

    python bench/startup_bench.py               # 7 timed runs of each
    python bench/startup_bench.py --runs 15 --json startup.json --strict
    python bench/startup_bench.py --baseline /tmp/main-export --runs 9
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_S = 0.3
QUESTION = "is this recruiter even real"
FIRST_PROMPT_MARK = "I can talk now"  # a choice of the console's first question
ROUTED_MARK = "Check a recruiter"  # a choice of the legitimacy topic's first question


class StartFailed(Exception):
    """A process did not answer as expected: its time would mean nothing."""


@dataclass(frozen=True, slots=True)
class Case:
    name: str
    argv: tuple[str, ...]
    stdin: bytes = b""
    expect: str = ""  # must appear in stdout
    target: bool = True  # judged against TARGET_S (the interpreter alone is not)


@dataclass(slots=True)
class Timing:
    name: str
    first_wall_s: float = 0.0  # the first run in a fresh data folder (creates, trains)
    walls_s: list[float] = field(default_factory=list)
    cpus_s: list[float] = field(default_factory=list)
    error: str | None = None

    @property
    def median_wall_s(self) -> float:
        return statistics.median(self.walls_s) if self.walls_s else 0.0

    @property
    def median_cpu_s(self) -> float:
        return statistics.median(self.cpus_s) if self.cpus_s else 0.0


CASES = (
    Case("interpreter (python -c pass)", ("-c", "pass"), target=False),
    Case("console start to first prompt", ("-m", "bot.cli", "console"), b"start\n", "I can talk"),
    Case("classify", ("-m", "bot.cli", "classify", QUESTION), expect="legitimacy"),
    Case(
        "console: first routed question",
        # a new user every run ({run}): no conversation in progress, and nothing to erase after
        # (a `forget` would time the privacy code's first use too)
        ("-m", "bot.cli", "console", "--user", "bench-routed-{run}"),
        f"{QUESTION}\n".encode(),
        ROUTED_MARK,
    ),
)


def clean_env(data_dir: Path, root: Path = ROOT, pycache: Path | None = None) -> dict[str, str]:
    """The child's environment: no database, coach or platform settings of the caller; with
    ``pycache``, bytecode written and read there (see the module docstring)."""
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in {"DATABASE_URL", "PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX"}
        and not name.startswith(("COACH_", "SLACK_", "DISCORD_"))
    }
    env["COACH_DATA_DIR"] = str(data_dir)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, (str(root), env.get("PYTHONPATH"))))
    if pycache is None:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    else:
        env["PYTHONPYCACHEPREFIX"] = str(pycache)
    return env


def run_once(case: Case, env: dict[str, str], root: Path = ROOT) -> tuple[float, float]:
    """Wall and CPU seconds of one process; raises :class:`StartFailed` on a wrong answer."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    run = uuid.uuid4().hex[:12]
    done = subprocess.run(
        [sys.executable, *(arg.replace("{run}", run) for arg in case.argv)],
        input=case.stdin,
        capture_output=True,
        env=env,
        cwd=root,
        timeout=120,
        check=False,
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = done.stdout.decode(errors="replace")
    if done.returncode != 0 or case.expect not in out:
        err = done.stderr.decode(errors="replace")
        raise StartFailed(f"{case.name}: exit {done.returncode}\n{out.strip()}\n{err.strip()}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


@dataclass(frozen=True, slots=True)
class Tree:
    """A checkout measured: this one, or the baseline."""

    label: str
    root: Path


def measure(runs: int, trees: Sequence[Tree], *, bytecode: bool = True) -> list[list[Timing]]:
    """Timings per tree (in the order given), per case."""
    timings = [[Timing(case.name) for case in CASES] for _ in trees]
    with tempfile.TemporaryDirectory(prefix="bench-start-") as scratch:
        pycache = Path(scratch, "pycache") if bytecode else None
        envs = [
            clean_env(Path(scratch, f"data-{index}"), tree.root, pycache)
            for index, tree in enumerate(trees)
        ]
        for tree, env, row in zip(trees, envs, timings, strict=True):
            for case, timing in zip(CASES, row, strict=True):
                try:
                    timing.first_wall_s = run_once(case, env, tree.root)[0]
                except (StartFailed, subprocess.TimeoutExpired) as exc:
                    timing.error = str(exc)
        order = list(range(len(trees)))
        for _ in range(runs):  # round-robin, so a burst of load hits every case alike
            for position, case in enumerate(CASES):
                for index in order:
                    _time(case, envs[index], trees[index].root, timings[index][position])
            order.reverse()  # and neither tree always goes first
    return timings


def _time(case: Case, env: dict[str, str], root: Path, timing: Timing) -> None:
    if timing.error is not None:
        return
    try:
        wall, cpu = run_once(case, env, root)
    except (StartFailed, subprocess.TimeoutExpired) as exc:
        timing.error = str(exc)
        return
    timing.walls_s.append(round(wall, 3))
    timing.cpus_s.append(round(cpu, 3))


def verdicts(timings: Sequence[Timing]) -> list[tuple[str, bool]]:
    lines: list[tuple[str, bool]] = []
    for case, timing in zip(CASES, timings, strict=True):
        if not case.target:
            continue
        if timing.error is not None:
            lines.append((f"  FAIL  {case.name}: did not run ({TARGET_S} s)", False))
            continue
        passed = timing.median_wall_s <= TARGET_S
        verdict = "PASS" if passed else "FAIL"
        lines.append(
            (
                f"  {verdict}  {case.name}: {timing.median_wall_s:.3f} s median wall "
                f"(<= {TARGET_S} s; CPU {timing.median_cpu_s:.3f} s)",
                passed,
            ),
        )
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=7, help="timed runs of each (default 7)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--baseline", type=Path, help="another checkout, measured alongside")
    parser.add_argument(
        "--source-only", action="store_true", help="no bytecode: compile every module each start"
    )
    args = parser.parse_args(argv)
    trees = [Tree("this checkout", ROOT)]
    if args.baseline is not None:
        trees.insert(0, Tree(f"baseline {args.baseline}", args.baseline.resolve()))
    load_start = os.getloadavg()
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load {load_start[0]:.2f}")
    results = measure(args.runs, trees, bytecode=not args.source_only)
    for tree, timings in zip(trees, results, strict=True):
        print(f"{tree.label}:")
        report(timings)
    load_end = os.getloadavg()
    print(f"Load average at the end: {load_end[0]:.2f}")
    if len(trees) == 2:
        compare(results[0], results[1])
    print("Targets (this checkout):")
    lines = verdicts(results[-1])
    print("\n".join(line for line, _ in lines))
    if args.json:
        data = {
            "load_average_at_start": load_start,
            "load_average_at_end": load_end,
            "bytecode": not args.source_only,
            "trees": [
                {"label": t.label, "timings": [asdict(x) for x in r]}
                for t, r in zip(trees, results, strict=True)
            ],
            "targets": [{"line": line.strip(), "passed": ok} for line, ok in lines],
        }
        args.json.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    failed = any(t.error for timings in results for t in timings)
    return 2 if failed else (1 if args.strict and not all(ok for _, ok in lines) else 0)


def report(timings: Sequence[Timing]) -> None:
    for timing in timings:
        if timing.error is not None:
            print(f"  {timing.name}: FAILED: {timing.error}")
            continue
        print(
            f"  {timing.name}: first run {timing.first_wall_s:.3f} s; median of "
            f"{len(timing.walls_s)} more {timing.median_wall_s:.3f} s wall "
            f"{timing.walls_s}, {timing.median_cpu_s:.3f} s CPU"
        )


def compare(baseline: Sequence[Timing], current: Sequence[Timing]) -> None:
    """Medians side by side; the ratio is this checkout's over the baseline's."""
    print("| case | baseline wall (CPU) | this wall (CPU) | ratio wall (CPU) |")
    print("|---|---|---|---|")
    for before, after in zip(baseline, current, strict=True):
        if before.error or after.error or not before.walls_s or not after.walls_s:
            print(f"| {before.name} | - | - | - |")
            continue
        wall = after.median_wall_s / before.median_wall_s
        cpu = after.median_cpu_s / before.median_cpu_s if before.median_cpu_s else 0.0
        print(
            f"| {before.name} | {before.median_wall_s:.3f} s ({before.median_cpu_s:.3f}) "
            f"| {after.median_wall_s:.3f} s ({after.median_cpu_s:.3f}) "
            f"| {wall:.2f} ({cpu:.2f}) |"
        )


if __name__ == "__main__":
    sys.exit(main())
