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

from jinja2 import BaseLoader, Environment, TemplateNotFound

from bot.render.sources import SUFFIX, TemplateFiles, variant_paths

__all__ = ("SUFFIX", "FallbackLoader", "variant_paths")


class FallbackLoader(BaseLoader):
    """Templates from ``dirs``; the names in ``fallback_names`` from ``fallback_dirs`` when
    ``dirs`` has no variant of them. The lookup itself is :class:`TemplateFiles` (no Jinja), so
    the renderer finds fixed texts without this loader."""

    def __init__(
        self,
        dirs: Sequence[Path],
        fallback_dirs: Sequence[Path] = (),
        fallback_names: frozenset[str] = frozenset(),
    ) -> None:
        self.files = TemplateFiles(dirs, fallback_dirs, fallback_names)
        self.dirs = self.files.dirs
        self.fallback_dirs = self.files.fallback_dirs
        self.fallback_names = fallback_names

    @classmethod
    def of(cls, files: TemplateFiles) -> FallbackLoader:
        return cls(files.dirs, files.fallback_dirs, files.fallback_names)

    def get_source(
        self, environment: Environment, template: str
    ) -> tuple[str, str | None, Callable[[], bool] | None]:
        found = self.files.find(template)
        if found is None:
            raise TemplateNotFound(template)
        source, filename = found
        return source, filename, None
