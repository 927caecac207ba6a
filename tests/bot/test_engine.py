"""The engine through its public API: Engine.handle(Incoming) -> list[Reply]."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from bot.boundary import Command
from bot.dialog.catalog import TopicRouter
from bot.dialog.engine import APOLOGY
from bot.dialog.state import ConversationState
from bot.store.memory import MemoryStore
from tests.bot.conftest import FAILING_TEMPLATE_FLOW

LAB = """
flow: lab
title: Lab
steps:
  name:
    ask: text
    slot: name
    text: What's your name?
    min_length: 2
    max_length: 20
    next: age
  age:
    ask: number
    slot: age
    text: How old are you?
    min: 16
    max: 99
    integer: true
    max_attempts: 2
    on_fail: escape
    next: mood
  mood:
    ask: choice
    slot: mood
    text: Pick one
    choices:
      - {id: go, label: Go on}
      - {id: halt, label: Stop}
    next: route
  route:
    branch:
      - if: mood == "halt"
        then: halted
      - else: sub
  sub:
    call: helper
    into: helper_result
    next: summary
  summary:
    say: "Done: {{ name }}, {{ age }}, helper said {{ helper_result }}."
    next: finish
  halted:
    say: "Halted for {{ name }}."
    next: finish
  escape:
    say: Escaped after too many tries.
    next: finish
  finish:
    end: true
"""

HELPER = """
flow: helper
steps:
  colour:
    ask: text
    slot: colour
    text: Favourite colour?
    next: done
  done:
    end: colour | upper
"""


@pytest.fixture
async def lab(build_engine, dialogs):
    return await build_engine(dialogs({"lab": LAB, "helper": HELPER}), entry_flow="lab")


async def test_at_work_path_echoes_time_and_number(build_engine, chat_with):
    chat = chat_with(await build_engine())
    first = await chat.say("start")
    assert "privacy" in first[0].lower()
    assert "can you talk" in first[-1].lower()
    assert "when suits you" in " ".join(await chat.say("at work")).lower()
    refused = await chat.say("whenever")
    assert "couldn't read" in refused[0].lower()
    assert await chat.step() == "callback_when"
    await chat.say("tomorrow 18:30")
    replies = " ".join(await chat.say("+1 415 555 0100"))
    assert "+1 415-555-0100" in replies
    assert "Tuesday 24 November, 6:30 pm" in replies
    state = await chat.state()
    assert state.slots["callback_phone"] == "+14155550100"
    assert state.slots["callback_at"] == "2026-11-24T18:30:00-05:00"


async def test_the_reminder_is_committed_with_the_turn_and_renders_later(build_engine, chat_with):
    engine = await build_engine()
    chat = chat_with(engine)
    for text in ("start", "at work", "tomorrow 18:30", "+1 415 555 0100"):
        await chat.say(text)
    jobs = await engine.store.pending_jobs(chat.ref.user_key)
    assert [j.kind for j in jobs] == ["reminder"]
    assert jobs[0].due_at.isoformat() == "2026-11-24T23:15:00+00:00"  # 15 minutes before
    ref, replies = await engine.run_job(jobs[0])
    assert ref == chat.ref
    assert "+1 415-555-0100" in replies[0].text and replies[0].destination == "dm"


async def test_a_time_in_the_past_is_invalid_not_unparsed(build_engine, chat_with):
    chat = chat_with(await build_engine())
    await chat.say("start")
    await chat.say("at work")
    replies = await chat.say("today 9am")
    assert "already passed" in replies[0].lower()
    assert await chat.step() == "callback_when"


async def test_rule_failures_and_escape_after_max_attempts(lab, chat_with):
    chat = chat_with(lab)
    await chat.say("start")
    assert "at least 2" in (await chat.say("A"))[0]
    await chat.say("Al")
    assert "16" in (await chat.say("12"))[0]
    replies = await chat.say("twelve and a half")
    assert "Escaped after too many tries." in replies
    assert await chat.step() == "ended"


async def test_help_is_a_command_but_help_the_children_is_an_answer(lab, chat_with):
    chat = chat_with(lab)
    await chat.say("start")
    help_replies = await chat.say("help")
    assert "back" in help_replies[0] and help_replies[-1] == "What's your name?"
    await chat.say("Help the Children")
    assert (await chat.state()).slots["name"] == "Help the Children"


async def test_a_choice_labelled_stop_is_an_answer_not_the_stop_command(lab, chat_with):
    chat = chat_with(lab)
    for text in ("start", "Al", "30"):
        await chat.say(text)
    replies = await chat.say("stop")
    assert replies == ["Halted for Al."]


async def test_back_rolls_the_slots_back_to_the_previous_question(lab, chat_with):
    chat = chat_with(lab)
    for text in ("start", "Al", "30"):
        await chat.say(text)
    assert await chat.step() == "mood"
    replies = await chat.say("back")
    assert replies[-1] == "How old are you?"
    state = await chat.state()
    assert "age" not in state.slots and state.slots["name"] == "Al"
    await chat.say("back")
    assert "name" not in (await chat.state()).slots
    assert "no earlier question" in (await chat.say("back"))[0]


async def test_restart_stop_repeat_and_menu(lab, chat_with):
    chat = chat_with(lab)
    await chat.say("start")
    await chat.say("Al")
    assert (await chat.say("repeat")) == ["How old are you?"]
    assert "Stopped" in (await chat.say("stop"))[0]
    assert await chat.step() == "ended"
    await chat.say("hello")
    await chat.say("Bo")
    assert (await chat.say("restart")) == ["What's your name?"]
    assert (await chat.state()).slots == {}
    menu = await chat.say("menu")
    assert menu == ["What's your name?"]  # no menu flow in the lab: the entry flow is the menu


async def test_call_returns_a_result_into_a_slot(lab, chat_with):
    chat = chat_with(lab)
    for text in ("start", "Al", "30"):
        await chat.say(text)
    await chat.press("go")
    replies = await chat.say("teal")
    assert replies == ["Done: Al, 30, helper said TEAL."]


async def test_a_stale_button_is_answered_politely_and_changes_nothing(lab, chat_with):
    chat = chat_with(lab)
    for text in ("start", "Al", "30"):
        await chat.say(text)
    old_token = chat.token("go")
    await chat.press("go")
    before = (await chat.state()).to_json()
    replies = await chat.send(choice_token=old_token)
    assert "earlier question" in replies[0] and replies[-1] == "Favourite colour?"
    assert (await chat.state()).to_json()["v"] == before["v"]


async def test_a_button_from_another_flow_version_is_stale(lab, chat_with):
    chat = chat_with(lab)
    for text in ("start", "Al", "30"):
        await chat.say(text)
    seq, _, choice = chat.token("go").split(".")
    replies = await chat.send(choice_token=f"{seq}.ffffff.{choice}")
    assert "earlier question" in replies[0]
    assert await chat.step() == "mood"


async def test_a_duplicate_event_is_answered_once(lab, chat_with):
    chat = chat_with(lab)
    assert await chat.say("start", event_id="E1")
    assert await chat.say("start", event_id="E1") == []
    assert (await chat.state()).seq == 1


async def test_a_failing_template_keeps_the_step_and_logs_no_user_text(
    build_engine, dialogs, chat_with, caplog
):
    flow = FAILING_TEMPLATE_FLOW
    chat = chat_with(await build_engine(dialogs({"broken": flow}), entry_flow="broken"))
    await chat.say("start")
    caplog.set_level(logging.DEBUG)
    replies = await chat.say("my boss is awful")
    assert len(replies) == 1 and "something went wrong" in replies[0].lower()
    assert await chat.step() == "ask_secret"
    assert "secret" not in (await chat.state()).slots
    # (an undefined name would be refused when the flow loads: dividing by zero gets through)
    assert "ZeroDivisionError" in caplog.text and "my boss" not in caplog.text


async def test_a_failing_action_keeps_the_previous_step(build_engine, dialogs, chat_with):
    flow = """
    flow: act
    steps:
      when:
        ask: text
        slot: when
        text: When?
        next: remind
      remind:
        action: schedule_reminder
        with: {at: when}
        next: done
      done:
        end: true
        text: Scheduled.
    """
    chat = chat_with(await build_engine(dialogs({"act": flow}), entry_flow="act"))
    await chat.say("start")
    replies = await chat.say("not a date")
    assert "something went wrong" in replies[0].lower()
    assert await chat.step() == "when"
    assert await chat.engine.store.pending_jobs(chat.ref.user_key) == []


async def test_the_apology_falls_back_when_even_its_template_fails(lab, chat_with):
    lab.renderer = None  # every render now fails
    chat = chat_with(lab)
    assert await chat.say("start") == [APOLOGY]


async def test_the_time_zone_is_asked_once_and_remembered(build_engine, chat_with):
    engine = await build_engine()
    chat = chat_with(engine, time_zone=None, platform="discord")
    await chat.say("start")
    assert "which city's time are you on?" in (await chat.say("at work"))[0].lower()
    assert "don't know" in (await chat.say("Atlantis"))[0]
    replies = await chat.say("Berlin")
    assert "when suits you" in replies[0].lower()
    await chat.say("tomorrow 18:30")
    assert (await chat.state()).slots["callback_at"] == "2026-11-24T18:30:00+01:00"
    user = await engine.store.load_user(chat.ref.user_key)
    assert user is not None and user.time_zone == "Europe/Berlin"
    await chat.say("stop")
    await chat.say("start")
    assert "when suits you" in (await chat.say("at work"))[0].lower()  # not asked again


async def test_a_form_is_offered_and_its_submission_validated(build_engine, chat_with):
    chat = chat_with(await build_engine(), platform="slack")
    await chat.say("start")
    await chat.press("at_work")
    form = chat.replies[-1].form
    assert form is not None and [f.name for f in form.fields] == ["callback_at", "callback_phone"]
    assert [f.kind for f in form.fields] == ["datetime", "phone"]
    await chat.send(
        choice_token=form.token,
        form=(("callback_at", "whenever"), ("callback_phone", "+1 415 555 0100")),
    )
    errors = dict(chat.replies[-1].form.errors)
    assert "callback_at" in errors and "callback_phone" not in errors
    await chat.send(
        choice_token=chat.replies[-1].form.token,
        form=(("callback_at", "tomorrow 18:30"), ("callback_phone", "+1 415 555 0100")),
    )
    state = await chat.state()
    assert state.slots["callback_phone"] == "+14155550100"
    assert state.top.step == "interest"


async def test_a_conversation_stays_on_the_flow_version_it_started_on(
    build_engine, dialogs, chat_with
):
    store = MemoryStore()
    old = dialogs({"lab": LAB, "helper": HELPER})
    chat = chat_with(await build_engine(old, store=store, entry_flow="lab"))
    await chat.say("start")
    changed = LAB.replace("What's your name?", "Your name, please?").replace(
        "How old are you?", "Your age?"
    )
    (old / "flows" / "lab.yaml").write_text(changed)
    chat.engine = await build_engine(old, store=store, entry_flow="lab")
    assert await chat.say("Al") == ["How old are you?"]  # the old version's wording
    other = chat_with(chat.engine, user="u2")
    assert (await other.say("start"))[-1] == "Your name, please?"


async def test_an_ask_times_out_and_an_answer_cancels_the_time_out(
    build_engine, dialogs, chat_with
):
    flow = """
    flow: waiting
    steps:
      ready:
        ask: yesno
        slot: ready
        text: Ready?
        timeout: 2h
        on_timeout: nudge
        yes: done
        no: done
      nudge:
        say: Still there? No rush.
        next: done
      done:
        end: true
    """
    engine = await build_engine(dialogs({"waiting": flow}), entry_flow="waiting")
    chat = chat_with(engine)
    await chat.say("start")
    [job] = await engine.store.pending_jobs(chat.ref.user_key)
    assert job.kind == "ask_timeout"
    assert job.due_at - (await engine.store.pending_jobs(chat.ref.user_key))[
        0
    ].due_at == timedelta(0)
    _, replies = await engine.run_job(job)
    assert [r.text for r in replies] == ["Still there? No rush."]
    assert await chat.step() == "ended"
    other = chat_with(engine, user="u2")
    await other.say("start")
    await other.press("yes")
    assert await engine.store.pending_jobs(other.ref.user_key) == []


async def test_a_topic_command_starts_that_flow(build_engine, chat_with):
    chat = chat_with(await build_engine())
    replies = await chat.send(command=Command("legitimacy"))
    assert any("genuine one" in r for r in replies)


async def test_state_round_trips_through_json():
    state = ConversationState(
        slots={"a": 1}, seq=3, time_zone="UTC", pending="time_zone", held="tomorrow 18:30"
    )
    state.checkpoint()
    state.assign("b", 2)
    again = ConversationState.from_json(state.to_json())
    assert again.to_json() == state.to_json()
    assert again.held == "tomorrow 18:30"
    assert again.go_back() and "b" not in again.slots


async def test_after_back_the_later_questions_buttons_are_stale(lab, chat_with):
    chat = chat_with(lab)
    for text in ("start", "Al", "30"):
        await chat.say(text)
    later_token = chat.token("go")
    await chat.say("back")
    replies = await chat.send(choice_token=later_token)
    assert "earlier question" in replies[0] and replies[-1] == "How old are you?"
    assert "mood" not in (await chat.state()).slots


async def test_command_words_and_questions_start_their_flows(build_engine, chat_with):
    chat = chat_with(await build_engine())
    replies = await chat.send(command=Command("check"))
    assert any("genuine one" in r for r in replies)
    replies = await chat.send(command=Command("ask", "legitimacy"))
    assert any("genuine one" in r for r in replies)
    replies = await chat.send(command=Command("ask", "something nobody routes"))
    assert "can you talk" in replies[-1].lower()


class KeywordRouter(TopicRouter):
    """A stand-in router for engine tests: fixed answers for fixed words."""

    def rank(self, text: str, k: int = 3) -> list[tuple[str, float]]:
        if "legit" in text:
            return [("legitimacy", 0.9), ("scam", 0.05)]
        if "hmm" in text:
            return [("legitimacy", 0.3), ("referral", 0.3), ("call_at_work", 0.2)][:k]
        return [("other", 0.8)]


async def test_a_confident_question_starts_its_topic(build_engine, chat_with):
    chat = chat_with(await build_engine(router=KeywordRouter()))
    replies = await chat.say("is this recruiter legit or not")
    assert any("genuine one" in r for r in replies)


async def test_an_unclear_question_offers_the_likeliest_topics(build_engine, chat_with):
    chat = chat_with(await build_engine(router=KeywordRouter()))
    replies = await chat.say("hmm what now")
    assert "not sure which topic" in replies[-1]
    assert [c.label for c in chat.replies[-1].choices] == [
        "Is this recruiter real?",
        "Offer a referral",
        "A recruiter is calling me",
    ]
    replies = await chat.press("referral")
    assert "first name" in replies[-1]


async def test_a_question_typed_instead_of_an_answer_offers_a_switch(build_engine, chat_with):
    chat = chat_with(await build_engine(router=KeywordRouter()))
    await chat.say("start")
    replies = await chat.say("wait, is this guy even legit?")
    assert "sounds like a question about “Is this recruiter real?”" in chat.replies[1].text
    assert chat.replies[-1].choices[-1].label == "Switch to: Is this recruiter real?"
    assert "can you talk" in replies[-1].lower()  # the question is asked again
    assert await chat.step() == "can_talk"
    replies = await chat.press("legitimacy")  # the flow that owns the topic
    assert any("genuine one" in r for r in replies)


async def test_the_switch_offer_is_typed_as_switch_and_a_number_stays_the_answer(
    build_engine, chat_with
):
    chat = chat_with(await build_engine(router=KeywordRouter()))
    for text in ("start", "at work", "is this legit?"):
        await chat.say(text)
    offer = chat.replies[-1].choices[-1]
    assert (offer.label, offer.keyword) == ("Switch to: Is this recruiter real?", "switch")
    assert (await chat.state()).to_json()["x"] == [(await chat.state()).seq, "legitimacy"]
    await chat.say("6")  # "When suits you?": 6 o'clock, not the offer
    assert await chat.step() == "callback_number"
    replies = await chat.say("switch")  # the offer was made at the earlier question
    assert await chat.step() == "callback_number" and "genuine one" not in " ".join(replies)
    await chat.say("is this legit?")
    replies = await chat.say("Switch to: Is this recruiter real?")  # its label works too
    assert any("genuine one" in r for r in replies)
    assert "x" not in (await chat.state()).to_json()


async def test_the_switch_offer_is_numbered_only_after_a_choice_lists_options(
    build_engine, chat_with
):
    chat = chat_with(await build_engine(router=KeywordRouter()))
    await chat.say("start")
    await chat.say("wait, is this guy even legit?")
    assert chat.replies[-1].choices[-1].keyword is None  # "3)" after the question's two
    replies = await chat.say("switch")  # typed, it works there too
    assert any("genuine one" in r for r in replies)


async def test_an_option_named_switch_is_the_answer_not_the_offer(
    build_engine, dialogs, chat_with
):
    flow = """
    flow: lights
    steps:
      which:
        ask: choice
        slot: which
        text: Which one?
        choices:
          - {id: lamp, label: Lamp}
          - {id: wall, label: Wall switch, match: [switch]}
        next: done
      done:
        end: true
        text: "Noted: {{ which }}."
    """
    other = """
    flow: legitimacy
    title: Is this recruiter real?
    steps:
      done:
        end: true
        text: A genuine one won't mind.
    """
    folder = dialogs({"lights": flow, "legitimacy": other})
    chat = chat_with(await build_engine(folder, entry_flow="lights", router=KeywordRouter()))
    await chat.say("start")
    await chat.say("is this legit?")
    assert chat.replies[-1].choices[-1].label == "Switch to: Is this recruiter real?"
    assert await chat.say("switch") == ["Noted: wall."]


async def test_an_answer_that_parses_is_never_routed(build_engine, chat_with):
    chat = chat_with(await build_engine(router=KeywordRouter()))
    for text in ("start", "at work", "tomorrow 18:30", "+1 415 555 0100", "not interested", "yes"):
        await chat.say(text)
    await chat.say("legit Larry")  # a name containing a topic word is still the answer
    assert (await chat.state()).slots["referral_name"] == "legit Larry"


async def test_a_scale_is_answered_with_its_buttons(build_engine, dialogs, chat_with):
    flow = """
    flow: rate
    steps:
      score:
        ask: scale
        slot: score
        text: How much does pay matter?
        next: done
      done:
        end: true
        text: "Noted: {{ score }}."
    """
    chat = chat_with(await build_engine(dialogs({"rate": flow}), entry_flow="rate"))
    await chat.say("start")
    assert [c.label for c in chat.replies[-1].choices] == ["1", "2", "3", "4", "5"]
    assert await chat.press("n4") == ["Noted: 4."]


def test_back_through_many_checkpoints_restores_each_stack():
    from bot.dialog.state import MAX_CHECKPOINTS, Frame

    state = ConversationState(stack=[Frame("main", "v1", "q0")])
    expected = []
    for n in range(1, MAX_CHECKPOINTS + 4):  # more than are kept: the oldest kept must be whole
        expected.append([(f.flow, f.version, f.step) for f in state.stack])
        state.checkpoint()
        state.assign(f"a{n}", n)
        state.seq += 1
        if n == 5:
            state.stack.append(Frame("sub", "v2", "s0"))
        state.top.step = f"q{n}"
    saved = ConversationState.from_json(state.to_json())
    restored = []
    while saved.go_back():
        restored.append([(f.flow, f.version, f.step) for f in saved.stack])
    assert restored == list(reversed(expected))[:MAX_CHECKPOINTS]
    assert saved.slots == {f"a{n}": n for n in range(1, 4)}
