"""``flows graph``: Mermaid and DOT text for a small flow, and Graphviz present or not.

Graphviz is never needed here: "not installed" runs with a PATH that has no ``dot``, and
"installed" with a stand-in ``dot`` script that writes a file the way the real one would.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.flow.model import Flow
from bot.flowtools.graph import dot, flow_edges, mermaid
from bot.flowtools.lint import load_dialogs

DialogsFactory = Callable[..., Path]
FlowsCli = Callable[..., tuple[int, str]]

DEMO = """\
flow: demo
title: A small demo
steps:
  pick:
    ask: choice
    slot: fruit
    text: Which one?
    choices:
      - {id: apple, label: "Apple \\"red\\"", next: check}
      - {id: pear, label: Pear}
      - {id: plum, label: Plum}
    next: route
    max_attempts: 2
    on_fail: sorry
  check:
    ask: number
    slot: count
    text: How many?
    timeout: 2h
    on_timeout: sorry
    next: route
  route:
    branch:
      - if: count is defined and count < 3 and fruit == "apple"
        then: end
      - elif: fruit == "pear"
        then: refer
      - else: verify
  refer:
    call: other
    next: end
  verify:
    goto: other.ask_it
  sorry:
    say: "Sorry: try again later"
  end:
    end: true
    text: Bye
"""
OTHER = "flow: other\nsteps:\n  ask_it:\n    say: Hi\n"


@pytest.fixture
def demo(dialogs: DialogsFactory) -> Flow:
    loaded = load_dialogs(dialogs({"demo": DEMO, "other": OTHER}))
    assert loaded.errors == []
    return loaded.registry.flows["demo"]


def test_mermaid_shapes_each_kind(demo: Flow) -> None:
    text = mermaid(demo)
    assert text.startswith("flowchart TD\n")
    assert '    s_pick("pick<br/>ask choice → fruit")' in text  # ask: rounded
    assert '    s_route{"route<br/>branch"}' in text  # branch: diamond
    assert '    s_refer[["refer<br/>call other"]]' in text  # call: subroutine
    assert '    s_verify>"verify<br/>goto other.ask_it"]' in text  # goto: flag
    assert '    s_sorry["sorry<br/>say “Sorry: try again later”"]' in text  # say: box
    assert '    s_end((("end<br/>end")))' in text  # end: double circle
    assert '    flow_other(["flow other"])' in text


def test_mermaid_labels_every_kind_of_edge(demo: Flow) -> None:
    text = mermaid(demo)
    assert "    start_ --> s_pick" in text
    assert '    s_pick -->|"Apple #quot;red#quot;"| s_check' in text
    assert '    s_pick -->|"Pear / Plum"| s_route' in text
    assert '    s_pick -->|"2 failed answers"| s_sorry' in text
    assert '    s_check -->|"no answer in 2h"| s_sorry' in text
    assert '    s_route -->|"if count is defined and count #lt; 3 and fruit == …"| s_end' in text
    assert '    s_route -->|"else"| s_verify' in text
    assert '    s_refer -.->|"call"| flow_other' in text
    assert '    s_refer -->|"returned"| s_end' in text
    assert '    s_verify ==>|"goto ask_it"| flow_other' in text
    assert "    s_sorry --> done_" in text  # a say without next ends the flow
    assert '    done_((("flow ends")))' in text


def test_parallel_edges_are_merged_into_one_label(dialogs: DialogsFactory) -> None:
    flow_text = (
        "flow: demo\nsteps:\n  ok:\n    ask: yesno\n    slot: ok\n    text: OK?\n"
        "    yes: bye\n    no: bye\n  bye:\n    end: true\n"
    )
    flow = load_dialogs(dialogs({"demo": flow_text})).registry.flows["demo"]
    edges = [e for e in flow_edges(flow) if e.source == "s_ok"]
    assert [(e.target, e.label) for e in edges] == [("s_bye", "Yes / No")]


def test_dot_text_has_the_same_graph(demo: Flow) -> None:
    text = dot(demo)
    assert text.startswith('digraph "demo" {')
    assert 'label="demo: A small demo"' in text
    assert "s_route [shape=diamond" in text
    assert 's_pick -> s_check [label="Apple \\"red\\""];' in text
    assert 's_refer -> flow_other [label="call", style=dashed];' in text
    assert 's_verify -> flow_other [label="goto ask_it", style=bold];' in text
    assert text.rstrip().endswith("}")


def test_graph_prints_mermaid_for_every_flow(dialogs: DialogsFactory, flows_cli: FlowsCli) -> None:
    code, output = flows_cli("graph", str(dialogs({"demo": DEMO, "other": OTHER})))
    assert code == 0
    assert output.count("flowchart TD") == 2


def test_graph_of_one_file_draws_only_that_flow(
    dialogs: DialogsFactory, flows_cli: FlowsCli
) -> None:
    root = dialogs({"demo": DEMO, "other": OTHER})
    code, output = flows_cli("graph", str(root / "flows" / "other.yaml"))
    assert code == 0
    assert output.count("flowchart TD") == 1
    assert "%% other:" in output


def test_without_graphviz_the_mermaid_still_comes_and_the_exit_is_0(
    dialogs: DialogsFactory, flows_cli: FlowsCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "empty_bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    root = dialogs({"demo": DEMO, "other": OTHER})

    code, output = flows_cli("graph", str(root), "--format", "svg")

    assert code == 0
    assert "flowchart TD" in output
    assert "`dot` program is not installed, so no SVG was drawn" in output
    assert "apt-get install graphviz" in output
    assert "brew install graphviz" in output
    assert "https://graphviz.org/download/" in output


def fake_dot(folder: Path) -> None:
    """A ``dot`` that writes its input into the ``-o`` file, as the real one writes a drawing."""
    script = folder / "dot"
    script.write_text(
        '#!/bin/sh\nfor a; do [ "$prev" = "-o" ] && out="$a"; prev="$a"; done\ncat > "$out"\n',
        encoding="utf-8",
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)


def test_out_writes_mermaid_files_images_and_a_readme(
    dialogs: DialogsFactory, flows_cli: FlowsCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake_dot(bin_dir)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    root = dialogs({"demo": DEMO, "other": OTHER})
    out = tmp_path / "diagrams"

    code, output = flows_cli("graph", str(root), "--out", str(out), "--format", "svg")

    assert code == 0
    assert f"wrote {out / 'demo.mmd'}" in output
    demo_flow = load_dialogs(root).registry.flows["demo"]
    assert (out / "demo.mmd").read_text(encoding="utf-8") == mermaid(demo_flow)
    assert (out / "demo.svg").read_text(encoding="utf-8") == dot(demo_flow)  # what dot was fed
    readme = (out / "README.md").read_text(encoding="utf-8")
    assert "## demo: A small demo" in readme
    assert f"```mermaid\n{mermaid(demo_flow)}```" in readme
    assert "[demo.svg](demo.svg)" in readme
    assert f"--out {out} --format svg" in readme


def test_graph_refuses_flows_with_errors(dialogs: DialogsFactory, flows_cli: FlowsCli) -> None:
    root = dialogs({"demo": "flow: demo\nsteps:\n  hi:\n    say: Hi\n    next: nowhere\n"})
    code, output = flows_cli("graph", str(root))
    assert code == 1
    assert "demo.yaml:5 [next]: error: there is no step 'nowhere'" in output
    assert "flowchart" not in output
