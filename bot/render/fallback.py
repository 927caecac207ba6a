"""A content folder's templates, with the coach's own messages falling back to the shipped ones.

A dialogs folder of one's own need not copy the engine's system templates (``coach_help``,
``coach_privacy``, ...; :data:`bot.flow.registry.SYSTEM_TEMPLATES`): a system template the folder
has in no variant (neither ``common/`` nor a platform folder) comes from the fallback folders, the
shipped ``dialogs/templates``. A folder that has any variant of one gets none of the shipped
variants of it, so a deployment's own ``common/coach_privacy.j2`` is never beaten by the
shipped ``discord/coach_privacy.j2``. Only those names fall back: a flow's own template missing
from the folder is still an error when the flows load.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from jinja2 import BaseLoader, Environment, FileSystemLoader, TemplateNotFound

__all__ = ("FallbackLoader", "variant_paths")

SUFFIX = ".j2"


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


class FallbackLoader(BaseLoader):
    """Templates from ``dirs``; the names in ``fallback_names`` from ``fallback_dirs`` when
    ``dirs`` has no variant of them."""

    def __init__(
        self,
        dirs: Sequence[Path],
        fallback_dirs: Sequence[Path] = (),
        fallback_names: frozenset[str] = frozenset(),
    ) -> None:
        self.dirs = tuple(dirs)
        self.fallback_dirs = tuple(fallback_dirs)
        self.fallback_names = fallback_names
        self._own = FileSystemLoader([str(d) for d in self.dirs], encoding="utf-8")
        self._shipped = FileSystemLoader([str(d) for d in self.fallback_dirs], encoding="utf-8")

    def get_source(
        self, environment: Environment, template: str
    ) -> tuple[str, str | None, Callable[[], bool] | None]:
        try:
            return self._own.get_source(environment, template)
        except TemplateNotFound:
            name = template.rsplit("/", 1)[-1].removesuffix(SUFFIX)
            if name not in self.fallback_names or variant_paths(self.dirs, name):
                raise
            return self._shipped.get_source(environment, template)
