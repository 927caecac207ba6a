"""Everything the studio page shows, as one JSON document the page renders with textContent."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from adapters.studio.session import StudioSession
from adapters.studio.views import view
from bot.flowtools.graph import mermaid, node_id
from bot.flowtools.sandbox import Flow

__all__ = ("diagram", "page_state")

_HERE_STYLE = "fill:#ffe08a,stroke:#b7791f,stroke-width:3px"


def diagram(flow: Flow, step: str | None) -> str:
    """The flow's Mermaid graph (what ``flows graph`` prints), the current step highlighted."""
    text = mermaid(flow)
    if step is not None and step in flow.steps:
        text += f"    classDef studioHere {_HERE_STYLE}\n    class {node_id(step)} studioHere\n"
    return text


async def page_state(
    session: StudioSession, extra: dict[str, Any] | None = None
) -> dict[str, Any]:
    flow_id, step, slots = await session.where()
    shown_flow = session.dialogs.registry.flows.get(flow_id or session.entry_flow())
    return {
        "revision": session.revision,
        "platform": session.platform,
        "now": session.now.isoformat(),
        "time_zone": session.time_zone,
        "start": {
            "flow": session.entry_flow(),
            "step": session.start.step,
            "slots": _jsonable(session.start.slots),
        },
        "flows": sorted(session.dialogs.registry.flows),
        "at": {"flow": flow_id, "step": step},
        "slots": _jsonable(slots),
        "diagram": {
            "flow": shown_flow.id if shown_flow else None,
            "text": diagram(shown_flow, step if flow_id else None) if shown_flow else "",
            "steps": list(shown_flow.steps) if shown_flow else [],
        },
        "chat": [_entry(session, entry) for entry in session.chat],
        "problems": [
            {
                "severity": p.severity,
                "path": _shown_path(session, p.path),
                "line": p.line,
                "key": p.key,
                "message": p.message,
                "fix": p.fix,
            }
            for p in session.report.problems
        ],
        "summary": session.report.summary(),
        "tests": session.tests,  # the last run's result, refreshed when a test file changes
        **(extra or {}),
    }


def _shown_path(session: StudioSession, path: str) -> str:
    """A problem's file relative to the dialogs folder's parent: ``dialogs/flows/x.yaml``."""
    try:
        return str(Path(path).resolve().relative_to(session.root.resolve().parent))
    except ValueError:
        return path


def _entry(session: StudioSession, entry: Any) -> dict[str, Any]:
    if entry.who != "coach":
        return {"who": entry.who, "text": entry.text}
    return {"who": "coach", "messages": view(session.platform, entry.replies)}


def _jsonable(slots: dict[str, object]) -> dict[str, Any]:
    """Slots hold JSON values already; anything else is shown as its text."""
    data: dict[str, Any] = json.loads(json.dumps(slots, default=str))
    return data
