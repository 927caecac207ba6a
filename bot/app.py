"""Compose the coach: content, store, engine and scheduler, for any adapter.

An adapter calls :func:`open_coach` with its settings, the escaper for its platform and its
:class:`bot.dialog.scheduler.Delivery`, then feeds events to ``coach.engine.handle``.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import socket
import threading
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from bot import startup
from bot.answers.conditions import app_tests
from bot.coaching.contacts import KEEP_IN_TOUCH, KeepInTouchJobs
from bot.coaching.decision import register_decision_actions
from bot.coaching.legitimacy_actions import register_legitimacy_actions
from bot.coaching.message_actions import register_message_actions
from bot.coaching.personal import register_personal_actions
from bot.coaching.referrals import ReferralBoard
from bot.coaching.reminders import register_builtin_actions
from bot.config import DEFAULT_DIALOGS_DIR, Settings
from bot.dialog.catalog import TopicRouter
from bot.dialog.commands import CHECK_COMMAND, recruiter_command
from bot.dialog.engine import Engine
from bot.dialog.scheduler import Delivery, Scheduler
from bot.flow.actions import ActionRegistry
from bot.flow.contentdirs import fallback_template_names, flows_dir, topics_root
from bot.flow.loader import FlowRegistry, load_flows
from bot.render.templates import TemplateRenderer
from bot.store import Job, Store
from bot.store.factory import build_store

__all__ = (
    "CHECK_COMMAND",
    "Coach",
    "build_actions",
    "build_router",
    "load_content",
    "open_coach",
    "recruiter_command",  # the one parser of `/recruiter <text>`, for every adapter
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
        fallback_names=fallback_template_names(dialogs_dir),
    )


def load_content(
    dialogs_dir: Path,
    *,
    actions: ActionRegistry | None = None,
    escapers: Mapping[str, Callable[[str], str]] | None = None,
) -> tuple[TemplateRenderer, FlowRegistry]:
    """Templates and flows from a dialogs folder; raises FlowErrors on any mistake."""
    renderer = build_renderer(dialogs_dir, escapers=escapers)
    registry = load_flows(
        flows_dir(dialogs_dir), renderer=renderer, actions=actions or build_actions()
    )
    return renderer, registry


@dataclass(slots=True)
class Coach:
    settings: Settings
    store: Store
    engine: Engine
    scheduler: Scheduler | None
    # Referral cards: adapters send clicks on `ref:` buttons here (see bot.coaching.referrals).
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
    renderer, registry = load_content(settings.dialogs_dir, actions=actions, escapers=escapers)
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
    scheduler = None
    if delivery is not None:
        scheduler = Scheduler(
            store,
            _job_runner(engine, delivery),
            platforms=platforms,
            worker_id=f"{socket.gethostname()}-{uuid.uuid4().hex[:8]}",
        )
        scheduler.start()
    # Everything loaded so far lives as long as the process: keep it out of the garbage
    # collector's full passes, which otherwise pause a turn now and then for tens of ms.
    gc.freeze()
    startup.end()  # and collect as usual from here on (bot.cli raised the threshold)
    return Coach(settings, store, engine, scheduler, ReferralBoard(store, renderer))


def build_router(dialogs_dir: Path, cache_dir: Path | None = None) -> TopicRouter:
    """The classifier over ``dialogs/topics/``; a content folder without topics routes nothing
    (one without flows of its own routes with the shipped topics, see bot.flow.contentdirs).

    With ``cache_dir`` (the data folder) the trained router is kept there and read back by the
    next process (:mod:`bot.routing.cache`), so only a change of the topics trains it again.
    """
    dialogs_dir = topics_root(dialogs_dir)
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
        await delivery.deliver(conversation, replies)

    return run
