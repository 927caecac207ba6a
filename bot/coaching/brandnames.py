"""A company's name as its domain would spell it, and the words scammers add to a name.

:func:`make_brand` turns "Blue-Ridge Plumbing & Heating LLC" into a :class:`Brand`: its key
("blueridgeplumbingheating"), every way its own domain label may spell the name (the key; with
"and" kept, for marks-and-spencer.com; German letters spelt out, for mueller-logistik.de; the
first words of a long name, for blueridgeplumbing.com or northwind.com) and, for well-known
employers, the domains they recruit from (:mod:`brands`). Hyphens never matter: a label is
compared with its hyphens dropped, so coca-cola.com spells "cocacola".

:func:`strip_lures` takes the recruiting words off a label ("micros0ft-careers" -> "micros0ft",
"jobsacme" -> "acme"), so that the rest can be compared with the company's name.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from bot.coaching.brands import official_domains

__all__ = ("LURE_TOKENS", "Brand", "brand_key", "make_brand", "strip_lures")

# Words scammers add to a company's name: acme-careers.com, jobsacme.net, acmehr.org.
LURE_TOKENS = (
    "careers", "career", "jobs", "job", "hr", "recruiting", "recruitment", "recruiter",
    "recruit", "talent", "hiring", "hire", "apply", "staffing", "onboarding", "offers", "offer",
    "portal", "official", "team", "work", "people",
)  # fmt: skip
# Words a company name carries that its domain usually doesn't.
_LEGAL_WORDS = frozenset(
    {
        "inc", "incorporated", "llc", "ltd", "limited", "corp", "corporation", "co", "company",
        "gmbh", "plc", "sa", "ag", "bv", "nv", "pty", "llp", "lp", "the", "and", "group",
        "holdings", "srl", "sas", "oy", "ab", "as", "kg", "ohg", "ug", "pte", "pvt", "sarl",
        "bvba", "aps", "oyj", "kk",
    }
)  # fmt: skip
_GERMAN = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
MIN_PREFIX = 6  # the first word alone spells the company only when it is this long


@dataclass(frozen=True, slots=True)
class Brand:
    """A company name, ready to compare with domain labels."""

    key: str  # "acmewidgets"
    spellings: frozenset[str]  # labels (hyphens dropped) that are the company's own name
    official: frozenset[str]  # registrable domains known to be the company's (may be empty)

    @property
    def known(self) -> bool:
        """Whether we know the company's domains (a well-known employer)."""
        return bool(self.official)

    @property
    def official_labels(self) -> frozenset[str]:
        """The labels of its known domains as written, hyphens and all ("coca-cola")."""
        return frozenset(d.split(".", 1)[0] for d in self.official)

    @property
    def own_labels(self) -> frozenset[str]:
        """Every label (hyphens dropped) that is the company's own: for a known employer its
        domains' labels and its name, for any other company every spelling of its name."""
        if self.known:
            return frozenset(label.replace("-", "") for label in self.official_labels) | {self.key}
        return self.spellings


def brand_key(name: str) -> str:
    """A company name as a domain label would spell it: "Acme Corp." -> "acme"."""
    words = _words(name)
    kept = [w for w in words if w not in _LEGAL_WORDS] or words
    return "".join(kept)


@lru_cache(maxsize=512)  # names come from users: bounded
def make_brand(name: str) -> Brand:
    """The :class:`Brand` of a company name (or of a brand key, which is its own name)."""
    key = brand_key(name)
    spellings = {key}
    for words in (_words(name), _words(name.lower().translate(_GERMAN)), _unicode_words(name)):
        kept = [w for w in words if w not in _LEGAL_WORDS - {"and"}]
        plain = [w for w in kept if w != "and"]
        # the whole name too: "AAA SAS" writes from aaasas.com as often as from aaa.com
        spellings.update({"".join(kept), "".join(plain), "".join(words)})
        spellings.update(_without_trailing_legal_forms(words))
        for count in range(1, len(plain)):
            prefix = "".join(plain[:count])
            if count > 1 or len(prefix) >= MIN_PREFIX:
                spellings.add(prefix)
    spellings.discard("")
    return Brand(key, frozenset(spellings), official_domains(key))


def _without_trailing_legal_forms(words: list[str]) -> list[str]:
    """The name with its legal forms taken off the end one at a time: "LLC Inc." writes from
    llc.com, though "llc" is a legal form too (found by hypothesis)."""
    trimmed, spellings = list(words), []
    while len(trimmed) > 1 and trimmed[-1] in _LEGAL_WORDS:
        trimmed.pop()
        if trimmed[-1] != "and":  # "Acme GmbH & Co.": acmegmbh, not acmegmbhand
            spellings.append("".join(trimmed))
    return spellings


def _words(name: str) -> list[str]:
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    return re.findall(r"[a-z0-9]+", plain.lower().replace("&", " and "))


def _unicode_words(name: str) -> list[str]:
    # The name in its own letters, for a domain written in them (müller.de, not mueller.de).
    folded = unicodedata.normalize("NFKC", name).lower().replace("&", " and ")
    return re.findall(r"\w+", folded)


def strip_lures(label: str) -> list[tuple[str, list[str]]]:
    """``label`` (hyphens dropped) with its recruiting words taken off one at a time, from the
    ends inwards: each stage is what is left and the words taken off so far. Stage by stage,
    so that a company whose name holds such a word (Summit Staffing) is still found in
    summit-staffing-hr."""
    stages: list[tuple[str, list[str]]] = []
    removed: list[str] = []
    parts = [part for part in label.split("-") if part]
    while len(parts) > 1 and (parts[-1] in LURE_TOKENS or parts[0] in LURE_TOKENS):
        removed.append(parts.pop() if parts[-1] in LURE_TOKENS else parts.pop(0))
        stages.append(("".join(parts), list(removed)))
    core = "".join(parts)
    while token := _end_token(core):
        core = core.removesuffix(token) if core.endswith(token) else core.removeprefix(token)
        removed.append(token)
        stages.append((core, list(removed)))
    return stages


def _end_token(core: str) -> str | None:
    """A recruiting word at either end of ``core`` that leaves at least two letters."""
    for token in LURE_TOKENS:
        if len(core) > len(token) + 1 and (core.endswith(token) or core.startswith(token)):
            return token
    return None
