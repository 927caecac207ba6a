"""The flow studio in a real headless browser: Playwright for Python driving Debian's chromium.

The studio runs as its own process (``python -m adapters.studio``) on a copy of the shipped
dialogs, so the test edits and breaks files freely. One walk through the page, as an author would
use it: talk through the at-work path in the Slack view (buttons, the callback form), switch to
Discord, edit a template and see it, break a flow and see the lint error with its line, save the
conversation as a test and run it. Timings (start-up, click to reply) are printed and written to
``$STUDIO_TIMINGS`` when set; ``STUDIO_SCREENSHOT=docs/images/studio.png`` refreshes the README's
screenshot. Needs ``/usr/bin/chromium`` (``apt-get install -y chromium``; never
``playwright install``).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect, sync_playwright

from bot.config import DEFAULT_DIALOGS_DIR

REPO = Path(__file__).resolve().parents[3]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
HOSTILE_SAY = (
    '<script>window.pwned = 1</script><img src=x onerror="window.pwned = 2"> & <b>not bold</b>'
)
HOSTILE_FLOW = f"""flow: hostile
title: A flow whose text is HTML
steps:
  show:
    say: '{HOSTILE_SAY}'
    next: ask
  ask:
    ask: text
    slot: anything
    text: Type something.
    next: bye
  bye:
    say: Thanks.
"""
pytestmark = pytest.mark.timeout(240)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def dialogs(tmp_path: Path) -> Path:
    root = tmp_path / "dialogs"
    shutil.copytree(Path(DEFAULT_DIALOGS_DIR), root, ignore=shutil.ignore_patterns("__*"))
    (root / "flows" / "hostile.yaml").write_text(HOSTILE_FLOW, encoding="utf-8")
    return root


@pytest.fixture
def studio(dialogs: Path) -> Iterator[tuple[str, float, float]]:
    """The studio's URL and its start-up times: process start to the "ready" line, and the
    studio's own count (from its main(), without the Python interpreter's start)."""
    port = _free_port()
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "adapters.studio", str(dialogs), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=REPO,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        startup = time.perf_counter() - started
        assert f"http://127.0.0.1:{port}/" in first, first
        ready = re.search(r"ready in ([\d.]+) s", first)
        assert ready is not None, first
        yield f"http://127.0.0.1:{port}/", startup, float(ready.group(1))
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[BrowserContext]:
    profile = tmp_path / "chromium-profile"
    profile.mkdir()
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1400, "height": 900},
        )
        try:
            yield context
        finally:
            context.close()


def _say(page: Page, text: str) -> None:
    page.fill("#message", text)
    page.press("#message", "Enter")


def _chat(page: Page):  # type: ignore[no-untyped-def]
    return page.locator("#chat")


def test_an_author_talks_sees_edits_breaks_and_saves(
    studio: tuple[str, float, float], browser: BrowserContext, dialogs: Path
) -> None:
    url, startup, ready = studio
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(url)
    expect(page.locator("#problems")).to_contain_text("0 errors, 0 warnings")

    # 1. The at-work path in the Slack view: buttons, then the callback form as a modal.
    _say(page, "start")
    expect(_chat(page)).to_contain_text("word on privacy")
    page.get_by_role("button", name="I'm at work, I can't talk").click()
    expect(_chat(page)).to_contain_text("When suits you?")
    page.get_by_role("button", name="Call me back").click()
    modal = page.locator("#overlay .modal")
    expect(modal).to_be_visible()
    expect(modal).to_contain_text("When should they call you back?")
    modal.locator("[data-field=callback_at]").fill("2026-11-24T18:30")
    modal.locator("[data-field=callback_phone]").fill("+1 415 555 0100")
    modal.get_by_role("button", name="Submit").click()
    expect(_chat(page)).to_contain_text("How do you feel about what they're offering?")
    expect(_chat(page)).to_contain_text("Tuesday 24 November, 18:30")
    expect(page.locator("#at")).to_have_text("at recruiter_called.interest")
    expect(page.locator("#slots")).to_contain_text('"+14155550100"')
    expect(page.locator("#diagram g.node.studioHere")).to_have_count(1)
    page.get_by_role("button", name="I'm interested").click()
    expect(page.locator("#at")).to_have_text("at recruiter_called.anything_else")
    if path := os.environ.get("STUDIO_SCREENSHOT"):
        page.locator("#diagram g.node.studioHere").scroll_into_view_if_needed()
        page.screenshot(path=path)

    # The reminder: the clock jumps to it and the reminder shows.
    page.get_by_role("button", name="Jump to the reminder").click()
    expect(_chat(page)).to_contain_text("Reminder: your recruiter call")

    # 2. The same conversation in Discord: the platform's look, the same place.
    page.get_by_role("button", name="Discord", exact=True).click()
    expect(_chat(page)).to_have_class("discord")
    expect(_chat(page).locator(".dbtn").first).to_be_visible()
    expect(_chat(page)).to_contain_text("How do you feel about what they're offering?")
    expect(page.locator("#at")).to_have_text("at recruiter_called.anything_else")

    # 3. A template edited on disk: the chat shows the new words, still at the same step.
    template = dialogs / "templates" / "common" / "callback_when.j2"
    template.write_text(
        template.read_text(encoding="utf-8").replace("No problem:", "Edited in the studio:"),
        encoding="utf-8",
    )
    expect(_chat(page)).to_contain_text("Edited in the studio:", timeout=5000)
    expect(page.locator("#at")).to_have_text("at recruiter_called.anything_else")

    # 4. Save as a test (before the reminder, which a transcript test cannot hold) and run it.
    page.get_by_role("button", name="Slack", exact=True).click()
    page.get_by_role("button", name="Start over").click()
    _say(page, "start")
    page.get_by_role("button", name="I'm at work, I can't talk").click()
    page.get_by_role("button", name="Call me back").click()
    modal.locator("[data-field=callback_at]").fill("2026-11-24T18:30")
    modal.locator("[data-field=callback_phone]").fill("+1 415 555 0100")
    modal.get_by_role("button", name="Submit").click()
    page.get_by_role("button", name="Not interested").click()
    page.fill("#test-name", "at work, not interested")
    page.get_by_role("button", name="Save as a test").click()
    expect(page.locator("#save-result")).to_contain_text("1 passed, 0 failed")
    saved = dialogs / "tests" / "studio_at_work_not_interested.yaml"
    assert saved.is_file()
    check = subprocess.run(
        [sys.executable, "-m", "bot.cli.main", "flows", "test", str(dialogs)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
    )
    assert " 0 failed" in check.stdout, check.stdout
    page.get_by_role("button", name="Run flows test").click()
    expect(page.locator("#coverage")).to_contain_text("recruiter_called: ")

    # 5. A broken flow: the lint error with its file and line, and the fix.
    flow_file = dialogs / "flows" / "recruiter_called.yaml"
    lines = flow_file.read_text(encoding="utf-8").splitlines(keepends=True)
    broken = next(i for i, line in enumerate(lines) if "next: callback_number" in line)
    lines[broken] = lines[broken].replace("callback_number", "callback_numbr")
    flow_file.write_text("".join(lines), encoding="utf-8")
    problem = page.locator("#problems .problem.error").first
    expect(problem).to_contain_text(
        f"dialogs/flows/recruiter_called.yaml:{broken + 1}", timeout=5000
    )
    expect(problem).to_contain_text("callback_numbr")
    expect(problem).to_contain_text("fix:")

    # 6. Hostile text from a flow and from the chat is shown as text, never run as HTML.
    page.select_option("#flow", "hostile")
    expect(_chat(page)).to_contain_text("<script>window.pwned = 1</script>")
    _say(page, '<img src=x onerror="window.pwned = 3"><script>window.pwned = 4</script>')
    expect(_chat(page)).to_contain_text('<img src=x onerror="window.pwned = 3">')
    assert page.evaluate("window.pwned") is None
    expect(_chat(page)).to_contain_text("& <b>not bold</b>")
    assert _chat(page).locator("img, script").count() == 0

    # 7. Click a step in the diagram to start there, with preset slots.
    flow_file.write_text(
        "".join(lines).replace("callback_numbr", "callback_number"), encoding="utf-8"
    )
    expect(page.locator("#problems")).to_contain_text("0 errors", timeout=5000)
    page.select_option("#flow", "recruiter_called")
    page.fill("#preset", '{"situation": "at_work", "callback_at": "2026-11-24T18:30:00+00:00"}')
    page.locator('#diagram g.node[data-step="callback_number"]').click()
    expect(page.locator("#at")).to_have_text("at recruiter_called.callback_number")
    expect(page.locator("#slots")).to_contain_text("at_work")
    expect(_chat(page)).to_contain_text("Which number should they call?")

    timings = page.evaluate("window.studioTimings")
    clicks = [t["ms"] for t in timings if t["action"] in ("press", "form", "say")]
    report = {
        "startup_s_process": round(startup, 3),
        "startup_s_studio": ready,
        "reply_ms_median": round(sorted(clicks)[len(clicks) // 2], 1),
        "reply_ms_max": round(max(clicks), 1),
        "replies_measured": len(clicks),
    }
    print("studio timings:", json.dumps(report))
    if out := os.environ.get("STUDIO_TIMINGS"):
        Path(out).write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    assert errors == []
    assert all(re.match(r"http://127\.0\.0\.1:\d+/", r) for r in requests), requests
