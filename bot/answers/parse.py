"""Read what a user typed in answer to a typed question (an ``ask`` step): the one entry point.

:func:`parse_answer` hands the answer to the reader of its kind, and reads free text (``text``)
itself. Every reader returns one of the outcomes of :mod:`bot.answers.outcomes` (re-exported
here, so a caller imports the entry point and its outcomes from one place):

- ``choice`` and ``yesno``: :mod:`bot.answers.choices` (several picks: :mod:`bot.answers.picks`);
- ``number`` and ``scale``: :mod:`bot.answers.numbers`;
- ``phone``, ``email`` and ``url``: :mod:`bot.answers.contact`;
- ``datetime``: :mod:`bot.answers.datetimes` (the user's zone: :mod:`bot.answers.zones`).

Everything here is a pure function of its arguments (``now`` is passed in, never read from the
clock), so the engine's tests and transcript tests are deterministic. Every typed kind reads the
NFKC form of a non-ASCII answer (fullwidth digits are digits); free text is kept as typed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from datetime import datetime

from bot.answers.choices import is_bare_yes, parse_choice, parse_picks, parse_yesno
from bot.answers.contact import parse_email, parse_phone, parse_url
from bot.answers.datetimes import parse_datetime
from bot.answers.numbers import parse_number, parse_scale
from bot.answers.outcomes import Invalid, Parsed, ParseOutcome, Unparsed, quick_parsed
from bot.answers.zones import zone_country
from bot.flow.model import ASK_KINDS, ChoiceOption, Rule

__all__ = ("DEFAULT_MAX_LENGTH", "Invalid", "ParseOutcome", "Parsed", "Unparsed", "parse_answer")

DEFAULT_MAX_LENGTH = 500


def parse_answer(
    kind: str,
    text: str,
    *,
    rule: Rule,
    now: datetime,
    time_zone: str | None = None,
    choices: Sequence[ChoiceOption] = (),
) -> ParseOutcome:
    """Read ``text`` as an answer of ``kind`` (one of ``bot.flow.model.ASK_KINDS``)."""
    text = text.strip()
    if kind != "text" and not text.isascii():
        # Fullwidth "a@b.com", "18:30" or "yes" (an East Asian keyboard) mean their ASCII
        # twins; every typed kind reads the NFKC form. Free text is kept as typed.
        text = unicodedata.normalize("NFKC", text).strip()
    if kind == "datetime":
        return parse_datetime(text, rule, now, time_zone)
    if kind == "choice":
        if rule.max is not None and rule.max > 1:
            return parse_picks(text, choices, int(rule.max))
        return parse_choice(text, choices)
    if kind == "phone":  # a number without its country code is read in the user's country
        return parse_phone(text, rule, default_region=zone_country(time_zone))
    parser = _PARSERS.get(kind)
    if parser is None:
        raise ValueError(f"unknown ask kind {kind!r}; expected one of {', '.join(ASK_KINDS)}")
    return parser(text, rule)


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _parse_text(text: str, rule: Rule) -> ParseOutcome:
    if not text:
        return Unparsed("Please type an answer.")
    length = len(text)
    if rule.min_length is not None and length < rule.min_length:
        return Invalid(
            f"Please write at least {_plural(rule.min_length, 'character')} (that was {length})."
        )
    longest = DEFAULT_MAX_LENGTH if rule.max_length is None else rule.max_length
    if length > longest:
        return Invalid(f"Please keep it to {_plural(longest, 'character')} (that was {length}).")
    if rule.pattern is not None:
        return _check_pattern(text, rule) or quick_parsed(text, text)
    if is_bare_yes(text):  # "What's their name?" "yes": meant for another question
        return _BARE_YES_REFUSED
    return quick_parsed(text, text)


_BARE_YES_REFUSED = Invalid(
    "A yes on its own doesn't answer this one. Please type the answer itself."
)


def _check_pattern(text: str, rule: Rule) -> Invalid | None:
    """A text ask's ``pattern``: the whole answer must match (case as written in the pattern)."""
    if rule.pattern is None or re.fullmatch(rule.pattern, text):
        return None
    return Invalid(rule.pattern_message or "That doesn't look right. Please check and try again.")


_PARSERS: dict[str, Callable[[str, Rule], ParseOutcome]] = {
    "text": _parse_text,
    "yesno": parse_yesno,
    "phone": parse_phone,
    "email": parse_email,
    "url": parse_url,
    "number": parse_number,
    "scale": parse_scale,
}
