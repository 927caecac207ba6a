"""The renderer's own Jinja filters and its ``finalize``: ``markup``, ``phone``, ``when``.

``{{ value | markup }}`` marks a value as :class:`TrustedText` (not escaped); every other value a
``{{ }}`` prints goes through the platform's escaper (:func:`make_finalize`). Apart from
:mod:`bot.render.templates` so that it stays short; nothing here imports Jinja (``when`` is
marked ``pass_context`` when an environment is built).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING

from bot.render.formats import format_phone, format_when

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    from jinja2 import BaseLoader, TemplateNotFound
    from jinja2.runtime import Context
    from jinja2.sandbox import ImmutableSandboxedEnvironment

__all__ = (
    "BUILTIN_FILTERS",
    "Escaper",
    "TrustedText",
    "build_environment",
    "make_finalize",
    "not_found",
    "when",
)

Escaper = Callable[[str], str]


class TrustedText(str):
    """Markup an author inserts on purpose (``{{ value | markup }}``); it is not escaped.

    Only the value itself is trusted: ``{{ (a | markup) ~ b }}`` builds a plain ``str``, which is
    escaped as a whole.
    """

    __slots__ = ()


def _markup(value: object) -> TrustedText:
    return TrustedText(value)


def when(
    context: Context, value: object, time_zone: str | None = None, named: bool = False
) -> str:
    # Jinja passes the render context first: the renderer marks it with pass_context.
    # With the turn's `now` the year shows whenever it is not this year's ("3 April 2027").
    now = context.get("now")
    try:
        moment = datetime.fromisoformat(now) if isinstance(now, str) else None
    except ValueError:
        moment = None
    return format_when(str(value), time_zone, now=moment, named=named)


def _phone(value: object) -> str:
    return format_phone(str(value))


BUILTIN_FILTERS: Mapping[str, Callable[..., object]] = {
    "markup": _markup,
    "phone": _phone,
    "when": when,
}


def make_finalize(escaper: Escaper) -> Callable[[object], str]:
    def finalize(value: object) -> str:
        if type(value) is str:  # the common case first
            return escaper(value)
        if isinstance(value, TrustedText):
            return value
        # Numbers, dates, lists, markupsafe.Markup...: all text from a value, all escaped.
        # str() of an undefined value raises UndefinedError (StrictUndefined), as it should.
        return escaper(str(value))

    return finalize


def build_environment(
    loader: BaseLoader,
    escaper: Escaper,
    filters: Mapping[str, Callable[..., object]],
    tests: Mapping[str, Callable[..., bool]],
) -> ImmutableSandboxedEnvironment:
    """A sandboxed environment for one platform's escaper (see bot.render.templates)."""
    # Jinja is imported with the first environment: a start whose first messages are fixed
    # texts never builds one (see bot.render.sources).
    from jinja2 import StrictUndefined, pass_context
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    env = ImmutableSandboxedEnvironment(
        loader=loader,
        undefined=StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        finalize=make_finalize(escaper),
        auto_reload=False,  # templates are checked when flows load, not watched
    )
    env.filters.update(filters)
    if env.filters.get("when") is when:
        env.filters["when"] = pass_context(when)
    env.tests.update(tests)
    return env


def not_found(dirs: Sequence[Path], name: str, tried: list[str]) -> TemplateNotFound:
    """The error for a template none of ``dirs`` has, naming the files looked for."""
    from jinja2 import TemplateNotFound

    where = ", ".join(str(d) for d in dirs) or "no template dirs"
    message = f"template {name!r} not found: looked for {' and '.join(tried)} in {where}"
    return TemplateNotFound(tried[-1], message=message)
