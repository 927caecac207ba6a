"""Reading numbers ("42", "3.5", "1,200") and points on a scale ("4", "four", "4/5", "4 out of 5").

A ``number`` ask checks ``integer``, ``min`` and ``max``; a ``scale`` ask is a whole number from
``min`` (default 1) to ``max`` (default 5), and a scale the user names ("4 out of 10") must be
the ask's own.
"""

from __future__ import annotations

import math
import re

from bot.answers.outcomes import Invalid, Parsed, ParseOutcome, Unparsed
from bot.flow.model import Rule

__all__ = ("NUMBER_WORDS", "parse_number", "parse_scale", "read_number")


def _show_number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


_NUMBER = re.compile(r"[+-]?(?:\d{1,15}(?:\.\d{0,15})?|\.\d{1,15})")
_THOUSANDS = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d{1,15})?")


def read_number(text: str) -> int | float | None:
    """ "42", "3.5", "1,200", "-3" -> the number; anything else -> None."""
    if _THOUSANDS.fullmatch(text):
        text = text.replace(",", "")
    if not _NUMBER.fullmatch(text):
        return None
    if "." not in text:
        return int(text)
    value = float(text)
    if not math.isfinite(value):
        return None
    return int(value) if value.is_integer() else value


def parse_number(text: str, rule: Rule) -> ParseOutcome:
    value = read_number(text)
    if value is None:
        return Unparsed("Please type a number, like 42 or 3.5.")
    if rule.integer and isinstance(value, float):
        return Invalid("Please type a whole number.")
    low, high = rule.min, rule.max
    if (low is not None and value < low) or (high is not None and value > high):
        if low is not None and high is not None:
            bound = f"from {_show_number(low)} to {_show_number(high)}"
        elif low is not None:
            bound = f"of at least {_show_number(low)}"
        else:
            bound = f"of at most {_show_number(high or 0)}"
        return Invalid(f"Please pick a number {bound}.")
    return Parsed(value, str(value))


NUMBER_WORDS = {
    word: index
    for index, word in enumerate(
        ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
    )
}
_SCALE = re.compile(
    r"(?P<n>[+-]?\d{1,6}(?:\.\d+)?|[a-z]+)(?:\s*(?:/|out of|of)\s*(?P<of>\d{1,6}))?"
)


def parse_scale(text: str, rule: Rule) -> ParseOutcome:
    low = 1 if rule.min is None else int(rule.min)
    high = 5 if rule.max is None else int(rule.max)
    wanted = f"Please pick a whole number from {low} to {high}."
    match = _SCALE.fullmatch(" ".join(text.lower().rstrip(".!").split()))
    if match is None:
        return Unparsed(wanted)
    word = match["n"]
    value = NUMBER_WORDS.get(word) if word.isalpha() else read_number(word)
    if value is None:
        return Unparsed(wanted)
    if match["of"] is not None and int(match["of"]) != high:
        return Invalid(f"This scale goes from {low} to {high}. {wanted}")
    if isinstance(value, float) or not low <= value <= high:
        return Invalid(wanted)
    return Parsed(value, f"{value} out of {high}")
