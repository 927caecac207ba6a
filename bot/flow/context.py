"""What every step parser shares: the load's :class:`FlowContext` and the checks of names and keys.

:mod:`bot.flow.steps` (every step kind), :mod:`bot.flow.asks` (``ask``) and
:mod:`bot.flow.action_steps` (``action``) build on this module, so no step parser imports
another for a helper; the loader, the topic files and the transcript case files use
:func:`unknown_keys` too.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from jinja2 import TemplateError

from bot.errors import FlowProblem
from bot.flow.actions import ActionRegistry
from bot.flow.model import Expression, Message
from bot.flow.yamlsource import YMap
from bot.render.templates import TemplateRenderer

__all__ = (
    "DURATION",
    "IDENTIFIER",
    "TEMPLATE_NAME",
    "FlowContext",
    "parse_duration",
    "unknown_keys",
)

TEMPLATE_NAME = re.compile(r"^[a-z0-9_]+(/[a-z0-9_]+)*$")
IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]{0,39}$")
DURATION = re.compile(r"^\s*(\d+)\s*([smhd]?)\s*$")
_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(slots=True)
class FlowContext:
    path: str
    flow_id: str
    renderer: TemplateRenderer
    actions: ActionRegistry
    step_ids: frozenset[str]
    problems: list[FlowProblem]

    def problem(self, line: int, key: str, message: str, fix: str) -> None:
        self.problems.append(FlowProblem(self.path, line, key, message, fix))

    def target(self, body: YMap, key: str, value: object | None = None) -> str | None:
        """A step id in this flow, checked."""
        value = body.get(key) if value is None else value
        if value is None:
            return None
        if not isinstance(value, str) or value not in self.step_ids:
            self.problem(
                body.line_of(key),
                key,
                f"there is no step {value!r} in this flow",
                f"use one of: {', '.join(sorted(self.step_ids))}",
            )
            return None
        return value

    def expression(self, source: object, line: int, key: str) -> Expression | None:
        if not isinstance(source, str | int | float | bool):
            self.problem(line, key, "this must be a Jinja expression", 'write it like `x == "y"`')
            return None
        text = str(source).lower() if isinstance(source, bool) else str(source)
        try:
            return Expression(text, self.renderer.compile_expression(text))
        except TemplateError as exc:
            self.problem(
                line,
                key,
                f"the expression {text!r} does not compile: {exc}",
                'write a Jinja expression without {{ }}, e.g. `answer == "yes"`',
            )
            return None

    def message(self, value: object, line: int, key: str, *, as_template: bool) -> Message | None:
        """A template reference (bare snake_case name) or inline Jinja text (or a list of them)."""
        if isinstance(value, str) and as_template and TEMPLATE_NAME.match(value):
            return self._template(value, line, key)
        texts = list(value) if isinstance(value, list) else [value]
        if not texts or not all(isinstance(t, str | int | float) for t in texts):
            self.problem(
                line, key, "a message must be text or a list of texts", f'write `{key}: "..."`'
            )
            return None
        inline = tuple(str(t) for t in texts)
        try:
            compiled = self.renderer.compile_inline(inline if len(inline) > 1 else inline[0])
        except TemplateError as exc:
            self.problem(
                line,
                key,
                f"the text is not a valid template: {exc}",
                "close every {{ and {% and check the names inside them",
            )
            return None
        return Message(inline=inline, compiled=compiled)

    def _template(self, name: str, line: int, key: str) -> Message | None:
        if not self.renderer.template_exists(name):
            self.problem(
                line,
                key,
                f"the template {name!r} does not exist",
                f"create dialogs/templates/common/{name}.j2, fix the name, or "
                f'write the message inline with `text: "..."`',
            )
            return None
        try:
            self.renderer.check_template(name)
        except TemplateError as exc:
            self.problem(
                line,
                key,
                f"the template {name!r} has an error: {exc}",
                "fix the template file at the line Jinja names",
            )
            return None
        return Message(template=name)


def unknown_keys(mapping: YMap, allowed: Iterable[str], path: str, what: str) -> list[FlowProblem]:
    """Problems for keys that are not allowed, each with a suggestion."""
    allowed = tuple(allowed)
    found = []
    for key in mapping:
        if key not in allowed:
            close = difflib.get_close_matches(key, allowed, n=1)
            hint = f"did you mean `{close[0]}`? " if close else ""
            found.append(
                FlowProblem(
                    path,
                    mapping.line_of(key),
                    key,
                    f"unknown key {key!r} in {what}",
                    f"{hint}allowed keys: {', '.join(allowed)}",
                )
            )
    return found


def parse_duration(value: Any) -> int | None:
    """``90`` (seconds), ``"30m"``, ``"2h"``, ``"1d"`` -> seconds; None when unreadable."""
    match = DURATION.match(str(value))
    return int(match[1]) * _SECONDS[match[2]] if match else None
