"""Build one step of a flow from its YAML mapping, checking every key.

Each step kind has its own parser; all of them report problems through :class:`FlowContext`
(file, line, key, fix) instead of raising, so one load lists every mistake at once.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.flow.action_steps import parse_action
from bot.flow.asks import parse_ask
from bot.flow.context import IDENTIFIER, FlowContext, unknown_keys
from bot.flow.model import (
    Branch,
    BranchStep,
    CallStep,
    EndStep,
    Expression,
    GotoStep,
    SayStep,
    SetStep,
    SourceLocation,
    Step,
)
from bot.flow.yamlsource import YList, YMap

__all__ = ("ALLOWED_KEYS", "STEP_KINDS", "parse_step")

STEP_KINDS = ("say", "ask", "branch", "set", "clear", "call", "goto", "action", "end")

_MESSAGE_KEYS = ("text", "template")
_RULE_KEYS = ("min", "max", "min_length", "max_length", "integer", "future", "region")
_PATTERN_KEYS = ("pattern", "pattern_message")  # text asks: see asks._pattern_rule
_ASK_KEYS = (
    "ask",
    "slot",
    *_MESSAGE_KEYS,
    "next",
    "choices",
    "yes",
    "no",
    *_RULE_KEYS,
    *_PATTERN_KEYS,
    "unparsed",
    "invalid",
    "max_attempts",
    "on_fail",
    "timeout",
    "on_timeout",
    "form",
    "label",
    "text_slot",
    "on_text",
)
ALLOWED_KEYS: dict[str, tuple[str, ...]] = {
    "say": ("say", "next"),
    "ask": _ASK_KEYS,
    "branch": ("branch",),
    "set": ("set", "next"),
    "clear": ("clear", "next"),
    "call": ("call", "into", "next"),
    "goto": ("goto",),
    "action": ("action", "with", "into", "next", "on_error"),
    "end": ("end", *_MESSAGE_KEYS),
}


def parse_step(step_id: str, body: object, line: int, context: FlowContext) -> Step | None:
    if not IDENTIFIER.match(str(step_id)):
        context.problem(
            line,
            str(step_id),
            f"the step name {step_id!r} is not snake_case",
            "use lower-case letters, digits and _, starting with a letter",
        )
    if not isinstance(body, YMap):
        context.problem(
            line,
            str(step_id),
            "a step must be a mapping with one kind key",
            f"use one of: {', '.join(STEP_KINDS)}",
        )
        return None
    kinds = [k for k in STEP_KINDS if k in body]
    if len(kinds) != 1:
        found = " and ".join(kinds) if kinds else "none"
        context.problem(
            body.line,
            step_id,
            f"a step needs exactly one kind key (found {found})",
            f"use one of: {', '.join(STEP_KINDS)}",
        )
        return None
    kind = kinds[0]
    context.problems.extend(
        unknown_keys(
            body,
            ALLOWED_KEYS[kind],
            context.path,
            f"{'an' if kind[0] in 'aeiou' else 'a'} `{kind}` step",
        )
    )
    where = SourceLocation(context.path, body.line)
    return _PARSERS[kind](step_id, body, where, context)


def _say(step_id: str, body: YMap, where: SourceLocation, ctx: FlowContext) -> Step | None:
    message = ctx.message(body["say"], body.line_of("say"), "say", as_template=True)
    if message is None:
        return None
    return SayStep(step_id, where, message, ctx.target(body, "next"))


def _ask(step_id: str, body: YMap, where: SourceLocation, ctx: FlowContext) -> Step | None:

    return parse_ask(step_id, body, where, ctx)


def _branch(step_id: str, body: YMap, where: SourceLocation, ctx: FlowContext) -> Step | None:
    items = body["branch"]
    if not isinstance(items, YList) or not items:
        ctx.problem(
            body.line_of("branch"),
            "branch",
            "branch needs a list of conditions",
            "write `- if: cond` / `then: step` items and a last `- else: step`",
        )
        return None
    branches = [
        _branch_item(item, items.line_of(i), i == len(items) - 1, ctx)
        for i, item in enumerate(items)
    ]
    if any(b is None for b in branches):
        return None
    return BranchStep(step_id, where, tuple(b for b in branches if b is not None))


def _branch_item(item: object, line: int, last: bool, ctx: FlowContext) -> Branch | None:
    if isinstance(item, YMap) and set(item) == {"else"}:
        if not last:
            ctx.problem(line, "else", "`else` must be the last branch", "move it to the end")
        target = ctx.target(item, "else")
        return Branch(None, target) if target else None
    cond_key = "if" if isinstance(item, YMap) and "if" in item else "elif"
    if not isinstance(item, YMap) or set(item) != {cond_key, "then"}:
        ctx.problem(
            line,
            "branch",
            "each branch is `if:` (or `elif:`) with `then:`, or `else:`",
            'write `- if: answer == "yes"` and `  then: next_step`',
        )
        return None
    condition = ctx.expression(item[cond_key], item.line_of(cond_key), cond_key)
    target = ctx.target(item, "then")
    return Branch(condition, target) if condition and target else None


def _set(step_id: str, body: YMap, where: SourceLocation, ctx: FlowContext) -> Step | None:
    values = body["set"]
    if not isinstance(values, YMap) or not values:
        ctx.problem(
            body.line_of("set"),
            "set",
            "set needs a mapping of slot: expression",
            'write `set: {interested: "true"}`',
        )
        return None
    pairs = [
        (slot, ctx.expression(src, values.line_of(slot), slot)) for slot, src in values.items()
    ]
    for slot, _ in pairs:
        if not IDENTIFIER.match(slot):
            ctx.problem(
                values.line_of(slot), slot, f"{slot!r} is not a valid slot name", "use snake_case"
            )
    if any(expr is None for _, expr in pairs):
        return None
    assignments = tuple((slot, expr) for slot, expr in pairs if expr is not None)
    return SetStep(step_id, where, assignments, ctx.target(body, "next"))


def _call(step_id: str, body: YMap, where: SourceLocation, ctx: FlowContext) -> Step | None:
    flow = body["call"]
    if not isinstance(flow, str):
        ctx.problem(
            body.line_of("call"), "call", "call needs a flow name", "write `call: decline`"
        )
        return None
    into = body.get("into")
    if into is not None and (not isinstance(into, str) or not IDENTIFIER.match(into)):
        ctx.problem(
            body.line_of("into"), "into", "into must be a slot name", "write `into: result`"
        )
        into = None
    return CallStep(step_id, where, flow, into, ctx.target(body, "next"))


def _goto(step_id: str, body: YMap, where: SourceLocation, ctx: FlowContext) -> Step | None:
    target = body["goto"]
    if not isinstance(target, str) or not target:
        ctx.problem(
            body.line_of("goto"),
            "goto",
            "goto needs a flow name",
            "write `goto: menu` or `goto: flow_name.step_name`",
        )
        return None
    flow, _, step = target.partition(".")
    return GotoStep(step_id, where, flow, step or None)


def _action(step_id: str, body: YMap, where: SourceLocation, ctx: FlowContext) -> Step | None:

    return parse_action(step_id, body, where, ctx)


def _end(step_id: str, body: YMap, where: SourceLocation, ctx: FlowContext) -> Step | None:
    value = body["end"]
    result = None if value is True else ctx.expression(value, body.line_of("end"), "end")
    message = None
    for key in _MESSAGE_KEYS:
        if key in body:
            message = ctx.message(body[key], body.line_of(key), key, as_template=key == "template")
    return EndStep(step_id, where, message, result)


def _clear(step_id: str, body: YMap, where: SourceLocation, ctx: FlowContext) -> Step | None:
    """``clear: [slot, ...]``: empty those slots (they become ``none``), then go on.

    A set step to ``none`` underneath, so the engine, ``back``, the graph and the slot checks
    treat it like any other ``set``."""
    value = body["clear"]
    names = [value] if isinstance(value, str) else value
    line = body.line_of("clear")
    if not isinstance(names, YList | list) or not names:
        ctx.problem(
            line,
            "clear",
            "clear needs a slot name or a list of them",
            "write `clear: [callback_at, callback_phone]`",
        )
        return None
    bad = [str(n) for n in names if not isinstance(n, str) or not IDENTIFIER.match(n)]
    if bad:
        ctx.problem(
            line,
            "clear",
            f"not a slot name: {', '.join(bad)}",
            "use the snake_case names the flow's asks and sets use",
        )
        return None
    empty = Expression("none", ctx.renderer.compile_expression("none"))
    assignments = tuple((str(name), empty) for name in dict.fromkeys(names))
    return SetStep(step_id, where, assignments, ctx.target(body, "next"))


_PARSERS: dict[str, Callable[[str, YMap, SourceLocation, FlowContext], Step | None]] = {
    "say": _say,
    "ask": _ask,
    "branch": _branch,
    "set": _set,
    "clear": _clear,
    "call": _call,
    "goto": _goto,
    "action": _action,
    "end": _end,
}
