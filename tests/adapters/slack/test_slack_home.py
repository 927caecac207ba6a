"""The App Home is published again only when what it shows changed (views.publish counted on the
fake Slack)."""

from __future__ import annotations

from adapters.slack.home import PublishedHomes, home_view
from bot.app import Home
from bot.store import Contact
from tests.adapters.slack.conftest import Harness

OPENED = {"type": "app_home_opened", "user": "U1", "channel": "DU1", "tab": "home"}


async def _open_home(slack: Harness) -> None:
    """Open the Home tab and wait until the inbox has run the opening (a help command sent
    after it runs after it, in the same conversation)."""
    await slack.event(OPENED)
    await slack.command("help")
    await slack.fake.wait_for("hook", slack.hooks)


async def test_an_unchanged_home_is_not_published_again(slack: Harness) -> None:
    await _open_home(slack)
    assert len(slack.fake.named("views.publish")) == 1
    await _open_home(slack)
    await _open_home(slack)
    assert len(slack.fake.named("views.publish")) == 1  # the same Home: nothing sent
    assert slack.coach is not None
    await slack.coach.store.save_contact(
        Contact(user_key="slack:T1:U1", name="Kim", agency="Acme", reach="kim@acme.example")
    )
    await _open_home(slack)
    published = slack.fake.named("views.publish")
    assert len(published) == 2  # the read model changed: published again
    assert "Kim (Acme)" in str(published[-1].args["view"])


def test_a_published_home_is_trusted_for_its_ttl_only() -> None:
    now = [0.0]
    homes = PublishedHomes(ttl=60, clock=lambda: now[0])
    view = home_view(Home(callbacks=(), contacts=(), shared=(), answered=()))
    assert not homes.unchanged("slack:T1:U1", view)
    homes.published("slack:T1:U1", view)
    assert homes.unchanged("slack:T1:U1", view)
    assert not homes.unchanged("slack:T1:U2", view)
    now[0] = 61
    assert not homes.unchanged("slack:T1:U1", view)  # published again after the TTL
