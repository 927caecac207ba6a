"""The listeners Bolt calls, put together: each acknowledges first, then converts, asks the engine,
and sends (see :mod:`adapters.slack.listeners` for how the work is deferred after the ack).

Nothing here decides dialog: commands, choices and forms go to ``Coach.handle`` (or the inbox);
referral card clicks and the admin setting are events for ``Coach.handle`` too; the rest is
Slack plumbing.
"""

from __future__ import annotations

from adapters.slack.listeners import Ack
from adapters.slack.on_action import ActionListeners
from adapters.slack.on_command import CommandListeners
from adapters.slack.on_message import MessageListeners
from adapters.slack.on_modal import SUBMIT_BUDGET, ModalListeners

__all__ = ("SUBMIT_BUDGET", "Ack", "Handlers")


class Handlers(CommandListeners, MessageListeners, ActionListeners, ModalListeners):
    """One instance per app: the listeners Bolt calls, sharing the sender and caches."""
