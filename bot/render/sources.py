"""Template files and fixed texts without Jinja: what a start needs to show its first messages.

Most of the coach's messages are fixed text (no ``{{ }}``, ``{% %}`` or ``{# #}``): the privacy
notice, the idle message, the first question of a call. Finding their files
(:class:`TemplateFiles`, the lookup of Jinja's ``FileSystemLoader`` with the fallback of
:mod:`bot.render.fallback`), splitting them into variations (:func:`split_variations`) and
reading a fixed text (:func:`static_text`, what Jinja would render for it) need no Jinja, so the
renderer (:mod:`bot.render.templates`) imports Jinja only for the first text that has
expressions or tags, or for the load-time checks. Importing Jinja and its sandbox is a
noticeable part of a console start.
"""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

__all__ = (
    "SUFFIX",
    "DeferredExpression",
    "StaticText",
    "TemplateFiles",
    "is_safe_name",
    "split_variations",
    "static_text",
    "variant_paths",
)

SUFFIX = ".j2"

# A line holding only "{# --- #}" separates variations (it is a Jinja comment, so an editor or
# a plain Jinja run shows the file without errors).
_SEPARATOR = re.compile(r"^[ \t]*\{#[ \t]*---[ \t]*#\}[ \t]*(?:\n|\Z)", re.MULTILINE)
# The comment split_variations puts before a variation so that Jinja counts lines right.
_LINE_PAD = re.compile(r"\A\{#\n*#\}")
_JINJA_MARKS = ("{{", "{%", "{#")


class StaticText:
    """A template without expressions or tags: its text, rendered once when compiled.

    Most of the coach's messages are fixed text; skipping Jinja's render machinery for them
    saves most of a turn's rendering time.
    """

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def render(self, context: object = None) -> str:
        return self.text


def static_text(source: str) -> StaticText | None:
    """The text Jinja would render for ``source`` when it has no Jinja syntax at all; None when
    it has some (then Jinja compiles it).

    Without delimiters Jinja's output is the text with its line breaks made ``\\n`` (and one
    final line break dropped); the renderer strips the result either way.
    """
    text = _LINE_PAD.sub("", source, count=1)
    if any(mark in text for mark in _JINJA_MARKS):
        return None
    return StaticText(text.replace("\r\n", "\n").replace("\r", "\n").strip())


def split_variations(source: str) -> list[str]:
    """Split a template file at ``{# --- #}`` lines; whitespace-only variations are dropped.

    Each variation is prefixed with a Jinja comment holding as many line breaks as precede it in
    the file, so syntax errors and tracebacks name the real line of the file.
    """
    variations: list[str] = []
    start = 0
    for match in [*_SEPARATOR.finditer(source), None]:
        stop = len(source) if match is None else match.start()
        text = source[start:stop]
        if text.strip() or (match is None and not variations):
            lines_before = source.count("\n", 0, start)
            pad = "{#" + "\n" * lines_before + "#}" if lines_before else ""
            variations.append(pad + text)
        if match is not None:
            start = match.end()
    return variations


def is_safe_name(template: str) -> bool:
    """Whether a template path stays inside the template folders (Jinja's
    ``split_template_path`` refuses the same: ``..`` and path separators in a piece)."""
    for piece in template.split("/"):
        if os.path.sep in piece or (os.path.altsep and os.path.altsep in piece):
            return False
        if piece == os.path.pardir:
            return False
    return True


def variant_paths(dirs: Sequence[Path], name: str) -> list[str]:
    """``<folder>/<name>.j2`` for every folder (common or a platform) that has ``name``."""
    found: dict[str, None] = {}  # ordered and without duplicates across dirs
    for folder in dirs:
        if not folder.is_dir():
            continue
        for sub in sorted(folder.iterdir()):
            if (sub / f"{name}{SUFFIX}").is_file():
                found[f"{sub.name}/{name}{SUFFIX}"] = None
    return list(found)


class TemplateFiles:
    """Template files from ``dirs``; the names in ``fallback_names`` from ``fallback_dirs`` when
    ``dirs`` has no variant of them (see :mod:`bot.render.fallback`)."""

    def __init__(
        self,
        dirs: Sequence[Path],
        fallback_dirs: Sequence[Path] = (),
        fallback_names: frozenset[str] = frozenset(),
    ) -> None:
        self.dirs = tuple(dirs)
        self.fallback_dirs = tuple(fallback_dirs)
        self.fallback_names = fallback_names

    def variant_paths(self, name: str) -> list[str]:
        """``<folder>/<name>.j2`` for every folder (common or a platform) that has ``name``,
        from the fallback folders when ``name`` falls back and ``dirs`` has none."""
        if not is_safe_name(name):  # "..", which could leave the template dirs
            return []
        return variant_paths(self.dirs, name) or (
            variant_paths(self.fallback_dirs, name) if name in self.fallback_names else []
        )

    def find(self, template: str) -> tuple[str, str] | None:
        """(source, file name) of ``<folder>/<name>.j2``, as the Jinja loader reads it; None
        when there is no such file (or the path would leave the template folders)."""
        if not is_safe_name(template):
            return None
        found = _read_first(self.dirs, template)
        if found is not None:
            return found
        name = template.rsplit("/", 1)[-1].removesuffix(SUFFIX)
        if name not in self.fallback_names or variant_paths(self.dirs, name):
            return None
        return _read_first(self.fallback_dirs, template)


def _read_first(dirs: Sequence[Path], template: str) -> tuple[str, str] | None:
    # As Jinja's FileSystemLoader: the first folder that has the file, read as UTF-8 text.
    pieces = [piece for piece in template.split("/") if piece and piece != "."]
    for folder in dirs:
        filename = posixpath.join(str(folder), *pieces)
        if os.path.isfile(filename):
            with open(filename, encoding="utf-8") as file:
                return file.read(), os.path.normpath(filename)
    return None


Compiled = Callable[[Mapping[str, object]], object]


class DeferredExpression:
    """An expression checked before (read back from the flows cache, :mod:`bot.flow.cache`),
    built by ``build`` (which imports Jinja) the first time it runs, so that decoding the
    flows needs no Jinja."""

    __slots__ = ("_build", "_compiled", "source")

    def __init__(self, build: Callable[[str], Compiled], source: str) -> None:
        self._build = build
        self.source = source
        self._compiled: Compiled | None = None

    def __call__(self, variables: Mapping[str, object]) -> object:
        compiled = self._compiled
        if compiled is None:
            compiled = self._compiled = self._build(self.source)
        return compiled(variables)
