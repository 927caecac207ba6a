"""Find red-flag phrases in what a recruiter asked or wrote: patterns, negation, exemptions.

The rules themselves (which words, which rule id) are data in :mod:`legitimacy_rules`; this
module only knows how to apply them:

- Text is folded (lower case, straight quotes, one space) and split into sentences, so "near"
  never reaches across a full stop.
- A match is cancelled by a negation in the few words before its *act* (the verb that carries
  the request): "we will never ask you to pay for training" is not a request to pay. A comma,
  "but" or a colon ends the negation's reach: "no experience needed, but pay the fee" still is.
- A sentence that matches a rule's exemption does not count ("the placement fee is paid by the
  client"); a pattern's ``unless`` looks at the whole text ("you're hired" after a video
  interview is not an offer without an interview).
- ``all_of`` rules need every pattern somewhere in the text (the fake-check story has three
  parts that are harmless alone).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

__all__ = ("Hit", "TextPattern", "TextRule", "fold", "near", "negated", "scan", "sentences")

# How far back a negation reaches, in words, and the words that negate.
NEGATION_REACH = 4
NEGATIONS = frozenset(
    {
        "no",
        "not",
        "never",
        "without",
        "nor",
        "cannot",
        "zero",
        "neither",
        "dont",
        "doesnt",
        "didnt",
        "wont",
        "cant",
        "isnt",
        "arent",
        "shouldnt",
        "neednt",
        "wouldnt",
    }
)
_NEGATION_BREAK = re.compile(r"[,:()]|\bbut\b|\bhowever\b")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|[\n;]+")
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})
_SPACES = re.compile(r"[ \t\r\f\v]+")
EXCERPT_LENGTH = 80
SHORT_MATCH = 25  # shorter matches are quoted with some words around them


@dataclass(frozen=True, slots=True)
class TextPattern:
    """One way a rule shows in text.

    ``act`` locates the word a negation must come before (default: the start of the match);
    ``unless`` cancels the pattern when it matches anywhere in the text.
    """

    regex: re.Pattern[str]
    act: re.Pattern[str] | None = None
    unless: re.Pattern[str] | None = None


@dataclass(frozen=True, slots=True)
class TextRule:
    rule_id: str
    patterns: tuple[TextPattern, ...]
    negatable: bool = True
    exempt: re.Pattern[str] | None = None  # a sentence matching this does not count
    all_of: bool = False  # every pattern must match somewhere


@dataclass(frozen=True, slots=True)
class Hit:
    """A rule seen in the text, with the words that showed it (folded, shortened)."""

    rule_id: str
    excerpt: str


def fold(text: str) -> str:
    """Lower case, straight quotes, single spaces; line breaks kept (they end sentences)."""
    return _SPACES.sub(" ", text.translate(_QUOTES).lower()).strip()


def sentences(text: str) -> list[str]:
    return [part.strip() for part in _SENTENCE_END.split(fold(text)) if part.strip()]


def near(first: str, second: str, words: int = 6) -> str:
    """A regex for ``first`` and ``second`` in either order with at most ``words`` between."""
    gap = rf"(?:\W+\w+){{0,{words}}}?\W+"
    return rf"(?:{first}){gap}(?:{second})|(?:{second}){gap}(?:{first})"


def scan(text: str, rules: Sequence[TextRule]) -> list[Hit]:
    """Every rule that fires in ``text``, once each, in rule order."""
    parts = sentences(text)
    whole = " \n".join(parts)
    hits = []
    for rule in rules:
        excerpts = [_first_match(rule, pattern, parts, whole) for pattern in rule.patterns]
        found = [e for e in excerpts if e is not None]
        if found and (not rule.all_of or len(found) == len(rule.patterns)):
            hits.append(Hit(rule.rule_id, found[0]))
    return hits


def _first_match(
    rule: TextRule, pattern: TextPattern, parts: Sequence[str], whole: str
) -> str | None:
    if pattern.unless is not None and pattern.unless.search(whole):
        return None
    for sentence in parts:
        if rule.exempt is not None and rule.exempt.search(sentence):
            continue
        for match in _matches(pattern, sentence):
            if not (rule.negatable and negated(sentence, _act_position(pattern, match))):
                return _excerpt(sentence, match)
    return None


def _matches(pattern: TextPattern, sentence: str) -> Iterator[re.Match[str]]:
    return pattern.regex.finditer(sentence)


def _act_position(pattern: TextPattern, match: re.Match[str]) -> int:
    if pattern.act is not None:
        act = pattern.act.search(match.string, match.start(), match.end())
        if act is not None:
            return act.start()
    return match.start()


def negated(sentence: str, position: int) -> bool:
    """Whether a negation stands in the few words before ``position`` (see the docstring)."""
    before = sentence[:position]
    breaks = list(_NEGATION_BREAK.finditer(before))
    if breaks:
        before = before[breaks[-1].end() :]
    words = re.findall(r"[a-z']+", before)[-NEGATION_REACH:]
    return any(word.replace("'", "") in NEGATIONS or word.endswith("n't") for word in words)


def _excerpt(sentence: str, match: re.Match[str]) -> str:
    """The matched words, with a few words around a short match so that it reads as a quote."""
    start, end = match.start(), match.end()
    if end - start < SHORT_MATCH:
        before = re.search(r"(?:\S+\s+){0,3}$", sentence[:start])
        after = re.match(r"(?:\s+\S+){0,3}", sentence[end:])
        start -= len(before.group(0)) if before else 0
        end += len(after.group(0)) if after else 0
    text = " ".join(sentence[start:end].split())
    if len(text) <= EXCERPT_LENGTH:
        return text
    return text[: EXCERPT_LENGTH - 1].rstrip() + "…"
