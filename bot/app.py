"""Compose the coach: content, store, engine and scheduler, for any adapter. The public API.

An adapter calls :func:`open_coach` with its settings, the escaper for its platform and its
:class:`Delivery`, then feeds events to :meth:`Coach.handle` (or its durable inbox,
:meth:`Coach.open_inbox`) and reads a person's overview with :meth:`Coach.home`.

Adapters import from ``bot/`` only ``bot.boundary``, ``bot.errors``, ``bot.config`` and this
module; everything else they need is re-exported here and listed in ``__all__`` (the read models
of :mod:`bot.coaching.home`, the inbox and its stamps, the names of the referral events,
the ``/recruiter`` parser and the neutral markup of :mod:`bot.render.markup` that renderers
walk). The authoring tools (``adapters/studio``) use the second public surface, ``bot.flowtools``.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import socket
import threading
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from bot import startup
from bot.answers.condition_tests import app_tests
from bot.boundary import ConversationRef, Incoming, Reply
from bot.coaching.contacts import KEEP_IN_TOUCH, KeepInTouchJobs
from bot.coaching.decision import register_decision_actions
from bot.coaching.home import (
    AnsweredReferral,
    Callback,
    Home,
    SavedContact,
    SharedReferral,
    read_home,
)
from bot.coaching.legitimacy_actions import register_legitimacy_actions
from bot.coaching.message_actions import register_message_actions
from bot.coaching.personal import register_personal_actions
from bot.coaching.referral_events import POSTED_COMMAND as REFERRAL_POSTED
from bot.coaching.referral_events import SETTING_COMMAND as REFERRAL_CHANNEL_COMMAND
from bot.coaching.referral_events import ReferralEvents
from bot.coaching.referrals import TOKEN_PREFIX as REFERRAL_TOKEN_PREFIX
from bot.coaching.referrals import ReferralBoard
from bot.coaching.reminders import register_builtin_actions
from bot.config import DEFAULT_DIALOGS_DIR, Settings
from bot.dialog.catalog import TopicRouter
from bot.dialog.commands import CHECK_COMMAND, recruiter_command
from bot.dialog.engine import Engine
from bot.dialog.failures import APOLOGY
from bot.dialog.inbox import Inbox, InboxAdapter, decimal_stamp, integer_stamp, worker_name
from bot.dialog.scheduler import Delivery, Scheduler
from bot.dialog.state import ConversationState
from bot.flow.actions import ActionRegistry
from bot.flow.cache import load_flows_cached
from bot.flow.contentdirs import fallback_template_names, flows_dir, topics_root
from bot.flow.registry import FlowRegistry
from bot.render.markup import (
    Bold,
    Italic,
    LineBreak,
    Link,
    ListItem,
    Node,
    Text,
    escape,
    parse,
    to_plain,
)
from bot.render.templates import TemplateRenderer
from bot.store import JSON, Job, Store, UserRecord
from bot.store.factory import build_store

__all__ = (
    "APOLOGY",
    "CHECK_COMMAND",
    "REFERRAL_CHANNEL_COMMAND",
    "REFERRAL_POSTED",
    "REFERRAL_TOKEN_PREFIX",
    "AnsweredReferral",
    "Bold",
    "Callback",
    "Coach",
    "Delivery",
    "Home",
    "Inbox",
    "InboxAdapter",
    "Italic",
    "LineBreak",
    "Link",
    "ListItem",
    "Node",
    "SavedContact",
    "SharedReferral",
    "Text",
    "build_actions",
    "build_router",
    "decimal_stamp",
    "escape",
    "integer_stamp",
    "load_content",
    "open_coach",
    "parse",
    "recruiter_command",
    "to_plain",
)


logger = logging.getLogger(__name__)


def build_actions() -> ActionRegistry:
    """Every action flows may call."""
    actions = ActionRegistry()
    register_builtin_actions(actions)
    register_personal_actions(actions)
    register_decision_actions(actions)
    register_legitimacy_actions(actions)
    register_message_actions(actions)
    return actions


def build_renderer(
    dialogs_dir: Path, *, escapers: Mapping[str, Callable[[str], str]] | None = None
) -> TemplateRenderer:
    """The templates of a dialogs folder, with the app's condition tests; the coach's own
    messages the folder lacks come from the shipped dialogs (see bot.render.fallback)."""
    return TemplateRenderer(
        template_dirs=[dialogs_dir / "templates"],
        escapers=escapers,
        tests=app_tests(),
        fallback_dirs=[DEFAULT_DIALOGS_DIR / "templates"],
        fallback_names=fallback_template_names(dialogs_dir, DEFAULT_DIALOGS_DIR),
    )


def load_content(
    dialogs_dir: Path,
    *,
    actions: ActionRegistry | None = None,
    escapers: Mapping[str, Callable[[str], str]] | None = None,
    cache_dir: Path | None = None,
) -> tuple[TemplateRenderer, FlowRegistry]:
    """Templates and flows from a dialogs folder; raises FlowErrors on any mistake.

    With ``cache_dir`` (the data folder) the loaded flows are kept there and read back by the
    next start while nothing they depend on changed (:mod:`bot.flow.cache`).
    """
    renderer = build_renderer(dialogs_dir, escapers=escapers)
    flows = flows_dir(dialogs_dir, DEFAULT_DIALOGS_DIR)
    registry = load_flows_cached(
        flows, renderer=renderer, actions=actions or build_actions(), cache_dir=cache_dir
    )
    return renderer, registry


@dataclass(slots=True)
class Coach:
    settings: Settings
    store: Store
    engine: Engine
    scheduler: Scheduler | None
    # The referral board, for the App Home read model and tests; adapters send card clicks and
    # the referral commands through handle() (bot.coaching.referral_events).
    referrals: ReferralBoard

    async def warm_up(self) -> None:
        """Train the topic router now, in a thread, instead of at the first question routed
        (scikit-learn takes about a second to import). Servers call it once after start-up."""
        load = getattr(self.engine.router, "load", None)
        if load is not None:
            await asyncio.to_thread(load)

    def warm_up_in_background(self) -> None:
        """The same in a daemon thread, for the console: it never delays start or exit."""
        load = getattr(self.engine.router, "load", None)
        if load is not None:
            threading.Thread(target=load, name="router-warm-up", daemon=True).start()

    async def handle(self, incoming: Incoming, *, durable: bool = False) -> list[Reply]:
        """One event's turn: the replies to send (never raises; see Engine.handle).
        ``durable``: the event runs from the durable inbox (an adapter's own runner): a busy
        database is waited out, and the replies are kept in the event's inbox row (give the
        turn the inbox event's ``event_id``) for a worker that takes the event over."""
        return await self.engine.handle(incoming, durable=durable)

    def knows_topic(self, word: str) -> bool:
        """Whether ``word`` names a topic, flow or command word (``/recruiter <word>``)."""
        return self.engine.flow_for_topic(word) is not None

    def topics(self) -> list[tuple[str, str]]:
        """(topic id, flow title) for every topic the flows declare, for autocomplete."""
        registry = self.engine.registry
        return [(topic, registry.flows[flow].title) for topic, flow in registry.topics().items()]

    async def is_running(self, conversation: ConversationRef) -> bool:
        """Whether a flow is under way in this conversation (a question waits for an answer)."""
        stored = await self.store.load_conversation(conversation.key)
        return stored is not None and ConversationState.from_json(stored.state).active

    async def knows_person(self, user_key: str) -> bool:
        """Whether anything is kept about this person: every turn keeps their user record, and
        ``forget`` deletes it (an adapter then drops what it keeps of them, such as files)."""
        return await self.store.load_user(user_key) is not None

    async def home(self, user_key: str, time_zone: str | None) -> Home:
        """The callbacks, contacts and referrals of this person (Slack's App Home)."""
        return await read_home(self.store, self.referrals, user_key, time_zone)

    async def user_settings(self, user_key: str) -> dict[str, JSON]:
        """An adapter's settings kept for a person or a space (a copy; empty when none)."""
        record = await self.store.load_user(user_key)
        return dict(record.settings) if record is not None else {}

    async def save_user_settings(self, user_key: str, settings: dict[str, JSON]) -> None:
        """Replace those settings; the person's time zone stays as it is."""
        record = await self.store.load_user(user_key) or UserRecord(user_key)
        await self.store.save_user(UserRecord(user_key, record.time_zone, settings))

    def open_inbox(
        self, adapter: InboxAdapter, *, platforms: tuple[str, ...], concurrency: int
    ) -> Inbox:
        """This worker's side of the durable inbox for ``platforms`` (start it with ``start``)."""
        return Inbox(
            self.store,
            self.engine,
            adapter,
            worker_id=worker_name(),
            concurrency=concurrency,
            platforms=platforms,
        )

    async def close(self) -> None:
        if self.scheduler is not None:
            await self.scheduler.stop()
        await self.store.close()


async def open_coach(
    settings: Settings,
    *,
    delivery: Delivery | None = None,
    escapers: Mapping[str, Callable[[str], str]] | None = None,
    router: TopicRouter | None = None,
    store: Store | None = None,
    platforms: tuple[str, ...] | None = None,
) -> Coach:
    """Load content, open (and migrate) the store and, given a delivery, start the scheduler."""
    actions = build_actions()
    renderer, registry = load_content(
        settings.dialogs_dir, actions=actions, escapers=escapers, cache_dir=settings.data_dir
    )
    store = store or build_store(settings.database_url)
    await store.open()
    engine = Engine(
        registry=registry,
        renderer=renderer,
        store=store,
        actions=actions,
        router=router or build_router(settings.dialogs_dir, settings.data_dir),
    )
    engine.job_handlers[KEEP_IN_TOUCH] = KeepInTouchJobs(store, renderer, engine.clock)
    board = ReferralBoard(store, renderer)
    engine.event_handlers.append(ReferralEvents(board))
    scheduler = None
    if delivery is not None:
        scheduler = Scheduler(
            store,
            _job_runner(engine, delivery),
            platforms=platforms,
            worker_id=f"{socket.gethostname()}-{os.urandom(4).hex()}",
        )
        scheduler.start()
    # Everything loaded so far lives as long as the process: keep it out of the garbage
    # collector's full passes, which otherwise pause a turn now and then for tens of ms.
    gc.freeze()
    startup.end()  # and collect as usual from here on (bot.cli raised the threshold)
    return Coach(settings, store, engine, scheduler, board)


def build_router(dialogs_dir: Path, cache_dir: Path | None = None) -> TopicRouter:
    """The classifier over ``dialogs/topics/``; a content folder without topics routes nothing
    (one without flows of its own routes with the shipped topics, see bot.flow.contentdirs).

    With ``cache_dir`` (the data folder) the trained router is kept there and read back by the
    next process (:mod:`bot.routing.cache`), so only a change of the topics trains it again.
    """
    dialogs_dir = topics_root(dialogs_dir, DEFAULT_DIALOGS_DIR)
    if not (dialogs_dir / "topics").is_dir():
        logger.info("no topics/ in %s: free text is not routed to topics", dialogs_dir)
        return TopicRouter()
    if cache_dir is not None:
        from bot.routing.cached import CachedRouter

        return CachedRouter(dialogs_dir, cache_dir)
    from bot.routing.router import LazyRouter  # checks the topic files now; trains on first use

    return LazyRouter(dialogs_dir)


def _job_runner(engine: Engine, delivery: Delivery) -> Callable[[Job], Awaitable[None]]:
    async def run(job: Job) -> None:
        conversation, replies = await engine.run_job(job)
        if not replies:
            return
        # Recorded just before the platform is called: a worker that dies after this point
        # cannot make another one send the same reminder again (at most once; see docs).
        if not await engine.store.mark_job_sending(job.id, attempts=job.attempts):
            logger.warning("job %s: taken over by another worker; not sent here", job.id)
            return
        posted = await delivery.deliver(conversation, replies)
        # The platform's answer, recorded the moment it came: a job left "sending" with it was
        # delivered; one without it died between the mark and the answer (see docs/slack.md).
        sent_ref = " ".join(posted) if posted else "accepted"
        await engine.store.record_job_sent(job.id, sent_ref=sent_ref[:200])

    return run
