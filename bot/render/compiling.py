"""Compiling one template text: variations, syntax checks that name the file, fixed texts.

A template file may hold several texts separated by a line that is only ``{# --- #}``
(:func:`split_variations`, in :mod:`bot.render.sources` with :class:`StaticText`, which need no
Jinja); each is compiled on its own (:func:`compile_variation`), and a text
without expressions or tags is rendered once, when compiled (:class:`StaticText`).
:func:`check_variation` is what compiling would reject, for a fraction of the cost, so flows can
check every template when they load; an expression (a condition, a ``set`` value) is checked
when flows load and compiled on first use (:class:`LazyExpression`). Used by
:mod:`bot.render.templates`.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterable, Mapping

from jinja2 import Template, TemplateAssertionError, TemplateSyntaxError, nodes
from jinja2.environment import TemplateExpression
from jinja2.parser import Parser
from jinja2.sandbox import ImmutableSandboxedEnvironment

from bot.render.plain import PlainFirst, PlainTemplate, plain_expression, plain_template
from bot.render.sources import StaticText, split_variations

__all__ = (
    "LazyExpression",
    "StaticText",
    "check_variation",
    "compile_variation",
    "parse_expression",
    "split_variations",
    "with_location",
)

_COMMENT = re.compile(r"\{#.*?#\}", re.DOTALL)


def compile_variation(
    env: ImmutableSandboxedEnvironment, source: str, name: str | None, filename: str | None = None
) -> Template | PlainTemplate | StaticText:
    # What Environment.get_template does for a file, but for one variation of it.
    try:
        code = env.compile(source, name=name, filename=filename)
    except TemplateSyntaxError as exc:
        raise with_location(exc) from exc
    # A plain dict of globals, not the ChainMap Jinja makes: every render copies it, and a
    # ChainMap copies several times slower (the largest single cost of a short render).
    template = env.template_class.from_code(env, code, dict(env.globals))
    without_comments = _COMMENT.sub("", source)
    if "{%" in without_comments:
        return template
    if "{{" in without_comments:  # only printed names? rendered without Jinja (bot.render.plain)
        tree = env.parse(source, name=name, filename=filename)
        return plain_template(tree, template) or template
    return StaticText(template.render().strip())


def check_variation(
    env: ImmutableSandboxedEnvironment, source: str, name: str | None, filename: str | None = None
) -> None:
    """What compiling would reject, for a fraction of the cost (flows load many templates, and
    each is compiled for real when first rendered): the syntax, and unknown filters and tests,
    which Jinja only reports while generating code."""
    try:
        tree = env.parse(source, name=name, filename=filename)
        _check_names(env, tree.find_all((nodes.Filter, nodes.Test)), name, filename)
    except TemplateSyntaxError as exc:
        raise with_location(exc) from exc


def _check_names(
    env: ImmutableSandboxedEnvironment,
    found: Iterable[nodes.Node],
    name: str | None = None,
    filename: str | None = None,
) -> None:
    """Unknown filters and tests, and a test given arguments it does not take ("x is given(3)"),
    which Jinja would only report while generating code, or when the test runs."""
    for node in found:
        if not isinstance(node, (nodes.Filter, nodes.Test)):
            continue
        kind = "filter" if isinstance(node, nodes.Filter) else "test"
        known = env.filters if kind == "filter" else env.tests
        if node.name not in known:
            raise TemplateAssertionError(
                f"No {kind} named {node.name!r}.", node.lineno, name, filename
            )
        if isinstance(node, nodes.Test) and not _takes(env.tests[node.name], node):
            raise TemplateAssertionError(
                f"The test {node.name!r} does not take {len(node.args)} argument(s) here.",
                node.lineno,
                name,
                filename,
            )


def _takes(test: object, node: nodes.Test) -> bool:
    """Whether ``test(value, *args, **kwargs)`` binds, as the node calls it."""
    if node.dyn_args is not None or node.dyn_kwargs is not None:
        return True
    try:
        signature = inspect.signature(test)  # type: ignore[arg-type]
    except (TypeError, ValueError):  # a builtin without a signature: Jinja will tell
        return True
    keywords: dict[str, object] = {str(kw.key): None for kw in node.kwargs}
    try:
        signature.bind(None, *node.args, **keywords)
    except TypeError:
        return False
    return True


def parse_expression(env: ImmutableSandboxedEnvironment, source: str) -> nodes.Expr:
    """Parse and check an expression as ``Environment.compile_expression`` would, without
    generating its code: unknown filters and tests are reported here, as Jinja would while
    generating."""
    try:
        parser = Parser(env, source, state="variable")
        expr = parser.parse_expression()
        if not parser.stream.eos:
            raise TemplateSyntaxError(
                "chunk after expression", parser.stream.current.lineno, None, None
            )
        _check_names(env, [expr, *expr.find_all((nodes.Filter, nodes.Test))])
    except TemplateSyntaxError as exc:
        exc.source = source
        exc.translated = True  # as Jinja's own handling leaves it: str() is the bare message
        raise
    expr.set_environment(env)
    return expr


class LazyExpression:
    """A checked expression whose Python code is generated on first use.

    Flows hold about a hundred expressions and most turns use a few; generating and compiling
    them all cost more start-up time than parsing them (the check), so that part waits. Given
    its source text instead of the parsed tree (flows read back from the cache of
    :mod:`bot.flow.cache`, checked when the cache was written), even the parsing waits. Two
    threads racing to compile both get the same result; one is kept.
    """

    __slots__ = ("_compiled", "_env", "_expr")

    def __init__(self, env: ImmutableSandboxedEnvironment, expr: nodes.Expr | str) -> None:
        self._env = env
        self._expr = expr
        self._compiled: Callable[..., object] | None = None

    def __call__(self, variables: Mapping[str, object]) -> object:
        compiled = self._compiled
        if compiled is None:
            compiled = self._compiled = self._compile()
        return compiled(variables)

    def _compile(self) -> Callable[..., object]:
        expr = self._expr
        if isinstance(expr, str):
            expr = parse_expression(self._env, expr)
        plain = plain_expression(expr)
        tree = expr
        if plain is not None:  # most conditions: the same value without a Jinja context
            return PlainFirst(plain, lambda: self._jinja(tree))
        return self._jinja(expr)

    def _jinja(self, expr: nodes.Expr) -> Callable[..., object]:
        body = [nodes.Assign(nodes.Name("result", "store"), expr, lineno=1)]
        template = self._env.from_string(nodes.Template(body, lineno=1))
        template.globals = dict(template.globals)  # see compile_variation: a dict renders faster
        return TemplateExpression(template, undefined_to_none=False)


def with_location(exc: TemplateSyntaxError) -> TemplateSyntaxError:
    """The same error, but its one-line message names the file (or inline name) and line.

    Jinja marks a syntax error "translated" once it has rewritten the traceback, and from then
    on ``str(exc)`` is the bare message; callers that report ``str(exc)`` need the location in it.
    """
    where = exc.filename or exc.name
    location = f"{where}, line {exc.lineno}" if where else f"line {exc.lineno}"
    located = TemplateSyntaxError(
        f"{exc.message} ({location})", exc.lineno, exc.name, exc.filename
    )
    located.translated = True  # keep str() to the one line above
    located.source = exc.source
    return located
