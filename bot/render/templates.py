"""Jinja rendering for the engine: template lookup per platform, variations, automatic escaping.

Templates live in ``<dir>/common/<name>.j2`` with optional overrides in
``<dir>/<platform>/<name>.j2``. Lookup tries ``<platform>/<name>.j2`` in every template dir (in
order), then ``common/<name>.j2`` in every dir, so a platform override always beats a common text.

Variations: a template file may hold several texts separated by a line that is only
``{# --- #}``; inline messages may be a list. :meth:`TemplateRenderer.render` picks one with
``random.Random(seed)``, so the same seed always gives the same text.

Escaping is automatic. Every ``{{ expression }}`` whose value is not already trusted goes through
the platform's escaper (default :func:`bot.render.markup.escape`), so a user's ``**x**`` or
``[click](http://evil)`` stays literal text in the neutral markup. To insert markup built on
purpose, an author writes ``{{ value | markup }}``, which marks the value as
:class:`TrustedText`. Output that is not a ``{{ }}`` expression (template text, ``{% include %}``)
is the author's markup and is not escaped. The output of a macro call or a ``{% set %}`` block
*is* a value, so ``{{ my_macro(name) }}`` is escaped again; write ``{{ my_macro(name) | markup }}``
(the values inside the macro were escaped already).

Everything runs in Jinja's immutable sandbox with ``StrictUndefined``: templates and conditions
cannot reach Python internals (``''.__class__`` raises ``SecurityError``), cannot change the
slots they are given (``items.append(1)`` raises too), and a misspelt name raises
``UndefinedError`` instead of rendering as an empty string.

Lookup and compilation happen once per platform and name (:mod:`bot.render.compiling`); a
template with one variation does not seed ``random.Random``. The measured speeds are in
docs/benchmarks.md ("Markup and templates").
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import datetime
from pathlib import Path

from jinja2 import (
    StrictUndefined,
    Template,
    TemplateNotFound,
    pass_context,
)
from jinja2.loaders import split_template_path
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment

from bot.render.compiling import (
    LazyExpression,
    StaticText,
    check_variation,
    compile_variation,
    parse_expression,
    split_variations,
)
from bot.render.conditions import BUILTIN_TESTS, check_patterns
from bot.render.fallback import FallbackLoader, variant_paths
from bot.render.formats import format_phone, format_when
from bot.render.markup import escape

__all__ = ("COMMON", "InlineTemplate", "TemplateRenderer", "TrustedText")

COMMON = "common"  # the folder every platform falls back to
SUFFIX = ".j2"

Escaper = Callable[[str], str]


class TrustedText(str):
    """Markup an author inserts on purpose (``{{ value | markup }}``); it is not escaped.

    Only the value itself is trusted: ``{{ (a | markup) ~ b }}`` builds a plain ``str``, which is
    escaped as a whole.
    """

    __slots__ = ()


def _markup(value: object) -> TrustedText:
    return TrustedText(value)


@pass_context
def _when(
    context: Context, value: object, time_zone: str | None = None, named: bool = False
) -> str:
    # With the turn's `now` the year shows whenever it is not this year's ("3 April 2027").
    now = context.get("now")
    try:
        moment = datetime.fromisoformat(now) if isinstance(now, str) else None
    except ValueError:
        moment = None
    return format_when(str(value), time_zone, now=moment, named=named)


def _phone(value: object) -> str:
    return format_phone(str(value))


_BUILTIN_FILTERS: Mapping[str, Callable[..., object]] = {
    "markup": _markup,
    "phone": _phone,
    "when": _when,
}


def _make_finalize(escaper: Escaper) -> Callable[[object], str]:
    def finalize(value: object) -> str:
        if type(value) is str:  # the common case first
            return escaper(value)
        if isinstance(value, TrustedText):
            return value
        # Numbers, dates, lists, markupsafe.Markup...: all text from a value, all escaped.
        # str() of an undefined value raises UndefinedError (StrictUndefined), as it should.
        return escaper(str(value))

    return finalize


class InlineTemplate:
    """Inline template text from a flow (one source or a list of variations), syntax-checked.

    Made by :meth:`TemplateRenderer.compile_inline`; compiled once per platform on first use.
    """

    __slots__ = ("_compiled", "name", "sources")

    def __init__(self, sources: tuple[str, ...], name: str | None) -> None:
        self.sources = sources
        self.name = name
        # Keyed by the platform's environment: the escaper is compiled into the template code.
        self._compiled: dict[ImmutableSandboxedEnvironment, tuple[Template | StaticText, ...]] = {}

    def __repr__(self) -> str:
        return f"InlineTemplate({self.sources!r})"


class TemplateRenderer:
    """Finds, compiles, caches and renders message templates for each platform.

    Args:
        template_dirs: folders holding ``common/`` and ``<platform>/`` template folders, searched
            in order (put an override folder before the shipped one).
        escapers: per-platform escaper for ``{{ }}`` values; :func:`bot.render.markup.escape`
        otherwise.
        filters: extra Jinja filters; they replace built-in filters of the same name.
        tests: extra Jinja tests for conditions (:mod:`bot.render.conditions`; the app's own
            come from the composition root, :mod:`bot.app`).
        fallback_dirs: where the templates named in ``fallback_names`` (the coach's own
            messages) are found when ``template_dirs`` has no variant of them at all.
    """

    def __init__(
        self,
        *,
        template_dirs: Sequence[Path],
        escapers: Mapping[str, Escaper] | None = None,
        filters: Mapping[str, Callable[..., object]] | None = None,
        tests: Mapping[str, Callable[..., bool]] | None = None,
        fallback_dirs: Sequence[Path] = (),
        fallback_names: Collection[str] = (),
    ) -> None:
        self._dirs = tuple(Path(d) for d in template_dirs)
        self._loader = FallbackLoader(self._dirs, tuple(fallback_dirs), frozenset(fallback_names))
        self._escapers = dict(escapers or {})
        self._filters = {**_BUILTIN_FILTERS, **(filters or {})}
        self._tests = {**BUILTIN_TESTS, **(tests or {})}  # for conditions: `x is matching(...)`
        # One environment per platform, because finalize (the escaper) is baked into compiled
        # template code: Jinja even applies it to constants at compile time. The alternative, one
        # environment whose finalize reads the platform from a ContextVar, would cost a set/reset
        # per render and a lookup per {{ }}; this costs one compile per platform, once.
        self._envs: dict[str, ImmutableSandboxedEnvironment] = {}
        self._check_env = self._build_env(escape)  # for syntax checks and expressions
        self._cache: dict[tuple[str, str], tuple[Template | StaticText, ...]] = {}

    @property
    def template_dirs(self) -> tuple[Path, ...]:
        """The folders searched, in order (load-time checks read the files themselves)."""
        return self._dirs

    def template_exists(self, name: str) -> bool:
        """Whether ``common/<name>.j2`` or any ``<platform>/<name>.j2`` is in a template dir."""
        return bool(self._variant_paths(name))

    def check_template(self, name: str) -> None:
        """Compile every platform variant of ``name`` (load-time validation).

        Raises:
            jinja2.TemplateNotFound: no variant exists.
            jinja2.TemplateSyntaxError: a variant does not compile (with its file name and line).
        """
        paths = self._variant_paths(name)
        if not paths:
            raise self._not_found(name, [f"{COMMON}/{name}{SUFFIX}"])
        for path in paths:
            source, filename, _ = self._loader.get_source(self._check_env, path)
            for text in split_variations(source):
                check_variation(self._check_env, text, path, filename)

    def template_source(self, platform: str, name: str) -> str:
        """The text of the file ``render`` uses for ``name`` on ``platform`` (all variations).

        Raises:
            jinja2.TemplateNotFound: neither the platform's nor the common variant is there.
        """
        tried = [f"{platform}/{name}{SUFFIX}", f"{COMMON}/{name}{SUFFIX}"]
        for path in tried:
            try:
                return self._loader.get_source(self._check_env, path)[0]
            except TemplateNotFound:
                continue
        raise self._not_found(name, tried)

    def compile_inline(
        self, source: str | Sequence[str], *, name: str | None = None
    ) -> InlineTemplate:
        """Check inline template text (or a list of variations) and prepare it for rendering.

        ``name`` (such as ``"flows/x.yaml: step ask"``) appears in syntax errors.

        Raises:
            jinja2.TemplateSyntaxError: the text does not compile.
            ValueError: an empty list.
        """
        sources = (source,) if isinstance(source, str) else tuple(source)
        if not sources:
            raise ValueError("an inline template needs at least one text")
        inline = InlineTemplate(sources, name)
        for text in sources:
            check_variation(self._check_env, text, name)  # raises on a syntax error
        return inline

    def compile_expression(self, source: str) -> Callable[[Mapping[str, object]], object]:
        """Compile a Jinja expression (a condition, a ``set`` value) in the sandbox.

        The result takes the variables as one mapping. An undefined name raises ``UndefinedError``
        when the expression runs; ``name | default("x")`` handles a missing value.

        Raises:
            jinja2.TemplateSyntaxError: the expression does not compile.
        """
        check_patterns(self._check_env, source)
        return LazyExpression(self._check_env, parse_expression(self._check_env, source))

    def render(
        self,
        *,
        platform: str,
        context: Mapping[str, object] | Callable[[], Mapping[str, object]],
        seed: int | Callable[[], int],
        template: str | None = None,
        inline: InlineTemplate | None = None,
    ) -> str:
        """Render a named template or an inline one for ``platform``; the result is stripped.

        ``context`` may be a function that builds it: fixed texts never call it; ``seed`` may be
        a function too, called only when the template has variations to pick from.

        Raises:
            jinja2.TemplateNotFound: neither ``<platform>/<template>.j2`` nor the common one is
                there.
            jinja2.UndefinedError: the template uses a name the context does not hold.
            jinja2.SecurityError: the template reaches for something the sandbox forbids.
        """
        if template is not None and inline is None:
            variations = self._cache.get((platform, template)) or self._resolve(platform, template)
        elif inline is not None and template is None:
            variations = self._inline_variations(platform, inline)
        else:
            raise ValueError("render needs exactly one of template= and inline=")
        # The seed picks the variation; a modulo is as even as random.Random and far cheaper.
        if len(variations) == 1:
            chosen = variations[0]
        else:
            chosen = variations[(seed() if callable(seed) else seed) % len(variations)]
        if type(chosen) is StaticText:
            return chosen.text
        return chosen.render(context() if callable(context) else context).strip()

    def _env(self, platform: str) -> ImmutableSandboxedEnvironment:
        env = self._envs.get(platform)
        if env is None:
            env = self._envs[platform] = self._build_env(self._escapers.get(platform, escape))
        return env

    def _build_env(self, escaper: Escaper) -> ImmutableSandboxedEnvironment:
        env = ImmutableSandboxedEnvironment(
            loader=self._loader,
            undefined=StrictUndefined,
            autoescape=False,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=False,
            finalize=_make_finalize(escaper),
            auto_reload=False,  # templates are checked when flows load, not watched
        )
        env.filters.update(self._filters)
        env.tests.update(self._tests)
        return env

    def _resolve(self, platform: str, name: str) -> tuple[Template | StaticText, ...]:
        env = self._env(platform)
        tried = [f"{platform}/{name}{SUFFIX}", f"{COMMON}/{name}{SUFFIX}"]
        for path in tried:
            try:
                variations = self._load(env, path)
            except TemplateNotFound:
                continue
            self._cache[(platform, name)] = variations
            return variations
        raise self._not_found(name, tried)

    def _load(
        self, env: ImmutableSandboxedEnvironment, path: str
    ) -> tuple[Template | StaticText, ...]:
        source, filename, _ = self._loader.get_source(env, path)
        return tuple(
            compile_variation(env, text, path, filename) for text in split_variations(source)
        )

    def _inline_variations(
        self, platform: str, inline: InlineTemplate
    ) -> tuple[Template | StaticText, ...]:
        env = self._env(platform)
        variations = inline._compiled.get(env)
        if variations is None:
            variations = tuple(
                compile_variation(env, text, inline.name) for text in inline.sources
            )
            inline._compiled[env] = variations
        return variations

    def _variant_paths(self, name: str) -> list[str]:
        """``<folder>/<name>.j2`` for every folder (common or a platform) that has ``name``."""
        try:
            split_template_path(name)  # refuses "..", which could leave the template dirs
        except TemplateNotFound:
            return []
        return variant_paths(self._dirs, name) or (
            variant_paths(self._loader.fallback_dirs, name)
            if name in self._loader.fallback_names
            else []
        )

    def _not_found(self, name: str, tried: list[str]) -> TemplateNotFound:
        where = ", ".join(str(d) for d in self._dirs) or "no template dirs"
        message = f"template {name!r} not found: looked for {' and '.join(tried)} in {where}"
        return TemplateNotFound(tried[-1], message=message)
