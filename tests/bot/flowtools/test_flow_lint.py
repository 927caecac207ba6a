"""``flows lint``: one clear error per broken file, and each warning on a small example.

Every warning has a positive example and a near miss that must stay silent, so a warning that
fires too often fails as surely as one that never fires.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.flowtools.lint import lint, load_dialogs

DialogsFactory = Callable[..., Path]


def warnings_of(root: Path) -> list[str]:
    report = lint(load_dialogs(root))
    assert report.errors == [], [str(p) for p in report.errors]
    return [str(p) for p in report.warnings]


# -- errors: each broken file gives one error with file, line, key and fix -----------------------

BROKEN = {
    "invalid_yaml": (
        """\
        flow: extra
        steps:
          hello:
            say: Hi: there
        """,
        4,
        "",
        "check the indentation and quoting on this line",
    ),
    "unknown_key": (
        """\
        flow: extra
        steps:
          hello:
            say: Hi there
            nxt: bye
          bye:
            end: true
        """,
        5,
        "[nxt]",
        "did you mean `next`?",
    ),
    "unknown_target": (
        """\
        flow: extra
        steps:
          hello:
            say: Hi there
            next: byebye
          bye:
            end: true
        """,
        5,
        "[next]",
        "use one of: bye, hello",
    ),
    "condition_does_not_compile": (
        """\
        flow: extra
        steps:
          pick:
            ask: text
            slot: answer
            text: Well?
            next: route
          route:
            branch:
              - if: answer == = "yes"
                then: bye
              - else: bye
          bye:
            end: true
        """,
        10,
        "[if]",
        "write a Jinja expression without {{ }}",
    ),
    "missing_template": (
        """\
        flow: extra
        steps:
          hello:
            say: no_such_template
        """,
        4,
        "[say]",
        "create dialogs/templates/common/no_such_template.j2",
    ),
    "call_to_missing_flow": (
        """\
        flow: extra
        steps:
          hello:
            call: nowhere
            next: bye
          bye:
            end: true
        """,
        4,
        "[call]",
        "use one of: ",  # then every flow id, shipped ones included
    ),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_broken_flow_file_gives_one_clear_error(
    case: str, shipped_copy: Callable[[], Path], flows_cli: Callable[..., tuple[int, str]]
) -> None:
    text, line, key, fix = BROKEN[case]
    root = shipped_copy()
    (root / "flows" / "extra.yaml").write_text(textwrap.dedent(text), encoding="utf-8")

    code, output = flows_cli("lint", str(root))

    assert code == 1
    error_lines = [row for row in output.splitlines() if ": error: " in row]
    assert len(error_lines) == 1, output
    assert error_lines[0].startswith(f"{root / 'flows' / 'extra.yaml'}:{line}")
    assert key in error_lines[0]
    assert fix in output
    assert "1 error," in output.splitlines()[-1]


def test_a_broken_called_flow_is_one_error_not_one_per_caller(
    shipped_copy: Callable[[], Path], flows_cli: Callable[..., tuple[int, str]]
) -> None:
    root = shipped_copy()
    referral = root / "flows" / "referral.yaml"
    lines = referral.read_text(encoding="utf-8").splitlines()
    referral.write_text("\n".join([*lines, "colour: blue", ""]), encoding="utf-8")

    code, output = flows_cli("lint", str(root))

    assert code == 1
    assert f"referral.yaml:{len(lines) + 1} [colour]: error: unknown key 'colour'" in output
    assert "no flow called 'referral'" not in output  # menu and recruiter_called call it
    assert "1 error," in output


def test_warnings_print_but_do_not_fail(
    dialogs: DialogsFactory, flows_cli: Callable[..., tuple[int, str]]
) -> None:
    root = dialogs({"demo": "flow: demo\nsteps:\n  hi:\n    say: Hi\n  lost:\n    say: Lost\n"})

    code, output = flows_cli("lint", str(root))

    assert code == 0
    assert "demo.yaml:6 [lost]: warning: step 'lost': this step is unreachable" in output
    assert output.splitlines()[-1] == "0 errors, 1 warning in 1 flow"


def test_lint_of_one_file_shows_only_its_problems(
    dialogs: DialogsFactory, flows_cli: Callable[..., tuple[int, str]]
) -> None:
    orphan = "flow: {0}\nsteps:\n  hi:\n    say: Hi\n  lost_{0}:\n    say: Lost\n"
    root = dialogs({"one": orphan.format("one"), "two": orphan.format("two")})

    code, output = flows_cli("lint", str(root / "flows" / "two.yaml"))

    assert code == 0
    assert "lost_two" in output
    assert "lost_one" not in output
    assert output.splitlines()[-1] == "0 errors, 1 warning in 1 flow"


def test_lint_lists_the_registered_actions_on_request(
    dialogs: DialogsFactory, flows_cli: Callable[..., tuple[int, str]]
) -> None:
    root = dialogs({"demo": "flow: demo\nsteps:\n  hi:\n    say: Hi\n"})

    code, output = flows_cli("lint", str(root), "--actions")

    assert code == 0
    expected = "schedule_reminder(at, [before_minutes], [template], [details], [replaces])"
    assert f"{expected} -> reminder_at" in output


# -- unreachable steps ----------------------------------------------------------------------------

REACH = """\
flow: demo
steps:
  hello:
    say: Hi
    next: {next}
  side:
    say: A side note
    next: bye
  bye:
    end: true
"""


def test_an_unreachable_step_is_reported(dialogs: DialogsFactory) -> None:
    found = warnings_of(dialogs({"demo": REACH.format(next="bye")}))
    assert len(found) == 1
    assert "demo.yaml:7 [side]" in found[0]
    assert "unreachable" in found[0]


def test_a_linked_step_is_reachable(dialogs: DialogsFactory) -> None:
    assert warnings_of(dialogs({"demo": REACH.format(next="side")})) == []


def test_a_step_entered_by_goto_from_another_flow_is_reachable(dialogs: DialogsFactory) -> None:
    jump = "flow: jump\nsteps:\n  go:\n    goto: demo.side\n"
    assert warnings_of(dialogs({"demo": REACH.format(next="bye"), "jump": jump})) == []


# -- dead ends ------------------------------------------------------------------------------------

CHOICE_ASK = """\
flow: demo
steps:
  pick:
    ask: choice
    slot: fruit
    text: Which one?
    choices:
      - {{id: apple, label: Apple, next: bye}}
      - {{id: pear, label: Pear}}
{extra}
  bye:
    end: true
"""


def test_a_choice_without_next_on_an_ask_without_next_is_a_dead_end(
    dialogs: DialogsFactory,
) -> None:
    found = warnings_of(dialogs({"demo": CHOICE_ASK.format(extra="")}))
    assert len(found) == 1
    assert "demo.yaml:4 [next]" in found[0]
    assert "the answers 'pear' lead nowhere" in found[0]


def test_an_ask_with_next_is_no_dead_end(dialogs: DialogsFactory) -> None:
    assert warnings_of(dialogs({"demo": CHOICE_ASK.format(extra="    next: bye")})) == []


TEXT_ASK = """\
flow: demo
steps:
  name:
    ask: text
    slot: name
    text: Your name?
    {next}
  bye:
    end: true
"""


def test_a_text_ask_without_next_is_a_dead_end(dialogs: DialogsFactory) -> None:
    found = warnings_of(dialogs({"demo": TEXT_ASK.format(next="")}))
    assert any("the answer leads nowhere" in w for w in found), found


def test_a_text_ask_with_next_is_no_dead_end(dialogs: DialogsFactory) -> None:
    assert warnings_of(dialogs({"demo": TEXT_ASK.format(next="next: bye")})) == []


BRANCH = """\
flow: demo
steps:
  age:
    ask: number
    slot: age
    text: How old are you?
    next: route
  route:
    branch:
      - if: {first}
        then: old
      - elif: age < 18
        then: young
{extra}
  old:
    end: true
  young:
    end: true
"""


def test_a_branch_without_else_is_a_dead_end(dialogs: DialogsFactory) -> None:
    found = warnings_of(dialogs({"demo": BRANCH.format(first="age > 60", extra="")}))
    assert len(found) == 1
    assert "demo.yaml:9 [branch]" in found[0]
    assert "there is no `else`" in found[0]
    assert "add `- else: <step>`" in found[0]


def test_a_branch_with_else_is_no_dead_end(dialogs: DialogsFactory) -> None:
    flow = BRANCH.format(first="age > 60", extra="      - else: old")
    assert warnings_of(dialogs({"demo": flow})) == []


def test_a_branch_whose_first_condition_is_always_true_is_no_dead_end(
    dialogs: DialogsFactory,
) -> None:
    assert warnings_of(dialogs({"demo": BRANCH.format(first="true", extra="")})) == []


# -- choices no branch handles -------------------------------------------------------------------

ROUTED = """\
flow: demo
steps:
  pick:
    ask: choice
    slot: fruit
    text: Which one?
    choices:
      - {{id: apple, label: Apple}}
      - {{id: pear, label: Pear}}
      - {{id: plum, label: Plum}}
    next: route
  route:
    branch:
      - if: fruit == "apple"
        then: bye
      - elif: {second}
        then: bye
  bye:
    end: true
"""


def test_a_choice_no_branch_mentions_is_reported(dialogs: DialogsFactory) -> None:
    found = warnings_of(dialogs({"demo": ROUTED.format(second='fruit == "pear"')}))
    assert len(found) == 1  # the specific warning, not also the generic dead end
    assert "demo.yaml:13 [branch]" in found[0]
    assert "the choice 'plum' of 'pick' leads here" in found[0]
    assert 'add `- elif: fruit == "plum"`' in found[0]


def test_a_branch_that_mentions_every_choice_needs_no_else(dialogs: DialogsFactory) -> None:
    flow = ROUTED.format(second='fruit in ["pear", "plum"]')
    assert warnings_of(dialogs({"demo": flow})) == []


# -- slots read before a step sets them ----------------------------------------------------------


def errors_of(root: Path) -> list[str]:
    """Slot reads that would fail at run time are load-time errors (bot.flow.checks)."""
    return [str(p) for p in lint(load_dialogs(root)).errors]


def slot_flow(steps: str) -> str:
    return "flow: demo\nsteps:\n" + textwrap.indent(textwrap.dedent(steps), "  ")


ASK_NAME = """\
ask_name:
  ask: text
  slot: name
  text: Your name?
  next: {next}
"""


def test_a_slot_read_before_its_ask_is_reported(dialogs: DialogsFactory) -> None:
    flow = slot_flow(
        'hello:\n  say: "Hi {{ name }}"\n  next: ask_name\n'
        + ASK_NAME.format(next="bye")
        + "bye:\n  end: true\n"
    )
    found = errors_of(dialogs({"demo": flow}))
    assert len(found) == 1
    assert "demo.yaml:4 [say]: error: step 'hello': reads 'name'" in found[0]
    assert "`name | default(" in found[0]


@pytest.mark.parametrize(
    "text",
    [
        "Hi {{ name }}",
        'Hi {{ name | default("friend") }}',
        "Hi{% if nickname is defined %} {{ nickname }}{% endif %}",
        "{% for n in [1, 2] %}{{ n }}{% endfor %} {{ user.name }} {{ now }}",
    ],
)
def test_reads_after_the_ask_or_guarded_are_fine(dialogs: DialogsFactory, text: str) -> None:
    flow = slot_flow(ASK_NAME.format(next="hello") + f"hello:\n  say: '{text}'\n")
    assert warnings_of(dialogs({"demo": flow})) == []


def test_a_slot_set_on_one_path_only_is_reported(dialogs: DialogsFactory) -> None:
    flow = slot_flow("""\
        pick:
          ask: choice
          slot: kind
          text: Which?
          choices:
            - {id: a, label: A, next: set_x}
            - {id: b, label: B, next: show}
        set_x:
          set: {x: '"one"'}
          next: show
        show:
          say: "x is {{ x }}"
        """)
    found = errors_of(dialogs({"demo": flow}))
    assert len(found) == 1
    assert "step 'show': reads 'x', which is not set on every path" in found[0]


def test_the_on_fail_path_does_not_set_the_slot(dialogs: DialogsFactory) -> None:
    flow = slot_flow("""\
        count:
          ask: number
          slot: n
          text: How many?
          on_fail: {target}
          next: show
        show:
          say: "n is {{{{ n }}}}"
        give_up:
          say: Never mind
        """)
    assert "reads 'n'" in " ".join(errors_of(dialogs({"demo": flow.format(target="show")})))
    assert warnings_of(dialogs({"demo": flow.format(target="give_up")})) == []


def test_templates_and_platform_overrides_are_read(dialogs: DialogsFactory) -> None:
    flow = slot_flow("hello:\n  say: greet\n")
    root = dialogs(
        {"demo": flow},
        {"common/greet": "Hello {{ nickname }}", "slack/greet": "Hey {{ handle | when }}"},
    )
    found = errors_of(root)
    assert any("reads 'nickname', but no step of this flow sets it" in w for w in found), found
    assert any("reads 'handle'" in w for w in found), found


def test_a_condition_reading_an_unset_slot_is_reported(dialogs: DialogsFactory) -> None:
    flow = slot_flow("""\
        route:
          branch:
            - if: mood == "happy"
              then: bye
            - else: bye
        bye:
          end: true
        """)
    found = errors_of(dialogs({"demo": flow}))
    assert len(found) == 1
    assert "[if]: error: step 'route': reads 'mood'" in found[0]


def test_slots_set_by_a_called_flow_count(dialogs: DialogsFactory) -> None:
    callee = slot_flow(ASK_NAME.format(next="done") + "done:\n  end: true\n").replace(
        "flow: demo", "flow: get_name"
    )
    caller = slot_flow("""\
        run:
          call: get_name
          into: got
          next: show
        show:
          say: "{{ name }}: {{ got }}"
        """)
    assert warnings_of(dialogs({"demo": caller, "get_name": callee})) == []


def test_action_outputs_count_but_not_on_error(dialogs: DialogsFactory) -> None:
    flow = slot_flow("""\
        when:
          ask: datetime
          slot: at
          text: When?
          next: remind
        remind:
          action: schedule_reminder
          with: {{at: at}}
          into: {{reminder_at: reminder_at}}
          next: show
          on_error: {on_error}
        show:
          say: "Reminder at {{{{ reminder_at | when }}}}"
        sorry:
          say: No reminder, sorry.
        """)
    assert warnings_of(dialogs({"demo": flow.format(on_error="sorry")})) == []
    found = errors_of(dialogs({"demo": flow.format(on_error="show")}))
    reads = [w for w in found if "reads" in w]
    assert len(reads) == 1
    assert "step 'show': reads 'reminder_at', which is not set on every path" in reads[0]
