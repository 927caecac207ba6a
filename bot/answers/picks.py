"""Several options named in one message: "1, 2 and 4", "pay and growth", "Manager and team, 3".

A choice ask with ``max: 3`` takes up to three options at once; its slot holds the list of option
ids in the order the user named them. Each part of the message must name an option (by label, id,
``match`` word or number); what is left between them may only be joining words ("and", "or",
commas). Labels that contain "and" ("Pay and benefits") win over splitting, because longer names
are matched first.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from bot.flow.model import ChoiceOption

__all__ = ("JOINING_WORDS", "read_picks")

JOINING_WORDS = frozenset({"and", "or", "also", "plus", "then", "my", "the", "n", "amp"})
MAX_WORDS = 60  # longer is no list of picks; and keeps the matching cheap


def read_picks(
    folded: str, choices: Sequence[ChoiceOption], fold: Callable[[str], str]
) -> list[ChoiceOption] | None:
    """The options ``folded`` (already case- and punctuation-folded) names, in its order, or
    None when some part of it names no option. ``fold`` folds an option's texts the same way."""
    words = folded.split()
    if not words or len(words) > MAX_WORDS:
        return None
    phrases = _phrases(choices, fold)
    found: list[tuple[int, ChoiceOption]] = []
    taken = [False] * len(words)
    for phrase, option in phrases:
        size = len(phrase)
        for start in range(len(words) - size + 1):
            span = range(start, start + size)
            if words[start : start + size] == phrase and not any(taken[i] for i in span):
                for i in span:
                    taken[i] = True
                found.append((start, option))
    leftover = [w for w, used in zip(words, taken, strict=True) if not used]
    if not found or any(w not in JOINING_WORDS for w in leftover):
        return None
    ordered: list[ChoiceOption] = []
    for _, option in sorted(found, key=lambda item: item[0]):
        if option not in ordered:
            ordered.append(option)
    return ordered


def _phrases(
    choices: Sequence[ChoiceOption], fold: Callable[[str], str]
) -> list[tuple[list[str], ChoiceOption]]:
    """Every name of every option as a word list, longest first (numbers last)."""
    named: list[tuple[list[str], ChoiceOption]] = []
    for option in choices:
        for text in (option.label, option.id.replace("_", " "), *option.match):
            words = fold(text).split()
            if words:
                named.append((words, option))
    named.sort(key=lambda item: -len(item[0]))
    numbered = [([str(n)], option) for n, option in enumerate(choices, start=1)]
    return named + numbered
