"""A number typed at a choice question picks the option at that place, so no option's label (and
no inline question text) may name a number that is another option's place: "Every 3 months" as
option 1 of 4 made "3", typed after "every 3 to 6 months works well", pick option 3, "Every 6
months" (a tester's report)."""

from __future__ import annotations

import re
from pathlib import Path

from bot.flow.model import AskStep
from bot.flowtools.lint import load_dialogs

ROOT = Path(__file__).resolve().parents[2]
STANDALONE_NUMBER = re.compile(r"(?<![\d:.,/])\d+(?![\d:/]|[.,]\d)")


def clashes(text: str, place: int | None, count: int) -> list[int]:
    numbers = (int(n) for n in STANDALONE_NUMBER.findall(text))
    return [n for n in numbers if 1 <= n <= count and n != place]


def test_no_choice_names_a_number_that_is_another_options_place() -> None:
    found = []
    for flow in load_dialogs(ROOT / "dialogs").registry.flows.values():
        for step in flow.steps.values():
            if not isinstance(step, AskStep) or step.kind != "choice" or not step.choices:
                continue
            count = len(step.choices)
            for place, option in enumerate(step.choices, start=1):
                if clashes(option.label, place, count):
                    found.append(f"{flow.id}.{step.id} option {place}: {option.label!r}")
            several = step.rule.max is not None and step.rule.max > 1
            for line in () if several else step.prompt.inline:  # "like 1, 3 and 4": places
                if clashes(line, None, count):
                    found.append(f"{flow.id}.{step.id} question: {line!r}")
    assert found == []


def test_the_check_finds_the_old_labels() -> None:
    assert clashes("Every 3 months", 1, 4) == [3]
    assert clashes("Every 3 to 6 months works well.", None, 4) == [3]
    assert clashes("18:30, 1/12 or 2.5", 1, 4) == []
