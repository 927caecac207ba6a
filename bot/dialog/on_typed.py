"""A typed answer to the current question (or the time zone the coach asked for)."""

from __future__ import annotations

from bot.answers.choices import fold, match_choice
from bot.answers.parse import Parsed, Unparsed, parse_answer
from bot.answers.zones import parse_time_zone
from bot.boundary import Choice, Reply
from bot.dialog.advance import advance, goto_step
from bot.dialog.answering import accept, refuse
from bot.dialog.asking import reprompt
from bot.dialog.commands import command_in
from bot.dialog.confirm import ask_to_confirm
from bot.dialog.core import TOPIC_TOKEN, TurnCore
from bot.dialog.offered import choice_offering
from bot.dialog.on_command import command
from bot.flow.model import AskStep, Message

__all__ = ("SWITCH_KEYWORD", "typed", "typed_time_zone")

SWITCH_KEYWORD = "switch"
# Typed after a "Switch to" offer, these take it (so do its label and the topic's title).
_SWITCH_WORDS = frozenset({SWITCH_KEYWORD, "switch to", "switch topic", "switch topics"})


async def typed(turn: TurnCore, text: str) -> None:
    """Read ``text`` as the answer to the current question (or as a command)."""
    step = turn.current_step()
    if not isinstance(step, AskStep):
        await advance(turn)
        return
    word = command_in(text, step.choices)
    if word is not None:
        await command(turn, word, "")
        return
    switch = _switch_taken(turn, step, text)
    if switch is not None:  # "switch" after a "Switch to" offer: as if it was pressed
        await command(turn, switch, "")
        return
    outcome = parse_answer(
        step.kind,
        text,
        rule=step.rule,
        now=turn.context.now,
        time_zone=turn.context.time_zone,
        choices=step.choices,
    )
    if isinstance(outcome, Parsed) and outcome.confirm:
        ask_to_confirm(turn, outcome)
        return
    if isinstance(outcome, Parsed):
        await accept(turn, step, {step.slot: outcome.value})
        return
    unparsed = isinstance(outcome, Unparsed)
    if unparsed and step.text_slot and step.on_text:  # the question invites free text
        await _typed_instead(turn, step, text)
        return
    flow_id = _asked_topic(turn, step, text) if unparsed else None
    listed = None if flow_id is None else _listed_choice(turn, step, flow_id)
    if flow_id is not None and listed is not None:  # not a wrong answer: point at it
        turn.replies.append(_pointer(turn, flow_id, listed))
        reprompt(turn)
        return
    offer = None if flow_id is None else _switch_offer(turn, step, flow_id)
    await refuse(turn, step, outcome.reason, unparsed, offer)


# Commands that ask the same question again (the time-zone one, since the zone is still unknown).
_STAYING_COMMANDS = frozenset({"help", "repeat"})


async def typed_time_zone(turn: TurnCore, text: str) -> None:
    """The answer to "which time zone are you in?", asked before a date-time question.

    A time typed here instead (a person answering ahead) is kept and read once the zone is
    known. The coach does not guess a zone when it cannot read one (a reminder at the wrong
    hour is worse than a question): from the second unknown answer it offers a UTC offset and
    says how to leave.
    """
    state = turn.state
    word = command_in(text)
    if word is not None:
        state.pending = None
        if word not in _STAYING_COMMANDS:  # the question is left: the time typed ahead goes too
            state.held = None
        await command(turn, word, "")
        return
    zone = parse_time_zone(text)
    if zone is not None:
        turn.new_user_time_zone = zone
        await _zone_known(turn, zone)
        return
    if state.held is None and _answers_ahead(turn, text):
        state.held = text
        turn.say_system("coach_time_zone_held", answer=text)
        return
    state.attempts += 1
    turn.say_system("coach_time_zone_unknown", attempts=state.attempts)


async def _zone_known(turn: TurnCore, zone: str) -> None:
    state = turn.state
    state.time_zone = turn.context.time_zone = zone
    state.pending, state.attempts = None, 0
    held, state.held = state.held, None
    if held is not None and isinstance(turn.current_step(), AskStep):
        await typed(turn, held)
        return
    await advance(turn)


def _answers_ahead(turn: TurnCore, text: str) -> bool:
    """True when ``text`` reads as an answer to the date-time question waiting for the zone."""
    step = turn.current_step()
    if not isinstance(step, AskStep):
        return False
    outcome = parse_answer(
        step.kind, text, rule=step.rule, now=turn.context.now, time_zone="UTC", choices=()
    )
    return isinstance(outcome, Parsed)


async def _typed_instead(turn: TurnCore, step: AskStep, text: str) -> None:
    """Free text on a choice that takes it ("paste their message, or pick..."): keep it."""
    outcome = parse_answer("text", text, rule=step.rule, now=turn.context.now)
    if not isinstance(outcome, Parsed):
        await refuse(turn, step, outcome.reason, False)
        return
    assert step.text_slot is not None  # checked by the caller; mypy cannot see it
    state = turn.state
    turn.count(state.top.step, "answered")
    state.checkpoint()
    state.assign(step.text_slot, outcome.value)
    state.attempts = 0
    await goto_step(turn, step.on_text)


def _asked_topic(turn: TurnCore, step: AskStep, text: str) -> str | None:
    """The other topic a question typed instead of an answer is confidently about, if any: a
    question, or a topic's own word (``check``, ``callback``), which the help lists. The
    question asked, repeated back ("anything else?" at "Anything else?"), is about no other
    topic, whatever its words score with the router ("anything" is the fees topic's word)."""
    words = text.split()
    if len(words) == 1:
        flow_id = turn.catalog.flow_for_topic(words[0].rstrip("?!."))
    elif text.rstrip().endswith("?") or len(words) >= 4:
        flow_id = turn.catalog.confident_flow(text)
        if flow_id is not None and _echoes(turn, step, text):
            return None
    else:
        return None
    return None if flow_id == turn.state.top.flow else flow_id


def _echoes(turn: TurnCore, step: AskStep, text: str) -> bool:
    """True when every word of ``text`` is a word of the question ``step`` asks."""
    typed = set(fold(text).split())
    return bool(typed) and typed <= set(fold(turn.render(step.prompt)).split())


def _listed_choice(turn: TurnCore, step: AskStep, flow_id: str) -> str | None:
    """The label of the choice of ``step`` that already leads to ``flow_id``, if one does."""
    target = turn.catalog.registry.flows[flow_id]
    choice = choice_offering(turn.current_flow(), step, target)
    return None if choice is None else choice.label


def _pointer(turn: TurnCore, flow_id: str, label: str) -> Reply:
    """The question lists the topic asked about: say which choice it is (no second button)."""
    title = turn.catalog.title(flow_id)
    return Reply(turn.render(Message(template="coach_switch_listed"), topic=title, choice=label))


def _switch_offer(turn: TurnCore, step: AskStep, flow_id: str) -> Reply:
    """A question typed instead of an answer: offer its topic, without leaving this one.

    The offer is a button, and typed "switch" (or its label, or the topic's title) takes it
    while this question is asked (:func:`_switch_taken`). A typed number takes it only where
    the question is a plain list of options, whose numbers it continues; wherever else a
    number can be the answer (a time, a count, a scale, a phone number, free text), the choice
    has a keyword and no number, so "1" typed under "When suits you?" is 1 o'clock.
    """
    title = turn.catalog.title(flow_id)
    turn.state.switch = (turn.state.seq, flow_id)
    keyword = None if _numbers_pick_options(step) else SWITCH_KEYWORD
    # The switch button joins the question asked again, so that every adapter shows one
    # set of buttons (the console numbers only the last one).
    choice = Choice(flow_id, f"Switch to: {title}", f"{TOPIC_TOKEN}{flow_id}", keyword=keyword)
    turn.extra_choices = (choice,)
    return Reply(turn.render(Message(template="coach_switch_offer"), topic=title))


def _numbers_pick_options(step: AskStep) -> bool:
    """True when a number typed at ``step`` can only name one of its options (a plain choice
    list or a yes/no question), so a number past them names nothing of the question's own."""
    takes_text = step.text_slot is not None and step.on_text is not None
    return step.kind in ("choice", "yesno") and bool(step.choices) and not takes_text


def _switch_taken(turn: TurnCore, step: AskStep, text: str) -> str | None:
    """The flow of the "Switch to" offer made at this question, when ``text`` takes it.

    "switch", the offer's label or the topic's title take it, unless the question itself takes
    the words as an answer (an option named so): the question's own answers come first.
    """
    state = turn.state
    offer = state.switch
    if offer is None:  # (mostly: one check)
        return None
    if offer[0] != state.seq:  # made at an earlier question
        state.switch = None
        return None
    flow_id = offer[1]
    if flow_id not in turn.catalog.registry.flows:
        return None
    key, title = fold(text), fold(turn.catalog.title(flow_id))
    if key not in _SWITCH_WORDS and key not in (title, f"switch to {title}"):
        return None
    if step.choices and match_choice(text, step.choices) is not None:
        return None
    return flow_id
