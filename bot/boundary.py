"""The boundary types: the only values that cross between the engine and an adapter.

An adapter turns a platform event into an :class:`Incoming`, calls ``Engine.handle``, renders the
returned :class:`Reply` values. Everything here is a frozen dataclass of plain values, so the core
never sees a raw platform payload and an adapter never sees engine state.

Text in a :class:`Reply` is *neutral markup* (see :mod:`bot.render.markup`): ``**bold**``,
``_italic_``,
``[label](https://link)``, ``- list items`` and backslash escapes. Adapters convert it to the
platform's own markup.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Literal

__all__ = (
    "Attachment",
    "Card",
    "Choice",
    "Command",
    "ConversationRef",
    "Destination",
    "FieldKind",
    "Form",
    "FormField",
    "Incoming",
    "Platform",
    "Reply",
    "UserInfo",
    "Visibility",
    "clean_text",
    "quick_choice",
    "quick_form",
    "quick_reply",
)

Platform = Literal["console", "slack", "discord"]
Visibility = Literal["private", "conversation"]
Destination = Literal["conversation", "dm", "referral_channel"]
ChoiceStyle = Literal["default", "primary", "danger"]
# An unpaired UTF-16 surrogate (Slack's and Discord's JSON can carry "\ud800" alone) cannot be
# encoded as UTF-8, and PostgreSQL text cannot hold NUL: either would fail the turn at the store.
_UNSTORABLE = re.compile("[\ud800-\udfff\x00]")
_REPLACEMENT = "\ufffd"


def clean_text(text: str) -> str:
    """``text`` with each lone surrogate replaced by U+FFFD and each NUL removed.

    Called on everything a person typed as it enters the core (see :class:`Incoming`), so the
    answer is kept, on every store, instead of failing the turn.
    """
    if text.isascii() and "\x00" not in text:
        return text  # the common case, and the cheap test
    if _UNSTORABLE.search(text) is None:
        return text
    # Round-tripping through UTF-16 joins a surrogate pair that arrived as two halves and
    # replaces what stays unpaired.
    paired = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return paired.replace("\x00", "")


def _clean_optional(text: str | None) -> str | None:
    return None if text is None else clean_text(text)


FieldKind = Literal[
    "text", "long_text", "choice", "yesno", "datetime", "phone", "email", "url", "number", "scale"
]


@dataclass(frozen=True, slots=True)
class ConversationRef:
    """Where a conversation happens and with whom.

    ``space`` is the Slack team or Discord guild (``None`` for a DM outside any server),
    ``thread`` the Slack thread ``ts`` when a thread holds its own conversation.
    """

    platform: Platform
    channel: str
    user: str
    space: str | None = None
    thread: str | None = None

    # Derived once: the engine asks for them many times a turn.
    key: str = field(init=False, repr=False, compare=False)
    """The conversation key: one conversation per user, channel and thread."""
    user_key: str = field(init=False, repr=False, compare=False)
    """The key of the person, across all their conversations on one platform."""

    def __post_init__(self) -> None:
        space = self.space or "-"
        key = ":".join((self.platform, space, self.channel, self.thread or "-", self.user))
        object.__setattr__(self, "key", key)
        object.__setattr__(self, "user_key", f"{self.platform}:{space}:{self.user}")


@dataclass(frozen=True, slots=True)
class UserInfo:
    """What the platform tells us about the person (all optional)."""

    display_name: str | None = None
    locale: str | None = None
    time_zone: str | None = None  # an IANA name such as "Europe/Berlin"

    def __post_init__(self) -> None:
        for name in ("display_name", "locale", "time_zone"):
            object.__setattr__(self, name, _clean_optional(getattr(self, name)))


@dataclass(frozen=True, slots=True)
class Command:
    """An explicit command from the platform (a slash command's text, a menu item)."""

    name: str
    args: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", clean_text(self.name))
        object.__setattr__(self, "args", clean_text(self.args))


@dataclass(frozen=True, slots=True)
class Incoming:
    """One thing that happened in a conversation.

    Exactly one of ``text``, ``choice_token``, ``form`` or ``command`` is normally set;
    ``timeout_token`` is set only by the scheduler when a waiting question timed out.
    """

    conversation: ConversationRef
    text: str | None = None
    choice_token: str | None = None
    form: tuple[tuple[str, str], ...] | None = None
    command: Command | None = None
    timeout_token: str | None = None
    event_id: str | None = None
    received_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    user: UserInfo = field(default_factory=UserInfo)

    def __post_init__(self) -> None:
        # The boundary is where typed text enters: clean it once here, for every adapter.
        for name in ("text", "choice_token", "timeout_token", "event_id"):
            object.__setattr__(self, name, _clean_optional(getattr(self, name)))
        if self.form is not None:
            cleaned = tuple((clean_text(key), clean_text(value)) for key, value in self.form)
            object.__setattr__(self, "form", cleaned)


@dataclass(frozen=True, slots=True)
class Choice:
    """A button. ``token`` names the flow version, step and question it belongs to, so a click
    on an old button is recognised as stale instead of answering the current question.

    ``keyword``: the word that picks this choice when typed as a message (the engine reads it),
    set on a choice that a typed *number* must never pick, because a number typed there is the
    question's own answer ("Switch to: ..." under "When suits you?", where "1" is 1 o'clock).
    An adapter that lets a number pick a choice (the console) shows the keyword instead of a
    number for it; buttons are pressed as any other.
    """

    id: str
    label: str
    token: str
    style: ChoiceStyle = "default"
    keyword: str | None = None


@dataclass(frozen=True, slots=True)
class FormField:
    """One typed input of a form (a Slack modal input, a Discord text input, a console prompt)."""

    name: str
    label: str
    kind: FieldKind = "text"
    required: bool = True
    placeholder: str | None = None
    options: tuple[tuple[str, str], ...] = ()  # (id, label) for choice fields
    max_length: int | None = None
    initial: str | None = None


@dataclass(frozen=True, slots=True)
class Form:
    """A group of fields answered at once; submitted back as ``Incoming.form`` with ``token``.

    ``errors`` maps field names to messages when a submitted form is shown again."""

    title: str
    fields: tuple[FormField, ...]
    token: str
    submit_label: str = "Submit"
    errors: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Card:
    """A titled summary with fields (referral posts, summaries)."""

    title: str
    fields: tuple[tuple[str, str], ...] = ()
    text: str = ""
    key: str | None = None  # what the card shows, e.g. "referral:12", so it can be updated


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file that goes with a reply (the data export): the console saves it and prints where;
    Slack and Discord can upload it. ``content`` is text (UTF-8)."""

    filename: str
    content: str
    media_type: str = "application/json"


@dataclass(frozen=True, slots=True)
class Reply:
    """One message for the user (or, with consent, a channel).

    Most replies go back where the event came from. Two fields say otherwise, for events whose
    answers go elsewhere (a click on a referral card):

    - ``to``: the conversation it goes to instead, e.g. the sharer's DM for the notice that a
      colleague answered their card, or the referral channel a new card is posted in (with
      ``destination="referral_channel"``; its ``channel`` is the channel's id).
    - ``replaces``: the key of a :class:`Card` already posted; the reply is an edit of that
      message, not a new one. After a click it is the message whose button was pressed.
    """

    text: str
    choices: tuple[Choice, ...] = ()
    form: Form | None = None
    card: Card | None = None
    visibility: Visibility = "private"
    destination: Destination = "conversation"
    attachment: Attachment | None = None
    to: ConversationRef | None = None
    replaces: str | None = None


# -- quick construction for the engine's hot path -----------------------------------------------
# A frozen dataclass sets every field through ``object.__setattr__`` (its own __setattr__
# refuses): ~1.1 us for a Reply's nine, and a turn makes a Reply or two, buttons and a form. The
# drafts below have the same slots without the guard, so their plain assignments are cheap, and
# then take the frozen class: the value is the one the constructor makes (equal, hashed and
# frozen alike; tests/bot/test_quick_boundary.py compares them). A field added to the frozen
# class and not here makes the class assignment fail loudly (the slots no longer match).
# The quick_* names are the drafts themselves (no wrapper call); type checkers see functions.


class _ChoiceDraft:
    __slots__ = Choice.__slots__

    def __init__(self, id: str, label: str, token: str, style: ChoiceStyle = "default") -> None:
        self.id, self.label, self.token, self.style = id, label, token, style
        self.keyword = None
        self.__class__ = Choice  # type: ignore[assignment]


class _FormDraft:
    __slots__ = Form.__slots__

    def __init__(
        self,
        title: str,
        fields: tuple[FormField, ...],
        token: str,
        errors: tuple[tuple[str, str], ...] = (),
    ) -> None:
        self.title, self.fields, self.token = title, fields, token
        self.submit_label, self.errors = "Submit", errors
        self.__class__ = Form  # type: ignore[assignment]


class _ReplyDraft:
    __slots__ = Reply.__slots__

    def __init__(
        self, text: str, choices: tuple[Choice, ...] = (), form: Form | None = None
    ) -> None:
        self.text, self.choices, self.form, self.card = text, choices, form, None
        self.visibility, self.destination, self.attachment = "private", "conversation", None
        self.to = self.replaces = None
        self.__class__ = Reply  # type: ignore[assignment]


if TYPE_CHECKING:

    def quick_choice(id: str, label: str, token: str, style: ChoiceStyle = "default") -> Choice:
        """``Choice(id, label, token, style)``, made without the frozen dataclass's __init__."""

    def quick_form(
        title: str,
        fields: tuple[FormField, ...],
        token: str,
        errors: tuple[tuple[str, str], ...] = (),
    ) -> Form:
        """``Form(title, fields, token, errors=errors)``, made without the frozen __init__."""

    def quick_reply(
        text: str, choices: tuple[Choice, ...] = (), form: Form | None = None
    ) -> Reply:
        """``Reply(text, choices=choices, form=form)``, made without the frozen __init__."""

else:
    quick_choice, quick_form, quick_reply = _ChoiceDraft, _FormDraft, _ReplyDraft
