"""Slack ack latency: 50 concurrent signed ``/recruiter`` commands over HTTP on loopback.

Starts ``recruiter-coach slack --host 127.0.0.1 --port P`` in its own process (HTTP mode, the
coach on a temporary SQLite file), pointed by ``SLACK_API_URL`` at the fake Slack Web API from
the tests, which runs in this process with the load generator. Measures, per request, the time
from sending the command until its HTTP answer (the ack) arrives. Each round sends
``--concurrency`` commands at once from different users; the engine work and the
``response_url`` answers happen after the acks, and the run waits for all of them (checking
they all arrived) before the next round, so every round starts idle.

Usage (from the repository root)::

    python bench/slack_ack_bench.py                    # 5 rounds of 50
    python bench/slack_ack_bench.py --rounds 10 --strict   # exit 1 when p99 > 50 ms

Nothing leaves the machine: every server listens on 127.0.0.1 and the run stops by itself.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import statistics
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.adapters.slack.conftest import SECRET, sign  # noqa: E402
from tests.adapters.slack.fake_slack import FakeSlack  # noqa: E402

TARGET_P99_MS = 50.0
IDLE_BETWEEN_ROUNDS = 0.5


def _request(port: int, fake: FakeSlack, n: int) -> bytes:
    """One signed slash command as raw HTTP/1.1 bytes, built before the clock starts."""
    form = {
        "command": "/recruiter",
        "text": "",
        "team_id": "T1",
        "user_id": f"U{n}",
        "channel_id": "C1",
        "api_app_id": "A1",
        "trigger_id": f"trigger-{n}",
        "response_url": fake.hook_url(f"b{n}"),
    }
    body = urllib.parse.urlencode(form)
    headers = {
        "Host": f"127.0.0.1:{port}",
        "Content-Type": "application/x-www-form-urlencoded",
        "Content-Length": str(len(body)),
        **sign(body, secret=SECRET),
    }
    head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    return f"POST /slack/events HTTP/1.1\r\n{head}\r\n{body}".encode()


class Connection:
    """A keep-alive connection that times one request from its write to its full answer.

    Raw streams instead of an HTTP client: a client library spends about a millisecond of CPU
    per request, so 50 requests started together would leave the last one queued in the
    *client* for tens of milliseconds, and that queueing would be measured as ack latency."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    async def send(self, request: bytes, ready: asyncio.Event) -> float:
        await ready.wait()
        start = time.perf_counter()
        self.writer.write(request)
        status = await self.reader.readline()
        length = 0
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode().partition(":")
            if name.lower() == "content-length":
                length = int(value)
        await self.reader.readexactly(length)
        if b" 200 " not in status:
            raise SystemExit(f"a command got {status.decode().strip()}")
        return (time.perf_counter() - start) * 1000


async def _burst(connections: list[Connection], requests: list[bytes]) -> list[float]:
    ready = asyncio.Event()
    sends = [
        asyncio.create_task(c.send(r, ready)) for c, r in zip(connections, requests, strict=True)
    ]
    await asyncio.sleep(0)  # every sender waits on the event: they write back to back
    ready.set()
    return list(await asyncio.gather(*sends))


async def _wait_for_port(port: int, process: asyncio.subprocess.Process) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.returncode is not None:
            raise SystemExit(f"recruiter-coach slack exited with {process.returncode}")
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            await asyncio.sleep(0.1)
            continue
        writer.close()
        await writer.wait_closed()
        return
    raise SystemExit("recruiter-coach slack did not start listening within 60 s")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _start_worker(fake: FakeSlack, tmp: str) -> tuple[asyncio.subprocess.Process, int]:
    """``recruiter-coach slack`` in its own process, as in production, talking to the fake."""
    port = _free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "COACH_"))},
        "COACH_DATA_DIR": tmp,
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp}/coach.db",
        "SLACK_BOT_TOKEN": "xoxb-T1",
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": fake.api_url,
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli.main",
        "slack",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        cwd=tmp,
        env=env,
    )
    await _wait_for_port(port, process)
    return process, port


async def run(rounds: int, concurrency: int) -> list[float]:
    fake = FakeSlack()
    await fake.start()
    latencies: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        process, port = await _start_worker(fake, tmp)
        connections = [
            Connection(*await asyncio.open_connection("127.0.0.1", port))
            for _ in range(concurrency)
        ]
        try:
            await _burst(connections[:1], [_request(port, fake, 0)])  # warm-up: auth.test
            await fake.wait_for("hook", 2, timeout=30)
            for r in range(rounds):
                first = 1 + r * concurrency
                requests = [_request(port, fake, first + i) for i in range(concurrency)]
                latencies += await _burst(connections, requests)
                # every command is answered (privacy notice + question) before the next round
                await fake.wait_for("hook", 2 * (first + concurrency), timeout=60)
                await asyncio.sleep(IDLE_BETWEEN_ROUNDS)  # let the worker finish the round
        finally:
            for connection in connections:
                connection.writer.close()
            process.send_signal(signal.SIGTERM)
            await asyncio.wait_for(process.wait(), 30)
            await fake.close()
    return latencies


def report(latencies: list[float]) -> float:
    ordered = sorted(latencies)
    p99 = ordered[max(0, int(len(ordered) * 0.99 + 0.5) - 1)]
    print(
        f"{len(ordered)} acks: p50 {statistics.median(ordered):.1f} ms, "
        f"p99 {p99:.1f} ms, max {ordered[-1]:.1f} ms (target p99 <= {TARGET_P99_MS:.0f} ms)"
    )
    return p99


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--strict", action="store_true", help="exit 1 when p99 misses the target")
    args = parser.parse_args()
    p99 = report(asyncio.run(run(args.rounds, args.concurrency)))
    return 1 if args.strict and p99 > TARGET_P99_MS else 0


if __name__ == "__main__":
    raise SystemExit(main())
