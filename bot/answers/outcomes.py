"""The three outcomes of reading a typed answer; the flow language answers each differently.

- :class:`Parsed`: the answer was read and is valid; ``value`` goes into the slot (JSON-compatible)
  and ``display`` is how the coach echoes it back.
- :class:`Unparsed`: the answer could not be read at all ("whenever" for a date); the step's
  ``unparsed`` message is shown.
- :class:`Invalid`: the answer was read but breaks a rule (a time in the past, a number out of
  bounds); the step's ``invalid`` message is shown with ``reason`` in its context.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

__all__ = ("Invalid", "ParseOutcome", "Parsed", "Unparsed", "quick_parsed")


@dataclass(frozen=True, slots=True)
class Parsed:
    """The answer was read and is valid."""

    value: object  # JSON-compatible: str, int, float or bool
    display: str  # how to echo it back to the user
    # True when the reading is a guess the user should confirm before it is used ("12/01": which
    # is the day?); ``display`` then says it in full, with the year.
    confirm: bool = False


@dataclass(frozen=True, slots=True)
class Unparsed:
    """The answer could not be read at all."""

    reason: str  # short, plain words, shown to the user


@dataclass(frozen=True, slots=True)
class Invalid:
    """The answer was read but breaks a rule."""

    reason: str  # short, plain words, shown to the user


ParseOutcome = Parsed | Unparsed | Invalid


class _ParsedDraft:
    """Parsed's slots without the frozen guard (see bot.boundary's drafts: the frozen __init__
    sets each field through ``object.__setattr__``, twice the cost for every answer read)."""

    __slots__ = Parsed.__slots__

    def __init__(self, value: object, display: str) -> None:
        self.value, self.display, self.confirm = value, display, False
        self.__class__ = Parsed  # type: ignore[assignment]


if TYPE_CHECKING:

    def quick_parsed(value: object, display: str) -> Parsed:
        """``Parsed(value, display)``, made without the frozen dataclass's __init__."""

else:
    quick_parsed = _ParsedDraft  # the class itself: no wrapper call
