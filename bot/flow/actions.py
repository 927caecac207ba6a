"""Actions: Python functions a flow calls by name, with declared inputs and outputs.

Flows name an action in an ``action:`` step; the loader checks the name, that every required input
is given, and that only declared inputs and outputs are used. At run time the engine passes the
evaluated inputs and an :class:`ActionContext`; the function returns its outputs as a mapping.

Side effects that must be saved with the turn (a reminder, a cancelled time-out) go through the
context, so they are committed in the same transaction as the conversation state: if the turn is
retried after a version conflict, nothing is scheduled twice.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from bot.boundary import ConversationRef, Reply, UserInfo
from bot.render.templates import TemplateRenderer
from bot.store import JobSpec, Store

__all__ = ("ActionContext", "ActionFunction", "ActionRegistry", "ActionSpec")


@dataclass(slots=True)
class ActionContext:
    """What an action may see and do besides its inputs."""

    conversation: ConversationRef
    now: datetime
    time_zone: str | None
    store: Store
    user: UserInfo = field(default_factory=UserInfo)
    new_jobs: list[JobSpec] = field(default_factory=list)
    cancel_job_keys: list[str] = field(default_factory=list)
    outbox: list[Reply] = field(default_factory=list)
    erased: bool = False  # set by `forget`: the engine then saves nothing more of this turn
    # For actions that send replies of their own (`send`): the engine's templates and escaping.
    renderer: TemplateRenderer | None = None

    @property
    def user_key(self) -> str:
        return self.conversation.user_key

    def send(self, reply: Reply) -> None:
        """Send a reply of the action's own (a card for the referral channel, an export)."""
        self.outbox.append(reply)

    def schedule(self, job: JobSpec) -> None:
        """Schedule a job; saved together with the turn."""
        self.new_jobs.append(job)

    def cancel(self, job_key: str) -> None:
        """Cancel the pending job with this key; saved together with the turn."""
        self.cancel_job_keys.append(job_key)


ActionFunction = Callable[[ActionContext, Mapping[str, object]], Awaitable[Mapping[str, object]]]


@dataclass(frozen=True, slots=True)
class ActionSpec:
    name: str
    function: ActionFunction
    inputs: tuple[str, ...] = ()
    optional_inputs: tuple[str, ...] = ()
    outputs: tuple[str, ...] = ()
    description: str = ""

    @property
    def all_inputs(self) -> tuple[str, ...]:
        return self.inputs + self.optional_inputs


class ActionRegistry:
    """Actions by name. ``register`` is a decorator::

    @registry.register("schedule_reminder", inputs=("at",), outputs=("reminder_at",))
    async def schedule_reminder(ctx, inputs): ...
    """

    def __init__(self) -> None:
        self._actions: dict[str, ActionSpec] = {}

    def register(
        self,
        name: str,
        *,
        inputs: tuple[str, ...] = (),
        optional_inputs: tuple[str, ...] = (),
        outputs: tuple[str, ...] = (),
        description: str = "",
    ) -> Callable[[ActionFunction], ActionFunction]:
        if name in self._actions:
            raise ValueError(f"action {name!r} is registered twice")

        def decorate(function: ActionFunction) -> ActionFunction:
            self._actions[name] = ActionSpec(
                name, function, inputs, optional_inputs, outputs, description
            )
            return function

        return decorate

    def get(self, name: str) -> ActionSpec | None:
        return self._actions.get(name)

    def names(self) -> list[str]:
        return sorted(self._actions)

    def specs(self) -> list[ActionSpec]:
        return [self._actions[n] for n in self.names()]
