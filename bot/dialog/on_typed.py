"""A typed answer to the current question (or the time zone the coach asked for)."""

from __future__ import annotations

from bot.answers.parse import Parsed, Unparsed, parse_answer
from bot.answers.zones import parse_time_zone
from bot.boundary import Choice, Reply
from bot.dialog.advance import advance, goto_step
from bot.dialog.answering import accept, refuse
from bot.dialog.commands import command_in
from bot.dialog.confirm import ask_to_confirm
from bot.dialog.core import TOPIC_TOKEN, TurnCore
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
    offer = _switch_offer(turn, text) if unparsed else None
    await refuse(turn, step, outcome.reason, unparsed, offer)


async def typed_time_zone(turn: TurnCore, text: str) -> None:
    """The answer to "which time zone are you in?", asked before a date-time question."""
    word = command_in(text)
    if word is not None:
        turn.state.pending = None
        await command(turn, word, "")
        return
    zone = parse_time_zone(text)
    if zone is None:
        turn.say_system("coach_time_zone_unknown")
        return
    turn.state.time_zone = turn.context.time_zone = turn.new_user_time_zone = zone
    turn.state.pending = None
    await advance(turn)


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


def _switch_offer(turn: TurnCore, text: str) -> Reply | None:
    """A question typed instead of an answer: offer its topic, without leaving this one."""
    if not (text.rstrip().endswith("?") or len(text.split()) >= 4):
        return None
    flow_id = turn.catalog.confident_flow(text)
    if flow_id is None or flow_id == turn.state.top.flow:
        return None
    title = turn.catalog.title(flow_id)
    # The switch button joins the question asked again, so that every adapter shows one
    # set of buttons (the console numbers only the last one).
    turn.extra_choices = (Choice(flow_id, f"Switch to: {title}", f"{TOPIC_TOKEN}{flow_id}"),)
    return Reply(turn.render(Message(template="coach_switch_offer"), topic=title))
