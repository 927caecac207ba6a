"""Draw a real Slack conversation for docs/slack.md.

Usage: ``python -m tests.adapters.slack.conversation_picture`` (from the repository root).

Runs ``/recruiter`` through the real Bolt app against the fake Web API (as the tests do), takes
the Block Kit the app sent (ephemeral answers, the modal, the follow-up), draws it as Slack-like
HTML (:mod:`tests.adapters.slack.blockkit_html`) and screenshots it with headless Chromium into
``docs/images/slack-conversation.png``. Everything runs on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
import tempfile
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from tests.adapters.slack.blockkit_html import Entry, page
from tests.adapters.slack.conftest import button, running_app, slack_settings
from tests.adapters.slack.fake_slack import FakeSlack

ROOT = Path(__file__).resolve().parents[3]
OUTPUT = ROOT / "docs" / "images" / "slack-conversation.png"
ONLY_YOU = "Only visible to you"
BERLIN = ZoneInfo("Europe/Berlin")


async def conversation(tmp: Path) -> list[Entry]:
    fake = FakeSlack()
    await fake.start()
    fake.add_user("U1", real_name="Sam", tz="Europe/Berlin")
    settings = slack_settings(tmp, f"sqlite+aiosqlite:///{tmp}/coach.db", fake)
    entries: list[Entry] = []
    try:
        async with running_app(settings, fake) as slack:
            entries.append(Entry("Sam", [], text="/recruiter"))
            await slack.command("")
            hooks = await fake.wait_for("hook", 2)
            entries += [Entry("app", h.args["blocks"], note=ONLY_YOU) for h in hooks]
            choice = "I'm at work, I can't talk"
            await slack.click(button(hooks[-1].args["blocks"], choice))
            view = (await fake.wait_for("views.open"))[0].args["view"]
            entries.append(Entry("Sam", [], text=f"clicked “{choice}”", modal=view))
            day = datetime.now(BERLIN).date() + timedelta(days=2)
            at = int(
                datetime.combine(
                    day, datetime.min.time().replace(hour=18, minute=30), BERLIN
                ).timestamp()
            )
            await slack.submit(
                view,
                {
                    "callback_at": {"type": "datetimepicker", "selected_date_time": at},
                    "callback_phone": {"type": "plain_text_input", "value": "+1 415 555 0100"},
                },
            )
            done = await fake.wait_for("hook", 5)
            entries += [Entry("app", h.args["blocks"], note=ONLY_YOU) for h in done[3:]]
    finally:
        await fake.close()
    return entries


def screenshot(html_file: Path, output: Path) -> None:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        raise SystemExit("install Chromium first: apt-get install -y chromium")
    output.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--window-size=760,1180",
            f"--screenshot={output}",
            html_file.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        entries = asyncio.run(conversation(Path(tmp)))
        html_file = Path(tmp) / "conversation.html"
        html_file.write_text(page("general", entries), encoding="utf-8")
        screenshot(html_file, OUTPUT)
    print(f"wrote {OUTPUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
