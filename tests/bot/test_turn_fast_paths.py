"""The step runner finds a step's code by its exact class (bot.dialog.runner): every kind of step
but a question has its code, and no step class has a subclass that such a look-up would miss."""

from __future__ import annotations

import typing

from bot.dialog.runner import _RUNNERS
from bot.flow.model import AskStep, Step


def test_every_step_class_but_a_question_has_its_runner() -> None:
    kinds = set(typing.get_args(Step))
    assert set(_RUNNERS) == kinds - {AskStep}
    for kind in kinds:
        assert kind.__subclasses__() == [], kind
