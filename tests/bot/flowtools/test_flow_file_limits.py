"""Hostile and runaway flow files are refused quickly, with file, line, the limit and a fix.

An alias bomb ("billion laughs") used to hang ``flows lint`` and start-up; a 60,000-step file
took many seconds; unknown tags such as ``!!python/object/apply:...`` were silently read as
plain strings or lists. The same reader serves flow, topic and transcript files.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from bot.flow import yamlsource
from bot.flow.yamlsource import (
    MAX_ALIASES,
    MAX_DEPTH,
    MAX_SOURCE_CHARS,
    YamlSyntaxError,
    load_located,
)
from bot.flowtools.lint import load_dialogs
from tests.bot.flowtools.conftest import FlowsCli

DialogsFactory = Callable[..., Path]
# CPU seconds of this process (the machine's load does not count): far above what a refusal
# takes, far below the minute it used to take.
QUICK = 2.0

BOMB = """\
flow: bomb
a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]
steps:
  start:
    say: *i
"""


def huge_flow(steps: int) -> str:
    lines = ["flow: huge", "steps:"]
    lines += [f"  s{i}: {{say: 'Hi there', next: s{i + 1}}}" for i in range(steps - 1)]
    lines.append(f"  s{steps - 1}: {{end: true}}")
    return "\n".join(lines) + "\n"


def timed_lint(flows_cli: FlowsCli, root: Path) -> tuple[int, str, float]:
    started = time.process_time()
    code, out = flows_cli("lint", str(root))
    return code, out, time.process_time() - started


def test_an_alias_bomb_is_refused_quickly(flows_cli: FlowsCli, dialogs: DialogsFactory) -> None:
    root = dialogs({"bomb": BOMB})
    code, out, seconds = timed_lint(flows_cli, root)
    assert code == 1 and seconds < QUICK
    assert "bomb.yaml:" in out
    assert f"YAML aliases (*name) more than {MAX_ALIASES} times" in out
    assert "write the repeated part out" in out


def test_a_huge_flow_file_is_refused_quickly_with_the_limit_and_how_to_split(
    flows_cli: FlowsCli, dialogs: DialogsFactory
) -> None:
    root = dialogs({"huge": huge_flow(60_000)})
    code, out, seconds = timed_lint(flows_cli, root)
    assert code == 1 and seconds < QUICK
    assert "huge.yaml:1" in out
    assert f"the limit is {MAX_SOURCE_CHARS:,}" in out
    assert "move a group of steps into a flow of its own and `call:` it" in out


def test_a_flow_just_under_the_limit_still_loads() -> None:
    text = huge_flow(3_000)
    assert len(text) < MAX_SOURCE_CHARS
    assert load_located(text) is not None


@pytest.mark.parametrize(
    ("yaml_text", "line", "tag"),
    [
        ("      say: !!python/object/apply:os.system ['echo hi']\n", 4, "python/object/apply"),
        ("      say: !include other.yaml\n", 4, "!include"),
        ("      say: !!binary aGk=\n", 4, "binary"),
        ("      say: !custom\n        text: hi\n", 4, "!custom"),
        ("      say: Hi\n      next: !!python/name:os.system x\n", 5, "python/name"),
    ],
)
def test_unknown_tags_are_refused_with_file_and_line(
    flows_cli: FlowsCli, dialogs: DialogsFactory, yaml_text: str, line: int, tag: str
) -> None:
    root = dialogs({"tagged": "flow: tagged\nsteps:\n  start:\n" + yaml_text})
    code, out = flows_cli("lint", str(root))
    assert code == 1
    assert f"tagged.yaml:{line}" in out
    assert tag in out and "is not allowed in these files" in out
    assert "remove the tag" in out


def test_shipped_dialogs_use_no_alias_and_no_tag() -> None:
    shipped = Path(__file__).resolve().parents[3] / "dialogs"
    for path in sorted(shipped.rglob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        assert len(text) < MAX_SOURCE_CHARS / 4, path  # room to grow below the limit
        load_located(text)  # raises on a tag; no alias is used, so none is counted
    assert load_dialogs(shipped).errors == []


def test_a_few_aliases_are_fine_but_not_one_more_than_the_limit() -> None:
    few = "base: &b {say: hi}\nuses: [" + ", ".join(["*b"] * 10) + "]\n"
    assert len(load_located(few)["uses"]) == 10  # type: ignore[index]
    many = "base: &b x\nuses: [" + ", ".join(["*b"] * (MAX_ALIASES + 1)) + "]\n"
    with pytest.raises(YamlSyntaxError) as raised:
        load_located(many)
    assert raised.value.line == 1 and raised.value.fix  # where the repeated part is


def test_deep_nesting_is_refused_before_it_can_crash_the_parser(
    flows_cli: FlowsCli, dialogs: DialogsFactory
) -> None:
    # 60,000 levels of "[" fit in the size limit and used to overflow PyYAML's C composer.
    deep = "flow: deep\nsteps:\n  start:\n    say: " + "[" * 60_000 + "]" * 60_000 + "\n"
    code, out, seconds = timed_lint(flows_cli, dialogs({"deep": deep}))
    assert code == 1 and seconds < QUICK
    assert f"deep.yaml:4: error: lists and mappings are nested more than {MAX_DEPTH} deep" in out
    assert "fix: flatten it" in out
    inner = MAX_DEPTH - 1  # the top-level mapping is one level
    assert load_located("x: " + "[" * inner + "]" * inner) is not None


class _ParserWithItsOwnLimit(yaml.SafeLoader):
    """Stands in for libyaml 0.2.6 (bundled with PyYAML 6.0.4): its scanner stops at its own
    nesting limit, with a scanner error, before the parser hands out a single deep event."""

    def fetch_flow_collection_start(self, token_class: type[yaml.Token]) -> None:
        if self.flow_level >= MAX_DEPTH // 2:
            raise yaml.scanner.ScannerError(
                "while increasing flow level",
                None,
                "exceeded maximum nesting depth",
                self.get_mark(),
            )
        super().fetch_flow_collection_start(token_class)


def test_deep_nesting_is_refused_whichever_yaml_library_is_installed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A fresh install with PyYAML 6.0.4 read this as a syntax error at column 1,003, not as
    # the nesting limit with its fix (two tests failed on a fresh checkout).
    monkeypatch.setattr(yamlsource, "_BaseLoader", _ParserWithItsOwnLimit)
    with pytest.raises(YamlSyntaxError) as refused:
        load_located("x: " + "[" * 5_000 + "]" * 5_000)
    assert f"nested more than {MAX_DEPTH} deep" in str(refused.value)
    assert refused.value.fix is not None and refused.value.line == 1
    with pytest.raises(YamlSyntaxError) as broken:  # a real syntax error still says so
        load_located("x: [a, b\n  - c: ]")
    assert broken.value.fix is None
