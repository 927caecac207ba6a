"""Every choice list and every form of every shipped flow renders completely on Discord: each
choice has a button that leads back to its token, each form field an input in one of the
form's modals (a select for yes/no and choice fields), all within Discord's limits. Also the
cases no shipped flow has yet: many choices, long ids and labels, long forms."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import discord
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.discord.controls import build_buttons, build_modal, form_parts
from adapters.discord.convert import LABEL_PREFIX, modal_values, part_of
from adapters.discord.limits import message_problems, modal_problems
from adapters.discord.render import MORE_CHOICES, render_replies
from bot.app import build_actions, load_content
from bot.boundary import Choice, Form, FormField, Reply
from bot.flow.model import AskStep, Flow
from bot.render.markup import to_plain

DIALOGS = Path(__file__).resolve().parents[3] / "dialogs"
SEQ, VERSION = 123456, "abcdef"  # a long conversation's question number, a flow version


def _flows() -> list[Flow]:
    _, registry = load_content(DIALOGS, actions=build_actions())
    return list(registry.flows.values())


def _asks() -> list[tuple[Flow, AskStep]]:
    return [
        (flow, step)
        for flow in _flows()
        for step in flow.steps.values()
        if isinstance(step, AskStep)
    ]


def _choices(flow: Flow, step: AskStep) -> tuple[Choice, ...]:
    """The buttons the engine offers for ``step`` (bot/dialog/turn.py ``_ask``), and a topic
    switch."""
    options = [(c.id, c.label, c.style) for c in step.choices]
    if step.kind == "scale" and not options:
        low, high = int(step.rule.min or 1), int(step.rule.max or 5)
        options = [(f"n{n}", str(n), "default") for n in range(low, high + 1)]
    made = tuple(Choice(i, label, f"{SEQ}.{VERSION}.{i}", style) for i, label, style in options)
    return (*made, Choice(flow.id, f"Switch to: {flow.title}", f"topic:{flow.id}"))


def _form(flow: Flow, step: AskStep) -> Form | None:
    """The form the engine sends for ``step`` (bot/dialog/turn.py ``_form`` and ``form_group``)."""
    if step.form is None:
        return None
    group = [step]
    while group[-1].next and len(group) < 5:
        following = flow.steps.get(group[-1].next)
        if not isinstance(following, AskStep) or following.form != step.form:
            break
        group.append(following)
    fields = tuple(
        FormField(
            name=ask.slot,
            label=ask.label or ask.slot,
            kind=ask.kind,
            options=tuple((c.id, c.label) for c in ask.choices),
            max_length=ask.rule.max_length,
        )
        for ask in group
    )
    return Form(step.form, fields, f"{SEQ}.{VERSION}.~form")


def _pressable(reply: Reply) -> tuple[set[str], dict[str, str]]:
    """The tokens (or typed labels) a person can send with the reply's buttons."""
    messages = render_replies([reply])
    shorts = {short: token for m in messages for short, token in m.tokens}
    sent: set[str] = set()
    for message in messages:
        components = message.view.to_components() if message.view else []
        assert message_problems(message.content, [], components) == []
        for row in components:
            for button in row["components"]:
                custom_id = button["custom_id"]
                if custom_id.startswith(LABEL_PREFIX):
                    sent.add("label:" + custom_id.removeprefix(LABEL_PREFIX))
                elif custom_id.startswith("rc:"):
                    token = custom_id.removeprefix("rc:")
                    sent.add(shorts.get(token, token))
    return sent, shorts


def _assert_every_choice_pressable(choices: tuple[Choice, ...], sent: set[str]) -> None:
    """Each choice's button sends its token, or its label as typed text (what the engine
    matches against the question's choices)."""
    for choice in choices:
        typed = "label:" + to_plain(choice.label).strip()
        assert choice.token in sent or typed in sent, choice


def _assert_form_complete(form: Form) -> None:
    """Every field is in one of the form's modals, and a submission maps back to its name."""
    names = [f.name for f in form.fields]
    seen: list[str] = []
    for part in range(form_parts(form)):
        data = build_modal(form, part).to_dict()
        assert modal_problems(data) == []
        assert part_of(data["custom_id"].removeprefix("rcm:"))[0] == part
        submitted = {"components": [_answer(c) for c in data["components"]]}
        seen += [name for name, _ in modal_values(submitted, names)]
        for label, form_field in zip(data["components"], form.fields[part * 5 :], strict=False):
            kind = label["component"]["type"]
            wants_select = form_field.kind == "yesno" or (
                form_field.kind in ("choice", "scale") and 0 < len(form_field.options) <= 25
            )
            assert kind == (3 if wants_select else 4), form_field
    assert seen == names


def _answer(label: dict[str, Any]) -> dict[str, Any]:
    """What Discord sends back for one input: a select's first option, or some text."""
    inner = label["component"]
    chosen = [inner["options"][0]["value"]] if inner["type"] == 3 else None
    answer: dict[str, Any] = {"values": chosen} if chosen else {"value": "x"}
    return {
        "type": 18,
        "component": {"type": inner["type"], "custom_id": inner["custom_id"], **answer},
    }


@pytest.mark.parametrize(("flow", "step"), _asks(), ids=[f"{f.id}.{s.id}" for f, s in _asks()])
def test_every_shipped_question_renders_completely(flow: Flow, step: AskStep) -> None:
    choices = _choices(flow, step)
    form = _form(flow, step)
    sent, _ = _pressable(Reply("Question?", choices=choices, form=form))
    _assert_every_choice_pressable(choices, sent)
    if form is not None:
        _assert_form_complete(form)


def test_the_shipped_flows_have_forms_and_long_choice_lists_to_check() -> None:
    asks = _asks()
    assert sum(1 for _, step in asks if step.form) >= 9
    assert max(len(step.choices) for _, step in asks) >= 8


def test_thirty_choices_with_long_ids_and_labels_all_get_a_button() -> None:
    choices = tuple(
        Choice(f"c{n}" + "i" * 120, f"{n} " + "L" * 150, f"{SEQ}.{VERSION}.c{n}" + "i" * 120)
        for n in range(30)
    )
    form = Form("A form", (FormField("x", "X"),), f"{SEQ}.{VERSION}.~form")
    reply = Reply("Pick one", choices=choices, form=form)
    messages = render_replies([reply])
    assert [m.content for m in messages] == ["Pick one", MORE_CHOICES]
    sent, shorts = _pressable(reply)
    _assert_every_choice_pressable(choices, sent)
    assert len(shorts) == 30


def test_a_long_form_with_every_field_kind_opens_in_modals_that_hold_every_field() -> None:
    kinds = ["text", "long_text", "yesno", "choice", "scale", "datetime", "phone", "email"]
    fields = tuple(
        FormField(
            name=f"field_{n}_{kind}" + ("x" * 120 if n == 3 else ""),  # one name too long
            label=f"{kind} " * 20,
            kind=kind,  # type: ignore[arg-type]
            options=tuple((f"o{i}", f"Option {i}") for i in range(4 if n != 4 else 40)),
            required=n % 2 == 0,
        )
        for n, kind in enumerate(kinds * 2)
    )
    form = Form("T" * 100, fields, f"{SEQ}.{VERSION}.~form")
    assert form_parts(form) == 4
    _assert_form_complete(form)
    (view,) = build_buttons((), form).views
    assert view.to_components()[0]["components"][0]["label"].endswith("(1/4)")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    labels=st.lists(st.text(min_size=1, max_size=120), min_size=1, max_size=60),
    id_length=st.integers(0, 130),
)
def test_any_choice_list_renders_every_choice(labels: list[str], id_length: int) -> None:
    choices = tuple(
        Choice(f"c{n}", label, f"{SEQ}.{VERSION}.c{n}" + "i" * id_length)
        for n, label in enumerate(labels)
    )
    sent, _ = _pressable(Reply("Pick", choices=choices))
    _assert_every_choice_pressable(choices, sent)


def test_a_select_is_a_real_discord_select_inside_its_label() -> None:
    form = Form("F", (FormField("ok", "All good?", kind="yesno", initial="no"),), "1.abc.~form")
    modal = build_modal(form)
    label = modal.children[0]
    assert isinstance(label, discord.ui.Label)
    select = label.component
    assert isinstance(select, discord.ui.Select)
    assert [(o.label, o.value, o.default) for o in select.options] == [
        ("Yes", "yes", False),
        ("No", "no", True),
    ]
