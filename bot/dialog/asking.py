"""Asking: a question with its buttons, form and time-out, asked again, or the idle prompts.

Every button carries ``<seq>.<flow version>.<choice id>``: a press is valid only while the
question that made it is the current one (:func:`token_target`).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.boundary import Choice, Form, FormField, Reply, quick_choice, quick_form, quick_reply
from bot.dialog.core import FORM_MARK, TOPIC_TOKEN, TurnCore
from bot.dialog.state import ref_to_list
from bot.flow.model import AskStep, ChoiceOption, Message
from bot.store import JobSpec

__all__ = ("ask", "form_group", "offer_topics", "options", "reprompt", "token_target")


def ask(
    turn: TurnCore,
    step: AskStep,
    *,
    again: bool = False,
    form_errors: tuple[tuple[str, str], ...] = (),
) -> None:
    """Ask ``step``; asked ``again``, it keeps its number, so its buttons stay valid."""
    state = turn.state
    if step.kind == "datetime" and not turn.context.time_zone:
        state.pending = "time_zone"
        turn.say_system("coach_time_zone")
        return
    if turn.held:  # an action's messages come before the question, never after it
        turn.release()
    if not again:
        state.seq += 1
    choices, version = turn.extra_choices, state.stack[-1].version
    if step.choices or step.kind == "scale":  # else no buttons: skip building none
        prefix = f"{state.seq}.{version[:6]}."
        buttons = [quick_choice(c.id, c.label, prefix + c.id, c.style) for c in options(step)]
        choices = (*buttons, *choices)
    form = None if step.form is None else _form(turn, step, version[:6], form_errors)
    turn.replies.append(quick_reply(turn.render(step.prompt), choices, form))
    if state.timeout_armed or step.timeout_seconds:
        _arm_timeout(turn, step)


def reprompt(turn: TurnCore, *, fresh: bool = False, command: str = "") -> None:
    """The current question again (a ``fresh`` number after ``back``), or the idle prompt."""
    if not turn.state.stack:
        if command:
            _idle_prompt(turn, command)
        return
    step = turn.current_step()
    if isinstance(step, AskStep):
        ask(turn, step, again=not fresh)


def offer_topics(turn: TurnCore) -> None:
    """The "which topic?" list of ``state.offered`` (its buttons work in any state)."""
    flows = turn.catalog.registry.flows
    choices = tuple(
        Choice(flow_id, flows[flow_id].title, f"{TOPIC_TOKEN}{flow_id}")
        for flow_id in turn.state.offered
        if flow_id in flows
    )
    turn.replies.append(Reply(turn.render(Message(template="coach_pick_topic")), choices=choices))


def _idle_prompt(turn: TurnCore, command: str) -> None:
    """What `repeat`, `back` and `help` show when no question is waiting."""
    if turn.state.offered:
        offer_topics(turn)
    elif command != "help":
        turn.say_system("coach_idle")


def options(step: AskStep) -> tuple[Any, ...]:
    """The buttons of a question: its choices, or the numbers of a short scale."""
    if step.kind == "scale" and not step.choices:
        low, high = int(step.rule.min or 1), int(step.rule.max or 5)
        if high - low <= 9:
            return tuple(ChoiceOption(f"n{n}", str(n)) for n in range(low, high + 1))
    return step.choices


def token_target(turn: TurnCore, token: str | None) -> str | None:
    """The choice id a token names, or None when it belongs to another question."""
    seq, _, rest = (token or "").partition(".")
    version, _, target = rest.partition(".")
    state = turn.state
    if state.pending or seq != str(state.seq) or not state.top.version.startswith(version):
        return None
    return target or None


def form_group(turn: TurnCore, step: AskStep) -> list[AskStep]:
    """The consecutive asks that share ``step``'s form name, starting at ``step``."""
    flow = turn.current_flow()
    group = [step]
    while group[-1].next and len(group) < 5:
        following = flow.steps.get(group[-1].next)
        if not isinstance(following, AskStep) or following.form != step.form:
            break
        group.append(following)
    return group


def _arm_timeout(turn: TurnCore, step: AskStep) -> None:
    key, state = turn.timeout_key, turn.state
    if state.timeout_armed:
        turn.context.cancel(key)
        state.timeout_armed = False
    if step.timeout_seconds and step.on_timeout:
        ref = turn.incoming.conversation
        turn.context.schedule(
            JobSpec(
                kind="ask_timeout",
                due_at=turn.context.now + timedelta(seconds=step.timeout_seconds),
                user_key=ref.user_key,
                conversation_key=ref.key,
                job_key=key,
                payload={"ref": ref_to_list(ref), "seq": state.seq},
            )
        )
        state.timeout_armed = turn.armed_this_turn = True


def _form(
    turn: TurnCore, step: AskStep, version: str, errors: tuple[tuple[str, str], ...]
) -> Form | None:
    if step.form is None:
        return None
    token = f"{turn.state.seq}.{version}.{FORM_MARK}"
    # The fields depend only on the flow version and the step: built once per process.
    key = (turn.state.stack[-1].version, step.id)
    fields = turn.catalog.form_fields.get(key)
    if fields is None:
        fields = turn.catalog.form_fields[key] = tuple(
            FormField(
                name=ask.slot,
                label=ask.label or ask.slot.replace("_", " ").capitalize(),
                kind=ask.kind,
                options=tuple((c.id, c.label) for c in ask.choices),
                max_length=ask.rule.max_length,
            )
            for ask in form_group(turn, step)
        )
    return quick_form(step.form, fields, token, errors)
