"""Build ``ask`` steps, the kind with the most keys (``action``: :mod:`bot.flow.action_steps`)."""

from __future__ import annotations

import re

from bot.errors import FlowProblem
from bot.flow.context import IDENTIFIER, FlowContext, parse_duration, unknown_keys
from bot.flow.model import (
    ASK_KINDS,
    UNLIMITED_ATTEMPTS,
    AskStep,
    ChoiceOption,
    Message,
    Rule,
    SourceLocation,
)
from bot.flow.yamlsource import YList, YMap

__all__ = ("parse_ask",)

_CHOICE_KEYS = ("id", "label", "next", "style", "match")
_STYLES = ("default", "primary", "danger")
_DEFAULT_MAX_LENGTH = 500


def parse_ask(step_id: str, body: YMap, where: SourceLocation, ctx: FlowContext) -> AskStep | None:
    kind = body["ask"]
    if kind not in ASK_KINDS:
        ctx.problem(
            body.line_of("ask"),
            "ask",
            f"unknown answer type {kind!r}",
            f"use one of: {', '.join(ASK_KINDS)}",
        )
        return None
    slot = body.get("slot")
    if not isinstance(slot, str) or not IDENTIFIER.match(slot):
        ctx.problem(
            body.line_of("slot"),
            "slot",
            "an ask needs `slot:` (a snake_case name)",
            "add `slot: answer_name` to keep the answer",
        )
        return None
    prompt = _prompt(body, ctx)
    choices = _choices(body, kind, ctx)
    text_slot = _text_slot(body, kind, ctx)
    if prompt is None or choices is None:
        return None
    return AskStep(
        step_id,
        where,
        kind,
        slot,
        prompt,
        next=ctx.target(body, "next"),
        choices=choices,
        rule=_rule(body, kind, ctx),
        unparsed=_optional_message(body, "unparsed", ctx),
        invalid=_optional_message(body, "invalid", ctx),
        max_attempts=_max_attempts(body, ctx),
        on_fail=ctx.target(body, "on_fail"),
        timeout_seconds=_timeout(body, ctx),
        on_timeout=ctx.target(body, "on_timeout"),
        form=_optional_str(body, "form", ctx),
        label=_optional_str(body, "label", ctx),
        text_slot=text_slot,
        on_text=ctx.target(body, "on_text") if text_slot else None,
    )


def _text_slot(body: YMap, kind: str, ctx: FlowContext) -> str | None:
    """``text_slot`` and ``on_text`` come together, on a choice or yes/no ask."""
    if "text_slot" not in body and "on_text" not in body:
        return None
    slot = body.get("text_slot")
    if kind not in ("choice", "yesno"):
        ctx.problem(
            body.line_of("text_slot" if "text_slot" in body else "on_text"),
            "text_slot",
            "`text_slot` and `on_text` only work with `ask: choice` or yesno",
            "a text ask takes free text already: remove them",
        )
        return None
    if not isinstance(slot, str) or not IDENTIFIER.match(slot) or "on_text" not in body:
        ctx.problem(
            body.line_of("text_slot" if "text_slot" in body else "on_text"),
            "text_slot",
            "free text on a choice needs both `text_slot` (a snake_case name) and `on_text`",
            "add `text_slot: their_message` and `on_text: check_it`",
        )
        return None
    return slot


def _prompt(body: YMap, ctx: FlowContext) -> Message | None:
    if "text" in body and "template" in body:
        ctx.problem(
            body.line_of("template"),
            "template",
            "an ask has both `text` and `template`",
            "keep one of them",
        )
    if "template" in body:
        return ctx.message(
            body["template"], body.line_of("template"), "template", as_template=True
        )
    if "text" in body:
        return ctx.message(body["text"], body.line_of("text"), "text", as_template=False)
    ctx.problem(
        body.line, "text", "an ask needs a question", 'add `text: "..."` or `template: name`'
    )
    return None


def _choices(body: YMap, kind: str, ctx: FlowContext) -> tuple[ChoiceOption, ...] | None:
    if kind == "yesno":
        return _yesno_choices(body, ctx)
    if kind != "choice":
        for key in ("choices", "yes", "no"):
            if key in body:
                ctx.problem(
                    body.line_of(key),
                    key,
                    f"`{key}` only works with `ask: choice` or yesno",
                    "remove it or change the answer type",
                )
        return ()
    items = body.get("choices")
    if not isinstance(items, YList) or not items:
        ctx.problem(
            body.line_of("choices"),
            "choices",
            "a choice ask needs a list of `choices`",
            'add `choices:` with items like `- {id: yes_please, label: "Yes"}`',
        )
        return None
    options = [_choice(item, items.line_of(i), ctx) for i, item in enumerate(items)]
    ids = [o.id for o in options if o]
    if len(set(ids)) != len(ids):
        ctx.problem(items.line, "choices", "two choices have the same id", "give each a unique id")
    return tuple(o for o in options if o) if all(options) else None


def _choice(item: object, line: int, ctx: FlowContext) -> ChoiceOption | None:
    if not isinstance(item, YMap):
        ctx.problem(
            line,
            "choices",
            "each choice is a mapping with `id` and `label`",
            '`- {id: at_work, label: "I\'m at work", next: step}`',
        )
        return None
    ctx.problems.extend(_unknown(item, _CHOICE_KEYS, ctx, "a choice"))
    choice_id, label = item.get("id"), item.get("label")
    if not isinstance(choice_id, str) or not IDENTIFIER.match(choice_id):
        ctx.problem(
            item.line_of("id"), "id", "a choice needs a snake_case `id`", "add `id: short_name`"
        )
        return None
    if not isinstance(label, str) or not label.strip():
        ctx.problem(
            item.line_of("label"),
            "label",
            f"the choice {choice_id!r} needs a `label`",
            'add `label: "What the button says"`',
        )
        return None
    style = item.get("style", "default")
    if style not in _STYLES:
        ctx.problem(
            item.line_of("style"),
            "style",
            f"unknown style {style!r}",
            f"use one of: {', '.join(_STYLES)}",
        )
        style = "default"
    match = item.get("match", [])
    words = tuple(str(w) for w in match) if isinstance(match, list) else (str(match),)
    return ChoiceOption(choice_id, label, ctx.target(item, "next"), style, words)


def _yesno_choices(body: YMap, ctx: FlowContext) -> tuple[ChoiceOption, ...]:
    return (
        ChoiceOption("yes", "Yes", ctx.target(body, "yes"), "primary"),
        ChoiceOption("no", "No", ctx.target(body, "no")),
    )


def _rule(body: YMap, kind: str, ctx: FlowContext) -> Rule:
    values: dict[str, object] = {}
    for key in ("min", "max"):
        if key in body:
            values[key] = _number(body, key, ctx)
    for key in ("min_length", "max_length"):
        if key in body:
            values[key] = _positive_int(body, key, 1, ctx)
    for key in ("integer", "future"):
        if key in body:
            values[key] = _boolean(body, key, ctx)
    if "region" in body:
        values["region"] = str(body["region"]).upper()
    values.update(_pattern_rule(body, kind, ctx))
    if kind == "text":
        values.setdefault("max_length", _DEFAULT_MAX_LENGTH)
    if kind == "scale":
        values.setdefault("min", 1)
        values.setdefault("max", 5)
    return Rule(**values)  # type: ignore[arg-type]


def _pattern_rule(body: YMap, kind: str, ctx: FlowContext) -> dict[str, object]:
    """``pattern`` (a regular expression the whole answer must match) and ``pattern_message``
    (what the coach says when it does not), for text asks only."""
    if "pattern" not in body:
        if "pattern_message" in body:
            ctx.problem(
                body.line_of("pattern_message"),
                "pattern_message",
                "`pattern_message` without a `pattern`",
                "add `pattern: <regular expression>` or remove `pattern_message`",
            )
        return {}
    line = body.line_of("pattern")
    if kind != "text":
        ctx.problem(
            line,
            "pattern",
            f"`pattern` works on `ask: text` only (this is `{kind}`)",
            "use `ask: text`, or remove `pattern`",
        )
        return {}
    source = body["pattern"]
    if not isinstance(source, str) or not source:
        ctx.problem(
            line,
            "pattern",
            "`pattern` must be a regular expression in quotes",
            "write `pattern: '[A-Z]{2}[0-9]{4}'`",
        )
        return {}
    try:
        re.compile(source)
    except re.error as exc:
        ctx.problem(
            line,
            "pattern",
            f"`pattern` is not a valid regular expression: {exc}",
            "fix the expression; test it with `python -c \"import re; re.compile(r'...')\"`",
        )
        return {}
    message = body.get("pattern_message")
    if message is not None and not (isinstance(message, str) and message.strip()):
        ctx.problem(
            body.line_of("pattern_message"),
            "pattern_message",
            "`pattern_message` must be text",
            "write `pattern_message: Please type a code like AB1234.`",
        )
        message = None
    return {"pattern": source, "pattern_message": message}


def _max_attempts(body: YMap, ctx: FlowContext) -> int:
    """``max_attempts: 3`` (the default), or ``unlimited``: ask the same question again after
    every answer it cannot take, with the reason, and never give up or leave."""
    if body.get("max_attempts") == "unlimited":
        if "on_fail" in body:
            ctx.problem(
                body.line_of("on_fail"),
                "on_fail",
                "`on_fail` is never reached with `max_attempts: unlimited`",
                "remove `on_fail`, or give `max_attempts` a number",
            )
        return UNLIMITED_ATTEMPTS
    return _positive_int(body, "max_attempts", 3, ctx)


def _number(body: YMap, key: str, ctx: FlowContext) -> float | None:
    value = body[key]
    if isinstance(value, bool) or not isinstance(value, int | float):
        ctx.problem(body.line_of(key), key, f"`{key}` must be a number", f"write `{key}: 10`")
        return None
    return value


def _positive_int(body: YMap, key: str, default: int, ctx: FlowContext) -> int:
    value = body.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        ctx.problem(
            body.line_of(key),
            key,
            f"`{key}` must be a whole number of at least 1",
            f"write `{key}: {default}`",
        )
        return default
    return value


def _boolean(body: YMap, key: str, ctx: FlowContext) -> bool:
    value = body[key]
    if not isinstance(value, bool):
        ctx.problem(
            body.line_of(key), key, f"`{key}` must be true or false", f"write `{key}: true`"
        )
        return True
    return value


def _timeout(body: YMap, ctx: FlowContext) -> int | None:
    if "timeout" not in body:
        if "on_timeout" in body:
            ctx.problem(
                body.line_of("on_timeout"),
                "on_timeout",
                "on_timeout without timeout",
                "add `timeout: 2h` (s, m, h or d)",
            )
        return None
    seconds = parse_duration(body["timeout"])
    if not seconds:
        ctx.problem(
            body.line_of("timeout"),
            "timeout",
            f"cannot read {body['timeout']!r} as a duration",
            "write a number with s, m, h or d, like `timeout: 30m`",
        )
    elif "on_timeout" not in body:
        ctx.problem(
            body.line_of("timeout"),
            "timeout",
            "timeout without on_timeout",
            "add `on_timeout: step_name` (where to go when no answer came)",
        )
    return seconds


def _optional_message(body: YMap, key: str, ctx: FlowContext) -> Message | None:
    if key not in body:
        return None
    return ctx.message(body[key], body.line_of(key), key, as_template=True)


def _optional_str(body: YMap, key: str, ctx: FlowContext) -> str | None:
    value = body.get(key)
    if value is not None and not isinstance(value, str):
        ctx.problem(body.line_of(key), key, f"`{key}` must be text", f'write `{key}: "..."`')
        return None
    return value


def _unknown(
    mapping: YMap, allowed: tuple[str, ...], ctx: FlowContext, what: str
) -> list[FlowProblem]:
    return unknown_keys(mapping, allowed, ctx.path, what)
