"""Which folder each part of a content folder (``COACH_DIALOGS_DIR``) comes from.

The rule, one line per part: a content folder overrides only what it has.

- ``flows/``: a folder with its own ``flows/`` runs only those flows (the shipped ones are not
  mixed in, so a deployment can leave a topic out); a folder without ``flows/`` runs the
  shipped flows, and with them the shipped ``topics/`` when it has no ``topics/`` of its own.
- ``templates/``: the coach's own messages (:data:`bot.flow.registry.SYSTEM_TEMPLATES`) always fall
  back to the shipped ones; when the shipped flows run, every shipped template does. A template
  the folder has in any variant (``common/`` or a platform folder) is entirely the folder's
  (:mod:`bot.render.fallback`).

So a deployment that wants only its own privacy notice keeps one file,
``templates/common/coach_privacy.j2``, in a folder of its own.

``shipped`` is the folder that comes with the coach (``bot.config.DEFAULT_DIALOGS_DIR``); the
callers above this layer pass it in, because the flow layer does not import the settings.
"""

from __future__ import annotations

from pathlib import Path

from bot.flow.registry import SYSTEM_TEMPLATES
from bot.render.sources import SUFFIX

__all__ = ("fallback_template_names", "flows_dir", "has_own_flows", "topics_root")


def has_own_flows(dialogs_dir: Path) -> bool:
    return (dialogs_dir / "flows").is_dir()


def flows_dir(dialogs_dir: Path, shipped: Path) -> Path:
    """The folder's ``flows/``, or the shipped one when it has none."""
    own = dialogs_dir / "flows"
    return own if own.is_dir() else shipped / "flows"


def topics_root(dialogs_dir: Path, shipped: Path) -> Path:
    """The dialogs folder whose ``topics/`` routes free text for ``dialogs_dir``'s flows."""
    if (dialogs_dir / "topics").is_dir() or has_own_flows(dialogs_dir):
        return dialogs_dir
    return shipped


def fallback_template_names(dialogs_dir: Path, shipped: Path) -> frozenset[str]:
    """The templates that come from the shipped folder when ``dialogs_dir`` lacks them."""
    names = set(SYSTEM_TEMPLATES)
    if not has_own_flows(dialogs_dir):  # the shipped flows run: so do their templates
        templates = shipped / "templates"
        names.update(path.name.removesuffix(SUFFIX) for path in templates.glob(f"*/*{SUFFIX}"))
    return frozenset(names)
