"""Look-alike letters, from the Unicode confusables data (UTS #39) as shipped by
``confusable_homoglyphs``: a domain label and a company name are compared by their *skeletons*.

The skeleton is written in lower-case ASCII letters and digits: every other character that the
Unicode data lists as a look-alike of an ASCII letter becomes that letter (a Cyrillic letter a
-> "a", a fullwidth m -> "m", the digit "0" -> "o", "1" -> "l"), and a run of letters that the
data lists as a look-alike of one letter ("rn" for "m") becomes that letter. So "micros0ft",
"rnicrosoft" and "microsoft" share the skeleton "microsoft". Nothing here is a hand-written list:
the mapping is derived once from the library's data file (about 35 ms, on first use), and the
library reads only its bundled file, never the network.

This is rule logic, not input cleaning: it runs on text that may already be normalised.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

__all__ = ("skeleton",)

_TARGET = re.compile(r"[a-z0-9]+")  # the alphabet skeletons are written in
_LETTERS = re.compile(r"[a-z]+")
_MARKS = str.maketrans("", "", "\u200e\u200f")  # direction marks the data wraps RTL text in


@dataclass(frozen=True, slots=True)
class _Tables:
    chars: dict[str, str]  # one character -> its ASCII look-alike
    runs: re.Pattern[str] | None  # runs of ASCII letters that look like one letter ("rn")
    run_letter: dict[str, str]


@cache
def _tables() -> _Tables:
    from confusable_homoglyphs.confusables import confusables_data  # ~35 ms: on first use

    chars: dict[str, str] = {}
    run_letter: dict[str, str] = {}
    for raw_key, entries in confusables_data.items():
        key = raw_key.translate(_MARKS)
        targets = [str(e["c"]).translate(_MARKS).lower() for e in entries]
        ascii_targets = [t for t in targets if _TARGET.fullmatch(t)]
        if len(key) == 1 and not _TARGET.fullmatch(key.lower()) and ascii_targets:
            chars[key] = min(ascii_targets, key=len)
        elif len(key) == 1 and key.isdigit() and key.isascii():
            letters = [t for t in ascii_targets if _LETTERS.fullmatch(t)]
            if letters:
                chars[key] = min(letters, key=len)  # "0" -> "o", "1" -> "l"
        elif len(key) > 1 and _LETTERS.fullmatch(key):
            singles = [t for t in targets if len(t) == 1 and _LETTERS.fullmatch(t)]
            if singles:
                run_letter[key] = singles[0]  # "rn" -> "m"
    runs = "|".join(sorted(map(re.escape, run_letter), key=len, reverse=True))
    return _Tables(chars, re.compile(runs) if runs else None, run_letter)


def skeleton(text: str) -> str:
    """``text`` in look-alike-free form (see the module docstring); hyphens and dots dropped."""
    tables = _tables()
    plain = unicodedata.normalize("NFKC", text).lower()
    folded = "".join(tables.chars.get(char, char) for char in plain if char not in "-.")
    if tables.runs is not None:
        folded = tables.runs.sub(lambda m: tables.run_letter[m.group(0)], folded)
    return folded
