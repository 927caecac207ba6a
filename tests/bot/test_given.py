"""``x is given``: whether an answer says something a drafted message can use. "Hi idk," and
"the not sure yet role" were written before (a tester's report); each flow had its own list of
skip words, written out 17 times."""

from __future__ import annotations

import pytest
from jinja2 import Undefined

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
