"""A command (help, back, restart, stop, repeat, menu, a topic, a question), and a message
that arrives when no conversation is running."""

from __future__ import annotations

from bot.dialog.advance import enter
from bot.dialog.asking import offer_topics, reprompt
from bot.dialog.commands import CHECK_COMMAND, START_WORDS, command_in
from bot.dialog.core import TurnCore
from bot.flow.model import AskStep

__all__ = ("command", "start")

# Where a message given to check goes: the scam flow's paste check (dialogs/flows/scam.yaml).
CHECK_FLOW, CHECK_STEP, CHECK_SLOT = "scam", "check_pasted", "pasted"
CHECK_MAX_TEXT = 4000  # the paste question's own max_length


async def start(turn: TurnCore) -> None:
    """Anything when idle: a command, a greeting, a topic, or a question to route."""
    incoming, catalog = turn.incoming, turn.catalog
    if incoming.command is not None:
        await command(turn, incoming.command.name, incoming.command.args)
        return
    text = (incoming.text or "").strip()
    word = command_in(text) if text else None
    if word is not None:  # every command works when idle too, as `help` says
        await command(turn, word, "")
        return
    turn.state.offered = []
    if incoming.choice_token or incoming.form:
        turn.say_system("coach_stale")
    if not text or text.lower() in START_WORDS:
        await enter(turn, catalog.entry_flow)
        return
    flow_id = catalog.flow_for_text(text)
    suggestions = [] if flow_id else catalog.suggestions(text)
    if suggestions:  # not sure: let the user pick among the likeliest topics
        turn.state.offered = [flow_id for flow_id, _ in suggestions]
        offer_topics(turn)
        return
    await enter(turn, flow_id or catalog.entry_flow)


async def command(turn: TurnCore, name: str, args: str) -> None:
    """Act on one command; a topic or flow name starts that flow."""
    catalog, state = turn.catalog, turn.state
    name = name.lower().lstrip("/")
    if name == "ask":  # a question given with the command (`/recruiter is this legit?`)
        await _ask_question(turn, args)
        return
    if name == CHECK_COMMAND and args.strip():  # `/recruiter check <their message>`
        await _check_text(turn, args)
        return
    if name in ("start", "restart", "stop", "menu") or catalog.flow_for_topic(name):
        _count_abandoned(turn)
    if name in ("start", "restart") or catalog.flow_for_topic(name):
        target = catalog.flow_for_topic(args.strip() or name) or catalog.entry_flow
        state.reset()
        await enter(turn, target)
    elif name == "stop":
        state.reset()
        turn.say_system("coach_stopped")
    elif name == "menu":
        state.reset()
        await enter(turn, catalog.menu_flow)
    elif name == "back":
        went_back = state.go_back()
        if not went_back:
            turn.say_system("coach_no_back")
        # a new number for the earlier question: buttons of the later one must go stale
        reprompt(turn, fresh=went_back, command=name)
    elif name == "help":
        turn.say_system("coach_help")
        reprompt(turn, command=name)
    else:  # repeat, or anything unknown: show where we are
        reprompt(turn, command=name)


async def _ask_question(turn: TurnCore, text: str) -> None:
    """Start the flow the question is about; the entry flow when it is unclear."""
    _count_abandoned(turn)
    flow_id = turn.catalog.flow_for_text(text) if text.strip() else None
    turn.state.reset()
    await enter(turn, flow_id or turn.catalog.entry_flow)


async def _check_text(turn: TurnCore, text: str) -> None:
    """Check a recruiter's message (a shortcut, a context menu, ``check <text>``): the scam
    flow's paste check, which leads on to the full check. The text lives only in this
    conversation's slots, like a pasted answer; nothing logs it."""
    _count_abandoned(turn)
    turn.state.reset()
    turn.state.assign(CHECK_SLOT, text[:CHECK_MAX_TEXT])
    await enter(turn, CHECK_FLOW, CHECK_STEP)


def _count_abandoned(turn: TurnCore) -> None:
    if turn.state.active and isinstance(turn.current_step(), AskStep):
        turn.count(turn.state.top.step, "abandoned")
