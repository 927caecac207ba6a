"""Draw the "Check this recruiter" message shortcut for docs/slack.md.

Usage: ``python -m tests.adapters.slack.check_picture`` (from the repository root).

Sends a real ``message_action`` payload through the Bolt app against the fake Web API (as the
tests do), takes the ephemeral answers and the "You chose" replacement it sent, and screenshots
them as Slack-like HTML into ``docs/images/slack-check.png``. Everything runs on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

from tests.adapters.slack.blockkit_html import Entry, page
from tests.adapters.slack.conftest import running_app, slack_settings
from tests.adapters.slack.conversation_picture import ONLY_YOU, ROOT, screenshot
from tests.adapters.slack.fake_slack import FakeSlack
from tests.adapters.slack.test_slack_check import MESSAGE, shortcut

OUTPUT = ROOT / "docs" / "images" / "slack-check.png"


async def conversation(tmp: Path) -> list[Entry]:
    fake = FakeSlack()
    await fake.start()
    fake.add_user("U1", real_name="Sam", tz="Europe/Berlin")
    settings = slack_settings(tmp, f"sqlite+aiosqlite:///{tmp}/coach.db", fake)
    entries: list[Entry] = []
    try:
        async with running_app(settings, fake) as slack:
            plain = MESSAGE.replace(
                "<mailto:hr.team@gmail.com|hr.team@gmail.com>", "hr.team@gmail.com"
            )
            entries.append(Entry("Recruiter", [], text=plain))
            entries.append(Entry("Sam", [], text="⋯ More actions → “Check this recruiter”"))
            await slack.interactive(shortcut(slack, MESSAGE))
            hooks = await fake.wait_for("hook", 2)
            entries += [Entry("app", h.args["blocks"], note=ONLY_YOU) for h in hooks]
    finally:
        await fake.close()
    return entries


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        entries = asyncio.run(conversation(Path(tmp)))
        html_file = Path(tmp) / "check.html"
        html_file.write_text(page("jobs", entries), encoding="utf-8")
        screenshot(html_file, OUTPUT)
    print(f"wrote {OUTPUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
