"""Every topic id of DESIGN section 8 has a flow, and the console walks into each one."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bot.app import build_actions, load_content
from bot.routing.router import TOPIC_IDS

ROOT = Path(__file__).resolve().parents[2]
DIALOGS = ROOT / "dialogs"
DESIGN_TOPICS = [
    "call_at_work",
    "callback",
    "legitimacy",
    "scam",
    "scam_aftermath",
    "fees",
    "first_call",
    "compensation",
    "recruiter_types",
    "representation",
    "decline",
    "referral",
    "relationship",
    "change_mind",
    "ignore",
    "privacy_work",
    "decide_interview",
    "process",
    "prep",
    "references",
    "counteroffer",
    "noncompete",
    "follow_up",
    "other",
]


def test_the_topic_ids_are_the_fixed_ones() -> None:
    assert sorted(TOPIC_IDS) == sorted(DESIGN_TOPICS)


def test_every_topic_has_a_flow() -> None:
    _, registry = load_content(DIALOGS, actions=build_actions())
    topics = registry.topics()
    assert sorted(topics) == sorted(DESIGN_TOPICS)
    for topic, flow_id in topics.items():
        assert topic in registry.flows[flow_id].topics


def test_the_console_walks_every_topic(tmp_path: Path) -> None:
    lines: list[str] = []
    for topic in DESIGN_TOPICS:
        lines += ["stop", topic]
    env = dict(os.environ, PYTHONPATH=str(ROOT), COACH_DATA_DIR=str(tmp_path / "data"))
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli.main", "console"],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    answers = _answers(done.stdout)
    for topic in DESIGN_TOPICS:
        reply = answers[topic]
        assert reply.strip(), f"no answer to {topic!r}"
        assert "went wrong" not in reply and "not sure which topic" not in reply, topic


def _answers(transcript: str) -> dict[str, str]:
    """What the coach said after each echoed user line ("> line")."""
    answers: dict[str, str] = {}
    current: str | None = None
    for line in transcript.splitlines():
        if line.startswith("> "):
            current = line[2:]
            answers[current] = ""
        elif current is not None:
            answers[current] += line + "\n"
    return answers
