"""One turn: apply one :class:`Incoming` to a conversation's state and collect the replies.

The engine loads the state, runs a :class:`Turn`, and commits the result. A turn never talks to
the store except through actions, and everything it schedules is collected in ``context`` so it is
committed atomically with the state.
"""

from __future__ import annotations

import zlib
from typing import TYPE_CHECKING, Any

from bot.answers.parse import Parsed, Unparsed, parse_answer, parse_time_zone
from bot.boundary import Choice, Form, FormField, Incoming, Reply
from bot.dialog.commands import CHECK_COMMAND, START_WORDS, command_in
from bot.dialog.confirm import answer_confirm, ask_to_confirm, confirming
from bot.dialog.state import ConversationState, Frame, ref_to_json
from bot.errors import CoachError
from bot.flow.actions import ActionContext
from bot.flow.model import AskStep, BranchStep, CallStep, ChoiceOption, Flow, Message, Step
from bot.store import JobSpec

if TYPE_CHECKING:
    from bot.dialog.engine import Engine

__all__ = ("FlowLoopError", "Turn")

MAX_STEPS_PER_TURN = 200
TOPIC_TOKEN = "topic:"  # a button that switches to a topic, valid in any state
FORM_MARK = "~form"
# Where a message given to check goes: the scam flow's paste check (dialogs/flows/scam.yaml).
CHECK_FLOW, CHECK_STEP, CHECK_SLOT = "scam", "check_pasted", "pasted"
CHECK_MAX_TEXT = 4000  # the paste question's own max_length


class FlowLoopError(CoachError):
    """A flow ran many steps without asking anything: a loop in the flow."""


class Turn:
    def __init__(
        self, engine: Engine, incoming: Incoming, state: ConversationState, context: ActionContext
    ) -> None:
        self.engine = engine
        self.incoming = incoming
        self.state = state
        self.context = context
        self.replies: list[Reply] = []
        # An action's own messages (a calendar file, a card) wait for the message the flow says
        # right after the action: someone with a recruiter on the line needs the script first.
        self.held: list[Reply] = []
        self.new_user_time_zone: str | None = None
        self.show_privacy_notice = False
        self.armed_this_turn = False
        self.extra_choices: tuple[Choice, ...] = ()  # added to the next question asked
        self.funnel: list[tuple[str, str, str]] = []
        self.timeout_key = f"timeout:{incoming.conversation.key}"

    # -- entry -------------------------------------------------------------------------------

    async def run(self) -> None:
        seq_at_start = self.state.seq
        await self._dispatch()
        self.release()
        state = self.state
        moved_on = state.seq != seq_at_start or not state.active
        if state.timeout_armed and moved_on and not self.armed_this_turn:
            # the question that had a time-out was answered: its time-out must not fire
            self.context.cancel(self.timeout_key)
            state.timeout_armed = False

    async def _dispatch(self) -> None:
        incoming, state = self.incoming, self.state
        if incoming.timeout_token is not None:
            await self._timed_out(incoming.timeout_token)
        elif incoming.choice_token and incoming.choice_token.startswith(TOPIC_TOKEN):
            await self._command(incoming.choice_token.removeprefix(TOPIC_TOKEN), "")
        elif not state.active:
            await self._start()
        elif incoming.command is not None:
            state.pending = None if confirming(state.pending) else state.pending
            await self._command(incoming.command.name, incoming.command.args)
        elif confirming(state.pending) and await self._confirmed():
            pass
        elif state.pending == "time_zone" and incoming.text is not None:
            await self._answer_time_zone(incoming.text)
        elif incoming.form is not None:
            await self._submitted(incoming.form)
        elif incoming.choice_token is not None:
            await self._pressed(incoming.choice_token)
        elif incoming.text is not None:
            await self._typed(incoming.text)

    async def _confirmed(self) -> bool:
        """The answer to "Just to check: <date>?" (:mod:`bot.dialog.confirm`); False when the
        message
        is something else, which is then read as usual."""
        step = self.current_step()
        text = self.incoming.text
        if not isinstance(step, AskStep) or (text is not None and command_in(text)):
            self.state.pending = None
            return False
        return await answer_confirm(self, step, text, self.incoming.choice_token)

    async def _start(self) -> None:
        incoming = self.incoming
        if incoming.command is not None:
            await self._command(incoming.command.name, incoming.command.args)
            return
        text = (incoming.text or "").strip()
        command = command_in(text) if text else None
        if command is not None:  # every command works when idle too, as `help` says
            await self._command(command, "")
            return
        self.state.offered = []
        if incoming.choice_token or incoming.form:
            self.say_system("coach_stale")
        if not text or text.lower() in START_WORDS:
            await self.enter(self.engine.entry_flow)
            return
        flow_id = self.engine.flow_for_text(text)
        suggestions = [] if flow_id else self.engine.suggestions(text)
        if suggestions:  # not sure: let the user pick among the likeliest topics
            self.state.offered = [flow_id for flow_id, _ in suggestions]
            self._offer_topics()
            return
        await self.enter(flow_id or self.engine.entry_flow)

    def _offer_topics(self) -> None:
        """The "which topic?" list of ``state.offered`` (its buttons work in any state)."""
        flows = self.engine.registry.flows
        choices = tuple(
            Choice(flow_id, flows[flow_id].title, f"{TOPIC_TOKEN}{flow_id}")
            for flow_id in self.state.offered
            if flow_id in flows
        )
        self.replies.append(
            Reply(self.render(Message(template="coach_pick_topic")), choices=choices)
        )

    def _idle_prompt(self, command: str) -> None:
        """What `repeat`, `back` and `help` show when no question is waiting."""
        if self.state.offered:
            self._offer_topics()
        elif command != "help":
            self.say_system("coach_idle")

    # -- global commands ---------------------------------------------------------------------

    async def _command(self, name: str, args: str) -> None:
        name = name.lower().lstrip("/")
        if name == "ask":  # a question given with the command (`/recruiter is this legit?`)
            await self._ask_question(args)
            return
        if name == CHECK_COMMAND and args.strip():  # `/recruiter check <their message>`
            await self._check_text(args)
            return
        if name in ("start", "restart", "stop", "menu") or self.engine.flow_for_topic(name):
            self._count_abandoned()
        if name in ("start", "restart") or self.engine.flow_for_topic(name):
            target = self.engine.flow_for_topic(args.strip() or name) or self.engine.entry_flow
            self.state.reset()
            await self.enter(target)
        elif name == "stop":
            self.state.reset()
            self.say_system("coach_stopped")
        elif name == "menu":
            self.state.reset()
            await self.enter(self.engine.menu_flow)
        elif name == "back":
            went_back = self.state.go_back()
            if not went_back:
                self.say_system("coach_no_back")
            # a new number for the earlier question: buttons of the later one must go stale
            await self._reprompt(fresh=went_back, command=name)
        elif name == "help":
            self.say_system("coach_help")
            await self._reprompt(command=name)
        else:  # repeat, or anything unknown: show where we are
            await self._reprompt(command=name)

    async def _ask_question(self, text: str) -> None:
        """Start the flow the question is about; the entry flow when it is unclear."""
        self._count_abandoned()
        flow_id = self.engine.flow_for_text(text) if text.strip() else None
        self.state.reset()
        await self.enter(flow_id or self.engine.entry_flow)

    async def _check_text(self, text: str) -> None:
        """Check a recruiter's message (a shortcut, a context menu, ``check <text>``): the scam
        flow's paste check, which leads on to the full check. The text lives only in this
        conversation's slots, like a pasted answer; nothing logs it."""
        self._count_abandoned()
        self.state.reset()
        self.state.assign(CHECK_SLOT, text[:CHECK_MAX_TEXT])
        await self.enter(CHECK_FLOW, CHECK_STEP)

    def count(self, step_id: str, event: str) -> None:
        self.funnel.append((self.state.top.flow, step_id, event))

    def _count_abandoned(self) -> None:
        if self.state.active and isinstance(self.current_step(), AskStep):
            self.count(self.state.top.step, "abandoned")

    async def _reprompt(self, *, fresh: bool = False, command: str = "") -> None:
        if not self.state.active:
            if command:
                self._idle_prompt(command)
            return
        step = self.current_step()
        if isinstance(step, AskStep):
            await self._ask(step, again=not fresh)

    # -- answers ----------------------------------------------------------------------------

    async def _typed(self, text: str) -> None:
        step = self.current_step()
        if not isinstance(step, AskStep):
            await self._advance()
            return
        command = command_in(text, step.choices)
        if command is not None:
            await self._command(command, "")
            return
        outcome = parse_answer(
            step.kind,
            text,
            rule=step.rule,
            now=self.context.now,
            time_zone=self.context.time_zone,
            choices=step.choices,
        )
        if isinstance(outcome, Parsed) and outcome.confirm:
            ask_to_confirm(self, outcome)
            return
        if isinstance(outcome, Parsed):
            await self._accept(step, {step.slot: outcome.value})
            return
        unparsed = isinstance(outcome, Unparsed)
        if unparsed and step.text_slot and step.on_text:  # the question invites free text
            await self._typed_instead(step, text)
            return
        offer = self._switch_offer(text) if unparsed else None
        await self._refused(step, outcome.reason, unparsed, offer)

    async def _typed_instead(self, step: AskStep, text: str) -> None:
        """Free text on a choice that takes it ("paste their message, or pick..."): keep it."""
        outcome = parse_answer("text", text, rule=step.rule, now=self.context.now)
        if not isinstance(outcome, Parsed):
            await self._refused(step, outcome.reason, False)
            return
        assert step.text_slot is not None  # checked by the caller; mypy cannot see it
        self.count(self.state.top.step, "answered")
        self.state.checkpoint()
        self.state.assign(step.text_slot, outcome.value)
        self.state.attempts = 0
        await self._goto_step(step.on_text)

    def _switch_offer(self, text: str) -> Reply | None:
        """A question typed instead of an answer: offer its topic, without leaving this one."""
        if not (text.rstrip().endswith("?") or len(text.split()) >= 4):
            return None
        flow_id = self.engine.confident_flow(text)
        if flow_id is None or flow_id == self.state.top.flow:
            return None
        title = self.engine.registry.flows[flow_id].title
        # The switch button joins the question asked again, so that every adapter shows one
        # set of buttons (the console numbers only the last one).
        self.extra_choices = (Choice(flow_id, f"Switch to: {title}", f"{TOPIC_TOKEN}{flow_id}"),)
        return Reply(self.render(Message(template="coach_switch_offer"), topic=title))

    async def _pressed(self, token: str) -> None:
        step = self.current_step()
        choice_id = self._token_target(token)
        options = self._options(step) if isinstance(step, AskStep) else ()
        option = next((c for c in options if c.id == choice_id), None)
        if not isinstance(step, AskStep) or option is None:
            self.say_system("coach_stale")
            await self._reprompt()
            return
        value: Any = option.id if step.kind == "choice" else option.id == "yes"
        if step.kind == "choice" and step.rule.max is not None and step.rule.max > 1:
            value = [option.id]  # a choice of several: one press is a list of one
        if step.kind == "scale":
            value = int(option.id.removeprefix("n"))
        await self._accept(step, {step.slot: value})

    async def _submitted(self, values: tuple[tuple[str, str], ...]) -> None:
        step = self.current_step()
        if (
            not isinstance(step, AskStep)
            or self._token_target(self.incoming.choice_token) != FORM_MARK
        ):
            self.say_system("coach_stale")
            await self._reprompt()
            return
        group = self.form_group(step)
        given = dict(values)
        parsed: dict[str, Any] = {}
        errors: list[tuple[str, str]] = []
        for ask in group:
            outcome = parse_answer(
                ask.kind,
                given.get(ask.slot, ""),
                rule=ask.rule,
                now=self.context.now,
                time_zone=self.context.time_zone,
                choices=ask.choices,
            )
            if isinstance(outcome, Parsed):
                parsed[ask.slot] = outcome.value
            else:
                errors.append((ask.slot, outcome.reason))
        if errors:
            self.say_system("coach_invalid", reason=errors[0][1])
            await self._ask(step, again=True, form_errors=tuple(errors))
            return
        await self._accept(group[-1], parsed)

    def _token_target(self, token: str | None) -> str | None:
        """The choice id a token names, or None when it belongs to another question."""
        seq, _, rest = (token or "").partition(".")
        version, _, target = rest.partition(".")
        frame = self.state.top
        if (
            self.state.pending
            or seq != str(self.state.seq)
            or not frame.version.startswith(version)
        ):
            return None
        return target or None

    async def _accept(self, step: AskStep, values: dict[str, Any]) -> None:
        state = self.state
        self.count(state.top.step, "answered")
        state.checkpoint()
        for slot, value in values.items():
            state.assign(slot, value)
        state.attempts = 0
        option = next(
            (
                c
                for c in step.choices
                if c.id == values.get(step.slot)
                or (step.kind == "yesno" and c.id == ("yes" if values.get(step.slot) else "no"))
            ),
            None,
        )
        await self._goto_step((option.next if option and option.next else None) or step.next)

    async def _refused(
        self, step: AskStep, reason: str, unparsed: bool, offer: Reply | None = None
    ) -> None:
        state = self.state
        self.count(state.top.step, "retried")
        state.attempts += 1
        message = step.unparsed if unparsed else step.invalid
        extra = {"reason": reason, "attempts": state.attempts}
        # the last refusal is explained too: the user must know why the coach moves on
        if message is not None:
            self.say(message, **extra)
        else:
            self.say_system("coach_unparsed" if unparsed else "coach_invalid", **extra)
        if state.attempts >= step.max_attempts:
            state.attempts = 0
            if step.on_fail:
                state.checkpoint()  # so that `back` returns to the question that failed
                await self._goto_step(step.on_fail)
            else:
                self.say_system("coach_gave_up")
                state.reset()
                await self.enter(self.engine.menu_flow)
            return
        if offer is not None:
            self.replies.append(offer)
        await self._reprompt()

    async def _answer_time_zone(self, text: str) -> None:
        command = command_in(text)
        if command is not None:
            self.state.pending = None
            await self._command(command, "")
            return
        zone = parse_time_zone(text)
        if zone is None:
            self.say_system("coach_time_zone_unknown")
            return
        self.state.time_zone = self.context.time_zone = self.new_user_time_zone = zone
        self.state.pending = None
        await self._advance()

    async def _timed_out(self, token: str) -> None:
        state = self.state
        state.timeout_armed = False
        step = self.current_step() if state.active else None
        if not isinstance(step, AskStep) or token != str(state.seq) or not step.on_timeout:
            return
        state.attempts = 0
        await self._goto_step(step.on_timeout)

    # -- running steps ------------------------------------------------------------------------

    async def enter(self, flow_id: str, step_id: str | None = None) -> None:
        self.push(flow_id, step_id)
        await self._advance()

    def push(self, flow_id: str, step_id: str | None = None) -> None:
        flow = self.engine.registry.flows[flow_id]
        self.state.stack.append(Frame(flow.id, flow.version, step_id or flow.start))

    async def _goto_step(self, step_id: str | None) -> None:
        self.move(step_id)
        await self._advance()

    def move(self, step_id: str | None) -> None:
        """Continue at ``step_id`` in this flow; None finishes the flow."""
        if step_id is None:
            self.finish(None)
        else:
            self.state.top.step = step_id

    def finish(self, result: Any) -> None:
        """End the current flow and continue after the ``call`` that started it, if any."""
        state = self.state
        while True:
            state.stack.pop()
            if not state.active:
                return
            caller = self.current_step()
            if not isinstance(caller, CallStep):
                return
            if caller.into:
                state.assign(caller.into, result)
            if caller.next is not None:
                state.top.step = caller.next
                return
            result = None

    async def _advance(self) -> None:
        from bot.dialog.runner import run_step

        listener = self.engine.step_listener
        for _ in range(MAX_STEPS_PER_TURN):
            if not self.state.active:
                return
            step = self.current_step()
            if listener is not None:
                listener(self.state.top.flow, step.id)
            self.count(step.id, "started")
            if isinstance(step, AskStep):
                await self._ask(step)
                return
            await run_step(self, step)
        raise FlowLoopError(f"more than {MAX_STEPS_PER_TURN} steps without a question")

    async def _ask(
        self, step: AskStep, *, again: bool = False, form_errors: tuple[tuple[str, str], ...] = ()
    ) -> None:
        """Ask ``step``; asked ``again``, it keeps its number, so its buttons stay valid."""
        state = self.state
        if step.kind == "datetime" and not self.context.time_zone:
            state.pending = "time_zone"
            self.say_system("coach_time_zone")
            return
        self.release()  # before the question, never after it
        if not again:
            state.seq += 1
        version = state.top.version[:6]
        choices = (
            tuple(
                Choice(c.id, c.label, f"{state.seq}.{version}.{c.id}", c.style)
                for c in self._options(step)
            )
            + self.extra_choices
        )
        form = self._form(step, f"{state.seq}.{version}.{FORM_MARK}", form_errors)
        self.replies.append(Reply(self.render(step.prompt), choices=choices, form=form))
        self._arm_timeout(step)

    def _options(self, step: AskStep) -> tuple[Any, ...]:
        if step.kind == "scale" and not step.choices:
            low, high = int(step.rule.min or 1), int(step.rule.max or 5)
            if high - low <= 9:
                return tuple(ChoiceOption(f"n{n}", str(n)) for n in range(low, high + 1))
        return step.choices

    def _arm_timeout(self, step: AskStep) -> None:
        key = self.timeout_key
        if self.state.timeout_armed:
            self.context.cancel(key)
            self.state.timeout_armed = False
        if step.timeout_seconds and step.on_timeout:
            from datetime import timedelta

            ref = self.incoming.conversation
            self.context.schedule(
                JobSpec(
                    kind="ask_timeout",
                    due_at=self.context.now + timedelta(seconds=step.timeout_seconds),
                    user_key=ref.user_key,
                    conversation_key=ref.key,
                    job_key=key,
                    payload={"ref": ref_to_json(ref), "seq": self.state.seq},
                )
            )
            self.state.timeout_armed = self.armed_this_turn = True

    def _form(self, step: AskStep, token: str, errors: tuple[tuple[str, str], ...]) -> Form | None:
        if step.form is None:
            return None
        fields = tuple(
            FormField(
                name=ask.slot,
                label=ask.label or ask.slot.replace("_", " ").capitalize(),
                kind=ask.kind,
                options=tuple((c.id, c.label) for c in ask.choices),
                max_length=ask.rule.max_length,
            )
            for ask in self.form_group(step)
        )
        return Form(title=step.form, fields=fields, token=token, errors=errors)

    def form_group(self, step: AskStep) -> list[AskStep]:
        """The consecutive asks that share ``step``'s form name, starting at ``step``."""
        flow = self.current_flow()
        group = [step]
        while group[-1].next and len(group) < 5:
            following = flow.steps.get(group[-1].next)
            if not isinstance(following, AskStep) or following.form != step.form:
                break
            group.append(following)
        return group

    # -- helpers ------------------------------------------------------------------------------

    def current_flow(self) -> Flow:
        return self.engine.flow_of(self.state.top)

    def current_step(self) -> Step:
        return self.current_flow().steps[self.state.top.step]

    def template_context(self, extra: dict[str, Any]) -> dict[str, Any]:
        user = self.incoming.user
        context: dict[str, Any] = dict(self.state.slots)
        context["user"] = {
            "name": user.display_name or "there",
            "time_zone": self.context.time_zone,
        }
        context["now"] = self.context.now.isoformat()
        context["platform"] = self.incoming.conversation.platform  # what it can do (post?)
        context.update(extra)
        return context

    def render(self, message: Message, **extra: Any) -> str:
        seed = zlib.crc32(f"{self.incoming.conversation.key}:{self.state.seq}".encode())
        return self.engine.renderer.render(
            platform=self.incoming.conversation.platform,
            context=lambda: self.template_context(extra),
            seed=seed,
            template=message.template,
            inline=message.compiled,
        )

    def say(self, message: Message, **extra: Any) -> None:
        self.replies.append(Reply(self.render(message, **extra)))
        self.release()

    def hold(self, replies: list[Reply]) -> None:
        """Keep an action's messages until after the next thing said (or asked, or the end)."""
        self.held.extend(replies)

    def release(self) -> None:
        self.replies.extend(self.held)
        self.held.clear()

    def say_system(self, name: str, **extra: Any) -> None:
        self.say(Message(template=name), **extra)

    def branch_target(self, step: BranchStep) -> str | None:
        context = self.template_context({})
        for branch in step.branches:
            if branch.condition is None or branch.condition.evaluate(context):
                return branch.target
        return None
