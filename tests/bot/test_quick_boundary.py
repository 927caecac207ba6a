"""The engine's quick constructors (bot.boundary.quick_*, quick_parsed) make the values the
frozen dataclasses' own constructors make: equal, of the same class, hashed alike, every field
the same, frozen."""

from __future__ import annotations

import copy
import dataclasses
import pickle
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.answers.outcomes import Parsed, quick_parsed
from bot.boundary import (
    Choice,
    Form,
    FormField,
    Reply,
    quick_choice,
    quick_form,
    quick_reply,
)

texts = st.text(max_size=20)
styles = st.sampled_from(["default", "primary", "danger"])
choices = st.builds(Choice, texts, texts, texts, styles)  # quick_choice makes no keyword
fields = st.builds(FormField, texts, texts)
forms = st.builds(
    Form,
    texts,
    st.lists(fields, max_size=2).map(tuple),
    texts,
    errors=st.lists(st.tuples(texts, texts), max_size=2).map(tuple),
)


def same(quick: Any, slow: Any) -> None:
    assert type(quick) is type(slow)
    assert quick == slow
    assert hash(quick) == hash(slow)
    assert repr(quick) == repr(slow)
    for field in dataclasses.fields(slow):
        assert getattr(quick, field.name) == getattr(slow, field.name)
    assert dataclasses.replace(quick) == slow
    assert pickle.loads(pickle.dumps(quick)) == slow
    assert copy.deepcopy(quick) == slow
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(quick, dataclasses.fields(slow)[0].name, "changed")


@given(texts, texts, texts, styles)
def test_quick_choice_is_the_choice(id: str, label: str, token: str, style: Any) -> None:
    same(quick_choice(id, label, token, style), Choice(id, label, token, style))
    same(quick_choice(id, label, token), Choice(id, label, token))


@given(texts, st.lists(fields, max_size=3).map(tuple), texts, st.lists(st.tuples(texts, texts)))
def test_quick_form_is_the_form(
    title: str, form_fields: tuple[FormField, ...], token: str, errors: list[tuple[str, str]]
) -> None:
    same(
        quick_form(title, form_fields, token, tuple(errors)),
        Form(title=title, fields=form_fields, token=token, errors=tuple(errors)),
    )
    same(quick_form(title, form_fields, token), Form(title, form_fields, token))


@given(texts, st.lists(choices, max_size=3).map(tuple), st.none() | forms)
def test_quick_reply_is_the_reply(
    text: str, reply_choices: tuple[Choice, ...], form: Form | None
) -> None:
    same(quick_reply(text, reply_choices, form), Reply(text, choices=reply_choices, form=form))
    same(quick_reply(text), Reply(text))


@given(st.one_of(texts, st.integers(), st.booleans(), st.lists(texts)), texts)
def test_quick_parsed_is_the_parsed(value: object, display: str) -> None:
    if isinstance(value, list):  # unhashable, as a list of picks is: compare the rest
        assert quick_parsed(value, display) == Parsed(value, display)
        assert type(quick_parsed(value, display)) is Parsed
        return
    same(quick_parsed(value, display), Parsed(value, display))
