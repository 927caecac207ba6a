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
template with one variation does not seed ``random.Random``. A fixed text (no ``{{``, ``{%`` or
``{#``) is found and read without Jinja (:mod:`bot.render.sources`): Jinja is imported with the
first text that needs it, so a start whose first messages are fixed never loads it. The
measured speeds are in docs/benchmarks.md ("Markup and templates").
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

from bot.render.conditions import BUILTIN_TESTS
from bot.render.filters import BUILTIN_FILTERS, Escaper, TrustedText, build_environment, not_found
from bot.render.markup import escape
from bot.render.sources import (
    DeferredExpression,
    StaticText,
    TemplateFiles,
    split_variations,
    static_text,
)

if TYPE_CHECKING:
    from jinja2 import Template
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    from bot.render.fallback import FallbackLoader
    from bot.render.plain import PlainTemplate

__all__ = ("COMMON", "InlineTemplate", "TemplateRenderer", "TrustedText")

COMMON = "common"  # the folder every platform falls back to
# One compiled text: Jinja's, plain (only printed names: bot.render.plain) or fixed.
Variation: TypeAlias = "Template | PlainTemplate | StaticText"
Seed: TypeAlias = "int | Callable[[], int]"  # a function is called only to pick a variation
SUFFIX = ".j2"


class InlineTemplate:
    """Inline template text from a flow (one source or a list of variations), syntax-checked.

    Made by :meth:`TemplateRenderer.compile_inline`; compiled once per platform on first use.
    """

    __slots__ = ("_compiled", "_static", "name", "sources")

    def __init__(self, sources: tuple[str, ...], name: str | None) -> None:
        self.sources = sources
        self.name = name
        # Keyed by the platform's environment: the escaper is compiled into the template code.
        self._compiled: dict[ImmutableSandboxedEnvironment, tuple[Variation, ...]] = {}
        # Fixed texts are the same on every platform and need no Jinja; () when one is not fixed.
        self._static: tuple[StaticText, ...] | None = None

    def __repr__(self) -> str:
        return f"InlineTemplate({self.sources!r})"

    def static_variations(self) -> tuple[StaticText, ...]:
        """The variations when every one is a fixed text (no Jinja needed); () otherwise."""
        if self._static is None:
            texts = [static_text(text) for text in self.sources]
            fixed = tuple(text for text in texts if text is not None)
            self._static = fixed if len(fixed) == len(texts) else ()
        return self._static


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
        self._files = TemplateFiles(self._dirs, tuple(fallback_dirs), frozenset(fallback_names))
        self._jinja_loader: FallbackLoader | None = None  # built with the first environment
        self._escapers = dict(escapers or {})
        self._filters = {**BUILTIN_FILTERS, **(filters or {})}
        self._tests = {**BUILTIN_TESTS, **(tests or {})}  # for conditions: `x is matching(...)`
        # One environment per platform, because finalize (the escaper) is baked into compiled
        # template code: Jinja even applies it to constants at compile time. The alternative, one
        # environment whose finalize reads the platform from a ContextVar, would cost a set/reset
        # per render and a lookup per {{ }}; this costs one compile per platform, once.
        self._envs: dict[str, ImmutableSandboxedEnvironment] = {}
        self._checks_env: ImmutableSandboxedEnvironment | None = None
        self._cache: dict[tuple[str, str], tuple[Variation, ...]] = {}

    @property
    def _check_env(self) -> ImmutableSandboxedEnvironment:
        """The environment of syntax checks and expressions, built when first needed: fixed
        texts never need Jinja (bot.render.sources)."""
        if self._checks_env is None:
            self._checks_env = self._build_env(escape)
        return self._checks_env

    @property
    def _loader(self) -> FallbackLoader:
        if self._jinja_loader is None:
            from bot.render.fallback import FallbackLoader

            self._jinja_loader = FallbackLoader.of(self._files)
        return self._jinja_loader

    @property
    def template_dirs(self) -> tuple[Path, ...]:
        """The folders searched, in order (load-time checks read the files themselves)."""
        return self._dirs

    @property
    def fallback_dirs(self) -> tuple[Path, ...]:
        """Where the coach's own messages come from when ``template_dirs`` lack them."""
        return self._files.fallback_dirs

    def template_exists(self, name: str) -> bool:
        """Whether ``common/<name>.j2`` or any ``<platform>/<name>.j2`` is in a template dir."""
        return bool(self._files.variant_paths(name))

    def check_template(self, name: str) -> None:
        """Compile every platform variant of ``name`` (load-time validation).

        Raises:
            jinja2.TemplateNotFound: no variant exists.
            jinja2.TemplateSyntaxError: a variant does not compile (with its file name and line).
        """
        from bot.render.compiling import check_variation

        paths = self._files.variant_paths(name)
        if not paths:
            raise not_found(self._dirs, name, [f"{COMMON}/{name}{SUFFIX}"])
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
            found = self._files.find(path)
            if found is not None:
                return found[0]
        raise not_found(self._dirs, name, tried)

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
            if static_text(text) is None:  # a fixed text has no syntax to get wrong
                from bot.render.compiling import check_variation

                check_variation(self._check_env, text, name)  # raises on a syntax error
        return inline

    def compile_expression(self, source: str) -> Callable[[Mapping[str, object]], object]:
        """Compile a Jinja expression (a condition, a ``set`` value) in the sandbox.

        The result takes the variables as one mapping. An undefined name raises ``UndefinedError``
        when the expression runs; ``name | default("x")`` handles a missing value.

        Raises:
            jinja2.TemplateSyntaxError: the expression does not compile.
        """
        from bot.render.compiling import LazyExpression, parse_expression
        from bot.render.conditions import check_patterns

        check_patterns(self._check_env, source)
        return LazyExpression(self._check_env, parse_expression(self._check_env, source))

    def checked_inline(
        self, sources: tuple[str, ...], *, name: str | None = None
    ) -> InlineTemplate:
        """Inline text checked before (by :meth:`compile_inline`, when the flows cache of
        :mod:`bot.flow.cache` was written, or fixed in code and covered by tests): prepared
        without checking it now, which would import Jinja."""
        return InlineTemplate(sources, name)

    def checked_expression(self, source: str) -> Callable[[Mapping[str, object]], object]:
        """An expression checked before (see :meth:`checked_inline`): parsed on first use."""
        return DeferredExpression(self._expression_from_source, source)

    def _expression_from_source(self, source: str) -> Callable[[Mapping[str, object]], object]:
        from bot.render.compiling import LazyExpression

        return LazyExpression(self._check_env, source)

    def fingerprint(self) -> str:
        """What the load-time checks of flows depend on besides the files: the folders searched,
        the fallback names and the names of the filters and tests (a key of the flows cache)."""
        return repr(
            (
                [str(d) for d in self._dirs],
                [str(d) for d in self.fallback_dirs],
                sorted(self._files.fallback_names),
                sorted(self._filters),
                sorted(self._tests),
            )
        )

    def render(
        self,
        *,
        platform: str,
        context: Mapping[str, object] | Callable[[], Mapping[str, object]],
        seed: Seed,
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
        if type(chosen := self.choose(platform, template, inline, seed)) is StaticText:
            return chosen.text
        return chosen.render(context() if callable(context) else context).strip()

    def choose(
        self, platform: str, template: str | None, inline: InlineTemplate | None, seed: Seed
    ) -> Variation:
        """The variation :meth:`render` renders (found, compiled on first use; raising as it
        does): a :class:`StaticText` is the text; any other renders a context, then stripped.
        The engine renders its messages this way: no context to build for a fixed text."""
        if template is not None and inline is None:
            variations = self._cache.get((platform, template)) or self._resolve(platform, template)
        elif inline is not None and template is None:
            variations = self._inline_variations(platform, inline)
        else:
            raise ValueError("render needs exactly one of template= and inline=")
        # The seed picks the variation; a modulo is as even as random.Random and far cheaper.
        if len(variations) == 1:
            return variations[0]
        return variations[(seed() if callable(seed) else seed) % len(variations)]

    def _env(self, platform: str) -> ImmutableSandboxedEnvironment:
        env = self._envs.get(platform)
        if env is None:
            env = self._envs[platform] = self._build_env(self._escapers.get(platform, escape))
        return env

    def _build_env(self, escaper: Escaper) -> ImmutableSandboxedEnvironment:
        return build_environment(self._loader, escaper, self._filters, self._tests)

    def _resolve(self, platform: str, name: str) -> tuple[Variation, ...]:
        tried = [f"{platform}/{name}{SUFFIX}", f"{COMMON}/{name}{SUFFIX}"]
        for path in tried:
            found = self._files.find(path)
            if found is None:
                continue
            source, filename = found
            variations = tuple(
                static_text(text) or self._compile(platform, text, path, filename)
                for text in split_variations(source)
            )
            self._cache[(platform, name)] = variations
            return variations
        raise not_found(self._dirs, name, tried)

    def _compile(
        self, platform: str, text: str, name: str | None, filename: str | None = None
    ) -> Variation:
        from bot.render.compiling import compile_variation

        return compile_variation(self._env(platform), text, name, filename)

    def _inline_variations(self, platform: str, inline: InlineTemplate) -> tuple[Variation, ...]:
        static = inline.static_variations()
        if static:
            return static
        env = self._env(platform)
        variations = inline._compiled.get(env)
        if variations is None:
            variations = tuple(
                self._compile(platform, text, inline.name) for text in inline.sources
            )
            inline._compiled[env] = variations
        return variations
