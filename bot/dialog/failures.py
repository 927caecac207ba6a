"""When a turn fails: one apology for the user, and a log line without what the user wrote."""

from __future__ import annotations

import logging
import traceback

from bot.boundary import Incoming, Reply
from bot.render.templates import TemplateRenderer

__all__ = ("APOLOGY", "apology", "log_failure")

APOLOGY = "Sorry, something went wrong on my side. Let's try that again."


def apology(renderer: TemplateRenderer, incoming: Incoming) -> Reply:
    """The ``coach_sorry`` template, or :data:`APOLOGY` when even that fails."""
    try:
        text = renderer.render(
            platform=incoming.conversation.platform, context={}, seed=0, template="coach_sorry"
        )
    except Exception:
        text = APOLOGY
    return Reply(text)


def log_failure(logger: logging.Logger, incoming: Incoming, exc: BaseException) -> None:
    """Log the failure's type, where it happened and its causes' types."""
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
