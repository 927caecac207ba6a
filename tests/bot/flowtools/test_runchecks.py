"""What fails every time a step runs is refused when the flows load, by ``flows lint`` and at
start-up, with file, line and fix: a loop with no question and no way out (``FlowLoopError``),
a template that includes itself (``RecursionError``), a slot read before it is set in a template
or a branch condition (``UndefinedError``). Near misses stay silent."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from bot.app import build_actions, load_content
from bot.errors import FlowErrors
from bot.flowtools.lint import lint, load_dialogs
from tests.bot.flowtools.conftest import FlowsCli

DialogsFactory = Callable[..., Path]

SAY_LOOP = """\
flow: demo
steps:
  start:
    ask: text
    slot: name
    text: Your name?
    next: hello
  hello:
    say: "Hello {{ name }}"
    next: again
  again:
    say: And again.
    next: hello
"""
BRANCH_LOOP = """\
flow: demo
steps:
  start:
    set: {n: "1"}
    next: route
  route:
    branch:
      - if: n == "1"
        then: start
      - else: start
"""
GOTO_LOOP = {
    "demo": "flow: demo\nsteps:\n  start:\n    say: Off we go.\n    next: jump\n"
    "  jump:\n    goto: other.bounce\n",
    "other": "flow: other\nsteps:\n  start:\n    end: true\n  bounce:\n    goto: demo\n",
}


def errors_of(root: Path) -> list[str]:
    return [str(p) for p in lint(load_dialogs(root)).errors]


def refused_at_start_up(root: Path) -> str:
    with pytest.raises(FlowErrors) as raised:
        load_content(root, actions=build_actions())
    return str(raised.value)


@pytest.mark.parametrize("flows", [{"demo": SAY_LOOP}, {"demo": BRANCH_LOOP}, GOTO_LOOP])
def test_a_loop_with_no_question_and_no_way_out_is_an_error(
    dialogs: DialogsFactory, flows: dict[str, str], flows_cli: FlowsCli
) -> None:
    root = dialogs(flows)
    found = errors_of(root)
    assert len(found) == len(flows), found  # one per flow the loop runs through
    assert all("run in a loop with no question and no way out" in f for f in found)
    assert "demo.yaml:" in found[0] and "fix: put an `ask` step in the loop" in found[0]
    assert "run in a loop" in refused_at_start_up(root)
    code, out = flows_cli("lint", str(root))
    assert code == 1 and "error: the steps" in out


@pytest.mark.parametrize(
    "route",
    [
        # a question in the loop: the user answers each time round
        "  route:\n    ask: yesno\n    slot: more\n    text: Again?\n"
        "    yes: start\n    no: bye\n",
        # a way out: the flow can leave the loop (whether it does is up to the data)
        '  route:\n    branch:\n      - if: n == "1"\n        then: start\n      - else: bye\n',
        # a called flow may ask: never blamed
        "  route:\n    call: helper\n    next: start\n",
    ],
)
def test_loops_with_a_question_or_an_exit_are_fine(dialogs: DialogsFactory, route: str) -> None:
    flow = 'flow: demo\nsteps:\n  start:\n    set: {n: "1"}\n    next: route\n' + route
    flow += "  bye:\n    end: true\n"
    helper = "flow: helper\nsteps:\n  ask:\n    ask: text\n    slot: h\n    text: Well?\n"
    assert errors_of(dialogs({"demo": flow, "helper": helper})) == []


SAYS_TEMPLATE = "flow: demo\nsteps:\n  start:\n    say: looped\n"


@pytest.mark.parametrize(
    "templates",
    [
        {"common/looped": 'Hi\n{% include "common/looped.j2" %}'},
        {
            "common/looped": 'A\n{% include "common/other.j2" %}',
            "common/other": 'B\n\n{% include "common/looped.j2" %}',
        },
    ],
)
def test_a_template_that_includes_itself_is_an_error(
    dialogs: DialogsFactory, templates: dict[str, str]
) -> None:
    root = dialogs({"demo": SAYS_TEMPLATE}, templates)
    found = errors_of(root)
    assert found and all("rendering it would never end" in f for f in found), found
    assert any("templates/common/looped.j2:2 [include]" in f for f in found), found
    assert "fix: remove the include" in found[0]
    assert "never end" in refused_at_start_up(root)


def test_a_template_included_twice_without_a_cycle_is_fine(dialogs: DialogsFactory) -> None:
    templates = {
        "common/looped": '{% include "common/part.j2" %} and {% include "common/part.j2" %}',
        "common/part": "a part",
    }
    assert errors_of(dialogs({"demo": SAYS_TEMPLATE}, templates)) == []


@pytest.mark.parametrize(
    ("step", "key"),
    [
        ('    say: "Hi {{ nickname }}"\n', "say"),
        ("    say: greet\n", "say"),  # the template file reads it
        ("    say: wrapper\n", "say"),  # a template it includes reads it
        ('    branch:\n      - if: mood == "happy"\n        then: bye\n      - else: bye\n', "if"),
    ],
)
def test_an_undefined_name_is_an_error_at_load_time(
    dialogs: DialogsFactory, step: str, key: str
) -> None:
    flow = "flow: demo\nsteps:\n  start:\n" + step + "  bye:\n    end: true\n"
    templates = {
        "common/greet": "Hello {{ nickname }}",
        "common/wrapper": '{% include "common/greet.j2" %}',
    }
    root = dialogs({"demo": flow}, templates)
    found = errors_of(root)
    assert len(found) == 1, found
    assert f"demo.yaml:4 [{key}]: error: step 'start': reads" in found[0]
    assert "but no step of this flow sets it" in found[0] and "| default(" in found[0]
    assert "no step of this flow sets it" in refused_at_start_up(root)


def test_a_name_set_before_an_include_is_seen_by_the_included_template(
    dialogs: DialogsFactory,
) -> None:
    templates = {
        "common/wrapper": '{% set nickname = "you" %}{% include "common/greet.j2" %}',
        "common/greet": "Hello {{ nickname }}",
    }
    flow = "flow: demo\nsteps:\n  start:\n    say: wrapper\n"
    assert errors_of(dialogs({"demo": flow}, templates)) == []


def chain(says: int) -> str:
    steps = [f"  s{i}:\n    say: Step {i}.\n    next: s{i + 1}\n" for i in range(says)]
    return "flow: demo\nsteps:\n" + "".join(steps) + f"  s{says}:\n    end: true\n"


def test_a_run_of_steps_longer_than_a_turn_may_run_is_an_error(dialogs: DialogsFactory) -> None:
    from bot.flow.checks import MAX_STEPS_PER_TURN

    found = errors_of(dialogs({"demo": chain(MAX_STEPS_PER_TURN + 5)}))
    assert len(found) == 1, found
    assert "demo.yaml:4 [next]: error: from step 's0', 206 steps can run in a row" in found[0]
    assert "fix: ask something on the way" in found[0]
    assert errors_of(dialogs({"demo": chain(MAX_STEPS_PER_TURN - 5)})) == []
