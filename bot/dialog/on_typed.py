"""A typed answer to the current question (or the time zone the coach asked for)."""

from __future__ import annotations

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

__all__ = ("typed", "typed_time_zone")


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
    flow_id = _asked_topic(turn, text) if unparsed else None
    listed = None if flow_id is None else _listed_choice(turn, step, flow_id)
    if flow_id is not None and listed is not None:  # not a wrong answer: point at it
        turn.replies.append(_pointer(turn, flow_id, listed))
        reprompt(turn)
        return
    offer = None if flow_id is None else _switch_offer(turn, flow_id)
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


def _asked_topic(turn: TurnCore, text: str) -> str | None:
    """The other topic a question typed instead of an answer is confidently about, if any: a
    question, or a topic's own word (``check``, ``callback``), which the help lists."""
    words = text.split()
    if len(words) == 1:
        flow_id = turn.catalog.flow_for_topic(words[0].rstrip("?!."))
    elif text.rstrip().endswith("?") or len(words) >= 4:
        flow_id = turn.catalog.confident_flow(text)
    else:
        return None
    return None if flow_id == turn.state.top.flow else flow_id


def _listed_choice(turn: TurnCore, step: AskStep, flow_id: str) -> str | None:
    """The label of the choice of ``step`` that already leads to ``flow_id``, if one does."""
    target = turn.catalog.registry.flows[flow_id]
    choice = choice_offering(turn.current_flow(), step, target)
    return None if choice is None else choice.label


def _pointer(turn: TurnCore, flow_id: str, label: str) -> Reply:
    """The question lists the topic asked about: say which choice it is (no second button)."""
    title = turn.catalog.title(flow_id)
    return Reply(turn.render(Message(template="coach_switch_listed"), topic=title, choice=label))


def _switch_offer(turn: TurnCore, flow_id: str) -> Reply:
    """A question typed instead of an answer: offer its topic, without leaving this one."""
    title = turn.catalog.title(flow_id)
    # The switch button joins the question asked again, so that every adapter shows one
    # set of buttons (the console numbers only the last one).
    turn.extra_choices = (Choice(flow_id, f"Switch to: {title}", f"{TOPIC_TOKEN}{flow_id}"),)
    return Reply(turn.render(Message(template="coach_switch_offer"), topic=title))
