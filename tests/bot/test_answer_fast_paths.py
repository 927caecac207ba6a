"""The quick ways of reading a typed answer give what the plain ways give.

``fold`` skips its pattern for ASCII letters, digits and spaces, ``match_choice`` looks the
answer up among its question's option names made once, and a date-time with no digit and no
date word is refused before it is normalised; each is compared here with the straightforward
code it replaces.
"""

from __future__ import annotations

import re
import string
from collections.abc import Sequence

from hypothesis import given
from hypothesis import strategies as st

from bot.answers.choices import (
    _OPTION_NUMBER,
    _fold_any,
    _join_or,
    _part_of_one_label,
    fold,
    match_choice,
    parse_choice,
    parse_yesno,
)
from bot.answers.datetimes import _DATE_WORDS, _no_date_at_a_glance, _normalise_when
from bot.answers.outcomes import Parsed, Unparsed
from bot.flow.model import ChoiceOption, Rule

_NOT_WORD = re.compile(r"[^\w\s]+|_")

# Answers made mostly of what people type: ASCII words, spaces, some punctuation and others.
typed = st.text(
    alphabet=st.sampled_from(string.ascii_letters + string.digits + "  '_!?.,-\t\u2019éİß"),
    max_size=12,
) | st.text(max_size=8)
words = st.sampled_from(["yes", "no", "at work", "2", "Work", "busy", "I'm busy", "free", "a"])
names = words | typed


def reference_fold(text: str) -> str:
    text = text.casefold().replace("'", "").replace("\u2019", "")
    return " ".join(_NOT_WORD.sub(" ", text).split())


def reference_match(text: str, choices: Sequence[ChoiceOption]) -> ChoiceOption | None:
    """match_choice before the option names were looked up in one mapping."""
    key = reference_fold(text)
    if not key:
        return None
    for option in choices:
        if key == reference_fold(option.label) or key == reference_fold(option.id):
            return option
    for option in choices:
        if any(key == reference_fold(word) for word in option.match):
            return option
    number = _OPTION_NUMBER.fullmatch(key)
    if number is not None and 1 <= int(number[1]) <= len(choices):
        return choices[int(number[1]) - 1]
    return _part_of_one_label(key, choices)


options = st.builds(
    ChoiceOption,
    id=names,
    label=names,
    match=st.lists(names, max_size=3).map(tuple),
)


@given(typed | words)
def test_fold_is_the_plain_fold(text: str) -> None:
    assert fold(text) == reference_fold(text) == _fold_any(text)


@given(typed | words, st.lists(options, max_size=4))
def test_an_option_is_found_by_the_same_name(text: str, listed: list[ChoiceOption]) -> None:
    choices = tuple(listed)
    expected = reference_match(text, choices)
    assert match_choice(text, choices) is expected
    assert match_choice(text, listed) is expected  # a list: not kept
    assert match_choice(text, choices) is expected  # the names kept from the first call


@given(typed | words, st.lists(options, max_size=4))
def test_a_choice_answer_is_the_option_read(text: str, listed: list[ChoiceOption]) -> None:
    choices = tuple(listed)
    option = reference_match(text, choices)
    labels = _join_or([option.label for option in choices])
    expected = (
        Unparsed(f"Please pick one of: {labels} (or type its number).")
        if option is None
        else Parsed(option.id, option.label)
    )
    assert parse_choice(text, choices) == expected
    assert parse_choice(text, listed) == expected


@given(typed | st.sampled_from(["yes", "nope", "Yes, call me", "\N{THUMBS UP SIGN}", "no!"]))
def test_a_yes_or_no_is_read_as_before(text: str) -> None:
    outcome = parse_yesno(text, Rule())
    if isinstance(outcome, Parsed):
        assert outcome == Parsed(outcome.value, "Yes" if outcome.value else "No")
        assert type(outcome.value) is bool
    else:
        assert outcome == Unparsed("Please answer yes or no.")


# Date-time answers: letters, digits, filler words, "p.m.", punctuation, other scripts.
date_texts = st.lists(
    st.sampled_from(
        ["at", "on", "the", "o'clock", "oclock", "p.m.", "a. m", "pm", "6", "t", "@", ",", "?"]
    )
    | st.sampled_from(
        ["whenever", "tomorrow", "soon", "tue", "noon", "later", "_at_", "5t6", "\u0661", "İ", " "]
    )
    | st.text(max_size=4),
    max_size=6,
).map("".join)


@given(date_texts)
def test_a_date_refused_at_a_glance_is_refused_after_normalising(text: str) -> None:
    if _no_date_at_a_glance(text):
        phrase = _normalise_when(text)
        words = re.findall("[a-z]+", phrase)
        assert not phrase or (not re.search(r"\d", phrase) and _DATE_WORDS.isdisjoint(words))
