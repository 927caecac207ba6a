"""The "Check this recruiter" message shortcut, ``/recruiter check <text>``, ``/recruiter help``
and ``/recruiter`` in the app's DM, through the real Bolt app over signed HTTP against the fake
Slack Web API (loopback): the verdict goes only to the person who asked."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from adapters.slack.shortcuts import CHECK_CALLBACK, message_text
from tests.adapters.slack.conftest import Harness, button

SLACK_DIR = Path(__file__).resolve().parents[3] / "adapters" / "slack"
MESSAGE = (
    "Hi! I'm hiring for Acme, reach me at <mailto:hr.team@gmail.com|hr.team@gmail.com> or "
    "+1 900 555 0199. The training fee is $50, pay it by gift card."
)


def shortcut(slack: Harness, text: str, *, channel: str = "C1") -> dict[str, Any]:
    """A ``message_action`` payload as Slack sends it for a message shortcut."""
    slack.hooks += 1
    return {
        "type": "message_action",
        "callback_id": CHECK_CALLBACK,
        "token": "legacy",
        "action_ts": f"{time.time():.6f}",
        "team": {"id": "T1", "domain": "acme"},
        "user": {"id": "U1", "team_id": "T1", "name": "sam"},
        "channel": {"id": channel, "name": "general"},
        "is_enterprise_install": False,
        "api_app_id": "A1",
        "trigger_id": slack.next_trigger(),
        "response_url": slack.fake.hook_url(f"s{slack.hooks}"),
        "message_ts": "1700000000.000200",
        "message": {
            "type": "message",
            "user": "URECRUITER",
            "text": text,
            "ts": "1700000000.000200",
        },
    }


@pytest.mark.parametrize("name", ["manifest.http.yaml", "manifest.socket.yaml"])
def test_the_manifests_offer_the_message_shortcut(name: str) -> None:
    manifest = yaml.safe_load((SLACK_DIR / name).read_text())
    (entry,) = manifest["features"]["shortcuts"]
    assert entry["type"] == "message" and entry["callback_id"] == CHECK_CALLBACK
    assert entry["name"] == "Check this recruiter"
    assert "commands" in manifest["oauth_config"]["scopes"]["bot"]  # shortcuts need it


async def test_the_shortcut_answers_only_the_person_with_the_verdict_and_the_full_check(
    slack: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    for name in ("bot", "adapters"):
        caplog.set_level(logging.DEBUG, logger=name)
    response = await slack.interactive(shortcut(slack, MESSAGE))
    assert response.status == 200
    hooks = await slack.fake.wait_for("hook", 2)
    said = "\n".join(h.args.get("text", "") for h in hooks)
    assert all(h.args["response_type"] == "ephemeral" for h in hooks)
    assert "hr.team@gmail.com" in said and "risk" in said.lower()
    full_check = button(hooks[-1].args["blocks"], "Check this recruiter")
    assert slack.fake.named("chat.postMessage") == []  # nothing in the channel
    ours = [r.getMessage() for r in caplog.records if r.name.startswith(("bot", "adapters"))]
    assert not any("gift card" in m or "hr.team" in m for m in ours)
    # the button goes on to the full check, privately too
    await slack.click(full_check)
    more = await slack.fake.wait_for("hook", len(hooks) + 1)
    assert "name" in more[-1].args["text"].lower()


async def test_the_shortcut_on_a_message_without_text_asks_for_the_whole_message(
    slack: Harness,
) -> None:
    await slack.interactive(shortcut(slack, "ok"))
    hooks = await slack.fake.wait_for("hook", 2)
    said = "\n".join(h.args.get("text", "") for h in hooks)
    assert "too short" in said


async def test_slash_check_with_text_checks_it(slack: Harness) -> None:
    await slack.command(f"check {MESSAGE}")
    hooks = await slack.fake.wait_for("hook", 2)
    said = "\n".join(h.args.get("text", "") for h in hooks)
    assert "hr.team@gmail.com" in said and "+1 900 555 0199" in said


async def test_slash_help_answers_with_the_help(slack: Harness) -> None:
    await slack.command("help")
    hooks = await slack.fake.wait_for("hook", 1)
    said = "\n".join(h.args.get("text", "") for h in hooks).lower()
    assert "menu" in said and "stop" in said


async def test_slash_in_the_apps_dm_answers_with_normal_messages(slack: Harness) -> None:
    await slack.command("help", channel="DU1", channel_name="directmessage")
    posted = await slack.fake.wait_for("chat.postMessage", 2)  # the privacy notice, the help
    assert {p.args["channel"] for p in posted} == {"DU1"}
    assert "menu" in posted[-1].args["text"].lower()
    assert slack.fake.hooks == []


async def test_slash_in_another_dm_stays_ephemeral(slack: Harness) -> None:
    await slack.command("help", channel="DOTHER", channel_name="directmessage")
    hooks = await slack.fake.wait_for("hook", 1)
    assert hooks[0].args["response_type"] == "ephemeral"
    assert slack.fake.named("chat.postMessage") == []


def test_message_text_reads_attachments_and_unescapes_slack_markup() -> None:
    text = message_text(
        {"text": "Fwd: &lt;job&gt;", "attachments": [{"text": "<https://x.io|apply>", "x": 1}]}
    )
    assert "<job>" in text and "https://x.io" in text
    assert len(message_text({"text": "a" * 60_000})) == 4000
