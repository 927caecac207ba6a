"""What the App Home shows a person: the core's read model (:meth:`bot.app.Coach.home`) as lines.

Upcoming callbacks, contacts and referrals come already formatted in the person's time zone;
the strings built here are plain text, escaped by :func:`adapters.slack.render.to_home`.
"""

from __future__ import annotations

from adapters.slack.render import HomeView
from bot.app import AnsweredReferral, Callback, Home, SavedContact, SharedReferral

__all__ = ("answered_line", "callback_line", "contact_line", "home_view", "shared_line")


def home_view(home: Home) -> HomeView:
    return HomeView(
        callbacks=tuple(callback_line(c) for c in home.callbacks),
        contacts=tuple(contact_line(c) for c in home.contacts),
        shared=tuple(shared_line(r) for r in home.shared),
        answered=tuple(answered_line(a) for a in home.answered),
    )


def callback_line(callback: Callback) -> str:
    """The call's time as the person says it ("Tuesday 24 November, 6:30 pm") and number."""
    return f"{callback.when}, on {callback.phone}" if callback.phone else callback.when


def contact_line(contact: SavedContact) -> str:
    line = f"{contact.name} ({contact.agency})" if contact.agency else contact.name
    return f"{line}: {contact.reach}" if contact.reach else line


def shared_line(referral: SharedReferral) -> str:
    """A referral the person shared: the role, open or closed, and the answers so far."""
    return (
        f"{referral.role} ({referral.status}): {referral.interested} interested, "
        f"{referral.know_someone} know someone"
    )


def answered_line(answer: AnsweredReferral) -> str:
    """A referral the person answered: which one, and how."""
    return f"Referral #{answer.referral_id}: {answer.answer}"
