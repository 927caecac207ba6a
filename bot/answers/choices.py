"""Reading a pick from a list (a ``choice`` ask) and a yes or no (a ``yesno`` ask).

An option is named by its label, its id, one of its ``match`` words or its 1-based number, in any
case and punctuation ("I'm at work!" names "im at work"); a choice ask with ``max`` above 1 takes
several options in one message (:mod:`bot.answers.picks`). Yes and no are read from the many ways
people say them ("yep", "no thanks", a thumbs-up) and from the first word of a longer answer
("yes, call me tomorrow"). :func:`is_bare_yes` tells a free-text question that its answer was
only a yes (meant for an earlier question, or a yes/no reflex).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

from bot.answers.outcomes import Invalid, Parsed, ParseOutcome, Unparsed
from bot.answers.picks import read_picks
from bot.flow.model import ChoiceOption, Rule

__all__ = ("fold", "is_bare_yes", "match_choice", "parse_choice", "parse_picks", "parse_yesno")


def _join_or(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} or {items[-1]}"


_NOT_WORD = re.compile(r"[^\w\s]+|_")
_OPTION_NUMBER = re.compile(r"(?:option |number )?(\d{1,3})")


def fold(text: str) -> str:
    """Case-, whitespace- and punctuation-insensitive form: "I'm at work!" -> "im at work"."""
    if text.isascii() and text.replace(" ", "").isalnum():
        # ASCII letters, digits and spaces (most answers): nothing for the pattern to remove,
        # and casefold is lower. The pattern costs more than the rest of the folding.
        return " ".join(text.lower().split())
    return _fold_any(text)


def _fold_any(text: str) -> str:
    text = text.casefold().replace("'", "").replace("\u2019", "")
    return " ".join(_NOT_WORD.sub(" ", text).split())


# Labels, ids and match words repeat on every turn: fold each once.
_fold_option_text = lru_cache(maxsize=4096)(fold)


def match_choice(text: str, choices: Sequence[ChoiceOption]) -> ChoiceOption | None:
    """The option ``text`` names: its label, id or a ``match`` word, else its 1-based number."""
    key = fold(text)
    if not key:
        return None
    named = _names_of(choices).get(key)
    return named[0] if named is not None else _numbered_or_part(key, choices)


def _numbered_or_part(key: str, choices: Sequence[ChoiceOption]) -> ChoiceOption | None:
    """The option a folded ``key`` that is no option's name names: by number, or by words."""
    number = _OPTION_NUMBER.fullmatch(key)
    if number is not None and 1 <= int(number[1]) <= len(choices):
        return choices[int(number[1]) - 1]
    return _part_of_one_label(key, choices)


# An option named, and the answer it makes (immutable: one object serves every answer).
_Named = tuple[ChoiceOption, Parsed]

# The names of each question's options, built on its first answer. Keyed by the tuple's id, and
# the tuple is kept in the entry, so the id cannot be reused while the entry lives.
_NAMES: dict[int, tuple[Sequence[ChoiceOption], dict[str, _Named]]] = {}
_MAX_NAMED = 1024  # distinct option tuples of all loaded flow versions; more: start again


def _names_of(choices: Sequence[ChoiceOption]) -> dict[str, _Named]:
    """Folded label, id or ``match`` word -> the option it names (flows are immutable)."""
    found = _NAMES.get(id(choices))
    if found is not None and found[0] is choices:
        return found[1]
    names = _option_names(choices)
    if type(choices) is tuple:  # a list could change after this
        if len(_NAMES) >= _MAX_NAMED:
            _NAMES.clear()
        _NAMES[id(choices)] = (choices, names)
    return names


def _option_names(choices: Sequence[ChoiceOption]) -> dict[str, _Named]:
    names: dict[str, _Named] = {}
    named = [(option, Parsed(option.id, option.label)) for option in choices]
    # Labels and ids first, so an option labelled "2" wins over the second option; then the
    # match words; within each, the first option that has the name.
    for option, answer in named:
        names.setdefault(_fold_option_text(option.label), (option, answer))
        names.setdefault(_fold_option_text(option.id), (option, answer))
    for option, answer in named:
        for word in option.match:
            names.setdefault(_fold_option_text(word), (option, answer))
    return names


def _part_of_one_label(key: str, choices: Sequence[ChoiceOption]) -> ChoiceOption | None:
    """The one option whose label holds the typed words in order ("can talk" names "I can talk
    now", not "I'm at work, I can't talk"); None when no label or several do ("interested"
    is in "I'm interested" and "Not interested"), or the words are all tiny ("i", "a")."""
    words = key.split()
    if max(len(word) for word in words) < 3:
        return None
    found = [option for option in choices if _in_order(words, _fold_option_text(option.label))]
    return found[0] if len(found) == 1 else None


def _in_order(words: list[str], label: str) -> bool:
    remaining = iter(label.split())
    return all(word in remaining for word in words)


def parse_choice(text: str, choices: Sequence[ChoiceOption]) -> ParseOutcome:
    key = fold(text)
    named = _names_of(choices).get(key) if key else None
    if named is not None:
        return named[1]
    option = _numbered_or_part(key, choices) if key else None
    if option is None:
        labels = [option.label for option in choices]
        return Unparsed(f"Please pick one of: {_join_or(labels)} (or type its number).")
    return Parsed(option.id, option.label)


def parse_picks(text: str, choices: Sequence[ChoiceOption], limit: int) -> ParseOutcome:
    """Up to ``limit`` options in one message ("1, 2 and 4"): the list of their ids."""

    single = match_choice(text, choices)
    picked = [single] if single is not None else read_picks(fold(text), choices, _fold_option_text)
    if not picked:
        labels = [option.label for option in choices]
        return Unparsed(
            f"Please pick up to {limit} of: {_join_or(labels)} (or type their numbers, "
            "like “1, 3 and 4”)."
        )
    if len(picked) > limit:
        return Invalid(f"Please pick no more than {limit} (that was {len(picked)}).")
    return Parsed([o.id for o in picked], ", ".join(o.label for o in picked))


_YES = frozenset(
    {
        "yes", "y", "ye", "yeah", "yea", "yeh", "yep", "yup", "ya", "yah", "yass", "sure",
        "sure thing", "ok", "okay", "k", "kk", "okey", "of course", "definitely", "absolutely",
        "certainly", "please", "please do", "yes please", "go ahead", "do it", "why not",
        "sounds good", "correct", "right", "true", "affirmative", "indeed", "totally", "i do",
        "i am", "i would", "aye", "si", "ja", "oui", "no problem", "no worries", "alright",
        "all right", "fine", "no doubt", "no brainer", "no objections", "no objection",
        "no complaints", "not a problem", "not a problem at all", "not a bad idea",
        "no reason not to", "no harm in trying",
    }
)  # fmt: skip
_NO = frozenset(
    {
        "no", "n", "nope", "nah", "naw", "no thanks", "no thank you", "nope thanks", "not really",
        "not now", "not yet", "never", "negative", "false", "no way", "nay", "not at all",
        "i dont", "i do not", "dont", "do not", "rather not", "id rather not", "not interested",
        "no sorry", "sorry no", "nein", "non",
    }
)  # fmt: skip
# Words that start a longer yes ("yes, call me") or no ("no, I'm busy") answer.
_YES_LEAD = frozenset({"yes", "y", "yeah", "yep", "yup", "sure", "ok", "okay", "absolutely"})
_NO_LEAD = frozenset({"no", "n", "nope", "nah", "not", "never"})
# After a yes, these take it back or put it off: "ok I'll pass", "yes but later".
_HEDGES = frozenset({"but", "pass", "decline", "later", "maybe"})
_YES_MARKS = frozenset({"\N{THUMBS UP SIGN}", "\N{WHITE HEAVY CHECK MARK}", "\N{OK HAND SIGN}"})
_NO_MARKS = frozenset({"\N{THUMBS DOWN SIGN}", "\N{CROSS MARK}"})
# Skin tones and the emoji presentation selector: a phone's thumbs-up is often "👍🏽" or "👍️".
_EMOJI_MODIFIERS = "\ufe0f\U0001f3fb\U0001f3fc\U0001f3fd\U0001f3fe\U0001f3ff"


def _read_yesno(text: str) -> bool | None:
    mark = text.rstrip(_EMOJI_MODIFIERS)
    if mark in _YES_MARKS:
        return True
    if mark in _NO_MARKS:
        return False
    key = fold(text)
    if key in _YES:
        return True
    if key in _NO:
        return False
    words = key.split()
    if not words:
        return None
    # "yes, call me tomorrow" is a yes; "yes and no" is neither.
    if words[0] in _YES_LEAD and _NO_LEAD.isdisjoint(words[1:]) and _HEDGES.isdisjoint(words):
        return True
    if words[0] in _NO_LEAD and _YES_LEAD.isdisjoint(words[1:]):
        return False
    return None


# The three answers a yes/no question can get (immutable: made once).
_YES_ANSWER, _NO_ANSWER = Parsed(True, "Yes"), Parsed(False, "No")
_NOT_YES_OR_NO = Unparsed("Please answer yes or no.")


def parse_yesno(text: str, rule: Rule) -> ParseOutcome:
    answer = _read_yesno(text)
    if answer is None:
        return _NOT_YES_OR_NO
    return _YES_ANSWER if answer else _NO_ANSWER


# The yeses that answer nothing but a yes/no question: never a name, a role or a note. Words
# that are also names or initials ("Ya", "Si", "K", "Ja") or that can be an answer ("fine",
# "right", "true", "please") are left out.
_BARE_YES = frozenset(
    {
        "yes", "ye", "yeah", "yea", "yeh", "yep", "yup", "yass", "sure", "sure thing", "ok",
        "okay", "kk", "okey", "of course", "definitely", "absolutely", "certainly", "yes please",
        "go ahead", "sounds good", "affirmative", "alright", "all right", "no problem",
    }
)  # fmt: skip


def is_bare_yes(text: str) -> bool:
    """True when ``text`` is only a yes ("Yes!", "ok.", "yes" typed fullwidth, a thumbs-up)."""
    text = text.strip()
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text).strip()
    if text.rstrip(_EMOJI_MODIFIERS) in _YES_MARKS:
        return True  # a thumbs-up of any skin tone, with or without the emoji selector
    return len(text) <= 20 and fold(text) in _BARE_YES
