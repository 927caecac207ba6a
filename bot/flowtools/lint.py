"""``flows lint``: the loader's errors plus warnings about flows that load but misbehave.

Errors come from :func:`bot.flow.loader.check_flows` unchanged (the same checks the coach runs
when it
starts), including what would fail every time a step runs: loops with no question, templates that
include themselves and slots read before they are set (:mod:`bot.flow.checks`). Warnings:

- an unreachable step: no path from the flow's start (or from a ``goto: flow.step``) leads there;
- a dead end: an ask whose answer leads nowhere (no ``next`` and a choice without ``next``), or a
  branch without ``else`` whose conditions may all be false: the flow silently ends there;
- a choice no branch handles: a choice without its own ``next`` reaches a branch whose conditions
  never mention its id, and the branch has no ``else``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from jinja2 import nodes

from bot.app import build_actions, build_renderer
from bot.config import DEFAULT_DIALOGS_DIR
from bot.errors import FlowProblem
from bot.flow.actions import ActionRegistry
from bot.flow.checks import goto_entries
from bot.flow.contentdirs import flows_dir as content_flows_dir
from bot.flow.loader import FlowRegistry, check_flows
from bot.flow.model import AskStep, BranchStep, Flow, Step, step_targets
from bot.flow.slots import SlotFlow, expression_ast
from bot.render.templates import TemplateRenderer

__all__ = ("Dialogs", "LintReport", "flow_warnings", "lint", "load_dialogs")


@dataclass(slots=True)
class Dialogs:
    """A dialogs folder as the loader sees it: what loaded, and the errors."""

    root: Path
    renderer: TemplateRenderer
    actions: ActionRegistry
    registry: FlowRegistry
    errors: list[FlowProblem]
    flow_files: list[Path] = field(default_factory=list)

    @property
    def flows_dir(self) -> Path:
        return content_flows_dir(self.root, DEFAULT_DIALOGS_DIR)

    @property
    def templates_dir(self) -> Path:
        return self.root / "templates"


@dataclass(slots=True)
class LintReport:
    problems: list[FlowProblem]
    flow_count: int

    @property
    def errors(self) -> list[FlowProblem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[FlowProblem]:
        return [p for p in self.problems if p.severity != "error"]

    def summary(self) -> str:
        errors, warnings = len(self.errors), len(self.warnings)
        return (
            f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"
            f" in {self.flow_count} flow{'s' * (self.flow_count != 1)}"
        )


def load_dialogs(root: Path) -> Dialogs:
    """Load a dialogs folder (``flows/`` and ``templates/``) the way the coach does."""
    actions = build_actions()
    renderer = build_renderer(root)
    # a folder of templates only lints with the shipped flows
    flows = content_flows_dir(root, DEFAULT_DIALOGS_DIR)
    registry, errors = check_flows(flows, renderer=renderer, actions=actions)
    files = sorted(flows.glob("*.yaml")) if flows.is_dir() else []
    return Dialogs(root, renderer, actions, registry, _without_echoes(errors, files), files)


def _without_echoes(errors: list[FlowProblem], files: list[Path]) -> list[FlowProblem]:
    """Drop "there is no flow called X" when X.yaml exists but has errors of its own.

    The loader leaves a broken file out of the registry, so every call or goto to it would be
    reported too: one typo would read as several problems, all but one of them misleading.
    """
    broken = {Path(p.path).stem for p in errors if Path(p.path) in files}
    return [
        p
        for p in errors
        if not (
            p.key in ("call", "goto")
            and p.message.startswith("there is no flow called")
            and p.message.removeprefix("there is no flow called ").strip("'\"") in broken
        )
    ]


def lint(dialogs: Dialogs, only: Path | None = None) -> LintReport:
    """Errors and warnings for every flow, or for the one file ``only``."""
    problems = list(dialogs.errors)
    slot_flow = SlotFlow(dialogs.registry.flows)
    entries = goto_entries(dialogs.registry.flows)
    for flow in dialogs.registry.flows.values():
        problems.extend(flow_warnings(flow, slot_flow, entries.get(flow.id, set())))
    if only is None:
        return LintReport(problems, len(dialogs.flow_files))
    # The file's own problems, and those of no flow file (a missing system template).
    others = {f.resolve() for f in dialogs.flow_files} - {only.resolve()}
    shown = [p for p in problems if Path(p.path).resolve() not in others]
    return LintReport(shown, 1)


def flow_warnings(
    flow: Flow, slot_flow: SlotFlow, extra_entries: set[str] | None = None
) -> list[FlowProblem]:
    """Every warning for one loaded flow, in step order."""
    # A step entered from another flow is analysed as if the conversation started there.
    entries = {flow.start: frozenset[str]()} | {
        s: frozenset[str]() for s in extra_entries or () if s in flow.steps
    }
    surely = slot_flow.surely_set(flow, entries)
    found: list[FlowProblem] = []
    for step in flow.steps.values():
        if step.id not in surely:
            found.append(
                _warning(
                    step,
                    step.id,
                    "this step is unreachable: no path from the "
                    f"start ({flow.start!r}) leads here",
                    f"point a `next` (or a choice, branch, on_fail) at {step.id!r}, "
                    "or delete the step",
                )
            )
            continue
        found.extend(_dead_ends(flow, step))
    return found


def _warning(step: Step, key: str, message: str, fix: str) -> FlowProblem:
    return FlowProblem(
        step.where.path,
        step.where.line,
        key,
        f"step {step.id!r}: {message}",
        fix,
        severity="warning",
    )


def _dead_ends(flow: Flow, step: Step) -> Iterator[FlowProblem]:
    if isinstance(step, AskStep) and step.next is None:
        loose = [c.id for c in step.choices if not c.next]
        if not step.choices or loose:
            which = f"the answers {_names(loose)} lead" if loose else "the answer leads"
            yield _warning(
                step,
                "next",
                f"{which} nowhere: "
                "there is no `next`, so the flow silently ends after the user answers",
                "add `next: <step>` (an `end` step with a closing text ends clearly)"
                + (" or give each choice a `next`" if loose else ""),
            )
    elif isinstance(step, BranchStep) and all(b.condition is not None for b in step.branches):
        yield from _open_branch(flow, step)


def _open_branch(flow: Flow, step: BranchStep) -> Iterator[FlowProblem]:
    """A branch without ``else``: fine when a condition is always true or every choice is
    covered, a "choice no branch handles" when only choice asks lead here, a dead end otherwise."""
    conditions = [expression_ast(b.condition.source) for b in step.branches if b.condition]
    if any(isinstance(c, nodes.Const) and c.value for c in conditions):
        return
    mentioned = {
        n.value
        for c in conditions
        if c is not None
        for n in c.find_all(nodes.Const)
        if isinstance(n.value, str)
    }
    arriving = _arriving_choices(flow, step.id)
    if arriving is None:
        yield _warning(
            step,
            "branch",
            "there is no `else`, and when every condition is false the flow silently ends here",
            "add `- else: <step>` as the last branch",
        )
        return
    for ask, choice_id in arriving:
        if choice_id not in mentioned:
            yield _warning(
                step,
                "branch",
                f"the choice {choice_id!r} of {ask.id!r} leads here, "
                "but no condition mentions it and there is no `else`: the flow "
                "silently ends when the user picks it",
                f'add `- elif: {ask.slot} == "{choice_id}"` with `then: <step>`, an '
                f"`- else: <step>`, or give the choice its own `next`",
            )


def _arriving_choices(flow: Flow, target: str) -> list[tuple[AskStep, str]] | None:
    """The (choice ask, choice id) pairs that lead to ``target``; None when another step does."""
    arriving: list[tuple[AskStep, str]] = []
    for step in flow.steps.values():
        for key, to in step_targets(step):
            if to != target:
                continue
            if (
                not isinstance(step, AskStep)
                or step.kind != "choice"
                or key not in ("next", "choices.next")
            ):
                return None
            arriving.extend((step, c.id) for c in step.choices if (c.next or step.next) == target)
    return arriving or None


def _names(ids: list[str]) -> str:
    return ", ".join(repr(i) for i in ids)
