"""The flow studio without a browser: its session, views, saved tests, server and command line.

The server is exercised through aiohttp's test server on 127.0.0.1 (a real socket); the engine,
store and renderers are the real ones.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import socket
from pathlib import Path
from typing import Any

import pytest
import yaml
from aiohttp.test_utils import TestClient, TestServer
from aiohttp.web import Application, Request
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.studio import cli as studio_cli
from adapters.studio.casewriter import case_data, run_tests, save_case
from adapters.studio.pagestate import diagram, page_state
from adapters.studio.server import build_app
from adapters.studio.session import PLATFORMS, Start, StudioSession
from adapters.studio.views import view
from bot.boundary import Choice, Form, FormField, Reply
from bot.config import DEFAULT_DIALOGS_DIR
from bot.flow.model import AskStep
from bot.flowtools.casefile import load_cases
from bot.render.markup import to_plain

SHIPPED = Path(DEFAULT_DIALOGS_DIR)
Client = TestClient[Request, Application]


@pytest.fixture
def dialogs(tmp_path: Path) -> Path:
    root = tmp_path / "dialogs"
    shutil.copytree(SHIPPED, root, ignore=shutil.ignore_patterns("__*"))
    return root


async def _at_work(session: StudioSession) -> None:
    await session.say("start")
    await session.press("at_work")
    await session.submit({"callback_at": "2026-11-24 18:30", "callback_phone": "+1 415 555 0100"})


# -- the session -------------------------------------------------------------------------------


async def test_the_at_work_path_runs_through_the_real_engine(dialogs: Path) -> None:
    session = StudioSession(dialogs)
    await _at_work(session)
    flow, step, slots = await session.where()
    assert (flow, step) == ("recruiter_called", "interest")
    assert slots["callback_phone"] == "+14155550100"
    assert [r.at for r in session.records] == [
        "recruiter_called.can_talk",
        "recruiter_called.callback_when",
        "recruiter_called.interest",
    ]


async def test_jump_runs_the_reminder_at_its_time_and_a_replay_starts_from_the_old_clock(
    dialogs: Path,
) -> None:
    session = StudioSession(dialogs)
    start = session.now
    await _at_work(session)
    replies = await session.jump()
    assert "Reminder: your recruiter call" in to_plain(replies[0].text)
    assert session.now.isoformat() == "2026-11-24T18:15:00+00:00"
    session.platform = "discord"
    await session.replay()
    assert session.now.isoformat() == "2026-11-24T18:15:00+00:00"
    assert session.now - session.clock_moved == start
    assert len(session.turns) == 4


async def test_switching_platform_replays_with_that_platforms_templates(dialogs: Path) -> None:
    session = StudioSession(dialogs)
    await session.say("start")
    assert "employer's Slack" in session.chat[1].replies[0].text
    session.platform = "discord"
    await session.replay()
    assert "a server run by your employer" in session.chat[1].replies[0].text
    assert (await session.where())[1] == "can_talk"


async def test_nothing_scheduled_and_unknown_buttons_are_notes_not_turns(dialogs: Path) -> None:
    session = StudioSession(dialogs)
    assert await session.jump() == []
    assert await session.press("no_such_button") == []
    assert session.turns == []
    notes = [entry.text for entry in session.chat if entry.who == "note"]
    assert "Nothing is scheduled" in notes[0]
    assert "no button 'no_such_button'" in notes[1]


async def test_a_reload_keeps_the_place_while_the_steps_exist(dialogs: Path) -> None:
    session = StudioSession(dialogs)
    await _at_work(session)
    template = dialogs / "templates" / "common" / "callback_when.j2"
    template.write_text(template.read_text().replace("No problem:", "Edited:"), encoding="utf-8")
    await session.reload()
    assert (await session.where())[1] == "interest"
    texts = [r.text for entry in session.chat for r in entry.replies]
    assert any(text.startswith("Edited:") for text in texts)


async def test_a_reload_with_a_removed_choice_stops_the_replay_there(dialogs: Path) -> None:
    session = StudioSession(dialogs)
    await _at_work(session)
    flow = dialogs / "flows" / "recruiter_called.yaml"
    flow.write_text(flow.read_text().replace("id: at_work", "id: at_the_office"), encoding="utf-8")
    await session.reload()
    assert not session.report.errors
    assert len(session.turns) == 1
    assert "The replay stopped at turn 2" in session.chat[-1].text


async def test_a_broken_flow_is_reported_and_the_chat_stays(dialogs: Path) -> None:
    session = StudioSession(dialogs)
    await _at_work(session)
    flow = dialogs / "flows" / "recruiter_called.yaml"
    text = flow.read_text()
    flow.write_text(text.replace("next: callback_number", "next: nowhere"), encoding="utf-8")
    await session.reload()
    line = text.splitlines().index("    next: callback_number") + 1
    errors = session.report.errors
    assert [(Path(e.path).name, e.line) for e in errors] == [("recruiter_called.yaml", line)]
    assert (await session.where())[1] == "interest"


async def test_every_step_of_every_shipped_flow_starts_and_renders_on_every_platform() -> None:
    """Start at each step (as a click in the diagram does) and draw the replies three ways."""
    session = StudioSession(SHIPPED)
    for flow in session.dialogs.registry.flows.values():
        for step_id, step in flow.steps.items():
            await session.restart(Start(flow=flow.id, step=step_id))
            if not isinstance(step, AskStep):
                continue
            replies = [r for entry in session.chat for r in entry.replies]
            assert replies, f"{flow.id}.{step_id} showed nothing"
            for platform in PLATFORMS:
                shown = view(platform, replies)
                json.dumps(shown)
                _check_buttons(platform, shown, replies)


def _check_buttons(platform: str, shown: list[dict[str, Any]], replies: list[Reply]) -> None:
    ids = {c.id for r in replies for c in r.choices}
    if platform == "slack":
        buttons = [
            e for m in shown for b in m["blocks"] if b["type"] == "actions" for e in b["elements"]
        ]
    elif platform == "discord":
        buttons = [b for m in shown for b in m["buttons"]]
    else:
        return
    for button in buttons:
        what = button["studio"]
        assert what.get("form") or what.get("press") in ids or "say" in what, button
        if what.get("form"):
            assert any("modal" in m for m in shown)


async def test_the_example_folder_runs_in_the_studio_with_its_own_privacy_notice() -> None:
    example = SHIPPED.parent / "docs" / "examples" / "studio"
    session = StudioSession(example, platform="discord")
    assert session.entry_flow() == "recruiter_contact"
    await session.say("start")
    await session.say("+1 415 555 0100")
    await session.say("AB1234")
    texts = [to_plain(r.text) for entry in session.chat for r in entry.replies]
    assert texts[0].startswith("Privacy at Example Corp's career desk.")
    assert "two letters, a dash and four digits" in texts[-2]
    assert (await session.where())[1] == "reference"


# -- the views ---------------------------------------------------------------------------------

texts = st.text(min_size=0, max_size=400)
labels = st.text(min_size=1, max_size=90)


@settings(max_examples=60, deadline=None)
@given(
    text=texts,
    choice_labels=st.lists(labels, max_size=8),
    field_label=labels,
)
def test_any_reply_renders_on_every_platform(
    text: str, choice_labels: list[str], field_label: str
) -> None:
    choices = tuple(Choice(f"c{i}", label, f"1.abc.c{i}") for i, label in enumerate(choice_labels))
    form = Form("Your answers", (FormField("name", field_label),), token="1.abc.~form")
    replies = [Reply(text, choices=choices), Reply(text or "x", form=form)]
    for platform in PLATFORMS:
        shown = view(platform, replies)
        json.dumps(shown)
        _check_buttons(platform, shown, replies)


def test_the_diagram_highlights_the_current_step() -> None:
    session = StudioSession(SHIPPED)
    flow = session.dialogs.registry.flows["recruiter_called"]
    text = diagram(flow, "interest")
    assert text.startswith("flowchart TD")
    assert text.endswith("class s_interest studioHere\n")
    assert "studioHere" not in diagram(flow, None)


# -- save as a test ----------------------------------------------------------------------------


async def test_save_as_a_test_writes_a_case_that_passes(dialogs: Path) -> None:
    session = StudioSession(dialogs)
    session.time_zone = "Europe/Berlin"
    await session.replay()
    await _at_work(session)
    await session.press("not_interested")
    path, note = save_case(session, "At work: not interested!")
    assert path == dialogs / "tests" / "studio_at_work_not_interested.yaml"
    assert note is None
    data = yaml.safe_load(path.read_text())[0]
    assert data["time_zone"] == "Europe/Berlin"
    assert data["turns"][0] == {
        "user": "start",
        "bot": ["Before we start, a word on privacy. I keep only what you"],
        "choices": ["I'm at work, I can't talk", "I can talk now"],
        "step": "recruiter_called.can_talk",
    }
    assert data["turns"][2]["form"] == {
        "callback_at": "2026-11-24 18:30",
        "callback_phone": "+1 415 555 0100",
    }
    _, problems = load_cases(dialogs / "tests")
    assert problems == []
    failures, lines = await run_tests(session, path)
    assert failures == []
    assert lines[0] == "1 passed, 0 failed"
    assert save_case(session, "At work: not interested!")[0].name.endswith("_2.yaml")


async def test_a_reminder_jump_is_left_out_of_the_saved_test_with_a_note(dialogs: Path) -> None:
    session = StudioSession(dialogs)
    await _at_work(session)
    await session.jump()
    data, note = case_data(session, "with a reminder")
    assert len(data["turns"]) == 3
    assert note == "turn 4 jumped to a reminder: saved the turns before it"


async def test_a_start_at_a_step_with_slots_is_saved_as_start_and_slots(dialogs: Path) -> None:
    session = StudioSession(dialogs)
    slots: dict[str, object] = {"situation": "at_work", "callback_at": "2026-11-24T18:30:00+00:00"}
    await session.restart(Start(flow="recruiter_called", step="callback_number", slots=slots))
    await session.say("+1 415 555 0100")
    path, _ = save_case(session, "from the number")
    data = yaml.safe_load(path.read_text())[0]
    assert (data["start"], data["slots"]) == ("callback_number", slots)
    assert (await run_tests(session, path))[0] == []


async def test_an_engine_failure_shows_as_a_note(dialogs: Path) -> None:
    session = StudioSession(dialogs)
    await session.restart(Start(flow="recruiter_called", step="callback_number"))
    await session.say("+1 415 555 0100")
    notes = [entry.text for entry in session.chat if entry.who == "note"]
    assert len(notes) == 1
    assert notes[0].startswith(
        "The engine failed on this turn (the person sees an apology): "
        "action schedule_reminder failed (UndefinedError); continuing at callback_script; "
    )
    assert "turn failed with UndefinedError" in notes[0]


# -- the server --------------------------------------------------------------------------------


@pytest.fixture
async def client(dialogs: Path):  # type: ignore[no-untyped-def]
    app = build_app(StudioSession(dialogs), watch=False)
    async with TestClient(TestServer(app, host="127.0.0.1")) as test_client:
        yield test_client


async def test_the_api_talks_and_answers_with_the_page_state(client: Client) -> None:
    page = await client.get("/")
    assert "Flow studio" in await page.text()
    assert page.headers["Content-Security-Policy"].startswith("default-src 'self'")
    state = await (await client.post("/api/say", json={"text": "start"})).json()
    assert state["at"] == {"flow": "recruiter_called", "step": "can_talk"}
    buttons = state["chat"][-1]["messages"][-1]["blocks"][-1]["elements"]
    assert buttons[0]["studio"] == {"press": "at_work"}
    state = await (await client.post("/api/settings", json={"platform": "discord"})).json()
    assert state["chat"][-1]["messages"][-1]["buttons"][0]["label"] == "I'm at work, I can't talk"
    assert (await client.get("/static/mermaid.min.js")).status == 200


@pytest.mark.parametrize(
    "text",
    [
        "\ud800 lone surrogate",
        "x" * 50_000,
        "😀 \uff21\uff22\uff23 <@U123> [a](https://x.example)",
        "\u0000",
    ],
)
async def test_odd_chat_input_comes_back_as_text(client: Client, text: str) -> None:
    body = json.dumps({"text": text})  # JSON escapes the lone surrogate, as a browser does
    response = await client.post(
        "/api/say", data=body, headers={"Content-Type": "application/json"}
    )
    assert response.status == 200
    state = await response.json()
    assert state["chat"][0] == {"who": "author", "text": text}
    assert state["chat"][1]["who"] == "coach"


async def test_the_clock_and_zone_are_set_and_the_conversation_replayed(client: Client) -> None:
    await client.post("/api/say", json={"text": "start"})
    body = {"now": "2026-11-23T10:00", "time_zone": "America/New_York"}
    state = await (await client.post("/api/settings", json=body)).json()
    assert state["now"] == "2026-11-23T10:00:00-05:00"
    assert state["at"]["step"] == "can_talk"
    state = await (
        await client.post("/api/settings", json={"now": "2026-11-23T10:00", "time_zone": ""})
    ).json()
    assert state["now"] == "2026-11-23T10:00:00+00:00"


async def test_other_hosts_and_non_json_posts_are_refused(client: Client) -> None:
    rebound = await client.get("/api/state", headers={"Host": "evil.example:8700"})
    assert rebound.status == 403
    form_post = await client.post("/api/say", data={"text": "start"})
    assert form_post.status == 415
    not_object = await client.post("/api/say", json=["start"])
    assert not_object.status == 400


@pytest.mark.parametrize(
    ("action", "body", "message"),
    [
        ("say", {"text": 3}, "text must be text"),
        ("restart", {"slots": [1]}, "slots must be a JSON object"),
        ("settings", {"platform": "irc"}, "platform must be one of slack, discord, console"),
        ("settings", {"time_zone": "Mars/Olympus"}, "no time zone called 'Mars/Olympus'"),
        ("settings", {"now": "yesterday"}, "the clock needs a date and time"),
        ("save", {}, "talk to the flow first"),
        ("form", {"values": {"a": 1}}, "values must map field names to text"),
    ],
)
async def test_mistakes_come_back_as_a_message(
    client: Client, action: str, body: dict[str, Any], message: str
) -> None:
    state = await (await client.post(f"/api/{action}", json=body)).json()
    assert message in state["error"]


async def test_page_state_shows_hostile_text_as_data(dialogs: Path) -> None:
    session = StudioSession(dialogs)
    await session.say("<script>alert(1)</script>")
    state = await page_state(session)
    assert state["chat"][0] == {"who": "author", "text": "<script>alert(1)</script>"}


# -- the command line --------------------------------------------------------------------------


def test_a_taken_port_is_one_clear_line(dialogs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        args = argparse.Namespace(path=dialogs, port=port, open=False)
        assert studio_cli.main(args) == 2
    out = capsys.readouterr().out
    assert out.strip().splitlines()[-1] == (
        f"port {port} is taken on 127.0.0.1: stop what uses it or pick another, "
        f"e.g. --port {port + 1}"
    )


def test_a_folder_without_flows_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = argparse.Namespace(path=tmp_path, port=0, open=False)
    assert studio_cli.main(args) == 2
    assert "not a dialogs folder" in capsys.readouterr().out


async def test_a_folder_of_templates_only_runs_the_shipped_flows_in_the_studio(
    tmp_path: Path,
) -> None:
    notice = tmp_path / "notice" / "templates" / "common" / "coach_privacy.j2"
    notice.parent.mkdir(parents=True)
    notice.write_text("Acme's own notice: notes are kept 30 days.")
    session = StudioSession(tmp_path / "notice")
    assert session.report.errors == []
    await session.say("start")
    assert "Acme's own notice" in session.chat[1].replies[0].text
    assert (await session.where())[0] == "recruiter_called"


def test_flows_studio_reaches_the_studio_through_its_entry_point(
    monkeypatch: pytest.MonkeyPatch, dialogs: Path
) -> None:
    import bot.cli.main

    seen: list[argparse.Namespace] = []
    # The installed entry points, plus `studio` (an install made before it was added lacks it).
    modules = {**bot.cli.main.command_modules(), "studio": "adapters.studio.cli"}
    monkeypatch.setattr(bot.cli.main, "command_modules", lambda: modules)

    def studio_main(args: argparse.Namespace) -> int:
        seen.append(args)
        return 0

    monkeypatch.setattr(studio_cli, "main", studio_main)
    assert bot.cli.main.main(["flows", "studio", str(dialogs), "--port", "8799"]) == 0
    assert (seen[0].path, seen[0].port) == (dialogs, 8799)


def test_the_studio_entry_point_is_declared() -> None:
    pyproject = (Path(__file__).resolve().parents[3] / "pyproject.toml").read_text()
    assert 'studio = "adapters.studio.cli"' in pyproject


# -- the file watcher --------------------------------------------------------------------------

NEW_CASE = """\
- name: a case saved while the studio runs
  flow: forget
  turns:
    - user: forget
      bot: ["erase everything?"]
      step: confirm
- name: a case that fails
  flow: forget
  turns:
    - user: forget
      bot: ["words the coach never says"]
"""


async def _next_state(client: Client, revision: int) -> dict[str, Any]:
    for _ in range(100):  # the watcher looks every 0.3 s
        state: dict[str, Any] = await (await client.get("/api/state")).json()
        if state["revision"] != revision:
            return state
        await asyncio.sleep(0.1)
    raise AssertionError("the page state did not change")


async def test_a_test_file_saved_while_the_studio_runs_refreshes_the_tests(dialogs: Path) -> None:
    for path in (dialogs / "tests").glob("*.yaml"):
        if path.name != "forget.yaml":
            path.unlink()  # few cases: each refresh runs them all
    app = build_app(StudioSession(dialogs), watch=True)
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        first = await (await client.get("/api/state")).json()
        assert first["tests"] is None  # nothing run yet
        (dialogs / "tests" / "saved_in_editor.yaml").write_text(NEW_CASE)
        state = await _next_state(client, first["revision"])
        assert state["tests"]["result"] == "3 passed, 1 failed"
        assert any("a case that fails" in f for f in state["tests"]["failures"])
        assert any(line.startswith("forget:") for line in state["tests"]["coverage"])
        (dialogs / "tests" / "saved_in_editor.yaml").unlink()
        state = await _next_state(client, state["revision"])
        assert state["tests"]["result"] == "2 passed, 0 failed"
        # a template edited once tests were shown: they run again on the reloaded dialogs
        template = dialogs / "templates" / "common" / "forget_confirm.j2"
        template.write_text(template.read_text().replace("Erase everything?", "Wipe it all?"))
        state = await _next_state(client, state["revision"])
        assert state["tests"]["result"] == "0 passed, 2 failed"
