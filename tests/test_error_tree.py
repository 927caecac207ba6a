"""One error tree: every exception class defined in bot/ and adapters/ derives from CoachError.

The classes are found in the source (``ast``), then imported, so a class that derives from
``Exception`` through a helper base is caught as well as ``class X(ValueError)``.
"""

from __future__ import annotations

import ast
import importlib
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.errors import CoachError, DeliveryError, LimitError

ROOT = Path(__file__).resolve().parent.parent
# The Alembic env runs migrations when imported; it defines no class.
NOT_IMPORTED = {"bot/store/migrations/env.py"}


def defined_classes() -> Iterator[tuple[str, str]]:
    for top in ("bot", "adapters"):
        for path in sorted((ROOT / top).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if relative in NOT_IMPORTED:
                continue
            module = relative.removesuffix(".py").removesuffix("/__init__").replace("/", ".")
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.ClassDef) and node.bases:
                    yield module, node.name


def exception_classes() -> list[type[BaseException]]:
    found = []
    for module, name in defined_classes():
        with warnings.catch_warnings():
            # discord.py imports audioop (for voice, unused); Python 3.11 warns it goes in 3.13.
            warnings.filterwarnings("ignore", "'audioop' is deprecated", DeprecationWarning)
            imported = importlib.import_module(module)
        value = getattr(imported, name, None)
        if isinstance(value, type) and issubclass(value, BaseException):
            found.append(value)
    return found


EXCEPTIONS = exception_classes()


@pytest.mark.parametrize("cls", EXCEPTIONS, ids=lambda c: f"{c.__module__}.{c.__qualname__}")
def test_every_exception_is_a_coach_error(cls: type[BaseException]) -> None:
    assert issubclass(cls, CoachError)


def test_the_walk_finds_the_known_kinds() -> None:
    names = {cls.__name__ for cls in EXCEPTIONS}
    assert {
        "VersionConflictError",
        "DuplicateEventError",
        "StoreBusyError",
        "YamlSyntaxError",
        "FlowLoopError",
        "BlockKitError",
        "ForeignConversationError",
    } <= names


def test_slack_and_discord_share_delivery_and_limit_errors() -> None:
    from adapters.discord import limits as discord_limits
    from adapters.slack import limits as slack_limits
    from adapters.slack import send as slack_send

    assert slack_send.DeliveryError is DeliveryError
    assert discord_limits.LimitError is LimitError
    assert issubclass(slack_limits.BlockKitError, LimitError)
    # still a ValueError, as before the tree: existing ``except ValueError`` keep catching it
    assert issubclass(LimitError, ValueError)


async def test_discord_delivery_before_login_raises_delivery_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from adapters.discord import delivery
    from bot.boundary import ConversationRef

    monkeypatch.setattr(delivery, "_READY_WAIT", 0.01)
    ref = ConversationRef(platform="discord", channel="2", user="3")
    with pytest.raises(DeliveryError, match="not logged in"):
        await delivery.DiscordDelivery().deliver(ref, [])
