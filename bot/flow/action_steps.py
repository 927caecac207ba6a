"""Build ``action`` steps: the registered action, its inputs (``with``) and outputs (``into``)."""

from __future__ import annotations

from bot.flow.context import FlowContext, unknown_keys
from bot.flow.model import ActionStep, Expression, SourceLocation
from bot.flow.yamlsource import YMap

__all__ = ("parse_action",)


def parse_action(
    step_id: str, body: YMap, where: SourceLocation, ctx: FlowContext
) -> ActionStep | None:
    name = body["action"]
    spec = ctx.actions.get(name) if isinstance(name, str) else None
    if spec is None:
        ctx.problem(
            body.line_of("action"),
            "action",
            f"there is no action called {name!r}",
            f"use one of: {', '.join(ctx.actions.names()) or '(none registered)'}",
        )
        return None
    inputs = _action_inputs(body, spec.inputs, spec.all_inputs, ctx)
    outputs = _action_outputs(body, spec.outputs, ctx)
    if inputs is None or outputs is None:
        return None
    return ActionStep(
        step_id,
        where,
        name,
        inputs,
        outputs,
        ctx.target(body, "next"),
        ctx.target(body, "on_error"),
    )


def _action_inputs(
    body: YMap, required: tuple[str, ...], allowed: tuple[str, ...], ctx: FlowContext
) -> tuple[tuple[str, Expression], ...] | None:
    given = body.get("with", YMap())
    if not isinstance(given, YMap):
        ctx.problem(
            body.line_of("with"),
            "with",
            "`with` must map inputs to expressions",
            "write `with: {at: callback_at}`",
        )
        return None
    ctx.problems.extend(
        unknown_keys(given, allowed, ctx.path, f"the inputs of {body['action']!r}")
    )
    for name in required:
        if name not in given:
            ctx.problem(
                body.line_of("with") if "with" in body else body.line_of("action"),
                "with",
                f"the action {body['action']!r} needs the input {name!r}",
                f"add `{name}: <expression>` under `with:`",
            )
    pairs = [(k, ctx.expression(v, given.line_of(k), k)) for k, v in given.items() if k in allowed]
    if any(e is None for _, e in pairs) or any(n not in given for n in required):
        return None
    return tuple((k, e) for k, e in pairs if e is not None)


def _action_outputs(
    body: YMap, allowed: tuple[str, ...], ctx: FlowContext
) -> tuple[tuple[str, str], ...] | None:
    into = body.get("into", YMap())
    if not isinstance(into, YMap):
        ctx.problem(
            body.line_of("into"),
            "into",
            "`into` must map outputs to slot names",
            "write `into: {reminder_at: reminder_time}`",
        )
        return None
    ctx.problems.extend(
        unknown_keys(into, allowed, ctx.path, f"the outputs of {body['action']!r}")
    )
    return tuple((k, str(v)) for k, v in into.items() if k in allowed)
