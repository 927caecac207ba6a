"""The topics a question already offers through its own choices.

A question typed instead of an answer may earn a "Switch to: <topic>" button; that button must
never repeat what the question lists already ("3) Is this recruiter real?" at the main menu, or
"Is this recruiter real?" in the call's "how do you feel?"). A choice offers a topic when
following it reaches that flow (by ``goto`` or ``call``) before any other question is asked, or
when its label is the topic's title.
"""

from __future__ import annotations

from bot.flow.model import (
    ActionStep,
    AskStep,
    BranchStep,
    CallStep,
    ChoiceOption,
    Flow,
    GotoStep,
    SayStep,
    SetStep,
)

__all__ = ("choice_offering",)


def choice_offering(flow: Flow, step: AskStep, target: Flow) -> ChoiceOption | None:
    """The choice of ``step`` (in ``flow``) that already offers ``target``, if one does."""
    title = _folded(target.title)
    for choice in step.choices:
        if _folded(choice.label) == title:
            return choice
    for choice in step.choices:
        if target.id in _reached(flow, choice.next or step.next):
            return choice
    return None


def _folded(text: str) -> str:
    return " ".join(text.casefold().split()).rstrip("?.!")


def _reached(flow: Flow, first: str | None) -> set[str]:
    """The flows reached from step ``first`` before the next question (every branch)."""
    todo = [first]
    seen: set[str] = set()
    flows: set[str] = set()
    while todo:
        step_id = todo.pop()
        if step_id is None or step_id in seen or step_id not in flow.steps:
            continue
        seen.add(step_id)
        current = flow.steps[step_id]
        if isinstance(current, (GotoStep, CallStep)):
            flows.add(current.flow)
        if isinstance(current, (SayStep, SetStep, CallStep)):
            todo.append(current.next)
        elif isinstance(current, ActionStep):
            todo += [current.next, current.on_error]
        elif isinstance(current, BranchStep):
            todo += [branch.target for branch in current.branches]
    return flows
