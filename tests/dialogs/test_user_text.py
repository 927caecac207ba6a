"""What users read: no internal names, and no question that promises what its step refuses.

Every user-facing text is checked: every template (without its Jinja code) and every inline text
of every flow (say, text, end text, labels, retry messages).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.app import build_actions, load_content
from bot.dialog.commands import COMMANDS
from bot.flow.loader import FlowRegistry
from bot.flow.model import AskStep, Message
from bot.flow.yamlsource import load_located

ROOT = Path(__file__).resolve().parents[2]
DIALOGS = ROOT / "dialogs"
TEXT_KEYS = ("text", "say", "label", "unparsed", "invalid")
JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
TEMPLATE_NAME = re.compile(r"[a-z][a-z0-9_]*")
TYPED_WORD = re.compile(r"\btype\s+\*\*([^*]+)\*\*", re.I)
SNAKE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")


@pytest.fixture(scope="module")
def registry() -> FlowRegistry:
    return load_content(DIALOGS, actions=build_actions())[1]


def _strings(node: Any, key: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        for name, value in node.items():
            yield from _strings(value, str(name))
    elif isinstance(node, list):
        for item in node:
            yield from _strings(item, key)
    elif (
        isinstance(node, str)
        and key in TEXT_KEYS
        and not (key == "say" and TEMPLATE_NAME.fullmatch(node))
    ):
        yield key, node


def user_texts() -> Iterator[tuple[str, str]]:
    """(where, text) of every text a user may read."""
    for path in sorted((DIALOGS / "templates").rglob("*.j2")):
        text = JINJA.sub(" ", path.read_text(encoding="utf-8"))
        yield str(path.relative_to(DIALOGS)), text
    for path in sorted((DIALOGS / "flows").glob("*.yaml")):
        data = load_located(path.read_text(encoding="utf-8"))
        assert isinstance(data, dict)
        for step_id, step in (data.get("steps") or {}).items():
            for key, text in _strings(step):
                yield f"{path.name}:{step_id}.{key}", JINJA.sub(" ", text)


def _internal_names(registry: FlowRegistry) -> set[str]:
    names = set(registry.flows) | set(registry.topics())
    for flow in registry.flows.values():
        names |= set(flow.steps)
        names |= {s.slot for s in flow.steps.values() if isinstance(s, AskStep)}
    return names


def test_no_internal_name_is_shown_to_users(registry: FlowRegistry) -> None:
    internal = _internal_names(registry)
    typeable = {*COMMANDS, "start", "skip", "none", "same"}
    found = []
    for where, text in user_texts():
        for word in TYPED_WORD.findall(text):
            if word.casefold() in internal and word.casefold() not in typeable:
                found.append(f"{where}: asks the user to type the internal name {word!r}")
        for word in SNAKE.findall(text):
            if word in internal:
                found.append(f"{where}: shows the internal name {word!r}")
    assert found == [], "\n".join(found)


def test_the_check_sees_the_texts() -> None:
    texts = dict(user_texts())
    assert any("type **menu**" in t.casefold() for t in texts.values())
    assert any(w.startswith("flows/") or ".yaml:" in w for w in texts)


# Words with which a question asks the user to write something of their own.
INVITES_TYPING = re.compile(
    r"\b(?:paste|describe|in your own words|tell me (?:what|about|more)|type (?:it|your|their|"
    r"the|a|what)|write (?:it|your|what)|or just say|say it in)\b",
    re.I,
)


def _prompt_text(message: Message) -> str:
    if message.template:
        paths = (DIALOGS / "templates").rglob(f"{message.template}.j2")
        return "\n".join(JINJA.sub(" ", p.read_text(encoding="utf-8")) for p in paths)
    return JINJA.sub(" ", "\n".join(message.inline))


def test_no_question_invites_typing_that_its_answer_type_refuses(registry: FlowRegistry) -> None:
    broken = []
    for flow in registry.flows.values():
        for step in flow.steps.values():
            if not isinstance(step, AskStep) or step.kind not in ("choice", "yesno", "scale"):
                continue
            if step.text_slot:  # typed text is kept
                continue
            found = INVITES_TYPING.search(_prompt_text(step.prompt))
            if found:
                broken.append(f"{flow.id}.{step.id} ({step.kind}) says {found.group(0)!r}")
    assert broken == [], "\n".join(broken)


def test_the_invitation_check_sees_the_scam_question(registry: FlowRegistry) -> None:
    step = registry.flows["scam"].steps["start"]
    assert isinstance(step, AskStep)
    assert INVITES_TYPING.search(_prompt_text(step.prompt))


def test_every_word_the_texts_say_to_type_does_something() -> None:
    from bot.dialog.catalog import COMMAND_WORDS
    from bot.dialog.on_typed import SWITCH_KEYWORD

    _, registry = load_content(DIALOGS, actions=build_actions())
    answers = {"skip", "none", "same"}  # answers the asking question takes
    answers.add(SWITCH_KEYWORD)  # takes the "Switch to" offer the text is about
    dead = []
    for where, text in user_texts():
        for word in TYPED_WORD.findall(text):
            folded = word.casefold()
            if folded in answers or folded in COMMANDS or folded == "start":
                continue
            if COMMAND_WORDS.get(folded) not in registry.flows:
                dead.append(f"{where}: type {word!r} starts nothing")
    assert dead == [], "\n".join(dead)
