"""Load-time errors for flows that load but would fail every time a step runs.

Each of these used to pass the loader (or only draw a lint warning) and then made the coach
apologise at run time, every time:

- a loop of steps with no question and no way out (``FlowLoopError``): from some step, every path
  runs only ``say``/``set``/``branch``/``action``/``goto`` steps and never reaches a question, a
  ``call``, an ``end`` or a step without ``next`` (and, the same error, a run of such steps
  surely longer than the 200 a turn may run);
- a template that includes itself, directly or through others (``RecursionError``);
- a slot read (in a message, a template, a template it includes, a condition, a ``set`` or an
  action input) before every path from the start has set it (``UndefinedError``: templates and
  conditions use ``StrictUndefined``).

:func:`bot.flow.loader.check_flows` adds them to its problems, so both ``flows lint`` and the
coach's
start-up refuse such flows with file, line and fix. The slot analysis is
:mod:`bot.flow.slots`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, TemplateError

from bot.errors import FlowProblem
from bot.flow.model import (
    MAX_STEPS_PER_TURN,
    ActionStep,
    AskStep,
    BranchStep,
    CallStep,
    EndStep,
    Flow,
    GotoStep,
    SayStep,
    SetStep,
    Step,
)
from bot.flow.slots import ReadFinder, SlotFlow, included_names

__all__ = (
    "MAX_STEPS_PER_TURN",
    "goto_entries",
    "include_cycles",
    "quiet_loops",
    "run_problems",
    "unset_reads",
)


_Node = tuple[str, str]  # (flow id, step id)


def run_problems(flows: Mapping[str, Flow], template_dirs: Sequence[Path]) -> list[FlowProblem]:
    """Every problem of the three kinds above, for loaded flows and their templates."""
    finder = ReadFinder(template_dirs)
    slot_flow = SlotFlow(flows)
    entries = goto_entries(flows)
    problems = [*quiet_loops(flows), *include_cycles(template_dirs)]
    for flow in flows.values():
        problems.extend(unset_reads(flow, finder, slot_flow, entries.get(flow.id, set())))
    return problems


def goto_entries(flows: Mapping[str, Flow]) -> dict[str, set[str]]:
    """Flow id -> steps other flows enter directly with ``goto: flow.step``."""
    entries: dict[str, set[str]] = {}
    for flow in flows.values():
        for step in flow.steps.values():
            if isinstance(step, GotoStep) and step.step:
                entries.setdefault(step.flow, set()).add(step.step)
    return entries


# -- loops without a question -------------------------------------------------------------------


def quiet_loops(flows: Mapping[str, Flow]) -> Iterator[FlowProblem]:
    """One error per flow holding steps from which no path ever asks or leaves."""
    successors: dict[_Node, list[_Node]] = {}
    stops: set[_Node] = set()
    for flow in flows.values():
        for step in flow.steps.values():
            node = (flow.id, step.id)
            nexts, stops_here = _quiet_successors(flow, step, flows)
            successors[node] = nexts
            if stops_here:
                stops.add(node)
    escaping = _reaching(stops, successors)
    doomed = [node for node in successors if node not in escaping]
    yield from _long_runs(flows, successors)
    for flow_id in dict.fromkeys(flow_id for flow_id, _ in doomed):
        flow = flows[flow_id]
        steps = [flow.steps[s] for f, s in doomed if f == flow_id]
        first = min(steps, key=lambda s: s.where.line)
        names = ", ".join(repr(s.id) for s in steps)
        yield FlowProblem(
            first.where.path,
            first.where.line,
            "next",
            f"the steps {names} run in a loop with no question and no way out: every time a "
            "conversation gets here the coach stops with an error",
            "put an `ask` step in the loop, or give one of these steps a `next` (or a branch an "
            "`else`) that leaves it",
        )


def _long_runs(
    flows: Mapping[str, Flow], successors: Mapping[_Node, list[_Node]]
) -> Iterator[FlowProblem]:
    """An error where a run of steps with no question is surely longer than a turn may run.

    Steps are peeled from the end (Kahn's algorithm on reversed edges): a step whose successors
    are all peeled has a longest run of one more than theirs. Steps in a loop are never peeled:
    a loop without an exit is reported above, one with an exit depends on the data.
    """
    waiting = {node: len(set(nexts)) for node, nexts in successors.items()}
    predecessors: dict[_Node, set[_Node]] = {}
    for node, nexts in successors.items():
        for target in nexts:
            predecessors.setdefault(target, set()).add(node)
    longest: dict[_Node, int] = {}
    ready = [node for node, count in waiting.items() if count == 0]
    while ready:
        node = ready.pop()
        longest[node] = 1 + max((longest[t] for t in successors[node]), default=0)
        for before in predecessors.get(node, ()):
            waiting[before] -= 1
            if waiting[before] == 0:
                ready.append(before)
    worst: dict[str, tuple[int, _Node]] = {}
    for node, length in longest.items():
        if length > MAX_STEPS_PER_TURN and length > worst.get(node[0], (0, node))[0]:
            worst[node[0]] = (length, node)
    for flow_id, (length, (_, step_id)) in worst.items():
        step = flows[flow_id].steps[step_id]
        yield FlowProblem(
            step.where.path,
            step.where.line,
            "next",
            f"from step {step_id!r}, {length} steps can run in a row without a question; a turn "
            f"stops with an error after {MAX_STEPS_PER_TURN}",
            "ask something on the way, or move part of the steps into a flow the user reaches "
            "after a question",
        )


def _quiet_successors(
    flow: Flow, step: Step, flows: Mapping[str, Flow]
) -> tuple[list[_Node], bool]:
    """Where a step that asks nothing goes next, and whether it can stop the run of steps.

    A question waits for the user, an ``end`` or a step without a target finishes the flow, and a
    ``call`` counts as stopping too (the called flow may ask; assuming so never blames a good
    flow).
    """
    if isinstance(step, AskStep | CallStep | EndStep):
        return [], True
    if isinstance(step, GotoStep):
        target = flows.get(step.flow)
        if target is None:
            return [], True  # the loader reports the unknown flow
        return [(target.id, step.step or target.start)], False
    if isinstance(step, BranchStep):
        nexts = [(flow.id, b.target) for b in step.branches]
        return nexts, all(b.condition is not None for b in step.branches)  # no else: may end
    if isinstance(step, ActionStep):
        targets = [t for t in (step.next, step.on_error) if t]
        return [(flow.id, t) for t in targets], step.next is None
    if isinstance(step, SayStep | SetStep):
        return ([(flow.id, step.next)], False) if step.next else ([], True)
    return [], True


def _reaching(stops: set[_Node], successors: Mapping[_Node, list[_Node]]) -> set[_Node]:
    """Every node with a path to a stop (a backward search from the stops)."""
    predecessors: dict[_Node, list[_Node]] = {}
    for node, nexts in successors.items():
        for target in nexts:
            predecessors.setdefault(target, []).append(node)
    reached = set(stops)
    work = list(stops)
    while work:
        for before in predecessors.get(work.pop(), ()):
            if before not in reached:
                reached.add(before)
                work.append(before)
    return reached


# -- templates that include themselves ----------------------------------------------------------

_PARSE = Environment()


def include_cycles(template_dirs: Sequence[Path]) -> Iterator[FlowProblem]:
    """An error at every include that leads back to the template holding it."""
    files = _template_files(template_dirs)
    edges: dict[str, list[tuple[str, int]]] = {}
    for name, path in files.items():
        try:
            includes = _includes(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError):
            continue  # the loader reports templates it cannot read
        edges[name] = [(target, line) for target, line in includes if target in files]
    for name, targets in edges.items():
        for target, line in targets:
            if name in _reachable(target, edges):
                yield FlowProblem(
                    str(files[name]),
                    line,
                    "include",
                    f"this template includes {target!r}, which leads back to {name!r}: "
                    "rendering it would never end",
                    "remove the include, or move the shared text into a third template that "
                    "includes neither",
                )


@lru_cache(maxsize=4096)
def _includes(source: str) -> tuple[tuple[str, int], ...]:
    try:
        return tuple(included_names(_PARSE.parse(source)))
    except TemplateError:
        return ()  # the loader reports templates that do not parse


def _template_files(template_dirs: Sequence[Path]) -> dict[str, Path]:
    """Loader name ("common/x.j2") -> file, the first folder winning as in the renderer."""
    files: dict[str, Path] = {}
    for folder in template_dirs:
        if folder.is_dir():
            for path in sorted(folder.rglob("*.j2")):
                files.setdefault(path.relative_to(folder).as_posix(), path)
    return files


def _reachable(start: str, edges: Mapping[str, list[tuple[str, int]]]) -> set[str]:
    seen = {start}
    work = [start]
    while work:
        for target, _ in edges.get(work.pop(), ()):
            if target not in seen:
                seen.add(target)
                work.append(target)
    return seen


# -- slots read before they are set -------------------------------------------------------------


def unset_reads(
    flow: Flow, finder: ReadFinder, slot_flow: SlotFlow, extra_entries: set[str] | None = None
) -> Iterator[FlowProblem]:
    """An error for each slot a reachable step reads that is not set on every path to it."""
    # A step entered from another flow is analysed as if the conversation started there.
    entries = {flow.start: frozenset[str]()} | {
        s: frozenset[str]() for s in extra_entries or () if s in flow.steps
    }
    surely = slot_flow.surely_set(flow, entries)
    anywhere = slot_flow.sets_anywhere(flow)
    for step in flow.steps.values():
        if step.id in surely:  # unreachable steps are lint's warning
            yield from _step_reads(step, finder, surely[step.id], anywhere)


def _step_reads(
    step: Step, finder: ReadFinder, surely: frozenset[str], anywhere: frozenset[str]
) -> Iterator[FlowProblem]:
    reported: set[str] = set()
    for key, names in finder.step_reads(step):
        for name in sorted(names - surely - reported):
            reported.add(name)
            if name in anywhere:
                message = (
                    f"reads {name!r}, which is not set on every path from the start to "
                    "here: on such a path this step fails with an undefined value"
                )
            else:
                message = f"reads {name!r}, but no step of this flow sets it"
            yield FlowProblem(
                step.where.path,
                step.where.line,
                key,
                f"step {step.id!r}: {message}",
                f"set {name!r} on every path to this step (an ask with "
                f"`slot: {name}`, a `set`, an action's `into`), or read it as "
                f'`{name} | default("...")` or inside `{{% if {name} is defined %}}`',
            )
