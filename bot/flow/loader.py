"""Load flows from YAML, strictly.

Every flow file is parsed with line numbers (:mod:`bot.flow.yamlsource`) and checked key by key
(unknown
are refused with the allowed ones listed), and cross-checked: step targets, templates, actions,
called flows and conditions. Every problem names the file, the line, the key and the fix; all of
them are collected and raised together as :class:`bot.errors.FlowErrors`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path

from bot.errors import FlowErrors, FlowProblem
from bot.flow.actions import ActionRegistry
from bot.flow.checks import run_problems
from bot.flow.context import FlowContext, unknown_keys
from bot.flow.model import CallStep, Flow, GotoStep, SourceLocation, Step
from bot.flow.registry import SYSTEM_TEMPLATES, FlowRegistry
from bot.flow.steps import parse_step
from bot.flow.yamlsource import MAX_SOURCE_CHARS, YamlSyntaxError, YMap, load_located, too_big
from bot.render.templates import TemplateRenderer

__all__ = ("SYSTEM_TEMPLATES", "FlowRegistry", "check_flows", "compile_flow", "load_flows")

FLOW_KEYS = ("flow", "title", "description", "topics", "start", "steps")


def load_flows(
    flows_dir: Path, *, renderer: TemplateRenderer, actions: ActionRegistry
) -> FlowRegistry:
    """Load every ``*.yaml`` in ``flows_dir``; raise FlowErrors listing every problem."""
    registry, problems = check_flows(flows_dir, renderer=renderer, actions=actions)
    if problems:
        raise FlowErrors(problems)
    return registry


def check_flows(
    flows_dir: Path, *, renderer: TemplateRenderer, actions: ActionRegistry
) -> tuple[FlowRegistry, list[FlowProblem]]:
    """Load what can be loaded and return it with the problems found."""
    problems = _check_system_templates(renderer, flows_dir)
    paths = sorted(flows_dir.glob("*.yaml")) if flows_dir.is_dir() else []
    if not paths:
        problems.append(
            FlowProblem(
                str(flows_dir),
                0,
                "",
                "no flow files (*.yaml) found here",
                "point COACH_DIALOGS_DIR at a folder that has flows/*.yaml",
            )
        )
    registry = FlowRegistry()
    for path in paths:
        flow = _load_file(path, renderer, actions, problems)
        if flow is not None:
            registry.add(flow)
    broken = {path.stem for path in paths} - set(registry.flows)  # already reported above
    problems.extend(_check_flow_references(registry, broken))
    if not problems:  # on top of broken flows these would only repeat or mislead
        problems.extend(run_problems(registry.flows, renderer.template_dirs))
    return registry, problems


def compile_flow(
    source: str, *, path: str, renderer: TemplateRenderer, actions: ActionRegistry
) -> Flow:
    """Build one flow from its source text (an older version kept in the store)."""
    problems: list[FlowProblem] = []
    flow = _parse_source(source, path, renderer, actions, problems)
    if flow is None or problems:
        raise FlowErrors(problems)
    return flow


def _load_file(
    path: Path, renderer: TemplateRenderer, actions: ActionRegistry, problems: list[FlowProblem]
) -> Flow | None:
    try:
        size = path.stat().st_size
        if size > MAX_SOURCE_CHARS * 4:  # more characters than the limit, even at 4 bytes each
            raise too_big(size)
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(
            FlowProblem(str(path), 0, "", f"cannot read the file: {exc}", "save it as UTF-8 text")
        )
        return None
    except YamlSyntaxError as exc:
        problems.append(FlowProblem(str(path), exc.line, "", str(exc), exc.fix or ""))
        return None
    before = len(problems)
    flow = _parse_source(text, str(path), renderer, actions, problems)
    if flow is not None and flow.id != path.stem:
        problems.append(
            FlowProblem(
                str(path),
                flow.where.line,
                "flow",
                f"the flow is called {flow.id!r} but the file is {path.name!r}",
                f"rename the file to {flow.id}.yaml or write `flow: {path.stem}`",
            )
        )
    return flow if len(problems) == before else None


def _parse_source(
    text: str,
    path: str,
    renderer: TemplateRenderer,
    actions: ActionRegistry,
    problems: list[FlowProblem],
) -> Flow | None:
    try:
        data = load_located(text)
    except YamlSyntaxError as exc:
        problems.append(
            FlowProblem(
                path,
                exc.line,
                "",
                str(exc) if exc.fix else f"this is not valid YAML: {exc}",
                exc.fix
                or "check the indentation and quoting on this line or the one before it "
                "(text with a colon followed by a space needs quotes)",
            )
        )
        return None
    if not isinstance(data, YMap):
        problems.append(
            FlowProblem(
                path,
                1,
                "",
                "a flow file must be a mapping with `flow:` and `steps:`",
                "start the file with `flow: <name>` and a `steps:` mapping",
            )
        )
        return None
    return _build_flow(data, text, path, renderer, actions, problems)


def _build_flow(
    data: YMap,
    text: str,
    path: str,
    renderer: TemplateRenderer,
    actions: ActionRegistry,
    problems: list[FlowProblem],
) -> Flow | None:
    problems.extend(unknown_keys(data, FLOW_KEYS, path, "a flow"))
    flow_id = data.get("flow")
    steps_data = data.get("steps")
    if not isinstance(flow_id, str) or not flow_id:
        problems.append(
            FlowProblem(
                path,
                data.line_of("flow"),
                "flow",
                "the flow has no name",
                f"add `flow: {Path(path).stem}` at the top",
            )
        )
        return None
    if not isinstance(steps_data, YMap) or not steps_data:
        problems.append(
            FlowProblem(
                path,
                data.line_of("steps"),
                "steps",
                "the flow has no steps",
                "add a `steps:` mapping from step names to steps",
            )
        )
        return None
    context = FlowContext(
        path=path,
        flow_id=flow_id,
        renderer=renderer,
        actions=actions,
        step_ids=frozenset(steps_data),
        problems=problems,
    )
    steps = _parse_steps(steps_data, context)
    start = _start_step(data, steps_data, context)
    topics = data.get("topics", [])
    if not isinstance(topics, list) or not all(isinstance(t, str) for t in topics):
        problems.append(
            FlowProblem(
                path,
                data.line_of("topics"),
                "topics",
                "topics must be a list of topic ids",
                "write `topics: [decline]`",
            )
        )
        topics = []
    return Flow(
        id=flow_id,
        version=hashlib.sha256(text.encode()).hexdigest()[:12],
        title=str(data.get("title", flow_id.replace("_", " ").capitalize())),
        description=str(data.get("description", "")),
        topics=tuple(topics),
        start=start,
        steps=steps,
        where=SourceLocation(path, data.line_of("flow")),
        source=text,
    )


def _parse_steps(steps_data: YMap, context: FlowContext) -> dict[str, Step]:
    steps: dict[str, Step] = {}
    for step_id, body in steps_data.items():
        line = steps_data.line_of(step_id)
        step = parse_step(step_id, body, line, context)
        if step is not None:
            steps[step_id] = step
    return steps


def _start_step(data: YMap, steps_data: YMap, context: FlowContext) -> str:
    first = next(iter(steps_data))
    start = data.get("start", first)
    if start not in steps_data:
        context.problem(
            data.line_of("start"),
            "start",
            f"the start step {start!r} does not exist",
            f"use one of: {', '.join(steps_data)}",
        )
        return str(first)
    return str(start)


def _check_system_templates(renderer: TemplateRenderer, flows_dir: Path) -> list[FlowProblem]:
    templates_dir = flows_dir.parent / "templates" / "common"
    return [
        FlowProblem(
            str(templates_dir / f"{name}.j2"),
            0,
            name,
            f"the coach's own message {name!r} is missing",
            f"create {templates_dir / (name + '.j2')} (copy it from the shipped dialogs/)",
        )
        for name in SYSTEM_TEMPLATES
        if not renderer.template_exists(name)
    ]


def _check_flow_references(registry: FlowRegistry, broken: set[str]) -> list[FlowProblem]:
    problems: list[FlowProblem] = []
    known = ", ".join(sorted(registry.flows))
    for flow in registry.flows.values():
        for step in flow.steps.values():
            if isinstance(step, CallStep | GotoStep) and step.flow not in broken:
                problems.extend(_check_flow_target(step, registry.flows, known))
    return problems


def _check_flow_target(step: Step, flows: Mapping[str, Flow], known: str) -> list[FlowProblem]:
    key = "goto" if isinstance(step, GotoStep) else "call"
    target = getattr(step, "flow", "")
    where = step.where
    if target not in flows:
        return [
            FlowProblem(
                where.path,
                where.line,
                key,
                f"there is no flow called {target!r}",
                f"use one of: {known}",
            )
        ]
    target_step = getattr(step, "step", None)
    if target_step and target_step not in flows[target].steps:
        return [
            FlowProblem(
                where.path,
                where.line,
                key,
                f"the flow {target!r} has no step {target_step!r}",
                f"use one of: {', '.join(flows[target].steps)}",
            )
        ]
    return []
