"""The callback's calendar file on Slack: uploaded with files.uploadV2 (slack_sdk's real
three-step upload against the fake Web API) to the person's DM with the app, never to the
channel; icalendar reads it back at the agreed time in the person's zone."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar

from tests.adapters.slack.conftest import Harness, button

BERLIN = ZoneInfo("Europe/Berlin")


async def test_a_scheduled_callback_uploads_its_calendar_file_to_the_dm(slack: Harness) -> None:
    slack.fake.add_user("U1", real_name="Sam", tz="Europe/Berlin")
    await slack.command("")
    hooks = await slack.fake.wait_for("hook", 2)
    await slack.click(button(hooks[-1].args["blocks"], "I'm at work, I can't talk"))
    view = (await slack.fake.wait_for("views.open"))[0].args["view"]
    day = datetime.now(BERLIN).date() + timedelta(days=2)
    at = datetime.combine(day, datetime.min.time().replace(hour=18, minute=30), BERLIN)
    await slack.submit(
        view,
        {
            "callback_at": {"type": "datetimepicker", "selected_date_time": int(at.timestamp())},
            "callback_phone": {"type": "plain_text_input", "value": "+1 415 555 0100"},
        },
    )
    (done,) = await slack.fake.wait_for("files.completeUploadExternal")
    assert done.args["channel_id"] == "DU1"  # the app's DM, not the channel
    (content,) = slack.fake.uploads.values()
    calendar = Calendar.from_ical(content)
    (event,) = calendar.walk("VEVENT")
    assert event["DTSTART"].dt == at and str(event["DTSTART"].dt.tzinfo) == "Europe/Berlin"
    assert calendar.walk("VALARM")
    asked = slack.fake.named("files.getUploadURLExternal")[0].args
    assert asked["filename"].endswith(".ics")
