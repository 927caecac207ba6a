"""What the App Home shows a person: the core's read model (:meth:`bot.app.Coach.home`) as lines.

Upcoming callbacks, contacts and referrals come already formatted in the person's time zone;
the strings built here are plain text, escaped by :func:`adapters.slack.render.to_home`.
:class:`PublishedHomes` remembers what was published, so an unchanged Home is not sent again.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable

from adapters.slack.render import HomeView
from bot.app import AnsweredReferral, Callback, Home, SavedContact, SharedReferral

__all__ = (
    "HOME_TTL",
    "PublishedHomes",
    "answered_line",
    "callback_line",
    "contact_line",
    "fingerprint",
    "home_view",
    "shared_line",
)

HOME_TTL = 900.0  # seconds a published Home is trusted to still be what Slack shows
HOMES_MAX = 10000


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


class PublishedHomes:
    """What this worker last published to each person's App Home, as a fingerprint of the read
    model (:class:`HomeView`): an open that would show the same Home again publishes nothing.

    Kept per process for :data:`HOME_TTL` seconds. Another worker publishing a different Home
    in between is noticed as soon as the read model differs from this worker's last one; the
    Home can only stay stale if the read model goes back to exactly what this worker last
    published while another worker's newer Home is shown, and then for at most the TTL.
    """

    def __init__(
        self,
        *,
        ttl: float = HOME_TTL,
        clock: Callable[[], float] = time.monotonic,
        max_people: int = HOMES_MAX,
    ) -> None:
        self._ttl = ttl
        self._clock = clock
        self._max = max_people
        self._seen: dict[str, tuple[str, float]] = {}

    def unchanged(self, user_key: str, view: HomeView) -> bool:
        """Whether ``view`` is what this worker last published to the person, recently."""
        seen = self._seen.get(user_key)
        return seen is not None and seen[1] > self._clock() and seen[0] == fingerprint(view)

    def published(self, user_key: str, view: HomeView) -> None:
        if len(self._seen) >= self._max:
            self._seen.clear()  # crude but bounded; a miss costs one views.publish
        self._seen[user_key] = (fingerprint(view), self._clock() + self._ttl)

    def forget(self, user_key: str) -> None:
        self._seen.pop(user_key, None)


def fingerprint(view: HomeView) -> str:
    """A digest of the read model (plain strings and tuples: its repr is stable)."""
    return hashlib.sha256(repr(view).encode("utf-8", "surrogatepass")).hexdigest()
