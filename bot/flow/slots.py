"""Which slots a step reads, and which slots are surely set when it runs.

Templates render with ``StrictUndefined``, so a slot read before any step set it is a crash at run
time ("Sorry, something went wrong"), not an empty string. Lint finds those reads before a user
does, with two pieces:

- :class:`ReadFinder` lists the variables a step's messages, templates and expressions read
  (:func:`jinja2.meta.find_undeclared_variables`, which already leaves out loop variables and
  ``{% set %}`` names). A name guarded with ``| default(...)`` or ``is defined`` anywhere in the
  same source counts as handled.
- :class:`SlotFlow` is a forward "must be set" analysis over the step graph: a slot is surely set
  at a step when every path from the flow's start sets it. An answered ask sets its slot (not on
  ``on_fail``/``on_timeout``), ``set`` its names, an action its ``into`` slots (not on
  ``on_error``), a ``call`` its ``into`` slot plus every slot the called flow surely sets.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, TemplateError, meta, nodes
from jinja2.parser import Parser

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
    step_targets,
)

__all__ = ("ALWAYS_PRESENT", "ReadFinder", "SlotFlow", "expression_ast", "included_names")

# The engine puts these into every template context (bot.dialog.core.TurnCore.template_context
# and the extra values of the unparsed/invalid messages), so reading them is always fine.
ALWAYS_PRESENT = frozenset({"user", "now", "platform", "reason", "attempts"})
_GUARD_FILTERS = ("default", "d")
_GUARD_TESTS = ("defined", "undefined", "given")  # `given` is False for a missing slot
# Parsing only, never rendering (the renderer's environment uses Jinja's default syntax too);
# unknown filter and test names get stand-ins, see _accept_names.
_PARSE_ENV = Environment()
_IGNORED = ALWAYS_PRESENT | frozenset(_PARSE_ENV.globals)


def expression_ast(source: str) -> nodes.Expr | None:
    """The parsed Jinja expression (as ``compile_expression`` reads it), or None if invalid."""
    try:
        parser = Parser(_PARSE_ENV, source, state="variable")
        expr = parser.parse_expression()
    except TemplateError:
        return None
    return expr if parser.stream.eos else None


def included_names(tree: nodes.Template) -> list[tuple[str, int]]:
    """The templates ``tree`` includes, imports or extends by a constant name, with the line."""
    found: list[tuple[str, int]] = []
    for node in tree.find_all((nodes.Include, nodes.Import, nodes.FromImport, nodes.Extends)):
        target = getattr(node, "template", None)
        if isinstance(target, nodes.Const) and isinstance(target.value, str):
            found.append((target.value, node.lineno))
    return found


def _accept_names(tree: nodes.Template) -> None:
    """Register stand-ins for the renderer's own filters and tests (``when``, ``phone``...).

    ``find_undeclared_variables`` runs Jinja's code generator, which refuses unknown filter
    names; the loader has already checked them against the real environment.
    """
    for node in tree.find_all(nodes.Filter):
        _PARSE_ENV.filters.setdefault(node.name, _stand_in)
    for test in tree.find_all(nodes.Test):
        _PARSE_ENV.tests.setdefault(test.name, _stand_in)


def _stand_in(value: object, *args: object, **kwargs: object) -> object:
    return value


def _unguarded(tree: nodes.Template) -> frozenset[str]:
    _accept_names(tree)
    found = meta.find_undeclared_variables(tree)
    guarded = {
        f.node.name
        for f in tree.find_all(nodes.Filter)
        if f.name in _GUARD_FILTERS and isinstance(f.node, nodes.Name)
    }
    guarded |= {
        t.node.name
        for t in tree.find_all(nodes.Test)
        if t.name in _GUARD_TESTS and isinstance(t.node, nodes.Name)
    }
    return frozenset(found - guarded - _IGNORED)


# Parsing and Jinja's variable analysis cost about a millisecond per text; the coach checks its
# flows at every start (and tests load the same dialogs many times), so results are kept by
# source text.
@lru_cache(maxsize=8192)
def _expression_reads(source: str) -> frozenset[str]:
    expr = expression_ast(source)
    if expr is None:
        return frozenset()  # the loader reports expressions that do not compile
    tree = nodes.Template([nodes.Output([expr])], lineno=1)
    tree.set_environment(_PARSE_ENV)
    return _unguarded(tree)


@lru_cache(maxsize=8192)
def _source_reads(source: str) -> tuple[frozenset[str], frozenset[str], tuple[str, ...]]:
    """(names read, names the source sets itself, templates it includes) of a template text."""
    try:
        tree = _PARSE_ENV.parse(source)
    except TemplateError:
        return frozenset(), frozenset(), ()
    stored = frozenset(n.name for n in tree.find_all(nodes.Name) if n.ctx == "store")
    return _unguarded(tree), stored, tuple(name for name, _ in included_names(tree))


class ReadFinder:
    """The slots that messages, templates and expressions read (template files are cached)."""

    def __init__(self, template_dirs: Sequence[Path]) -> None:
        self._dirs = tuple(template_dirs)
        self._templates: dict[str, frozenset[str]] = {}

    def expression(self, source: str) -> frozenset[str]:
        return _expression_reads(source)

    def text(self, source: str, seen: frozenset[str] = frozenset()) -> frozenset[str]:
        """What a template source reads, with what the templates it includes read."""
        reads, stored, includes = _source_reads(source)
        names = set(reads)
        for included in includes:
            if included not in seen:  # an include cycle is reported by bot.flow.checks
                # What this template sets itself ({% set %}, loop variables) the included one
                # may read.
                names |= self._included(included, seen | {included}) - stored
        return frozenset(names)

    def template(self, name: str) -> frozenset[str]:
        """What any variant (common or a platform's) of a template file reads."""
        if name not in self._templates:
            names: set[str] = set()
            for path in self._variant_files(name):
                names |= self.text(path.read_text(encoding="utf-8"))
            self._templates[name] = frozenset(names)
        return self._templates[name]

    def _included(self, name: str, seen: frozenset[str]) -> frozenset[str]:
        # An include shares the context of the template that includes it: its reads are ours.
        path = next((d / name for d in self._dirs if (d / name).is_file()), None)
        return frozenset() if path is None else self.text(path.read_text("utf-8"), seen)

    def message(self, message: Message | None) -> frozenset[str]:
        if message is None:
            return frozenset()
        if message.template is not None:
            return self.template(message.template)
        return frozenset().union(*(self.text(t) for t in message.inline))

    def step_reads(self, step: Step) -> list[tuple[str, frozenset[str]]]:
        """(key, names) for every part of a step that reads slots."""
        if isinstance(step, SayStep):
            return [("say", self.message(step.message))]
        if isinstance(step, AskStep):
            prompt_key = "template" if step.prompt.template else "text"
            return [
                (prompt_key, self.message(step.prompt)),
                ("unparsed", self.message(step.unparsed)),
                ("invalid", self.message(step.invalid)),
            ]
        if isinstance(step, BranchStep):
            return [
                ("if", self.expression(b.condition.source))
                for b in step.branches
                if b.condition is not None
            ]
        if isinstance(step, SetStep):
            return [(slot, self.expression(e.source)) for slot, e in step.assignments]
        if isinstance(step, ActionStep):
            return [("with", self.expression(e.source)) for _, e in step.inputs]
        if isinstance(step, EndStep):
            result = self.expression(step.result.source) if step.result else frozenset()
            return [("end", result), ("text", self.message(step.message))]
        return []

    def _variant_files(self, name: str) -> list[Path]:
        return [
            path
            for folder in self._dirs
            if folder.is_dir()
            for path in sorted(folder.glob(f"*/{name}.j2"))
            if path.is_file()
        ]


class SlotFlow:
    """The "must be set" analysis over every loaded flow (called flows included)."""

    def __init__(self, flows: Mapping[str, Flow]) -> None:
        self._flows = flows
        self._exits: dict[str, frozenset[str]] = {}
        # Flows being analysed: a call cycle counts as setting nothing.
        self._busy: set[str] = set()

    def surely_set(
        self, flow: Flow, entries: Mapping[str, frozenset[str]]
    ) -> dict[str, frozenset[str]]:
        """Step id -> the slots set on every path from an entry; unreachable steps are absent."""
        state = dict(entries)
        work = list(entries)
        while work:
            step_id = work.pop()
            step = flow.steps[step_id]
            for key, target in step_targets(step):
                if target not in flow.steps:
                    continue
                out = state[step_id] | self.gen(step, key)
                old = state.get(target)
                new = out if old is None else old & out
                if new != old:  # sets only shrink after the first visit, so this terminates
                    state[target] = new
                    work.append(target)
        return state

    def gen(self, step: Step, key: str) -> frozenset[str]:
        """The slots a step sets when it continues along the edge named ``key``."""
        if isinstance(step, AskStep) and key in ("next", "choices.next"):
            return frozenset({step.slot})
        if isinstance(step, AskStep) and key == "on_text" and step.text_slot:
            return frozenset({step.text_slot})
        if isinstance(step, SetStep) and key == "next":
            return frozenset(slot for slot, _ in step.assignments)
        if isinstance(step, ActionStep) and key == "next":
            return frozenset(slot for _, slot in step.outputs)
        if isinstance(step, CallStep) and key == "next":
            into = {step.into} if step.into else set()
            return self.exit_set(step.flow) | into
        return frozenset()

    def exit_set(self, flow_id: str) -> frozenset[str]:
        """The slots a flow has surely set whenever it finishes (and returns to a caller)."""
        if flow_id in self._exits:
            return self._exits[flow_id]
        flow = self._flows.get(flow_id)
        if flow is None or flow_id in self._busy:
            return frozenset()
        self._busy.add(flow_id)
        try:
            state = self.surely_set(flow, {flow.start: frozenset()})
            exits = [
                out
                for step_id, before in state.items()
                for out in self._exit_values(flow.steps[step_id], before)
            ]
        finally:
            self._busy.discard(flow_id)
        result = frozenset.intersection(*exits) if exits else frozenset()
        self._exits[flow_id] = result
        return result

    def sets_anywhere(self, flow: Flow) -> frozenset[str]:
        """Every slot some step of the flow (or a flow it calls) may set."""
        names: set[str] = set()
        for step in flow.steps.values():
            for key, _ in [*step_targets(step), ("next", "")]:
                names |= self.gen(step, key)
        return frozenset(names)

    def _exit_values(self, step: Step, before: frozenset[str]) -> Iterable[frozenset[str]]:
        if isinstance(step, EndStep):
            yield before
        elif isinstance(step, GotoStep):
            # The goto'd flow finishes in place of this one; entered mid-way, assume nothing.
            yield before | (self.exit_set(step.flow) if step.step is None else frozenset())
        elif isinstance(step, BranchStep):
            if all(b.condition is not None for b in step.branches):
                yield before  # no else: when every condition is false the flow ends here
        elif isinstance(step, AskStep):
            if step.next is None and (not step.choices or any(not c.next for c in step.choices)):
                yield before | {step.slot}
        elif getattr(step, "next", None) is None:
            yield before | self.gen(step, "next")
