"""Errors the core raises, grouped by who can fix them.

::

    CoachError
    ├── FlowError              a flow file has a mistake (the author fixes it)
    │   └── FlowErrors         several of them, reported together
    ├── ConfigError            the environment is wrong (the operator fixes it)
    └── ActionError            a registered action failed at run time (logged, never shown raw)
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ("ActionError", "CoachError", "ConfigError", "FlowError", "FlowErrors", "FlowProblem")


class CoachError(Exception):
    """Base class of every error the coach raises on purpose."""


@dataclass(frozen=True, slots=True)
class FlowProblem:
    """One mistake in a flow file: where it is, which key, what is wrong and how to fix it."""

    path: str
    line: int
    key: str
    message: str
    fix: str
    severity: str = "error"  # or "warning" (lint only)

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        key = f" [{self.key}]" if self.key else ""
        fix = f"\n    fix: {self.fix}" if self.fix else ""
        return f"{where}{key}: {self.severity}: {self.message}{fix}"


class FlowError(CoachError):
    """A flow file has a mistake. ``problem`` says where and how to fix it."""

    def __init__(self, problem: FlowProblem) -> None:
        super().__init__(str(problem))
        self.problem = problem


class FlowErrors(CoachError):
    """Several flow problems found in one load; ``problems`` lists them in file order."""

    def __init__(self, problems: list[FlowProblem]) -> None:
        self.problems = problems
        count = len(problems)
        head = f"{count} problem{'s' if count != 1 else ''} in the flows:"
        super().__init__("\n".join([head, *(str(p) for p in problems)]))


class ConfigError(CoachError):
    """The environment or a setting is wrong; the message names the variable to set."""


class ActionError(CoachError):
    """An action raised; the engine logs it (no user text) and keeps the previous step."""
