"""The strict flow loader: every mistake names the file, the line, the key and the fix."""

from __future__ import annotations

import pytest

from bot.app import build_actions, load_content
from bot.errors import FlowErrors
from bot.flow.model import AskStep, BranchStep

GOOD = """
flow: good
steps:
  pick:
    ask: choice
    slot: pick
    text: Pick
    choices:
      - {id: "yes", label: Yes please, next: done}
      - {id: no, label: No thanks}
    next: route
  route:
    branch:
      - if: pick == "no"
        then: done
      - else: done
  done:
    end: true
"""


def problems(dialogs, flow_text: str, name: str = "good") -> list[str]:
    folder = dialogs({name: flow_text})
    with pytest.raises(FlowErrors) as caught:
        load_content(folder, actions=build_actions())
    return [str(p) for p in caught.value.problems]


def test_a_good_flow_loads_with_yes_and_no_as_plain_strings(dialogs):
    _, registry = load_content(dialogs({"good": GOOD}), actions=build_actions())
    flow = registry.flows["good"]
    pick = flow.steps["pick"]
    assert isinstance(pick, AskStep) and [c.id for c in pick.choices] == ["yes", "no"]
    assert isinstance(flow.steps["route"], BranchStep)
    assert len(flow.version) == 12 and registry.by_version[flow.version] is flow


def test_an_unknown_key_lists_the_allowed_keys_and_suggests_one(dialogs):
    [problem] = problems(dialogs, GOOD.replace("    next: route", "    nxt: route"))
    assert "good.yaml:11 [nxt]" in problem
    assert "did you mean `next`?" in problem and "allowed keys: ask, slot" in problem


def test_an_unknown_step_target_names_the_known_steps(dialogs):
    [problem] = problems(
        dialogs, GOOD.replace("then: done\n      - else", "then: dnoe\n      - else")
    )
    assert "good.yaml:15 [then]" in problem and "no step 'dnoe'" in problem
    assert "use one of: done, pick, route" in problem


def test_invalid_yaml_points_at_the_line(dialogs):
    [problem] = problems(dialogs, GOOD.replace("    text: Pick", "    text: [Pick"))
    assert "good.yaml:" in problem and "not valid YAML" in problem and "fix:" in problem


def test_a_condition_that_does_not_compile(dialogs):
    [problem] = problems(dialogs, GOOD.replace('pick == "no"', "pick == "))
    assert "good.yaml:14 [if]" in problem and "does not compile" in problem


def test_a_missing_template(dialogs):
    [problem] = problems(dialogs, GOOD.replace("    text: Pick", "    template: no_such_thing"))
    assert "good.yaml:7 [template]" in problem and "create dialogs/templates/common" in problem


def test_a_call_to_a_flow_that_does_not_exist(dialogs):
    flow = GOOD.replace("  done:\n    end: true", "  done:\n    call: nowhere")
    [problem] = problems(dialogs, flow)
    assert (
        "[call]" in problem
        and "no flow called 'nowhere'" in problem
        and "use one of: good" in problem
    )


def test_duplicate_keys_a_misnamed_file_and_two_kinds_in_one_step(dialogs):
    found = problems(
        dialogs,
        GOOD.replace("  done:\n    end: true", "  done:\n    end: true\n    say: hi"),
        name="other",
    )
    assert any("exactly one kind key (found say and end)" in p for p in found)
    assert any("rename the file to good.yaml" in p for p in found)
    assert any("appears twice" in p for p in problems(dialogs, GOOD + "  done:\n    end: true\n"))


def test_an_action_needs_its_inputs_and_knows_its_outputs(dialogs):
    flow = """
    flow: good
    steps:
      remind:
        action: schedule_reminder
        into: {nonsense: x}
    """
    found = problems(dialogs, flow)
    assert any("needs the input 'at'" in p for p in found)
    assert any("unknown key 'nonsense' in the outputs" in p for p in found)
    unknown = problems(dialogs, flow.replace("schedule_reminder", "launch_rocket"))
    assert any(
        "no action called 'launch_rocket'" in p and "schedule_reminder" in p for p in unknown
    )


def test_ask_rules_are_type_checked(dialogs):
    flow = """
    flow: good
    steps:
      age:
        ask: number
        slot: age
        text: Age?
        min: lots
        timeout: soon
        on_timeout: age
    """
    found = problems(dialogs, flow)
    assert any("[min]" in p and "must be a number" in p for p in found)
    assert any("[timeout]" in p and "duration" in p for p in found)


def test_missing_system_templates_are_reported(dialogs, tmp_path):
    # load_content falls back to the shipped system templates (test_flow_language_additions);
    # a renderer without that fallback still has every one of them checked.
    from bot.flow.loader import load_flows
    from bot.render.templates import TemplateRenderer

    folder = dialogs({"good": GOOD})
    (folder / "templates" / "common" / "coach_sorry.j2").unlink()
    renderer = TemplateRenderer(template_dirs=[folder / "templates"])
    with pytest.raises(FlowErrors) as caught:
        load_flows(folder / "flows", renderer=renderer, actions=build_actions())
    assert "coach_sorry" in str(caught.value)


def test_an_unknown_filter_is_caught_when_flows_load(dialogs):
    found = problems(dialogs, GOOD.replace("    text: Pick", '    text: "{{ pick | shout }}"'))
    assert any("No filter named 'shout'" in p and "good.yaml:7" in p for p in found)


def test_free_text_on_a_choice_loads_and_its_target_is_checked(dialogs):
    flow = GOOD.replace(
        "    next: route\n", "    next: route\n    text_slot: typed\n    on_text: done\n"
    )
    _, registry = load_content(dialogs({"good": flow}), actions=build_actions())
    pick = registry.flows["good"].steps["pick"]
    assert isinstance(pick, AskStep) and (pick.text_slot, pick.on_text) == ("typed", "done")
    [problem] = problems(dialogs, flow.replace("on_text: done", "on_text: nowhere"))
    assert "nowhere" in problem


@pytest.mark.parametrize(
    ("extra", "says"),
    [
        ("    text_slot: typed\n", "needs both"),
        ("    on_text: done\n", "needs both"),
        ("    text_slot: Not A Name\n    on_text: done\n", "needs both"),
    ],
)
def test_free_text_on_a_choice_needs_a_slot_and_a_target(dialogs, extra, says):
    found = problems(dialogs, GOOD.replace("    next: route\n", "    next: route\n" + extra))
    assert any(says in p for p in found)


def test_free_text_keys_only_work_on_a_choice(dialogs):
    flow = """
flow: good
steps:
  name:
    ask: text
    slot: name
    text: Name?
    text_slot: typed
    on_text: done
  done:
    end: true
"""
    assert any("only work with `ask: choice`" in p for p in problems(dialogs, flow))
