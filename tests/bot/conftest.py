"""Engine test helpers: a dialogs folder built per test, and a chat driver over a real Engine."""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.app import build_actions, load_content
from bot.boundary import ConversationRef, Incoming, Reply, UserInfo
from bot.dialog.engine import Engine
from bot.dialog.state import ConversationState
from bot.render.markup import to_plain
from bot.store import Store
from bot.store.memory import MemoryStore

SHIPPED_DIALOGS = Path(__file__).resolve().parents[2] / "dialogs"
NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)  # Monday 10:00 in New York
# A flow whose second step's template fails (division by zero) after the answer is stored.
FAILING_TEMPLATE_FLOW = """
flow: broken
steps:
  ask_secret:
    ask: text
    slot: secret
    text: Tell me a secret
    next: leak
  leak:
    say: "{{ secret }} {{ 1 // (secret | length - secret | length) }}"
"""


def make_dialogs(
    root: Path, flows: dict[str, str], templates: dict[str, str] | None = None
) -> Path:
    """A dialogs folder with the shipped templates plus the given flows and templates."""
    dialogs = root / "dialogs"
    shutil.copytree(SHIPPED_DIALOGS / "templates", dialogs / "templates")
    (dialogs / "flows").mkdir(parents=True)
    for name, text in flows.items():
        (dialogs / "flows" / f"{name}.yaml").write_text(textwrap.dedent(text), encoding="utf-8")
    for name, text in (templates or {}).items():
        path = dialogs / "templates" / f"{name}.j2"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return dialogs


class Chat:
    """Talk to an engine as one user: ``await chat.say("hi")``, ``await chat.press("yes")``."""

    def __init__(
        self,
        engine: Engine,
        *,
        user: str = "u1",
        time_zone: str | None = "America/New_York",
        platform: str = "console",
    ) -> None:
        self.engine = engine
        self.ref = ConversationRef(platform, "c1", user)  # type: ignore[arg-type]
        self.user = UserInfo(display_name="Sam", time_zone=time_zone)
        self.replies: list[Reply] = []

    async def send(self, **fields: object) -> list[str]:
        incoming = Incoming(self.ref, user=self.user, **fields)  # type: ignore[arg-type]
        self.replies = await self.engine.handle(incoming)
        return [to_plain(r.text) for r in self.replies]

    async def say(self, text: str, **fields: object) -> list[str]:
        return await self.send(text=text, **fields)

    async def press(self, choice_id: str) -> list[str]:
        return await self.send(choice_token=self.token(choice_id))

    def token(self, choice_id: str) -> str:
        for reply in self.replies:
            for choice in reply.choices:
                if choice.id == choice_id:
                    return choice.token
        raise AssertionError(f"no button {choice_id!r} in the last replies")

    async def state(self) -> ConversationState:
        stored = await self.engine.store.load_conversation(self.ref.key)
        assert stored is not None
        return ConversationState.from_json(stored.state)

    async def step(self) -> str:
        state = await self.state()
        return state.top.step if state.active else "ended"


EngineFactory = Callable[..., Awaitable[Engine]]


@pytest.fixture
def build_engine() -> EngineFactory:
    async def build(
        dialogs: Path = SHIPPED_DIALOGS,
        *,
        store: Store | None = None,
        clock: Callable[[], datetime] = lambda: NOW,
        **options: object,
    ) -> Engine:
        actions = build_actions()
        renderer, registry = load_content(dialogs, actions=actions)
        store = store or MemoryStore()
        await store.open()
        for flow in registry.flows.values():
            await store.save_flow_source(version=flow.version, flow_id=flow.id, source=flow.source)
        return Engine(
            registry=registry,
            renderer=renderer,
            store=store,
            actions=actions,
            clock=clock,
            **options,
        )  # type: ignore[arg-type]

    return build


def joined(texts: list[str]) -> str:
    return "\n".join(texts)


@pytest.fixture
def dialogs(tmp_path: Path) -> Callable[..., Path]:
    """``dialogs({"flow_id": yaml_text}, {"common/name": template})`` -> a dialogs folder."""

    made = iter(range(1000))

    def build(flows: dict[str, str], templates: dict[str, str] | None = None) -> Path:
        return make_dialogs(tmp_path / f"set{next(made)}", flows, templates)

    return build


@pytest.fixture
def chat_with() -> Callable[..., Chat]:
    """``chat_with(engine, user="u2", time_zone=None)`` -> a Chat."""
    return Chat
