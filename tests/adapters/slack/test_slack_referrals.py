"""Referral cards in a team channel: an admin sets the channel, a card is posted, a colleague's
click reaches the sharer privately and updates the card's count, and the sharer closes it."""

from __future__ import annotations

import asyncio
import json

from adapters.slack.convert import private_conversation
from adapters.slack.send import Surface
from bot.coaching.referrals import Opportunity
from tests.adapters.slack.conftest import Harness, button, buttons


async def test_only_admins_and_owners_set_the_referral_channel(slack: Harness) -> None:
    assert slack.coach is not None
    slack.fake.add_user("UBOSS", is_owner=True, tz="Europe/Berlin")
    await slack.command("admin referral-channel <#C0SPAM|random>", user="U2")
    await slack.command("admin referral-channel <#C0JOBS|jobs>", user="UBOSS")
    hooks = await slack.fake.wait_for("hook", 2)
    texts = sorted(h.args["text"] for h in hooks)
    assert texts[0].startswith("Done") and texts[1].startswith("Only workspace admins")
    assert await slack.coach.referrals.referral_channel("slack", "T1") == "C0JOBS"


async def test_a_referral_card_round_trip_between_two_people(slack: Harness) -> None:
    assert slack.coach is not None and slack.delivery is not None
    assert slack.delivery.sender is not None
    board = slack.coach.referrals
    await board.set_referral_channel("slack", "T1", "C0JOBS")
    sharer = private_conversation("T1", "U1")
    referral = await board.share(
        sharer,
        Opportunity(
            role="Staff engineer <!channel>", level="Senior", location="Remote", skills="Python"
        ),
    )
    client = slack.delivery.sender.clients.base
    await slack.delivery.sender.send(
        Surface(client=client, conversation=sharer), [board.card(referral, "C0JOBS")]
    )
    posted = (await slack.fake.wait_for("chat.postMessage"))[0].args
    assert posted["channel"] == "C0JOBS"
    # mrkdwn and the fallback are escaped; the header is plain_text, which Slack never parses
    header, *rest = posted["blocks"]
    assert header["text"]["type"] == "plain_text"
    assert "<!channel>" not in json.dumps(rest) + posted["text"]
    assert "&lt;!channel&gt;" in json.dumps(rest)
    message = {"ts": "1700000001.000100"}  # what the fake answered for the post
    assert (await board.store.get_referral(referral.id)).message_id == message["ts"]

    await slack.click(
        button(posted["blocks"], "I'm interested"),
        user="U2",
        ephemeral=False,
        channel="C0JOBS",
        message=message,
    )
    updated = (await slack.fake.wait_for("chat.update"))[0].args
    assert (updated["channel"], updated["ts"]) == ("C0JOBS", message["ts"])
    assert any(
        f["text"].endswith("\n1")
        for b in updated["blocks"]
        for f in b.get("fields", [])
        if f["text"].startswith("*Interested*")
    )
    ack = (await slack.fake.wait_for("hook"))[0].args
    assert ack["response_type"] == "ephemeral" and "told the person" in ack["text"]
    notice = (await slack.fake.wait_for("chat.postMessage", 2))[-1].args
    assert notice["channel"] == "DU1"  # the sharer's DM, nobody else's

    await slack.click(
        button(posted["blocks"], "Close"),
        user="U2",
        ephemeral=False,
        channel="C0JOBS",
        message=message,
    )
    hooks = await slack.fake.wait_for("hook", 2)
    assert "Only the person who shared" in hooks[-1].args["text"]
    await slack.click(
        button(posted["blocks"], "Close"),
        user="U1",
        ephemeral=False,
        channel="C0JOBS",
        message=message,
    )
    updates = await slack.fake.wait_for("chat.update", 3)
    assert (
        buttons(
            updates[-1]["blocks"] if isinstance(updates[-1], dict) else updates[-1].args["blocks"]
        )
        == []
    )
    assert "Closed" in json.dumps(updates[-1].args["blocks"])

    await slack.event({"type": "app_home_opened", "user": "U1", "channel": "DU1", "tab": "home"})
    await slack.event({"type": "app_home_opened", "user": "U2", "channel": "DU2", "tab": "home"})
    homes = {
        c.args["user_id"]: json.dumps(c.args["view"])
        for c in await slack.fake.wait_for("views.publish", 2)
    }
    assert "Staff engineer" in homes["U1"] and "1 interested" in homes["U1"]
    assert "interested" in homes["U2"]


async def test_sharing_through_the_flow_previews_then_posts_the_card(slack: Harness) -> None:
    assert slack.coach is not None
    await slack.coach.referrals.set_referral_channel("slack", "T1", "C0JOBS")
    await slack.command("refer")
    view = (await slack.fake.wait_for("views.open"))[0].args["view"]
    text = {"type": "plain_text_input"}
    response = await slack.submit(
        view,
        {
            "role": {**text, "value": "Data engineer <!here>"},
            "level": {**text, "value": "Senior"},
            "location": {**text, "value": "Remote (EU)"},
            "skills": {**text, "value": "Python, SQL"},
        },
    )
    assert response.status == 200 and response.text == ""
    asked = await slack.fake.wait_for("hook", 3)  # privacy and intro, role form, contact?
    await slack.click(button(asked[-1].args["blocks"], "No"))  # no recruiter contact on it
    previews = await slack.fake.wait_for("hook", 4)
    preview = previews[-1].args
    assert "Data engineer" in preview["text"] and "&lt;!here&gt;" in preview["text"]
    assert slack.fake.named("chat.postMessage") == []  # nothing posted before the yes
    await slack.click(button(preview["blocks"], "Yes"))
    posted = (await slack.fake.wait_for("chat.postMessage"))[0].args
    assert posted["channel"] == "C0JOBS"
    assert {"I'm interested", "I know someone"} <= {
        b["text"]["text"] for b in buttons(posted["blocks"])
    }
    for _ in range(50):  # the board records the message right after the post returns
        shared = await slack.coach.referrals.shared_by("slack:T1:U1")
        if shared and shared[0].message_id:
            break
        await asyncio.sleep(0.05)
    assert [(r.channel, r.message_id) for r in shared] == [("C0JOBS", "1700000001.000100")]
