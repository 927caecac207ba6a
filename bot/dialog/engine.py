"""The dialog engine: ``handle(Incoming) -> list[Reply]``, the one call adapters make.

For each event the engine loads the conversation, runs a :class:`bot.dialog.turn.Turn`, and
commits the
new state with an optimistic version check. When another event for the same conversation was
committed first (two workers, or two quick clicks) the turn is recomputed on the fresh state, so no
answer is lost. A retried platform event (same ``event_id``) is answered once.

``handle`` never raises: a failing action or template keeps the previous step, the user gets one
apology, and the log gets the conversation key and the error's type, never what the user wrote.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import traceback
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.boundary import ConversationRef, Incoming, Reply
from bot.dialog.busy import Backoff, is_busy
from bot.dialog.route_policy import ROUTE_MARGIN, ROUTE_THRESHOLD, confident_topic
from bot.dialog.state import ConversationState, Frame, ref_from_json
from bot.dialog.turn import Turn
from bot.errors import CoachError
from bot.flow.actions import ActionContext, ActionRegistry
from bot.flow.loader import FlowRegistry, compile_flow
from bot.flow.model import Flow
from bot.render.templates import TemplateRenderer
from bot.store import (
    DuplicateEventError,
    Job,
    Store,
    StoredConversation,
    TurnCommit,
    UserRecord,
    VersionConflictError,
)

__all__ = ("APOLOGY", "Engine", "JobHandler", "TopicRouter")

logger = logging.getLogger(__name__)

JobHandler = Callable[[Job], Awaitable[tuple[ConversationRef, list[Reply]]]]
"""Turns a due job into the replies to deliver, and the conversation to deliver them to."""

APOLOGY = "Sorry, something went wrong on my side. Let's try that again."
# Short words people type after /recruiter (or in a DM) -> the topic or flow they start.
COMMAND_WORDS = {
    "check": "legitimacy",
    "verify": "legitimacy",
    "legit": "legitimacy",
    "contacts": "relationship",
    "refer": "share_opportunity",
    "share": "share_opportunity",
    "decide": "decide_interview",
    "reminder": "callback",
    "reminders": "callback",
    # the words the texts tell people to type (never a flow's internal id)
    "my callback": "callback",
    "my call": "callback",
    "my recruiters": "relationship",
    "my contacts": "relationship",
}
MAX_CONFLICT_RETRIES = 8
PRIVACY_NOTICE = "coach_privacy"


class TopicRouter:
    """Picks topics for free text; :mod:`bot.routing.router` has the real one, this one knows
    none."""

    def route(self, text: str) -> tuple[str, float] | None:
        """The most likely topic and its probability, or None."""
        ranked = self.rank(text, 1)
        return ranked[0] if ranked else None

    def rank(self, text: str, k: int = 3) -> list[tuple[str, float]]:
        """The ``k`` most likely topics, most likely first."""
        return []


@dataclass(slots=True)
class _KeyLock:
    lock: asyncio.Lock
    users: int = 0


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
        self.router = router or TopicRouter()
        self.clock = clock
        self.event_ttl = event_ttl
        self.route_threshold = route_threshold
        self.route_margin = route_margin
        self._topics = registry.topics()
        self._locks: dict[str, _KeyLock] = {}
        self._notice_versions: dict[str, str] = {}  # platform -> privacy notice version
        self._saved_versions: set[str] = set()  # flow sources this process made sure are stored
        # Job kind -> what turns a due job into replies (bot.app adds "keep_in_touch").
        self.job_handlers: dict[str, JobHandler] = {
            "ask_timeout": self._run_ask_timeout,
            "reminder": self._run_reminder,
        }
        # Called with (flow id, step id) for every step a turn runs: coverage for `flows test`.
        self.step_listener: Callable[[str, str], None] | None = None
        if entry_flow not in registry.flows:
            raise CoachError(
                f"the entry flow {entry_flow!r} is not among the loaded flows: "
                f"{', '.join(sorted(registry.flows))}"
            )

    # -- the adapters' entry point ------------------------------------------------------------

    async def handle(self, incoming: Incoming) -> list[Reply]:
        key = incoming.conversation.key
        entry = self._locks.setdefault(key, _KeyLock(asyncio.Lock()))
        entry.users += 1
        try:
            async with entry.lock:  # one turn at a time per conversation in this process
                return await self._handle_with_retries(incoming)
        finally:
            entry.users -= 1
            if not entry.users:
                del self._locks[key]

    async def _handle_with_retries(self, incoming: Incoming) -> list[Reply]:
        conflicts, busy = 0, Backoff()
        while conflicts < MAX_CONFLICT_RETRIES:
            try:
                return await self._handle_once(incoming)
            except VersionConflictError:
                conflicts += 1  # another worker saved first: recompute on the fresh state
            except DuplicateEventError:
                return []
            except Exception as exc:  # never raise to an adapter
                # A busy database (no pooled connection free, a lock timeout) is load, not a
                # fault: nothing was saved, so the turn runs again a little later.
                if is_busy(exc) and await busy.wait():
                    continue
                self._log_failure(incoming, exc)
                return [self._apology(incoming)]
        logger.error(
            "conversation %s: gave up after %d version conflicts",
            incoming.conversation.key,
            MAX_CONFLICT_RETRIES,
        )
        return [self._apology(incoming)]

    async def _handle_once(self, incoming: Incoming) -> list[Reply]:
        if incoming.event_id and await self.store.is_processed(incoming.event_id):
            return []
        ref = incoming.conversation
        stored = await self.store.load_conversation(ref.key)
        state = ConversationState.from_json(stored.state) if stored else ConversationState()
        await self._load_versions(state)
        turn = await self._prepare_turn(incoming, state)
        await turn.run()
        if turn.show_privacy_notice:
            turn.replies.insert(
                0,
                Reply(
                    turn.engine.renderer.render(
                        platform=ref.platform,
                        context=turn.template_context({}),
                        seed=0,
                        template=PRIVACY_NOTICE,
                    )
                ),
            )
        await self._commit(incoming, stored, turn)
        return turn.replies

    async def _prepare_turn(self, incoming: Incoming, state: ConversationState) -> Turn:
        now = self.clock()
        zone = incoming.user.time_zone or state.time_zone
        turn = Turn(
            self,
            incoming,
            state,
            ActionContext(
                conversation=incoming.conversation,
                now=now,
                time_zone=zone,
                store=self.store,
                user=incoming.user,
                renderer=self.renderer,
            ),
        )
        if not state.active and incoming.timeout_token is None:
            await self._greet_user(turn)
        return turn

    async def _greet_user(self, turn: Turn) -> None:
        """At the start of a conversation: the user's remembered zone and the privacy notice."""
        user = await self.store.load_user(turn.incoming.conversation.user_key)
        if turn.context.time_zone is None and user is not None and user.time_zone:
            turn.context.time_zone = turn.state.time_zone = user.time_zone
        seen = user.settings.get("privacy_notice") if user else None
        version = self.privacy_notice_version(turn.incoming.conversation.platform)
        turn.show_privacy_notice = seen != version

    def privacy_notice_version(self, platform: str) -> str:
        """A digest of the notice's template: a deployment that changes its notice (a new
        ``coach_privacy.j2``) shows the new one once to everyone who saw the old one."""
        version = self._notice_versions.get(platform)
        if version is None:
            source = self.renderer.template_source(platform, PRIVACY_NOTICE)
            version = "sha256:" + hashlib.sha256(source.encode()).hexdigest()[:16]
            self._notice_versions[platform] = version
        return version

    async def _commit(
        self, incoming: Incoming, stored: StoredConversation | None, turn: Turn
    ) -> None:
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
        await self._save_flow_versions(turn.state)
        await self.store.commit_turn(
            TurnCommit(
                conversation_key=ref.key,
                user_key=ref.user_key,
                state=turn.state.to_json(),
                expected_version=stored.version if stored else 0,
                event_id=incoming.event_id,
                event_expires_at=expires,
                new_jobs=tuple(turn.context.new_jobs),
                cancel_job_keys=tuple(turn.context.cancel_job_keys),
                funnel=tuple(turn.funnel),
            )
        )
        if turn.show_privacy_notice or turn.new_user_time_zone:
            await self._after_commit(ref, turn)

    async def _after_commit(self, ref: ConversationRef, turn: Turn) -> None:
        """Remember the user once the turn is saved. A busy database is waited for here: the
        turn must not run again (its event is recorded, so it would answer nothing)."""
        busy = Backoff()
        while True:
            try:
                await self._remember_user(ref, turn)
                return
            except Exception as exc:
                if not (is_busy(exc) and await busy.wait()):
                    raise

    async def _remember_user(self, ref: ConversationRef, turn: Turn) -> None:
        user = await self.store.load_user(ref.user_key) or UserRecord(ref.user_key)
        settings = dict(user.settings)
        if turn.show_privacy_notice:
            settings["privacy_notice"] = self.privacy_notice_version(ref.platform)
        zone = turn.new_user_time_zone or user.time_zone
        await self.store.save_user(UserRecord(ref.user_key, zone, settings))

    async def _save_flow_versions(self, state: ConversationState) -> None:
        """Keep the source of every flow version a conversation runs on, so that it can go on
        on that version after the flows change. Saved on first use rather than at start-up."""
        for frame in state.stack:
            if frame.version not in self._saved_versions:
                flow = self.registry.by_version.get(frame.version)
                if flow is not None and flow.source:
                    await self.store.save_flow_source(
                        version=flow.version, flow_id=flow.id, source=flow.source
                    )
                self._saved_versions.add(frame.version)

    # -- flows and topics ---------------------------------------------------------------------

    def flow_of(self, frame: Frame) -> Flow:
        """The flow version a frame is pinned to (falling back to the current one)."""
        flow = self.registry.by_version.get(frame.version)
        if flow is None:  # the old version could not be loaded: continue on the current one
            flow = self.registry.flows[frame.flow]
            frame.version = flow.version
            if frame.step not in flow.steps:
                frame.step = flow.start
        return flow

    async def _load_versions(self, state: ConversationState) -> None:
        for frame in state.stack:
            if frame.version not in self.registry.by_version:
                await self._load_version(frame)

    async def _load_version(self, frame: Frame) -> None:
        source = await self.store.load_flow_source(frame.version)
        if source is None:
            return
        try:
            flow = compile_flow(
                source,
                path=f"<stored {frame.flow}@{frame.version}>",
                renderer=self.renderer,
                actions=self.actions,
            )
        except CoachError:
            logger.warning(
                "flow %s version %s no longer loads; using the current version",
                frame.flow,
                frame.version,
            )
            return
        self.registry.by_version[flow.version] = flow

    def flow_for_topic(self, topic: str) -> str | None:
        """A flow id, a topic id or a short command word (``check``) -> the flow it starts."""
        topic = topic.strip().lower().lstrip("/")
        topic = COMMAND_WORDS.get(topic, topic)
        if topic in self.registry.flows:
            return topic
        return self._topics.get(topic)

    def flow_for_text(self, text: str) -> str | None:
        """The flow for free text typed when no conversation is running."""
        return self.flow_for_topic(text) or self.confident_flow(text)

    def suggestions(self, text: str, k: int = 3) -> list[tuple[str, str]]:
        """(flow id, title) of the flows a question most likely belongs to, for buttons."""
        found: list[tuple[str, str]] = []
        for topic, _ in self.router.rank(text, k + 1):
            flow_id = self.flow_for_topic(topic)
            if flow_id and topic != "other" and flow_id not in (f for f, _ in found):
                found.append((flow_id, self.registry.flows[flow_id].title))
        return found[:k]

    def confident_flow(self, text: str) -> str | None:
        """The flow a question belongs to when the router is confident, else None."""
        # The top two: a top topic only narrowly ahead of the next gets buttons (route_policy).
        topic = confident_topic(self.router.rank(text, 2), self.route_threshold, self.route_margin)
        return self.flow_for_topic(topic) if topic else None

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

    # -- failures -----------------------------------------------------------------------------

    def _apology(self, incoming: Incoming) -> Reply:
        try:
            text = self.renderer.render(
                platform=incoming.conversation.platform, context={}, seed=0, template="coach_sorry"
            )
        except Exception:
            text = APOLOGY
        return Reply(text)

    def _log_failure(self, incoming: Incoming, exc: BaseException) -> None:
        # The exception's message may quote user text, so log its type and where it happened.
        frames = traceback.extract_tb(exc.__traceback__)
        where = f"{frames[-1].filename}:{frames[-1].lineno}" if frames else "?"
        causes = []
        cause = exc.__cause__
        while cause is not None:
            causes.append(type(cause).__name__)
            cause = cause.__cause__
        logger.error(
            "conversation %s: turn failed with %s at %s%s; previous step kept",
            incoming.conversation.key,
            type(exc).__name__,
            where,
            f" (caused by {', '.join(causes)})" if causes else "",
        )
