"""Referral cards: a member shares an opportunity in a space's referral channel, colleagues answer
it with one click, privately.

How the adapters (Slack, Discord) reach it: only through ``Coach.handle``, as events that
:mod:`bot.coaching.referral_events` routes here (a click on a ``ref:`` button, the
``referral-channel`` admin command, ``referral-posted`` after a card went out):

- **Where cards go.** :meth:`ReferralBoard.card` with a channel gives a
  :class:`~bot.boundary.Reply` with ``destination="referral_channel"`` and ``to`` naming the
  channel (the ``share_referral`` action sends one); the adapter posts it there and reports the
  message id, so that later updates edit the same message.
- **Clicks.** :meth:`ReferralBoard.respond` gives a :class:`ReferralOutcome`: ``ack`` for the
  person who clicked, ``card`` for the posted message, ``notice`` for ``sharer``'s DM; the
  events module turns it into replies with ``replaces`` and ``to``.
- **Settings.** :meth:`ReferralBoard.set_referral_channel`.

Privacy (docs/personal-data.md): a card names nobody, not even the sharer, and shows the
recruiter's contact only when the sharer chose to; who clicked goes to the sharer alone, in a DM.
Nothing is posted without the sharer having seen a preview and said yes (``share_opportunity``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from bot.boundary import Card, Choice, ConversationRef, Reply, clean_text
from bot.dialog.state import ref_from_json, ref_to_json
from bot.render.templates import TemplateRenderer
from bot.store import JSON, REFERRAL_KINDS, Referral, ReferralAnswer, ReferralStore, SpaceSettings

__all__ = (
    "REFERRAL_CHANNEL",
    "TOKEN_PREFIX",
    "BoardStore",
    "Opportunity",
    "ReferralBoard",
    "ReferralOutcome",
    "parse_token",
)

REFERRAL_CHANNEL = "referral_channel"  # the space setting naming the channel
TOKEN_PREFIX = "ref:"
_CARD_KEY = "referral:{id}"
_FIELD_LABELS = (
    ("level", "Level"),
    ("location", "Location"),
    ("skills", "Skills"),
    ("recruiter_contact", "Recruiter"),
)


@dataclass(frozen=True, slots=True)
class Opportunity:
    """What a card says about a role. ``recruiter_contact`` is None unless the sharer chose to
    show it."""

    role: str
    level: str = ""
    location: str = ""
    skills: str = ""
    recruiter_contact: str | None = None

    def to_json(self) -> dict[str, JSON]:
        return {
            "role": self.role,
            "level": self.level,
            "location": self.location,
            "skills": self.skills,
            "recruiter_contact": self.recruiter_contact,
        }


@dataclass(frozen=True, slots=True)
class ReferralOutcome:
    """What a click on a card produces; see the module docstring for who gets what."""

    ack: Reply
    card: Reply | None = None
    notice: Reply | None = None
    sharer: ConversationRef | None = None
    referral: Referral | None = field(default=None, repr=False)


def parse_token(token: str) -> tuple[int, str] | None:
    """``ref:<id>:<kind>`` as (id, kind); None for anything else."""
    prefix, _, rest = token.partition(":")
    number, _, kind = rest.partition(":")
    if f"{prefix}:" != TOKEN_PREFIX or not number.isdigit():
        return None
    if kind not in (*REFERRAL_KINDS, "close"):
        return None
    return int(number), kind


class BoardStore(ReferralStore, SpaceSettings, Protocol):
    """The store ports the board uses: referrals, and the space setting naming the channel."""


class ReferralBoard:
    """Shares opportunities as cards and records the answers to them."""

    def __init__(self, store: BoardStore, renderer: TemplateRenderer) -> None:
        self.store = store
        self.renderer = renderer
        # A fixed, valid text: not checked at start-up, which would import Jinja for it alone.
        self._value = renderer.checked_inline(("{{ value }}",), name="referral card value")

    # settings

    async def referral_channel(self, platform: str, space: str) -> str | None:
        return await self.store.get_space_setting(platform, space, REFERRAL_CHANNEL)

    async def set_referral_channel(self, platform: str, space: str, channel: str | None) -> None:
        """Set (or, with None, remove) the space's referral channel."""
        await self.store.set_space_setting(platform, space, REFERRAL_CHANNEL, channel)

    # sharing

    async def share(self, sharer: ConversationRef, opportunity: Opportunity) -> Referral:
        """Save an opportunity to post. The caller must have shown the sharer a preview and
        had a yes; the card itself comes from :meth:`card`."""
        if sharer.space is None:
            raise ValueError("a referral needs a space (a Slack workspace or Discord server)")
        return await self.store.create_referral(
            platform=sharer.platform,
            space=sharer.space,
            sharer_key=sharer.user_key,
            sharer_ref=ref_to_json(sharer),
            opportunity=opportunity.to_json(),
        )

    async def record_posted(self, referral_id: int, channel: str, message_id: str) -> None:
        await self.store.set_referral_message(referral_id, channel, message_id)

    def card(self, referral: Referral, channel: str | None = None) -> Reply:
        """The card for the referral channel: no names, the counts, buttons while open.

        With ``channel`` (a new card) the reply is addressed to it (``Reply.to``)."""
        view = referral_view(referral)
        fields = [
            (label, self._escape(referral.platform, view[key]))
            for key, label in _FIELD_LABELS
            if view[key]
        ]
        fields.append(("Interested", str(referral.interested_count)))
        fields.append(("Know someone", str(referral.know_someone_count)))
        text = self._render(referral.platform, "share_card", referral=view)
        title = self._escape(referral.platform, view["role"])
        if referral.status != "open":
            title = f"Closed: {title}"
        return Reply(
            text,
            choices=self._buttons(referral),
            card=Card(title, tuple(fields), key=_CARD_KEY.format(id=referral.id)),
            visibility="conversation",
            destination="referral_channel",
            to=None if channel is None else self._channel_ref(referral, channel),
        )

    @staticmethod
    def _channel_ref(referral: Referral, channel: str) -> ConversationRef:
        sharer = ref_from_json(referral.sharer_ref)
        return ConversationRef(sharer.platform, channel, sharer.user, space=referral.space)

    def _buttons(self, referral: Referral) -> tuple[Choice, ...]:
        if referral.status != "open":
            return ()
        token = f"{TOKEN_PREFIX}{referral.id}:"
        return (
            Choice("interested", "I'm interested", f"{token}interested", "primary"),
            Choice("know_someone", "I know someone", f"{token}know_someone"),
            Choice("close", "Close", f"{token}close", "danger"),
        )

    # answers

    async def respond(
        self, token: str, responder: ConversationRef, responder_name: str | None
    ) -> ReferralOutcome:
        """Apply a click on a card; see the module docstring for what the adapter sends."""
        if responder_name is not None:  # a display name enters the core here, not via Incoming
            responder_name = clean_text(responder_name)
        parsed = parse_token(token)
        referral = None if parsed is None else await self.store.get_referral(parsed[0])
        if parsed is None or referral is None:
            return ReferralOutcome(self._ack(responder, "gone"))
        kind = parsed[1]
        if kind == "close":
            return await self._close(referral, responder)
        if referral.status != "open":
            return self._outcome(referral, self._ack(responder, "closed"))
        added = await self.store.add_referral_response(referral.id, responder.user_key, kind)
        fresh = await self.store.get_referral(referral.id) or referral
        if not added:
            said = "repeat" if fresh.status == "open" else "closed"
            return self._outcome(fresh, self._ack(responder, said))
        return ReferralOutcome(
            self._ack(responder, kind),
            card=self.card(fresh),
            notice=self._notice(fresh, kind, responder_name),
            sharer=ref_from_json(fresh.sharer_ref),
            referral=fresh,
        )

    async def _close(self, referral: Referral, responder: ConversationRef) -> ReferralOutcome:
        if responder.user_key != referral.sharer_key:
            return self._outcome(referral, self._ack(responder, "not_yours"))
        closed = await self.store.close_referral(referral.id, responder.user_key)
        fresh = await self.store.get_referral(referral.id) or referral
        return self._outcome(fresh, self._ack(responder, "closed_now" if closed else "closed"))

    def _outcome(self, referral: Referral, ack: Reply) -> ReferralOutcome:
        return ReferralOutcome(ack, card=self.card(referral), referral=referral)

    def _ack(self, responder: ConversationRef, outcome: str) -> Reply:
        text = self._render(responder.platform, "share_ack", outcome=outcome)
        return Reply(text, visibility="private")

    def _notice(self, referral: Referral, kind: str, responder_name: str | None) -> Reply:
        text = self._render(
            referral.platform,
            "share_notice",
            referral=referral_view(referral),
            kind=kind,
            responder=responder_name or "",
        )
        return Reply(text, visibility="private", destination="dm")

    # the user's own

    async def shared_by(self, user_key: str) -> list[Referral]:
        return await self.store.referrals_shared_by(user_key)

    async def answered_by(self, user_key: str) -> list[ReferralAnswer]:
        return await self.store.referrals_answered_by(user_key)

    # rendering

    def _render(self, platform: str, template: str, **context: Any) -> str:
        return self.renderer.render(platform=platform, context=context, seed=0, template=template)

    def _escape(self, platform: str, value: object) -> str:
        """A user's text made safe for the card, with the platform's escaper."""
        return self.renderer.render(
            platform=platform, context={"value": str(value)}, seed=0, inline=self._value
        )


def referral_view(referral: Referral) -> dict[str, Any]:
    """A referral as template values: the opportunity's fields, the status and the counts."""
    opportunity = referral.opportunity
    return {
        "id": referral.id,
        "role": str(opportunity.get("role") or ""),
        "level": str(opportunity.get("level") or ""),
        "location": str(opportunity.get("location") or ""),
        "skills": str(opportunity.get("skills") or ""),
        "recruiter_contact": opportunity.get("recruiter_contact") or None,
        "status": referral.status,
        "interested_count": referral.interested_count,
        "know_someone_count": referral.know_someone_count,
    }
