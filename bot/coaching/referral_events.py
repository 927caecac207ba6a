"""Referral events through the engine: card clicks, the admin's channel, a card's message id.

:class:`ReferralEvents` is an :class:`~bot.dialog.engine.EventHandler` that the composition root
(:mod:`bot.app`) registers, so adapters hand these events to ``Coach.handle`` like any other:

- a click: ``Incoming.choice_token`` starting with :data:`TOKEN_PREFIX` (``ref:<id>:<action>``).
  The replies: the card edited in place (``Reply.replaces`` = the card's key), the private
  acknowledgement for the person who clicked, and, when there is one, the notice for the sharer
  (``Reply.to`` = the sharer's conversation, ``destination="dm"``).
- ``Command("referral-channel", "<channel id>")`` (``"off"`` removes it) in a conversation of
  the space: sets the space's referral channel. The adapter checked the caller is an admin
  (platform knowledge) and words the confirmation; no replies means it was saved.
- ``Command("referral-posted", "<referral id> <channel> <message id>")``: the adapter posted a
  new card (``Reply.to`` named the channel) and says where, so later clicks edit that message.
"""

from __future__ import annotations

from dataclasses import replace

from bot.boundary import Incoming, Reply
from bot.coaching.referrals import TOKEN_PREFIX, ReferralBoard

__all__ = ("POSTED_COMMAND", "SETTING_COMMAND", "ReferralEvents")

SETTING_COMMAND = "referral-channel"
POSTED_COMMAND = "referral-posted"
OFF = "off"
_COMMANDS = (SETTING_COMMAND, POSTED_COMMAND)


class ReferralEvents:
    """Routes referral events to the board and says where each answer goes."""

    def __init__(self, board: ReferralBoard) -> None:
        self.board = board

    def claims(self, incoming: Incoming) -> bool:
        token = incoming.choice_token
        if token is not None:
            return token.startswith(TOKEN_PREFIX)
        return incoming.command is not None and incoming.command.name in _COMMANDS

    async def handle(self, incoming: Incoming) -> list[Reply]:
        if incoming.choice_token is not None:
            return await self._click(incoming, incoming.choice_token)
        assert incoming.command is not None  # claims() let only these through
        if incoming.command.name == SETTING_COMMAND:
            return await self._set_channel(incoming, incoming.command.args.strip())
        return await self._posted(incoming.command.args)

    async def _click(self, incoming: Incoming, token: str) -> list[Reply]:
        responder = incoming.conversation
        outcome = await self.board.respond(token, responder, incoming.user.display_name)
        replies: list[Reply] = []
        card = outcome.card
        if card is not None and card.card is not None:
            replies.append(replace(card, replaces=card.card.key))
        replies.append(outcome.ack)
        if outcome.notice is not None and outcome.sharer is not None:
            replies.append(replace(outcome.notice, to=outcome.sharer))
        return replies

    async def _set_channel(self, incoming: Incoming, channel: str) -> list[Reply]:
        ref = incoming.conversation
        if ref.space is None:
            raise ValueError("a referral channel belongs to a space; this event has none")
        if not channel:
            raise ValueError("referral-channel needs a channel id or 'off'")
        value = None if channel == OFF else channel
        await self.board.set_referral_channel(ref.platform, ref.space, value)
        return []

    async def _posted(self, args: str) -> list[Reply]:
        number, channel, message_id = args.split()
        await self.board.record_posted(int(number), channel, message_id)
        return []
