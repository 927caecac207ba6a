"""The personal-data actions through a real engine: sharing a referral, export, forget and the
callback reminder."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import MetaData, select

from bot.boundary import ConversationRef, Reply
from bot.store import Store, UserRecord
from bot.store.sql import SqlStore
from tests.sql_engine import sql_engine

ROOT = Path(__file__).resolve().parents[2]
SLACK_DM = ConversationRef("slack", "D1", "U-sam-77", space="T1")


def use_ref(chat, ref: ConversationRef = SLACK_DM):
    chat.ref = ref
    return chat


async def fill_share_form(chat) -> None:
    await chat.say("menu")
    await chat.press("share")
    form = chat.replies[-1].form
    values = {"role": "Data engineer", "level": "Senior", "location": "Remote", "skills": "SQL"}
    await chat.send(form=tuple(values.items()), choice_token=form.token)
    await chat.press("no")  # no recruiter contact on the card


async def test_sharing_posts_one_card_after_the_preview_and_yes(build_engine, chat_with):
    engine = await build_engine()
    await engine.store.set_space_setting("slack", "T1", "referral_channel", "C-ref")
    chat = use_ref(chat_with(engine))
    await fill_share_form(chat)
    assert "Shall I post it?" in chat.replies[-1].text
    assert await engine.store.referrals_shared_by(SLACK_DM.user_key) == []  # not yet

    texts = await chat.press("yes")

    cards = [r for r in chat.replies if r.destination == "referral_channel"]
    assert len(cards) == 1 and cards[0].card is not None
    [referral] = await engine.store.referrals_shared_by(SLACK_DM.user_key)
    assert cards[0].card.key == f"referral:{referral.id}"
    assert referral.opportunity["recruiter_contact"] is None
    assert "Posted." in texts[-1]
    assert (await chat.state()).slots["referral_id"] == referral.id


async def test_saying_no_to_the_preview_posts_nothing(build_engine, chat_with):
    engine = await build_engine()
    await engine.store.set_space_setting("slack", "T1", "referral_channel", "C-ref")
    chat = use_ref(chat_with(engine))
    await fill_share_form(chat)
    await chat.press("no")
    assert all(r.destination != "referral_channel" for r in chat.replies)
    assert await engine.store.referrals_shared_by(SLACK_DM.user_key) == []


async def test_without_a_referral_channel_nothing_is_posted(build_engine, chat_with):
    engine = await build_engine()
    chat = use_ref(chat_with(engine))
    await fill_share_form(chat)
    texts = await chat.press("yes")
    assert "no referral channel set up yet" in texts[-1]
    assert all(r.destination != "referral_channel" for r in chat.replies)
    assert await engine.store.referrals_shared_by(SLACK_DM.user_key) == []


async def add_dana(chat) -> None:
    await chat.say("relationship")
    await chat.press("add")
    fields = {
        "contact_name": "Dana",
        "contact_agency": "Northwind",
        "contact_specialty": "data",
        "contact_reach": "dana@example.com",
        "contact_notes": "none",
    }
    await chat.send(form=tuple(fields.items()), choice_token=chat.replies[-1].form.token)
    await chat.press("m3")


def all_keys(value: object) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in all_keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in all_keys(v)}
    return set()


def check_readable(exported: dict) -> None:
    """Self-explaining keys only, each one documented; no encoded conversation keys."""
    keys = all_keys(exported)
    assert not keys & {"h", "k", "q", "v", "a", "z", "p", "t"}, keys
    assert ":-:" not in json.dumps(exported)
    documented = (ROOT / "docs" / "personal-data.md").read_text(encoding="utf-8")
    # answers are keyed by the flows' own slot names; every other key is explained in the doc
    answers = all_keys([c["answers"] for c in exported["conversations"]])
    answers |= all_keys([c["earlier_answers"] for c in exported["conversations"]])
    answers |= all_keys([r["opportunity"] for r in exported["opportunities_shared"]])
    answers |= all_keys([m["form_answers"] for m in exported["messages_not_yet_handled"]])
    missing = sorted(k for k in keys - answers if f"`{k}`" not in documented)
    assert missing == [], f"document these keys in docs/personal-data.md: {missing}"


async def test_the_console_export_is_a_summary_and_a_file_with_readable_keys(
    build_engine, chat_with
):
    engine = await build_engine()
    chat = chat_with(engine)
    await add_dana(chat)

    await chat.say("export")

    summary, _done = chat.replies
    assert summary.attachment is not None and summary.attachment.filename.endswith(".json")
    exported = json.loads(summary.attachment.content)
    assert exported["recruiter_contacts"][0]["name"] == "Dana"
    assert exported["recruiter_contacts"][0]["how_to_reach"] == "dana@example.com"
    [reminder] = exported["reminders"]
    assert reminder["kind"] == "keep-in-touch nudge"
    assert exported["conversations"][0]["where"]["platform"] == "console"
    check_readable(exported)
    assert "Recruiter contacts: 1" in summary.text
    assert "Your time zone: America/New" in summary.text
    assert "nudge on Tuesday 23 February 2027" in summary.text  # another year: it says which
    assert "```" not in summary.text
    texts = [r.text.lower() for r in chat.replies]
    assert sum("forget" in text for text in texts) == 1  # one closing line, not two


async def test_on_slack_the_export_json_is_readable_too(build_engine, chat_with):
    engine = await build_engine()
    chat = use_ref(chat_with(engine))
    await add_dana(chat)

    await chat.say("export")

    json_reply, summary, done = chat.replies
    body = re.search(r"```\n(.*)\n```", json_reply.text, re.DOTALL)
    assert body is not None
    exported = json.loads(re.sub(r"\\(.)", r"\1", body.group(1)))  # undo the markup escapes
    assert exported["recruiter_contacts"][0]["name"] == "Dana"
    check_readable(exported)
    assert "Recruiter contacts: 1" in summary.text
    assert "type **forget**" in done.text.lower()


async def test_forget_erases_everything_and_the_turn_saves_nothing(
    build_engine, chat_with, any_store: Store
):
    engine = await build_engine(store=any_store)
    chat = use_ref(chat_with(engine))
    await chat.say("relationship")
    await chat.press("add")
    for text in ("Dana", "Northwind", "data", "dana@example.com", "none"):
        await chat.say(text)
    await chat.press("m3")
    await any_store.set_space_setting("slack", "T1", "referral_channel", "C-ref")
    await fill_share_form(chat)
    await chat.press("yes")
    other = ConversationRef("slack", "D2", "U-other", space="T1")
    [referral] = await any_store.referrals_shared_by(SLACK_DM.user_key)
    await any_store.add_referral_response(referral.id, other.user_key, "interested")

    await chat.say("forget")
    texts = await chat.press("yes")

    assert "erased everything" in texts[-1]
    assert await any_store.load_conversation(chat.ref.key) is None
    assert await any_store.load_user(SLACK_DM.user_key) is None
    exported = await any_store.export_user(SLACK_DM.user_key)
    assert all(rows == [] for rows in exported.values()), exported
    assert await any_store.referrals_answered_by(other.user_key) == []
    if isinstance(any_store, SqlStore):
        assert [hit async for hit in mentions(any_store, "U-sam-77")] == []


async def mentions(store: SqlStore, needle: str) -> AsyncIterator[tuple[str, dict]]:
    reflected = MetaData()
    async with sql_engine(store).connect() as conn:
        await conn.run_sync(reflected.reflect)
        for table in reflected.sorted_tables:
            for row in await conn.execute(select(table)):
                if needle in repr(tuple(row)):
                    yield table.name, dict(row._mapping)


async def test_the_next_message_after_forget_starts_afresh(build_engine, chat_with):
    engine = await build_engine()
    chat = chat_with(engine)
    await chat.say("forget")
    await chat.press("yes")
    texts = await chat.say("hi")
    assert "a word on privacy" in texts[0].lower()


# callbacks


async def set_callback(chat, when: str = "tomorrow 18:30") -> None:
    await chat.say("callback")
    await chat.press("yes")
    await chat.say(when)
    await chat.say("+1 415 555 0100")
    await chat.say("Ask about remote work")


async def test_the_callback_reminder_carries_notes_and_questions(build_engine, chat_with):
    engine = await build_engine()
    chat = chat_with(engine)
    await set_callback(chat)
    [job] = await engine.store.pending_jobs(chat.ref.user_key)
    _, [reminder] = await engine.run_job(job)
    assert isinstance(reminder, Reply) and reminder.destination == "dm"
    assert "Your notes: Ask about remote work" in reminder.text
    assert "Questions to ask:" in reminder.text and "why is the role open?" in reminder.text


async def test_a_callback_set_elsewhere_is_moved_not_doubled(build_engine, chat_with):
    engine = await build_engine()
    chat = chat_with(engine)
    await set_callback(chat)
    elsewhere = chat_with(engine)
    elsewhere.ref = ConversationRef("console", "another-channel", chat.ref.user)
    await elsewhere.say("callback")
    await elsewhere.press("move")
    await elsewhere.say("Wednesday 12:00")
    await elsewhere.say("same")

    jobs = await engine.store.pending_jobs(chat.ref.user_key)
    assert len(jobs) == 1
    assert jobs[0].conversation_key == elsewhere.ref.key
    assert jobs[0].payload["context"]["notes"] == "Ask about remote work"


async def test_cancel_callback_refuses_someone_elses_key(build_engine, chat_with):
    engine = await build_engine()
    victim = chat_with(engine, user="victim")
    await set_callback(victim)
    [job] = await engine.store.pending_jobs(victim.ref.user_key)

    from bot.coaching.personal import cancel_callback
    from bot.flow.actions import ActionContext

    attacker = ConversationRef("console", "c1", "attacker")
    context = ActionContext(attacker, now=job.due_at, time_zone=None, store=engine.store)
    assert await cancel_callback(context, {"key": job.job_key}) == {"cancelled": False}
    assert context.cancel_job_keys == []


async def test_forget_and_export_cover_the_space_less_record_of_the_person(
    build_engine, chat_with
):
    engine = await build_engine()
    chat = use_ref(chat_with(engine))
    person = f"{SLACK_DM.platform}:-:{SLACK_DM.user}"  # what an adapter keeps per person
    await engine.store.save_user(UserRecord(person, "Europe/Berlin", {"last_space": "T1"}))
    await chat.say("export")
    assert "Europe/Berlin" in " ".join(r.text for r in chat.replies)
    await chat.say("forget")
    await chat.press("yes")
    assert await engine.store.load_user(person) is None


async def test_a_retried_forget_event_is_not_run_again(build_engine, chat_with, any_store):
    engine = await build_engine(store=any_store)
    chat = use_ref(chat_with(engine))
    await chat.say("forget")
    token = chat.token("yes")
    await chat.send(choice_token=token, event_id="Ev-forget")
    assert await chat.send(choice_token=token, event_id="Ev-forget") == []  # the retry
    assert await any_store.load_conversation(chat.ref.key) is None
    assert await any_store.load_user(chat.ref.user_key) is None


async def test_the_export_holds_messages_saved_but_not_handled_yet(build_engine, chat_with):
    """A message in the durable inbox (saved before the ack, not applied yet: the coach is busy
    or restarting) is the person's data too: export shows it, forget removes it."""
    engine = await build_engine()
    chat = chat_with(engine)
    ref = chat.ref
    for number, incoming in enumerate(
        ({"text": "call me on +1 415 555 0100"}, {"form": [["contact_notes", "met at a fair"]]})
    ):
        await engine.store.enqueue_event(
            event_id=f"Ev-waiting-{number}",
            conversation_key=ref.key,
            user_key=ref.user_key,
            stamp=f"00000000000000{number}.000100",
            payload={"incoming": {**incoming, "received_at": "2026-12-04T10:00:00+00:00"}},
            now=datetime(2026, 11, 23, 15, 0, tzinfo=UTC),
        )

    await chat.say("export")

    [file] = [r.attachment for r in chat.replies if r.attachment is not None]
    exported = json.loads(file.content)
    waiting = exported["messages_not_yet_handled"]
    assert [m["text"] for m in waiting] == ["call me on +1 415 555 0100", None]
    assert waiting[1]["form_answers"] == {"contact_notes": "met at a fair"}
    assert waiting[0]["where"]["channel"] == ref.channel and waiting[0]["received_at"]
    check_readable(exported)

    await chat.say("forget")
    await chat.press("yes")
    left = await engine.store.export_user(ref.user_key)
    assert left["inbox_events"] == []
