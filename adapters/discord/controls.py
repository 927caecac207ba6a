"""Buttons and modals for Discord: every choice and every form field gets one, none is dropped.

Discord's limits cut deep here (PLATFORMS.md 2.4): 25 buttons a message, a ``custom_id`` of 100
characters, 5 fields a modal, 45 characters a modal title. So:

- more than 25 buttons fill several views, each sent in a message of its own
  (:func:`build_buttons`);
- a choice whose token is too long for a ``custom_id`` sends its label as typed text
  (``rc~:<label>``) or, when that does not fit either, carries a short stand-in for the token
  (:func:`~adapters.discord.convert.short_token`), which the sender remembers;
- a form with more than 5 fields opens in several modals, one after the other; each modal's
  submission is kept until the last part is submitted (:func:`build_modal`, ``part``);
- yes/no and choice fields are selects inside their label (discord.py 2.6+ supports selects in
  modals); more than 25 options, or option values over 100 characters, are typed instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import discord

from adapters.discord.components import Button, ChoiceButton, FormButton, LabelButton
from adapters.discord.convert import (
    FORM_PREFIX,
    choice_custom_id,
    field_custom_id,
    form_custom_id,
    label_custom_id,
    modal_custom_id,
    short_token,
)
from adapters.discord.limits import (
    BUTTON_LABEL,
    BUTTONS_PER_ROW,
    CUSTOM_ID,
    INPUT_PLACEHOLDER,
    INPUT_VALUE,
    LABEL_DESCRIPTION,
    LABEL_TEXT,
    MODAL_INPUTS,
    MODAL_TITLE,
    OPTION_TEXT,
    ROWS,
    SELECT_OPTIONS,
    SELECT_PLACEHOLDER,
    fit,
    size,
)
from bot.app import to_plain
from bot.boundary import Choice, Form, FormField

__all__ = (
    "MODAL_TIMEOUT",
    "Buttons",
    "Pair",
    "build_buttons",
    "build_modal",
    "form_button_view",
    "form_parts",
)

MODAL_TIMEOUT = 15 * 60.0  # discord.py forgets an unanswered modal after this (no leak)
Pair = tuple[str, str]  # (short token, token)
_PARTED = FORM_PREFIX + "999/"  # the longest prefix a form's token shares a custom_id with
_STYLES = {
    "primary": discord.ButtonStyle.primary,
    "danger": discord.ButtonStyle.danger,
    "default": discord.ButtonStyle.secondary,
}
_HINTS = {
    "yesno": "yes or no",
    "datetime": "for example: tomorrow 18:30",
    "phone": "for example: +1 415 555 0100",
    "email": "name@example.com",
    "url": "https://…",
}


@dataclass(frozen=True, slots=True)
class Buttons:
    """The buttons of one reply: views of at most 25 buttons each (the first goes under the
    reply's text, the others in messages of their own), and the short tokens they use."""

    views: tuple[discord.ui.View, ...] = ()
    tokens: tuple[Pair, ...] = ()


def build_buttons(choices: Sequence[Choice], form: Form | None) -> Buttons:
    """Persistent buttons for every choice (and one that opens ``form``): none is left out.

    A token too long for a ``custom_id`` travels as the label (sent as typed text) or, when
    that does not fit either, as a short stand-in; more than 25 buttons fill several views.
    """
    items: list[discord.ui.DynamicItem[Button]] = []
    tokens: list[Pair] = []
    if form is not None and form.fields:
        token = _fitted(_PARTED, form.token, tokens)
        items.append(FormButton(token, label=_form_label(form, 0)))
    seen: set[str] = set()
    for choice in choices:
        button = _choice_item(choice, seen, tokens)
        if button is not None:
            items.append(button)
    size_ = ROWS * BUTTONS_PER_ROW
    views = tuple(_view(items[start : start + size_]) for start in range(0, len(items), size_))
    return Buttons(views, tuple(tokens))


def _view(items: Sequence[discord.ui.DynamicItem[Button]]) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    for index, item in enumerate(items):
        item.row = index // BUTTONS_PER_ROW
        view.add_item(item)
    return view


def _fitted(prefix: str, token: str, tokens: list[Pair]) -> str:
    """``token``, or its short stand-in (noted in ``tokens``) when ``prefix + token`` is too
    long for a ``custom_id``."""
    return token if size(prefix + token) <= CUSTOM_ID else _shortened(token, tokens)


def _shortened(token: str, tokens: list[Pair]) -> str:
    short = short_token(token)
    tokens.append((short, token))
    return short


def _choice_item(
    choice: Choice, seen: set[str], tokens: list[Pair]
) -> ChoiceButton | LabelButton | None:
    """The button of one choice; ``None`` only for a second button with the same token."""
    text = to_plain(choice.label).strip()
    label = fit(text or "…", BUTTON_LABEL)
    style = _STYLES.get(choice.style, discord.ButtonStyle.secondary)
    button: ChoiceButton | LabelButton
    by_label = label_custom_id(text)
    if choice_custom_id(choice.token) is not None:
        button = ChoiceButton(choice.token, label=label, style=style)
    elif by_label is not None and by_label not in seen:  # the label is sent, so it fits whole
        button = LabelButton(text, shown=label, style=style)
    else:
        button = ChoiceButton(_shortened(choice.token, tokens), label=label, style=style)
    if button.custom_id in seen:
        return None
    seen.add(button.custom_id)
    return button


def form_parts(form: Form) -> int:
    """How many modals ``form`` needs (5 fields each)."""
    return max(1, -(-len(form.fields) // MODAL_INPUTS))


def _form_label(form: Form, part: int) -> str:
    title = to_plain(form.title).strip() or "Fill in"
    parts = form_parts(form)
    if parts == 1:
        return fit(title, BUTTON_LABEL)
    counter = f" ({part + 1}/{parts})"
    return fit(title, BUTTON_LABEL - size(counter)) + counter


def form_button_view(form: Form, part: int) -> Buttons:
    """A view with the one button that opens part ``part`` of ``form``."""
    tokens: list[Pair] = []
    token = _fitted(_PARTED, form.token, tokens)
    parted = form_custom_id(token, part).removeprefix(FORM_PREFIX)
    button = FormButton(parted, label=_form_label(form, part))
    return Buttons((_view([button]),), tuple(tokens))


def build_modal(form: Form, part: int = 0) -> discord.ui.Modal:
    """Part ``part`` of a form as a modal: a labelled input per field (5 a modal), errors
    shown under their labels. Choice and yes/no fields are selects (25 options at most; more
    are typed), the others text inputs. The ``custom_id`` carries the form's token (or its
    short stand-in, as the form's button does) and the part."""
    parts = form_parts(form)
    counter = f" ({part + 1}/{parts})" if parts > 1 else ""
    title = fit(to_plain(form.title).strip() or "Your answers", MODAL_TITLE - size(counter))
    token = _fitted(_PARTED, form.token, [])  # as the form's button has it
    modal = discord.ui.Modal(
        title=title + counter, custom_id=modal_custom_id(token, part), timeout=MODAL_TIMEOUT
    )
    errors = dict(form.errors)
    first = part * MODAL_INPUTS
    for index, form_field in enumerate(form.fields[first : first + MODAL_INPUTS], start=first):
        error = errors.get(form_field.name)
        modal.add_item(
            discord.ui.Label(
                text=fit(to_plain(form_field.label).strip() or form_field.name, LABEL_TEXT),
                description=fit(error, LABEL_DESCRIPTION) if error else None,
                component=_input(form_field, field_custom_id(form_field.name, index)),
            )
        )
    return modal


def _input(form_field: FormField, custom_id: str) -> discord.ui.Item[discord.ui.Modal]:
    options = _select_options(form_field)
    if options is None:
        return _text_input(form_field, custom_id)
    hint = (
        fit(to_plain(form_field.placeholder), SELECT_PLACEHOLDER)
        if form_field.placeholder
        else None
    )
    return discord.ui.Select(
        custom_id=custom_id,
        placeholder=hint,
        options=options,
        required=form_field.required,
        min_values=1 if form_field.required else 0,
        max_values=1,
    )


def _select_options(form_field: FormField) -> list[discord.SelectOption] | None:
    """A select's options for a yes/no or choice field, or ``None`` when a text input must do
    (no options, more than 25, or values too long for a select)."""
    if form_field.kind == "yesno":
        pairs: Sequence[tuple[str, str]] = (("yes", "Yes"), ("no", "No"))
    elif form_field.kind in ("choice", "scale") and form_field.options:
        pairs = form_field.options
    else:
        return None
    values = [value for value, _ in pairs]
    if len(pairs) > SELECT_OPTIONS or len(set(values)) < len(values):
        return None
    if any(not 0 < size(value) <= OPTION_TEXT for value in values):
        return None
    return [
        discord.SelectOption(
            label=fit(to_plain(label).strip() or value, OPTION_TEXT),
            value=value,
            default=value == form_field.initial,
        )
        for value, label in pairs
    ]


def _text_input(form_field: FormField, custom_id: str) -> discord.ui.TextInput[discord.ui.Modal]:
    long = form_field.kind == "long_text"
    limit = min(form_field.max_length or INPUT_VALUE, INPUT_VALUE)
    initial = fit(form_field.initial, limit) if form_field.initial else None
    return discord.ui.TextInput(
        custom_id=custom_id,
        style=discord.TextStyle.paragraph if long else discord.TextStyle.short,
        placeholder=_placeholder(form_field),
        default=initial,
        required=form_field.required,
        max_length=max(limit, 1),
    )


def _placeholder(form_field: FormField) -> str | None:
    hint = form_field.placeholder
    if not hint and form_field.options:
        hint = " / ".join(label for _, label in form_field.options)
    hint = hint or _HINTS.get(form_field.kind)
    return fit(to_plain(hint), INPUT_PLACEHOLDER) if hint else None
