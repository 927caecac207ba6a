"""The flows cache (bot/flow/cache.py): read back while nothing changed, rebuilt when anything
did, and never a way around the loader's errors."""

from __future__ import annotations

import dataclasses
import json
import logging
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.app import build_actions, load_content
from bot.errors import FlowErrors
from bot.flow.cache import CACHE_NAME, decode_flows, encode_flows
from bot.flow.model import Expression, Message
from bot.flow.registry import FlowRegistry
from bot.render.templates import TemplateRenderer
from tests.bot.conftest import SHIPPED_DIALOGS

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def content(tmp_path: Path) -> Path:
    """A copy of the shipped dialogs folder, free to edit."""
    folder = tmp_path / "dialogs"
    shutil.copytree(SHIPPED_DIALOGS, folder)
    return folder


def load(content: Path, cache: Path) -> tuple[TemplateRenderer, FlowRegistry]:
    return load_content(content, actions=build_actions(), cache_dir=cache)


def render(renderer: TemplateRenderer, name: str) -> str:
    return renderer.render(platform="console", context={}, seed=0, template=name)


def messages(value: object) -> list[Message]:
    """Every Message inside a model value."""
    if isinstance(value, Message):
        return [value]
    if dataclasses.is_dataclass(value):
        return [m for f in dataclasses.fields(value) for m in messages(getattr(value, f.name))]
    if isinstance(value, tuple):
        return [m for item in value for m in messages(item)]
    if isinstance(value, dict):
        return [m for item in value.values() for m in messages(item)]
    return []


def expressions(value: object) -> list[Expression]:
    if isinstance(value, Expression):
        return [value]
    if dataclasses.is_dataclass(value):
        found = [getattr(value, f.name) for f in dataclasses.fields(value)]
        return [e for item in found for e in expressions(item)]
    if isinstance(value, tuple):
        return [e for item in value for e in expressions(item)]
    if isinstance(value, dict):
        return [e for item in value.values() for e in expressions(item)]
    return []


def test_the_shipped_flows_come_back_from_json_equal_with_their_templates_prepared() -> None:
    renderer, loaded = load_content(SHIPPED_DIALOGS, actions=build_actions())
    decoded = decode_flows(encode_flows(loaded), renderer)
    assert decoded.flows == loaded.flows
    assert decoded.by_version.keys() == loaded.by_version.keys()
    for flow_id, flow in loaded.flows.items():
        pairs = zip(messages(flow), messages(decoded.flows[flow_id]), strict=True)
        for before, after in pairs:
            assert (after.compiled is None) == (before.compiled is None), flow_id
            if before.compiled is not None and after.compiled is not None:
                assert after.compiled.sources == before.compiled.sources


def test_expressions_read_back_evaluate_as_the_loaded_ones() -> None:
    renderer, loaded = load_content(SHIPPED_DIALOGS, actions=build_actions())
    decoded = decode_flows(encode_flows(loaded), renderer)
    before = [e for flow in loaded.flows.values() for e in expressions(flow)]
    after = [e for flow in decoded.flows.values() for e in expressions(flow)]
    assert len(after) == len(before) > 20
    variables = {"x": 1}
    simple = [(a, b) for a, b in zip(before, after, strict=True) if a.source in {"true", "false"}]
    assert simple, "the shipped flows have literal conditions"
    for original, copy in simple:
        assert copy.evaluate(variables) == original.evaluate(variables)
    constant = Expression("1 + 2", renderer.checked_expression("1 + 2"))
    assert constant.evaluate({}) == 3


def test_a_second_start_reads_the_cache_without_importing_the_loader(
    content: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "data"
    _, first = load(content, cache)
    assert (cache / CACHE_NAME).is_file()
    script = (
        "import sys; from pathlib import Path; from bot.app import build_actions, load_content;"
        f"_, r = load_content(Path({str(content)!r}), actions=build_actions(),"
        f" cache_dir=Path({str(cache)!r}));"
        "print(len(r.flows), 'bot.flow.loader' in sys.modules, 'yaml' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert done.stdout.split() == [str(len(first.flows)), "False", "False"]


def test_an_edited_template_is_seen_on_the_next_start(content: Path, tmp_path: Path) -> None:
    cache = tmp_path / "data"
    renderer, _ = load(content, cache)
    assert render(renderer, "coach_idle").startswith("Nothing is running right now.")
    stamp = (cache / CACHE_NAME).read_text(encoding="utf-8").splitlines()[1]
    (content / "templates" / "common" / "coach_idle.j2").write_text("Quiet here. Type start.\n")
    renderer, _ = load(content, cache)
    assert render(renderer, "coach_idle") == "Quiet here. Type start."
    assert (cache / CACHE_NAME).read_text(encoding="utf-8").splitlines()[1] != stamp


def test_an_edited_flow_is_seen_on_the_next_start(content: Path, tmp_path: Path) -> None:
    cache = tmp_path / "data"
    _, registry = load(content, cache)
    old = registry.flows["recruiter_called"]
    path = content / "flows" / "recruiter_called.yaml"
    path.write_text(path.read_text().replace("label: I can talk now", "label: Free now"))
    _, registry = load(content, cache)
    new = registry.flows["recruiter_called"]
    assert new.version != old.version
    assert "label: Free now" in new.source


def test_a_flow_with_a_mistake_fails_with_its_error_although_an_older_cache_exists(
    content: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "data"
    load(content, cache)
    written = (cache / CACHE_NAME).read_bytes()
    path = content / "flows" / "recruiter_called.yaml"
    path.write_text(path.read_text().replace("next: callback_when", "next: callback_whne"))
    with pytest.raises(FlowErrors) as caught:
        load(content, cache)
    [problem] = [str(p) for p in caught.value.problems]
    assert "recruiter_called.yaml" in problem and "no step 'callback_whne'" in problem
    assert (cache / CACHE_NAME).read_bytes() == written  # the good content's cache is kept


def test_a_template_with_a_syntax_error_fails_although_an_older_cache_exists(
    content: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "data"
    load(content, cache)
    (content / "templates" / "common" / "can_talk.j2").write_text("Can you talk {{ now\n")
    with pytest.raises(FlowErrors) as caught:
        load(content, cache)
    assert any("can_talk" in str(p) for p in caught.value.problems)


@pytest.mark.parametrize(
    "damage",
    ["truncated", "checksum", "not json", "unknown class", "empty"],
)
def test_a_damaged_cache_is_ignored_and_rebuilt(
    content: Path, tmp_path: Path, damage: str, caplog: pytest.LogCaptureFixture
) -> None:
    cache = tmp_path / "data"
    _, first = load(content, cache)
    path = cache / CACHE_NAME
    good = path.read_text(encoding="utf-8")
    head, key, checksum, body = good.split("\n", 3)
    if damage == "truncated":
        path.write_text(good[: len(good) // 2], encoding="utf-8")
    elif damage == "checksum":
        path.write_text(f"{head}\n{key}\n{checksum}\n{body.replace('can_talk', 'can_tell')}")
    elif damage == "not json":
        path.write_text(f"{head}\n{key}\n{_sha256('nope')}\nnope", encoding="utf-8")
    elif damage == "unknown class":
        forged = json.dumps([{"@": "Subprocess", "args": ["rm"]}])
        path.write_text(f"{head}\n{key}\n{_sha256(forged)}\n{forged}", encoding="utf-8")
    else:
        path.write_text("", encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="bot.flow.cache"):
        _, again = load(content, cache)
    assert again.flows == first.flows
    assert path.read_text(encoding="utf-8") == good  # rewritten
    if damage != "empty":  # an empty file is another format: rebuilt without a warning
        assert "unreadable" in caplog.text


def test_a_data_folder_that_cannot_be_written_only_costs_the_cache(
    content: Path, tmp_path: Path
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    _, registry = load(content, blocker / "data")
    assert "recruiter_called" in registry.flows


def test_without_a_cache_folder_nothing_is_written(content: Path, tmp_path: Path) -> None:
    _, registry = load_content(content, actions=build_actions())
    assert registry.flows and not list(tmp_path.rglob(CACHE_NAME))


def _sha256(text: str) -> str:
    import hashlib

    return hashlib.sha256(text.encode()).hexdigest()
