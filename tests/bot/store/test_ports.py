"""The store's ports: small, disjoint, together exactly what each implementation offers; and the
store's errors sit under CoachError while still caught as the built-in errors they were."""

from __future__ import annotations

import inspect

import pytest

import bot.store as store_package
from bot.errors import CoachError
from bot.store import (
    Contact,
    ContactBook,
    ConversationStore,
    EventExpiry,
    FunnelStats,
    InboxStore,
    InvalidRecordError,
    JobDelivery,
    JobQueue,
    PersonalData,
    ProfileCache,
    ReferralStore,
    SpaceSettings,
    Store,
    StoreLifecycle,
    UnknownRecordError,
    UserStore,
)
from bot.store.factory import build_store
from bot.store.memory import MemoryStore
from bot.store.sql import SqlStore

PORTS = (
    StoreLifecycle,
    EventExpiry,
    ConversationStore,
    UserStore,
    InboxStore,
    JobQueue,
    JobDelivery,
    ContactBook,
    ReferralStore,
    SpaceSettings,
    PersonalData,
    FunnelStats,
    ProfileCache,
)
MOST_METHODS_PER_PORT = 7


def own_methods(port: type) -> set[str]:
    """The methods a port declares itself (not those it inherits from another port)."""
    return {name for name, value in vars(port).items() if inspect.iscoroutinefunction(value)}


def public_async_methods(cls: type) -> set[str]:
    return {
        name
        for name, value in inspect.getmembers(cls, inspect.iscoroutinefunction)
        if not name.startswith("_")
    }


def test_each_port_is_a_handful_of_methods() -> None:
    for port in PORTS:
        assert 1 <= len(own_methods(port)) <= MOST_METHODS_PER_PORT, port.__name__


def test_no_method_belongs_to_two_ports() -> None:
    seen: dict[str, str] = {}
    for port in PORTS:
        for name in own_methods(port):
            assert name not in seen, f"{name} is in {seen[name]} and {port.__name__}"
            seen[name] = port.__name__


def test_store_is_every_port_and_nothing_else() -> None:
    assert public_async_methods(Store) == set().union(*(own_methods(p) for p in PORTS))
    assert all(port in Store.__mro__ for port in PORTS)


@pytest.mark.parametrize("implementation", [MemoryStore, SqlStore])
def test_each_implementation_offers_exactly_the_ports(implementation: type) -> None:
    assert public_async_methods(implementation) == public_async_methods(Store)


def test_every_store_error_is_a_coach_error() -> None:
    errors = [
        value
        for value in vars(store_package).values()
        if isinstance(value, type) and issubclass(value, BaseException)
    ]
    assert len(errors) >= 7
    assert all(issubclass(error, CoachError) for error in errors)


async def test_a_foreign_contact_is_unknown_and_still_a_lookup_error(any_store: Store) -> None:
    contact_id = await any_store.save_contact(Contact("u1", "Dana"))
    with pytest.raises(UnknownRecordError) as raised:
        await any_store.save_contact(Contact("u2", "Dana", id=contact_id))
    assert isinstance(raised.value, LookupError)
    with pytest.raises(InvalidRecordError) as invalid:
        await any_store.save_contact(Contact("u1", "Dana", cadence_months=12))
    assert isinstance(invalid.value, ValueError)
    with pytest.raises(InvalidRecordError):
        await any_store.add_referral_response(1, "u1", "maybe")


def test_an_unsupported_database_url_is_a_coach_error_and_a_value_error() -> None:
    with pytest.raises(CoachError) as raised:
        build_store("mysql://db/coach")
    assert isinstance(raised.value, ValueError)


async def test_a_store_used_before_open_says_so(sqlite_url: str) -> None:
    store = SqlStore(sqlite_url)
    with pytest.raises(CoachError, match="not open") as raised:
        await store.load_conversation("c1")
    assert isinstance(raised.value, RuntimeError)
