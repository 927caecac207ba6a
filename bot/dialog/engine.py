"""The dialog engine: ``handle(Incoming) -> list[Reply]``, the one call adapters make.

For each event the engine loads the conversation, runs a :class:`bot.dialog.turn.Turn`, and
commits the new state with an optimistic version check. When another event for the same
conversation was committed first (two workers, or two quick clicks) the turn is recomputed on
the fresh state, so no answer is lost. A retried platform event (same ``event_id``) is answered
once.

``handle`` never raises: a failing action or template keeps the previous step, the user gets one
apology, and the log gets the conversation key and the error's type, never what the user wrote.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol

from bot.boundary import ConversationRef, Incoming, Reply
from bot.dialog.busy import BUSY_RETRY_SECONDS, Backoff, is_busy, patiently
from bot.dialog.catalog import Catalog, TopicRouter
from bot.dialog.core import StepListener
from bot.dialog.event_json import replies_to_json
from bot.dialog.failures import APOLOGY, apology, log_failure
from bot.dialog.greeting import PRIVACY_NOTICE, UserGreeting
from bot.dialog.route_policy import ROUTE_MARGIN, ROUTE_THRESHOLD
from bot.dialog.state import ConversationState, ref_from_json
from bot.dialog.turn import Turn
from bot.dialog.turn_queue import TurnQueue
from bot.dialog.versions import PinnedVersions
from bot.errors import CoachError
from bot.flow.actions import ActionContext, ActionRegistry
from bot.flow.registry import FlowRegistry
from bot.render.templates import TemplateRenderer
from bot.store import (
    DuplicateEventError,
    Job,
    Store,
    TurnCommit,
    VersionConflictError,
)

__all__ = ("APOLOGY", "Engine", "EventHandler", "JobHandler")

logger = logging.getLogger(__name__)

JobHandler = Callable[[Job], Awaitable[tuple[ConversationRef, list[Reply]]]]
"""Turns a due job into the replies to deliver, and the conversation to deliver them to."""


class EventHandler(Protocol):
    """Events that are not a conversation's turn (a click on a referral card, an admin setting).

    The composition root registers them (``Engine.event_handlers``), so the runtime does not
    import the features that own them; ``claims`` must be cheap (it sees every event).
    """

    def claims(self, incoming: Incoming) -> bool: ...

    async def handle(self, incoming: Incoming) -> list[Reply]: ...


MAX_CONFLICT_RETRIES = 8


def _privacy_notice(renderer: TemplateRenderer, turn: Turn, platform: str) -> Reply:
    def context() -> dict[str, object]:  # built only if the notice is not a fixed text
        return turn.template_context({})

    return Reply(
        renderer.render(platform=platform, context=context, seed=0, template=PRIVACY_NOTICE)
    )


async def _run_elsewhere(
    handler: EventHandler,
    incoming: Incoming,
    store: Store,
    renderer: TemplateRenderer,
    durable: bool,
) -> list[Reply]:
    """A feature's event (see :class:`EventHandler`). A busy database is waited out like a
    turn's. ``durable``: the replies are kept in the event's inbox row, as a turn's commit keeps
    a turn's, but in a statement after the feature's own writes (a worker that dies between
    the two has the event run again)."""
    busy = Backoff(None if durable else BUSY_RETRY_SECONDS)
    while True:
        try:
            replies = await handler.handle(incoming)
            break
        except Exception as exc:
            if is_busy(exc) and await busy.wait():
                continue
            log_failure(logger, incoming, exc)
            return [apology(renderer, incoming)]
    event_id = incoming.event_id
    if durable and event_id:
        kept = replies_to_json(replies)
        await patiently(lambda: store.keep_inbox_replies(event_id, kept))
    return replies


class Engine:
    def __init__(
        self,
        *,
        registry: FlowRegistry,
        renderer: TemplateRenderer,
        store: Store,
        actions: ActionRegistry,
        entry_flow: str = "recruiter_called",
        menu_flow: str = "menu",
        router: TopicRouter | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        event_ttl: timedelta = timedelta(hours=2),
        route_threshold: float = ROUTE_THRESHOLD,
        route_margin: float = ROUTE_MARGIN,
    ) -> None:
        self.registry = registry
        self.renderer = renderer
        self.store = store
        self.actions = actions
        self.entry_flow = entry_flow
        self.menu_flow = menu_flow if menu_flow in registry.flows else entry_flow
        self.catalog = Catalog(
            registry=registry,
            renderer=renderer,
            actions=actions,
            entry_flow=entry_flow,
            menu_flow=self.menu_flow,
            router=router or TopicRouter(),
            route_threshold=route_threshold,
            route_margin=route_margin,
        )
        self.clock = clock
        self.event_ttl = event_ttl
        self._turns = TurnQueue()  # one turn at a time per conversation in this process
        self.greeting = UserGreeting(store, renderer)
        self.versions = PinnedVersions(registry, store, renderer, actions)
        # Job kind -> what turns a due job into replies (bot.app adds "keep_in_touch").
        self.job_handlers: dict[str, JobHandler] = {
            "ask_timeout": self._run_ask_timeout,
            "reminder": self._run_reminder,
        }
        # Events owned by a feature, not a flow (bot.app adds the referral board's).
        self.event_handlers: list[EventHandler] = []
        # Called with (flow id, step id) for every step a turn runs: coverage for `flows test`.
        self.step_listener: StepListener | None = None
        if entry_flow not in registry.flows:
            raise CoachError(
                f"the entry flow {entry_flow!r} is not among the loaded flows: "
                f"{', '.join(sorted(registry.flows))}"
            )

    # -- the adapters' entry point ------------------------------------------------------------

    async def handle(self, incoming: Incoming, *, durable: bool = False) -> list[Reply]:
        """Run one event; never raises. ``durable``: it comes from the durable inbox, so a busy
        database is waited out for as long as it takes (the event is saved: the person gets a
        late answer, not an apology), and the replies are saved with the turn until sent."""
        for handler in self.event_handlers:
            if handler.claims(incoming):
                return await self._handle_elsewhere(handler, incoming, durable)
        key, turns = incoming.conversation.key, self._turns
        if not turns.try_start(key):
            await turns.wait_start(key)
        try:
            return await self._handle_with_retries(incoming, durable)
        finally:
            turns.finish(key)

    async def _handle_elsewhere(
        self, handler: EventHandler, incoming: Incoming, durable: bool
    ) -> list[Reply]:
        """A feature's event: no conversation state, never raises to an adapter."""
        return await _run_elsewhere(handler, incoming, self.store, self.renderer, durable)

    async def _handle_with_retries(self, incoming: Incoming, durable: bool) -> list[Reply]:
        conflicts, busy = 0, None  # the backoff is made when the database is first busy
        while conflicts < MAX_CONFLICT_RETRIES:
            try:
                return await self._handle_once(incoming, durable)
            except VersionConflictError:
                conflicts += 1  # another worker saved first: recompute on the fresh state
            except DuplicateEventError:
                return []
            except Exception as exc:  # never raise to an adapter
                # A busy database (no pooled connection free, a lock timeout) is load, not a
                # fault: nothing was saved, so the turn runs again a little later.
                if is_busy(exc):
                    busy = busy or Backoff(None if durable else BUSY_RETRY_SECONDS)
                    if await busy.wait():
                        continue
                log_failure(logger, incoming, exc)
                return [apology(self.renderer, incoming)]
        logger.error(
            "conversation %s: gave up after %d version conflicts",
            incoming.conversation.key,
            MAX_CONFLICT_RETRIES,
        )
        return [apology(self.renderer, incoming)]

    async def _handle_once(self, incoming: Incoming, durable: bool) -> list[Reply]:
        if incoming.event_id and await self.store.is_processed(incoming.event_id):
            return []
        ref = incoming.conversation
        state, version = self._kept(ref.key) or await self._load(ref.key)
        if not self.versions.all_loaded(state):
            await self.versions.load(state)
        turn = _new_turn(self, incoming, state)
        if not state.active and incoming.timeout_token is None:
            await self.greeting.greet(turn)
        await turn.run()
        if turn.show_privacy_notice:
            turn.replies.insert(0, _privacy_notice(self.renderer, turn, ref.platform))
        await self._commit(incoming, version, turn, durable)
        return turn.replies

    def _kept(self, key: str) -> tuple[ConversationState, int] | None:
        """The state the previous turn left with an in-process store, and its version, when
        nothing was saved since: no unpacking and decoding of what this engine made itself
        (and no awaiting, which costs as much as the rest of this)."""
        kept = self.store.take_kept(key)
        if kept is not None and type(kept.state) is ConversationState:
            return kept.state, kept.version
        return None

    async def _load(self, key: str) -> tuple[ConversationState, int]:
        """The conversation's saved state and version (0: none yet)."""
        stored = await self.store.load_conversation(key)
        if stored is None:
            return ConversationState(), 0
        return ConversationState.from_json(stored.state), stored.version

    async def _prepare_turn(self, incoming: Incoming, state: ConversationState) -> Turn:
        """The turn for ``incoming`` on ``state``, greeted when the conversation starts."""
        turn = _new_turn(self, incoming, state)
        if not state.active and incoming.timeout_token is None:
            await self.greeting.greet(turn)
        return turn

    def privacy_notice_version(self, platform: str) -> str:
        """The version of the privacy notice shown on ``platform`` (see :class:`UserGreeting`)."""
        return self.greeting.notice_version(platform)

    async def _commit(self, incoming: Incoming, version: int, turn: Turn, durable: bool) -> None:
        ref = incoming.conversation
        expires = incoming.received_at + self.event_ttl if incoming.event_id else None
        if turn.context.erased:  # `forget` deleted every row about the user: write none back,
            if incoming.event_id:  # but remember the event, so a platform retry is not re-run
                await self.store.commit_turn(
                    TurnCommit(
                        conversation_key=ref.key,
                        user_key=ref.user_key,
                        state=None,
                        expected_version=0,
                        event_id=incoming.event_id,
                        event_expires_at=expires,
                    )
                )
            return
        if not self.versions.all_saved(turn.state):
            await self.versions.save(turn.state)
        await self.store.commit_turn(
            TurnCommit(
                conversation_key=ref.key,
                user_key=ref.user_key,
                state=turn.state.to_json(),
                expected_version=version,
                event_id=incoming.event_id,
                event_expires_at=expires,
                new_jobs=tuple(turn.context.new_jobs),
                cancel_job_keys=tuple(turn.context.cancel_job_keys),
                funnel=tuple(turn.funnel),
                replies=replies_to_json(turn.replies) if durable else None,
                keep=turn.state,  # this turn is done with it: the next may take it back
            )
        )
        if turn.show_privacy_notice or turn.new_user_time_zone:  # else nothing to remember
            await self.greeting.remember(ref, turn)

    # -- flows and topics ---------------------------------------------------------------------

    # The catalog's look-ups, for the composition root, the adapters and the tools above it.

    @property
    def router(self) -> TopicRouter:
        return self.catalog.router

    @property
    def route_threshold(self) -> float:
        return self.catalog.route_threshold

    @property
    def route_margin(self) -> float:
        return self.catalog.route_margin

    def flow_for_topic(self, topic: str) -> str | None:
        """A flow id, a topic id or a short command word (``check``) -> the flow it starts."""
        return self.catalog.flow_for_topic(topic)

    def flow_for_text(self, text: str) -> str | None:
        """The flow for free text typed when no conversation is running."""
        return self.catalog.flow_for_text(text)

    def suggestions(self, text: str, k: int = 3) -> list[tuple[str, str]]:
        """(flow id, title) of the flows a question most likely belongs to, for buttons."""
        return self.catalog.suggestions(text, k)

    def confident_flow(self, text: str) -> str | None:
        """The flow a question belongs to when the router is confident, else None."""
        return self.catalog.confident_flow(text)

    # -- scheduled jobs -----------------------------------------------------------------------

    async def run_job(self, job: Job) -> tuple[ConversationRef, list[Reply]]:
        """Turn a due job into replies for one conversation (the caller delivers them).

        Raises:
            CoachError: no handler is registered for the job's kind.
        """
        handler = self.job_handlers.get(job.kind)
        if handler is None:
            raise CoachError(f"unknown job kind {job.kind!r}")
        return await handler(job)

    async def _run_ask_timeout(self, job: Job) -> tuple[ConversationRef, list[Reply]]:
        ref = ref_from_json(job.payload["ref"])
        replies = await self.handle(
            Incoming(
                conversation=ref,
                timeout_token=str(job.payload["seq"]),
                event_id=f"job:{job.id}",
                received_at=self.clock(),
            )
        )
        return ref, replies

    async def _run_reminder(self, job: Job) -> tuple[ConversationRef, list[Reply]]:
        ref = ref_from_json(job.payload["ref"])
        text = self.renderer.render(
            platform=ref.platform,
            context=job.payload["context"],
            seed=job.id,
            template=job.payload["template"],
        )
        return ref, [Reply(text, destination="dm")]


def _new_turn(engine: Engine, incoming: Incoming, state: ConversationState) -> Turn:
    return Turn(
        engine.catalog,
        incoming,
        state,
        ActionContext(
            conversation=incoming.conversation,
            now=engine.clock(),
            time_zone=incoming.user.time_zone or state.time_zone,
            store=engine.store,
            user=incoming.user,
            renderer=engine.renderer,
        ),
        engine.step_listener,
    )
