"""The flow model: what the loader builds from YAML and the engine runs.

A :class:`Flow` is a set of named steps. Each step is one of the kinds below; every kind but
``end`` and ``goto`` continues at ``next`` (or at a per-answer target). Expressions (conditions,
``set`` values, action inputs) are Jinja expressions compiled in the sandbox when flows load, so
a syntax error is a load error, never a runtime surprise.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from bot.render.templates import InlineTemplate

__all__ = (
    "ASK_KINDS",
    "MAX_STEPS_PER_TURN",
    "ActionStep",
    "AskKind",
    "AskStep",
    "BranchStep",
    "CallStep",
    "ChoiceOption",
    "EndStep",
    "Expression",
    "Flow",
    "GotoStep",
    "Message",
    "Rule",
    "SayStep",
    "SetStep",
    "SourceLocation",
    "Step",
)

AskKind = Literal[
    "text", "choice", "yesno", "datetime", "phone", "email", "url", "number", "scale"
]
ASK_KINDS: tuple[str, ...] = AskKind.__args__  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class SourceLocation:
    """Where something was written, for error messages: file and 1-based line."""

    path: str
    line: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True, slots=True)
class Expression:
    """A compiled Jinja expression and its source text."""

    source: str
    evaluate: Callable[[Mapping[str, object]], object] = field(compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Message:
    """What a step says: a template name or inline template text (a list gives variations)."""

    template: str | None = None
    inline: tuple[str, ...] = ()
    # the loader compiles inline text once
    compiled: InlineTemplate | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Rule:
    """A bound on an answer (``min``/``max`` for numbers and scales, lengths for text)."""

    min: float | None = None
    max: float | None = None
    min_length: int | None = None
    max_length: int | None = None
    integer: bool = False
    future: bool = True  # date-times must lie in the future
    region: str | None = None  # default phone region, such as "US"
    pattern: str | None = None  # text asks: a regular expression the whole answer must match
    pattern_message: str | None = None  # what to say when it does not


# The runtime (bot.dialog.advance) stops a turn that runs more steps than this without a
# question; defined in the flow layer, so that the load-time check (bot.flow.checks) and the
# runtime agree.
MAX_STEPS_PER_TURN = 200

UNLIMITED_ATTEMPTS = 2**31 - 1  # `max_attempts: unlimited`: attempts never reach it


@dataclass(frozen=True, slots=True)
class ChoiceOption:
    id: str
    label: str
    next: str | None = None
    style: Literal["default", "primary", "danger"] = "default"
    match: tuple[str, ...] = ()  # other words a user may type for this option


@dataclass(frozen=True, slots=True)
class _StepBase:
    id: str
    where: SourceLocation


@dataclass(frozen=True, slots=True)
class SayStep(_StepBase):
    message: Message
    next: str | None = None


@dataclass(frozen=True, slots=True)
class AskStep(_StepBase):
    kind: AskKind
    slot: str
    prompt: Message
    next: str | None = None
    choices: tuple[ChoiceOption, ...] = ()
    rule: Rule = Rule()
    unparsed: Message | None = None  # the answer could not be read
    invalid: Message | None = None  # the answer was read but breaks a rule
    max_attempts: int = 3  # UNLIMITED_ATTEMPTS: ask again after every refused answer
    on_fail: str | None = None  # the escape step after max_attempts
    timeout_seconds: int | None = None
    on_timeout: str | None = None
    form: str | None = None  # fields asked together share a form name
    label: str | None = None  # the field's label inside a form
    # a choice ask that also takes free text ("paste their message, or pick..."): typed text
    # that names no option is kept in ``text_slot`` and the flow goes on at ``on_text``
    text_slot: str | None = None
    on_text: str | None = None


@dataclass(frozen=True, slots=True)
class Branch:
    condition: Expression | None  # None for the final else
    target: str


@dataclass(frozen=True, slots=True)
class BranchStep(_StepBase):
    branches: tuple[Branch, ...]


@dataclass(frozen=True, slots=True)
class SetStep(_StepBase):
    assignments: tuple[tuple[str, Expression], ...]
    next: str | None = None


@dataclass(frozen=True, slots=True)
class CallStep(_StepBase):
    flow: str
    into: str | None = None  # slot that receives the called flow's result
    next: str | None = None


@dataclass(frozen=True, slots=True)
class GotoStep(_StepBase):
    flow: str
    step: str | None = None


@dataclass(frozen=True, slots=True)
class ActionStep(_StepBase):
    action: str
    inputs: tuple[tuple[str, Expression], ...] = ()
    outputs: tuple[tuple[str, str], ...] = ()  # (action output name, slot)
    next: str | None = None
    on_error: str | None = None


@dataclass(frozen=True, slots=True)
class EndStep(_StepBase):
    message: Message | None = None
    result: Expression | None = None


Step = SayStep | AskStep | BranchStep | SetStep | CallStep | GotoStep | ActionStep | EndStep


@dataclass(frozen=True, slots=True)
class Flow:
    """One conversation flow, loaded from ``dialogs/flows/<id>.yaml``.

    ``version`` is a digest of the file's content: a conversation stays on the version it
    started with, and a button from another version is recognised as stale.
    """

    id: str
    version: str
    title: str
    start: str
    steps: Mapping[str, Step]
    where: SourceLocation
    description: str = ""
    topics: tuple[str, ...] = ()
    source: str = field(default="", repr=False, compare=False)

    def step(self, step_id: str) -> Step:
        return self.steps[step_id]


def step_targets(step: Step) -> list[tuple[str, str]]:
    """The step ids a step can continue at, as (key, target) pairs, in this flow."""
    targets: list[tuple[str, str]] = []
    for key in ("next", "on_fail", "on_timeout", "on_error", "on_text"):
        value = getattr(step, key, None)
        if value:
            targets.append((key, value))
    if isinstance(step, AskStep):
        targets.extend(("choices.next", c.next) for c in step.choices if c.next)
    if isinstance(step, BranchStep):
        targets.extend(("branch", b.target) for b in step.branches)
    return targets
