"""``flows graph``: diagrams of the flows, drawn from the YAML so they never go stale.

Mermaid ``flowchart TD`` text is always produced (GitHub renders it in Markdown); Graphviz DOT is
rendered to SVG or PNG with the ``dot`` program when it is installed. Both show the same graph:
one node per step, shaped by kind, an edge per target labelled with what takes it there (a
choice, a branch condition, ``on_fail``...), and dashed edges to the flows a step calls or jumps
to. A step that ends the flow without an ``end`` step points at a "flow ends" node, so a silent
end is visible in the picture.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from bot.flow.model import UNLIMITED_ATTEMPTS as UNLIMITED_ATTEMPTS
from bot.flow.model import (
    ActionStep,
    AskStep,
    BranchStep,
    CallStep,
    EndStep,
    Flow,
    GotoStep,
    Message,
    SayStep,
    SetStep,
    Step,
)

__all__ = (
    "GRAPHVIZ_HELP",
    "Edge",
    "dot",
    "find_dot",
    "flow_edges",
    "mermaid",
    "readme",
    "render_dot",
)

GRAPHVIZ_HELP = (
    "Graphviz's `dot` program is not installed, so no {format} was drawn (the Mermaid text "
    "still was). Install it with `apt-get install graphviz` (Debian, Ubuntu), "
    "`brew install graphviz` (macOS), or from https://graphviz.org/download/."
)
START, DONE = "start_", "done_"
_MAX_LABEL = 48

# (Mermaid opening, closing, DOT attributes) per step kind.
_SHAPES: dict[str, tuple[str, str, str]] = {
    "say": ('["', '"]', "shape=box"),
    "ask": ('("', '")', 'shape=box, style="rounded,filled", fillcolor="#e8f0fe"'),
    "branch": ('{"', '"}', 'shape=diamond, style=filled, fillcolor="#fff4d6"'),
    "set": ('[/"', '"/]', "shape=parallelogram"),
    "call": ('[["', '"]]', "shape=box, peripheries=2"),
    "goto": ('>"', '"]', "shape=cds"),
    "action": ('{{"', '"}}', 'shape=hexagon, style=filled, fillcolor="#e6f4ea"'),
    "end": ('((("', '")))', "shape=doublecircle"),
    "flow": ('(["', '"])', 'shape=box, style="rounded,dashed"'),
    "start": ('(("', '"))', "shape=circle"),
}


@dataclass(frozen=True, slots=True)
class Edge:
    """One arrow: between node ids (``s_<step>``, ``flow_<flow>``, start, done) with a label."""

    source: str
    target: str
    label: str = ""
    style: str = "solid"  # "solid", "call" (dashed) or "goto" (thick)


def node_id(step_id: str) -> str:
    return f"s_{step_id}"  # a prefix, because Mermaid refuses a node called "end"


def flow_node_id(flow_id: str) -> str:
    return "flow_" + re.sub(r"\W", "_", flow_id)


def kind_of(step: Step) -> str:
    kinds = {
        SayStep: "say",
        AskStep: "ask",
        BranchStep: "branch",
        SetStep: "set",
        CallStep: "call",
        GotoStep: "goto",
        ActionStep: "action",
        EndStep: "end",
    }
    return kinds[type(step)]


def describe(step: Step) -> str:
    """The second line of a node: what the step does, briefly."""
    if isinstance(step, AskStep):
        return f"ask {step.kind} → {step.slot}"
    if isinstance(step, SayStep):
        return f"say {_message(step.message)}"
    if isinstance(step, SetStep):
        emptied = all(e.source == "none" for _, e in step.assignments)  # a `clear` step
        return ("clear " if emptied else "set ") + ", ".join(s for s, _ in step.assignments)
    if isinstance(step, CallStep | GotoStep):
        step_part = f".{step.step}" if isinstance(step, GotoStep) and step.step else ""
        return f"{kind_of(step)} {step.flow}{step_part}"
    if isinstance(step, ActionStep):
        return f"action {step.action}"
    if isinstance(step, EndStep) and step.result is not None:
        return f"end → {step.result.source}"
    return kind_of(step)


def _message(message: Message) -> str:
    return message.template if message.template else f"“{message.inline[0]}”"


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _MAX_LABEL else text[: _MAX_LABEL - 1] + "…"


def _duration(seconds: int) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def flow_edges(flow: Flow) -> list[Edge]:
    """Every edge of the flow's graph, labels of parallel edges joined with " / "."""
    raw: list[Edge] = [Edge(START, node_id(flow.start))]
    for step in flow.steps.values():
        raw.extend(_step_edges(step))
    merged: dict[tuple[str, str, str], list[str]] = {}
    for edge in raw:
        labels = merged.setdefault((edge.source, edge.target, edge.style), [])
        if edge.label and edge.label not in labels:
            labels.append(edge.label)
    return [Edge(s, t, " / ".join(labels), style) for (s, t, style), labels in merged.items()]


def _step_edges(step: Step) -> Iterable[Edge]:
    me = node_id(step.id)
    if isinstance(step, AskStep):
        yield from _ask_edges(step)
    elif isinstance(step, BranchStep):
        for i, branch in enumerate(step.branches):
            word = "if" if i == 0 else "elif"
            label = f"{word} {branch.condition.source}" if branch.condition else "else"
            yield Edge(me, node_id(branch.target), _short(label))
        if all(b.condition is not None for b in step.branches):
            yield Edge(me, DONE, "none true")
    elif isinstance(step, CallStep | GotoStep):
        goto = isinstance(step, GotoStep)
        label = f"goto {step.step}" if isinstance(step, GotoStep) and step.step else kind_of(step)
        yield Edge(me, flow_node_id(step.flow), label, "goto" if goto else "call")
        if isinstance(step, CallStep):
            yield Edge(me, node_id(step.next) if step.next else DONE, "returned")
    elif isinstance(step, ActionStep):
        yield Edge(me, node_id(step.next) if step.next else DONE, "done")
        if step.on_error:
            yield Edge(me, node_id(step.on_error), "on_error")
    elif isinstance(step, SayStep | SetStep):
        yield Edge(me, node_id(step.next) if step.next else DONE)


def _ask_edges(step: AskStep) -> Iterable[Edge]:
    me = node_id(step.id)
    for choice in step.choices:
        if choice.next:
            yield Edge(me, node_id(choice.next), _short(choice.label))
    loose = [c.label for c in step.choices if not c.next]
    if loose or not step.choices:
        label = _short(" / ".join(loose)) if loose else "answer"
        yield Edge(me, node_id(step.next) if step.next else DONE, label)
    if step.on_text:
        yield Edge(me, node_id(step.on_text), "typed text")
    if step.on_fail and step.max_attempts != UNLIMITED_ATTEMPTS:
        yield Edge(me, node_id(step.on_fail), f"{step.max_attempts} failed answers")
    if step.on_timeout and step.timeout_seconds:
        yield Edge(me, node_id(step.on_timeout), f"no answer in {_duration(step.timeout_seconds)}")


def _nodes(flow: Flow, edges: list[Edge]) -> list[tuple[str, str, str]]:
    """(node id, kind, label) for every node: steps, start, other flows and "flow ends"."""
    found = [(START, "start", "start")]
    found += [
        (node_id(s.id), kind_of(s), f"{s.id}\n{_short(describe(s))}") for s in flow.steps.values()
    ]
    targets = {e.target for e in edges}
    found += sorted(
        {
            (e.target, "flow", f"flow {e.target.removeprefix('flow_')}")
            for e in edges
            if e.style != "solid"
        }
    )
    if DONE in targets:
        found.append((DONE, "end", "flow ends"))
    return found


def _mermaid_text(text: str) -> str:
    # Mermaid reads HTML in quoted labels: entity codes keep quotes and brackets literal.
    for char, code in (("#", "#35;"), ('"', "#quot;"), ("<", "#lt;"), (">", "#gt;")):
        text = text.replace(char, code)
    return text.replace("\n", "<br/>")


def mermaid(flow: Flow) -> str:
    """The flow as Mermaid ``flowchart TD`` text."""
    edges = flow_edges(flow)
    lines = ["flowchart TD", f"    %% {flow.id}: {flow.title}"]
    for nid, kind, label in _nodes(flow, edges):
        opening, closing, _ = _SHAPES[kind]
        lines.append(f"    {nid}{opening}{_mermaid_text(label)}{closing}")
    arrows = {"solid": "-->", "call": "-.->", "goto": "==>"}
    for edge in edges:
        label = f'|"{_mermaid_text(edge.label)}"|' if edge.label else ""
        lines.append(f"    {edge.source} {arrows[edge.style]}{label} {edge.target}")
    lines.append("    classDef ask fill:#e8f0fe,stroke:#4a6fa5")
    lines.append("    classDef flow stroke-dasharray:5 5")
    kinds = {nid: kind for nid, kind, _ in _nodes(flow, edges)}
    for kind in ("ask", "flow"):
        members = [nid for nid, k in kinds.items() if k == kind]
        if members:
            lines.append(f"    class {','.join(members)} {kind}")
    return "\n".join(lines) + "\n"


def _dot_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def dot(flow: Flow) -> str:
    """The flow as Graphviz DOT text."""
    edges = flow_edges(flow)
    lines = [
        f'digraph "{_dot_text(flow.id)}" {{',
        f'    label="{_dot_text(f"{flow.id}: {flow.title}")}"; labelloc=t; rankdir=TB;',
        '    node [fontname="Helvetica", fontsize=11];',
        '    edge [fontname="Helvetica", fontsize=9];',
    ]
    for nid, kind, label in _nodes(flow, edges):
        lines.append(f'    {nid} [{_SHAPES[kind][2]}, label="{_dot_text(label)}"];')
    styles = {"solid": "", "call": ", style=dashed", "goto": ", style=bold"}
    for edge in edges:
        label = f'label="{_dot_text(edge.label)}"' if edge.label else 'label=""'
        lines.append(f"    {edge.source} -> {edge.target} [{label}{styles[edge.style]}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def find_dot() -> str | None:
    """The path of Graphviz's ``dot`` program, or None when it is not on PATH."""
    return shutil.which("dot")


def render_dot(dot_text: str, image_format: str, path: Path, dot_program: str) -> None:
    """Draw DOT text into ``path`` (``svg`` or ``png``); raises CalledProcessError on failure."""
    subprocess.run(
        [dot_program, f"-T{image_format}", "-o", str(path)],
        input=dot_text.encode(),
        check=True,
        capture_output=True,
        timeout=60,
    )


def readme(flows: list[Flow], images: dict[str, list[str]], command: str) -> str:
    """``README.md`` for a folder of diagrams: every flow's Mermaid text (GitHub draws it).

    ``command`` is the command line that regenerates the folder, shown to the reader.
    """
    parts = [
        "# Flow diagrams\n",
        f"Generated from the flow YAML by `{command}`; do not edit by hand, run the command "
        "again after changing a flow.\n",
        "Shapes: a rounded box asks and waits, a rectangle says, a diamond branches, a hexagon "
        "runs an action, a double box calls another flow (dashed arrow), a flag jumps to "
        "another flow for good (thick arrow), a double circle ends the flow.\n",
    ]
    for flow in flows:
        parts.append(f"## {flow.id}: {flow.title}\n")
        if flow.description:
            parts.append(f"{flow.description}\n")
        parts.append(f"```mermaid\n{mermaid(flow)}```\n")
        links = [f"[{name}]({name})" for name in images.get(flow.id, [])]
        if links:
            parts.append("Also drawn with Graphviz: " + ", ".join(links) + ".\n")
    return "\n".join(parts)
