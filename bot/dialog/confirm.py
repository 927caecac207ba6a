"""Confirming a date-time the coach had to guess, before it goes into the slot.

"12/01 18:00" is 1 December in New York and 12 January in Berlin; "15 March" in November is
next year's. When :func:`bot.answers.parse.parse_answer` marks a reading with ``confirm``, the
turn asks one yes/no question that shows the date in full, with its year, and keeps the reading in
``state.pending`` (``confirm_when:<ISO date-time>``) until the answer comes:

- yes (typed or pressed): the reading is the answer;
- no: the question is asked again, with a hint to write the month's name;
- anything else is read as a new answer to the question (a clearer date, a command).

A date-time in a submitted form (a Slack or Discord modal) is confirmed the same way: the whole
form's answers wait in ``state.pending`` as a JSON object (``confirm_when:{"slot": ...}``), and
yes accepts them all; no shows the form again.
"""

from __future__ import annotations

import json
from typing import Any

from bot.answers.parse import Parsed, parse_answer
from bot.boundary import Choice, Reply
from bot.dialog.answering import accept
from bot.dialog.asking import form_group, reprompt
from bot.dialog.commands import command_in
from bot.dialog.core import TurnCore
from bot.flow.model import AskStep, Message, Rule

__all__ = ("CONFIRM_WHEN", "answer_confirm", "ask_to_confirm", "confirmed", "confirming")

CONFIRM_WHEN = "confirm_when:"


def confirming(pending: str | None) -> bool:
    return pending is not None and pending.startswith(CONFIRM_WHEN)


def ask_to_confirm(turn: TurnCore, outcome: Parsed, form: dict[str, Any] | None = None) -> None:
    """Keep the guessed reading (or a submitted ``form``'s answers) and ask whether it is right."""
    state = turn.state
    kept = json.dumps(form, default=str) if form is not None else str(outcome.value)
    state.pending = f"{CONFIRM_WHEN}{kept}"
    version = state.top.version[:6]
    choices = tuple(
        Choice(answer, label, f"{state.seq}.{version}.{CONFIRM_WHEN}{answer}")
        for answer, label in (("yes", "Yes, that's right"), ("no", "No"))
    )
    text = turn.render(Message(template="coach_confirm_when"), when=outcome.display)
    turn.release()  # an action's messages come before the question, never after it
    turn.replies.append(Reply(text, choices=choices))


async def confirmed(turn: TurnCore) -> bool:
    """The answer to "Just to check: <date>?"; False when the message is something else, which
    is then read as usual."""
    step = turn.current_step()
    text = turn.incoming.text
    if not isinstance(step, AskStep) or (text is not None and command_in(text)):
        turn.state.pending = None
        return False
    return await answer_confirm(turn, step, text, turn.incoming.choice_token)


async def answer_confirm(
    turn: TurnCore, step: AskStep, text: str | None, token: str | None
) -> bool:
    """Act on the answer to the confirming question; False when the message was not one (the
    turn then reads it as a new answer to the step)."""
    state = turn.state
    value = (state.pending or "").removeprefix(CONFIRM_WHEN)
    state.pending = None
    agreed = _agreed(turn, text, token)
    if agreed is None:
        return False
    if agreed and value.startswith("{"):  # a form's answers (an ISO date never starts so)
        await accept(turn, form_group(turn, step)[-1], json.loads(value))
    elif agreed:
        await accept(turn, step, {step.slot: value})
    else:
        turn.say_system("coach_confirm_when_no")
        reprompt(turn)
    return True


def _agreed(turn: TurnCore, text: str | None, token: str | None) -> bool | None:
    if token is not None:
        seq, _, rest = token.partition(".")
        answer = rest.rpartition(CONFIRM_WHEN)[2]
        if seq == str(turn.state.seq) and answer in ("yes", "no"):
            return answer == "yes"
        return None
    outcome = parse_answer("yesno", text or "", rule=Rule(), now=turn.context.now)
    return bool(outcome.value) if isinstance(outcome, Parsed) else None
