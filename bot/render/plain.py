"""Plain Python for the simplest Jinja: flow expressions of names, constants, comparisons and
and/or/not, and template texts that only print names (``{{ reason }}``).

Most conditions and values in flows are of the first kind (``interest == "interested"``,
``"declined"``, ``true``, ``has_other_call and other_call_count > 1``). Jinja runs each of them
as a small template: a new context and a render function, several microseconds a turn. Jinja
compiles these nodes to the very same Python operators (the sandbox intercepts no operator by
default), so a closure over the parsed tree gives the same value; :func:`plain_expression`
builds one, and :class:`PlainFirst` runs it. Likewise a text whose only Jinja is ``{{ name }}``
is its text with each value put through the environment's ``finalize`` (the escaper), as
Jinja's code does (:func:`plain_template`).

Only the happy path is taken over: a name the variables do not hold (an error in Jinja, with
``StrictUndefined``, or one of Jinja's globals) makes the plain version give up, and Jinja
evaluates or renders as before, with its own error. Anything else (filters, tests, attributes,
calls, literals of lists, tags) is never made plain.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from jinja2 import Template, nodes

from bot.errors import CoachError

__all__ = ("PlainFirst", "PlainTemplate", "plain_expression", "plain_template")

Evaluate = Callable[[Mapping[str, object]], object]

_CONSTANT_TYPES = (str, int, float, bool, type(None))

_COMPARISONS: dict[str, Callable[[object, object], object]] = {
    "eq": lambda a, b: a == b,
    "ne": lambda a, b: a != b,
    "lt": lambda a, b: a < b,  # type: ignore[operator]
    "gt": lambda a, b: a > b,  # type: ignore[operator]
    "lteq": lambda a, b: a <= b,  # type: ignore[operator]
    "gteq": lambda a, b: a >= b,  # type: ignore[operator]
    "in": lambda a, b: a in b,  # type: ignore[operator]
    "notin": lambda a, b: a not in b,  # type: ignore[operator]
}


class _MissingName(CoachError):
    """A name the variables do not hold: Jinja decides what that means."""


def plain_expression(expr: nodes.Expr) -> Evaluate | None:
    """A closure giving what Jinja gives for ``expr``, or None when ``expr`` is not plain."""
    if isinstance(expr, nodes.Const):
        value = expr.value
        if type(value) not in _CONSTANT_TYPES:
            return None
        return lambda variables: value
    if isinstance(expr, nodes.Name):
        return _name(expr.name) if expr.ctx == "load" else None
    if isinstance(expr, nodes.Not):
        operand = plain_expression(expr.node)
        return None if operand is None else (lambda variables: not operand(variables))
    if isinstance(expr, (nodes.And, nodes.Or)):
        return _boolean(expr)
    if isinstance(expr, nodes.Compare) and len(expr.ops) == 1:
        return _comparison(expr.expr, expr.ops[0])
    return None


def _name(name: str) -> Evaluate:
    def lookup(variables: Mapping[str, object]) -> object:
        try:
            return variables[name]
        except KeyError:
            raise _MissingName(name) from None

    return lookup


def _boolean(expr: nodes.And | nodes.Or) -> Evaluate | None:
    left, right = plain_expression(expr.left), plain_expression(expr.right)
    if left is None or right is None:
        return None
    if isinstance(expr, nodes.And):
        return lambda variables: left(variables) and right(variables)
    return lambda variables: left(variables) or right(variables)


def _comparison(first: nodes.Expr, operand: nodes.Operand) -> Evaluate | None:
    compare = _COMPARISONS.get(operand.op)
    left, right = plain_expression(first), plain_expression(operand.expr)
    if compare is None or left is None or right is None:
        return None
    return lambda variables: compare(left(variables), right(variables))


class PlainFirst:
    """Runs the plain closure; Jinja's compiled expression (built by ``jinja`` when first
    needed) when the closure meets a name it does not know."""

    __slots__ = ("_build", "_jinja", "_plain")

    def __init__(self, plain: Evaluate, jinja: Callable[[], Evaluate]) -> None:
        self._plain = plain
        self._build = jinja
        self._jinja: Evaluate | None = None

    def __call__(self, variables: Mapping[str, object]) -> object:
        try:
            return self._plain(variables)
        except _MissingName:
            jinja = self._jinja
            if jinja is None:
                jinja = self._jinja = self._build()
            return jinja(variables)


class PlainTemplate:
    """A text that only prints names: literal parts and finalized values, joined.

    ``texts`` has one more item than ``names``: text, value, text, ..., text.
    """

    __slots__ = ("_finalize", "_first", "_jinja", "_parts")

    def __init__(
        self,
        texts: tuple[str, ...],
        names: tuple[str, ...],
        finalize: Callable[[object], object],
        jinja: Template,
    ) -> None:
        self._first = texts[0]
        self._parts = tuple(zip(names, texts[1:], strict=True))  # each name and the text after
        self._finalize = finalize
        self._jinja = jinja

    def render(self, variables: Mapping[str, object]) -> str:
        finalize = self._finalize
        out = [self._first]
        try:  # one look-up a name (not a test, then a look-up): most texts find them all
            for name, text in self._parts:
                out.append(str(finalize(variables[name])))
                out.append(text)
        except KeyError:  # Jinja's globals, or its error for an undefined name
            return self._jinja.render(variables)
        return "".join(out)


def plain_template(tree: nodes.Template, template: Template) -> PlainTemplate | None:
    """The plain form of a parsed text whose only Jinja is ``{{ name }}``, or None."""
    texts, names = [""], []
    for node in tree.body:
        if not isinstance(node, nodes.Output):
            return None
        for child in node.nodes:
            if isinstance(child, nodes.TemplateData):
                texts[-1] += child.data
            elif isinstance(child, nodes.Name) and child.ctx == "load":
                names.append(child.name)
                texts.append("")
            else:
                return None
    finalize = template.environment.finalize
    if finalize is None:  # every environment of the renderer has one (the escaper)
        return None
    return PlainTemplate(tuple(texts), tuple(names), finalize, template)
