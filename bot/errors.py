"""Errors the core raises, grouped by who can fix them.

::

    CoachError
    ├── FlowError              a flow file has a mistake (the author fixes it)
    │   └── FlowErrors         several of them, reported together
    ├── ConfigError            the environment is wrong (the operator fixes it)
    ├── ActionError            a registered action failed at run time (logged, never shown raw)
    ├── StoreError             the store refused a write (bot.store defines the kinds)
    │   ├── VersionConflictError, DuplicateEventError, StoreBusyError
    ├── DeliveryError          an adapter could not send a message (Slack and Discord alike)
    └── LimitError             a rendered message breaks a platform's limits
        └── BlockKitError      (adapters.slack.limits)

Every other exception class in ``bot/`` and ``adapters/`` derives from :class:`CoachError` too
(``YamlSyntaxError``, ``FlowLoopError``, the command lines' input errors...):
``tests/test_error_tree.py`` checks each one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = (
    "ActionError",
    "CoachError",
    "ConfigError",
    "DeliveryError",
    "FlowError",
    "FlowErrors",
    "FlowProblem",
    "LimitError",
    "StoreError",
)


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


class StoreError(CoachError):
    """The store could not do what was asked; :mod:`bot.store` defines the kinds."""


class DeliveryError(CoachError):
    """An adapter could not send a message (a refused ``response_url``, no installation, a
    client not logged in yet). The scheduler retries the job later."""


class LimitError(CoachError, ValueError):
    """A rendered message or form a platform would refuse; ``problems`` says what is too big.

    Also a ``ValueError`` (what it was before the error tree), so existing handlers still catch it.
    """

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = tuple(problems)
