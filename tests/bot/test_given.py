"""``x is given``: whether an answer says something a drafted message can use. "Hi idk," and
"the not sure yet role" were written before (a tester's report); each flow had its own list of
skip words, written out 17 times."""

from __future__ import annotations

from pathlib import Path

import pytest
from jinja2 import Undefined

from bot.flowtools.lint import load_dialogs
from bot.render.conditions import given


@pytest.mark.parametrize(
    "value",
    [None, Undefined(), "", " ", "skip", "Skip.", "-", "no", "None", "n/a", "?", "idk", "IDK!",
     "I don't know", "I don\u2019t know", "not sure", "Not sure yet.", "nobody", "no one",
     "no idea", "\N{SHRUG}", "\N{SHRUG}\U0001f3fd\u200d\u2642\ufe0f", "why do you need that?"],
)  # fmt: skip
def test_a_non_answer_is_not_given(value: object) -> None:
    assert not given(value)


@pytest.mark.parametrize("value", ["Sam", "finance manager", "no-code tools", "Noor", "K", 3])
def test_an_answer_is_given(value: object) -> None:
    assert given(value)


@pytest.mark.parametrize(
    ("condition", "test"), [("n is given(3)", "given"), ("n is matching", "matching")]
)
def test_a_test_given_arguments_it_does_not_take_is_a_load_error(
    tmp_path: Path, condition: str, test: str
) -> None:
    """It was accepted when the flows loaded, then failed the turn with an apology."""
    flows = tmp_path / "flows"
    flows.mkdir()
    (flows / "t.yaml").write_text(
        "flow: t\ntitle: T\nsteps:\n  a:\n    ask: text\n    slot: n\n    text: Name?\n"
        f"    next: b\n  b:\n    say: \"{{{{ 'Hi' if {condition} else 'Hello' }}}}\"\n",
        encoding="utf-8",
    )
    errors = load_dialogs(tmp_path).errors
    assert len(errors) == 1 and f"The test {test!r} does not take" in str(errors[0])
    assert "t.yaml" in str(errors[0]) and ":10" in str(errors[0])
