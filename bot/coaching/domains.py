"""Domains: read a host from an address or link, and compare it with a claimed company (R10, R11).

Registrable domains come from ``tldextract`` with the Public Suffix List snapshot it ships:
``suffix_list_urls=()`` means it never fetches a list and ``cache_dir=None`` means it never
writes one, so this module touches neither the network nor the disk. The extractor is built on
first use (importing tldextract costs ~100 ms) and kept.

How a domain compares with the company the user named (:func:`compare`), first match wins:

- **exact**: one of the company's known domains (:mod:`brands`), or a label that spells the
  company's own name, hyphens aside (coca-cola.com, t-mobile.com, blue-ridge-plumbing.com). For
  a known employer the same name under another ending is its own only for a country or .jobs
  ending (amazon.de); an ending one letter off the real one (.co for .com) is a look-alike.
- **lookalike**: the name with a recruiting word added or taken off (careers, jobs, talent, hr,
  recruiting, apply, hiring... micros0ft-careers.com, bankofamerica-careers.com), the name in
  front of someone else's domain, punycode, look-alike letters from the Unicode confusables data
  (:mod:`confusables`: rn for m, 0 for o, Cyrillic a), a typo (edit distance 1 for short names, 2
  for longer), or a known employer's name with any other word.
- **hosted**: the name in front of a hiring platform's domain (acme.wd1.myworkdayjobs.com).
- **partial**: the name with some other word (acmeproducts.com): a question, not a finding.
- **unrelated**: anything else (an agency's own domain, say).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Literal
from urllib.parse import urlsplit

from bot.coaching.brandnames import Brand, brand_key, make_brand, strip_lures
from bot.coaching.brands import HIRING_PLATFORMS
from bot.coaching.confusables import skeleton

if TYPE_CHECKING:
    from tldextract import TLDExtract

__all__ = (
    "BIG_BRANDS",
    "Brand",
    "Host",
    "Match",
    "brand_key",
    "compare",
    "edit_distance",
    "email_host",
    "find_hosts",
    "is_webmail",
    "make_brand",
    "parse_host",
    "skeleton",
)

WEBMAIL_LABELS = frozenset(
    {
        "gmail", "googlemail", "yahoo", "ymail", "rocketmail", "hotmail", "outlook", "live",
        "msn", "aol", "icloud", "protonmail", "proton", "gmx", "yandex", "tutanota", "tuta",
        "hushmail", "zohomail", "mailfence", "qq", "163", "126", "rediffmail", "inbox",
    }
)  # fmt: skip
WEBMAIL_DOMAINS = frozenset(
    {"me.com", "mac.com", "pm.me", "mail.com", "mail.ru", "web.de", "email.com", "usa.com"}
)
# Employers big enough that a webmail "recruiter" for them is a loud warning (R10 -> high).
BIG_BRANDS = frozenset(
    {
        "google", "alphabet", "amazon", "aws", "microsoft", "apple", "meta", "facebook",
        "netflix", "ibm", "oracle", "tesla", "walmart", "target", "deloitte", "pwc", "kpmg",
        "ey", "accenture", "jpmorgan", "jpmorganchase", "goldmansachs", "morganstanley",
        "bankofamerica", "citi", "citigroup", "wellsfargo", "salesforce", "adobe", "intel",
        "nvidia", "cisco", "samsung", "sony", "uber", "airbnb", "spotify", "paypal", "visa",
        "mastercard", "shell", "bp", "unilever", "nestle", "pfizer", "disney", "linkedin",
        "tiktok", "bytedance", "costco", "fedex", "ups", "dhl", "boeing", "siemens", "bosch",
        "hsbc", "barclays", "coinbase", "stripe", "openai", "nike", "starbucks", "mckinsey",
    }
)  # fmt: skip
# Free text is cut into words and each word is tested whole: linear in the text, unlike a search
# for hosts with nested repeats, which a long run of "a.a.a." makes crawl.
_WORD_SPLIT = re.compile(r"[\s<>()\[\]{}\"',;|]+")
_HOST_WORD = re.compile(r"(?:https?://)?[\w-]+(?:\.[\w-]+)+(?:[:/?#]\S*)?", re.IGNORECASE)
MAX_HOST_LENGTH = 253  # the DNS limit; longer is no host, and slow to split
MAX_HOSTS_IN_TEXT = 20  # more links than this in one message add nothing to the check

MatchKind = Literal["exact", "lookalike", "hosted", "partial", "unrelated"]


@dataclass(frozen=True, slots=True)
class Host:
    """A host name split at its registrable domain: ``jobs.acme.co.uk`` -> acme / co.uk."""

    host: str  # ASCII (punycode) form, lower case
    label: str  # the registrable domain's own label: "acme"
    suffix: str  # the public suffix: "co.uk"
    subdomain: str  # "jobs"

    @property
    def registrable(self) -> str:
        return f"{self.label}.{self.suffix}"


@dataclass(frozen=True, slots=True)
class Match:
    kind: MatchKind
    why: str = ""  # for a lookalike: what gives it away, in plain words


@cache
def _extractor() -> TLDExtract:
    import tldextract  # here, not at the top: ~100 ms, and only this check needs it

    # No list URLs: never fetch; no cache dir: never write. The bundled snapshot is used.
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def parse_host(text: str) -> Host | None:
    """The host of a link, a bare domain or an e-mail address; None when there is none."""
    # NFKC first: a fullwidth "a@b.com" is the address a browser or mail client would use (IDNA
    # maps it the same way), and urlsplit refuses a netloc that changes under NFKC (ValueError).
    text = unicodedata.normalize("NFKC", text).strip().strip("<>\"'").lower()
    if "@" in text and "://" not in text:
        text = text.rsplit("@", 1)[1]
    try:
        netloc = urlsplit(text if "://" in text else f"//{text}").hostname or ""
    except ValueError:  # an unbalanced "[" or a bad IPv6 literal: no host we can read
        return None
    return _split(netloc.rstrip("."))


def _split(host: str) -> Host | None:
    if not host or " " in host or len(host) > MAX_HOST_LENGTH:
        return None
    try:
        ascii_host = host.encode("idna").decode("ascii")
    except UnicodeError:
        return None
    extracted = _extractor()(ascii_host)
    if not extracted.domain or not extracted.suffix:
        return None
    return Host(ascii_host, extracted.domain, extracted.suffix, extracted.subdomain)


def email_host(address: str) -> tuple[Host | None, bool]:
    """The host of an e-mail address and whether the address is valid (syntax only)."""
    from email_validator import EmailNotValidError, validate_email  # ~25 ms: on first use

    try:
        valid = validate_email(address.strip(), check_deliverability=False)
    except EmailNotValidError:
        return (parse_host(address) if "@" in address else None), False
    return parse_host(valid.ascii_domain), True


def find_hosts(text: str) -> list[Host]:
    """Hosts of links, bare domains and e-mail addresses written in free text."""
    found: dict[str, Host] = {}
    for candidate in dict.fromkeys(_host_words(text)):
        host = parse_host(candidate)
        if host is not None:
            found.setdefault(host.host, host)
        if len(found) >= MAX_HOSTS_IN_TEXT:
            break
    return list(found.values())


def _host_words(text: str) -> list[str]:
    words = []
    for word in _WORD_SPLIT.split(text):
        word = word.rstrip(".:!?")
        if "@" in word:
            words.append(word.rsplit("@", 1)[1])
        elif "." in word and _HOST_WORD.fullmatch(word):
            words.append(word)
    return words


def is_webmail(host: Host) -> bool:
    return host.label in WEBMAIL_LABELS or host.registrable in WEBMAIL_DOMAINS


def edit_distance(a: str, b: str) -> int:
    """Optimal string alignment distance: insertions, deletions, substitutions, swaps."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, char_b in enumerate(b, 1):
            cost = 0 if char_a == char_b else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and char_a == b[j - 2] and a[i - 2] == char_b:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[-1]


def compare(host: Host, brand: Brand | str, *, claimed: bool = True) -> Match:
    """How ``host`` relates to a company (a :class:`Brand` or a name); see the module docstring.

    ``claimed``: the user named this company. When we only guessed it from the host itself, a
    well-known name next to some other word ("metadata", "targetjobs") proves nothing.
    """
    brand = brand if isinstance(brand, Brand) else make_brand(brand)
    if len(brand.key) < 2:
        return Match("unrelated")
    return (
        _own(host, brand)
        or _dressed_up(host, brand)
        or _in_front(host, brand)
        or _punycode(host)
        or _misspelt(host, brand)
        or _known_name_plus_word(host, brand, claimed)
        or _partial(host, brand)
    )


def _core(host: Host) -> str:
    """The label as the company would spell it: hyphens dropped, punycode decoded."""
    return _unicode_label(host).replace("-", "")


def _unicode_label(host: Host) -> str:
    if not host.label.startswith("xn--"):
        return host.label
    try:
        return host.label.encode("ascii").decode("idna")
    except UnicodeError:
        return host.label


def _own(host: Host, brand: Brand) -> Match | None:
    if host.registrable in brand.official:
        return Match("exact")
    if _core(host) not in brand.own_labels:
        return None
    if not brand.known:
        return Match("exact")  # we don't know its domains: its own name is the best we have
    return _known_elsewhere(host, brand)


def _known_elsewhere(host: Host, brand: Brand) -> Match:
    """A known employer's name, but not one of its known domains: which part gives it away."""
    label = _unicode_label(host)
    same = sorted(d for d in brand.official if d.split(".", 1)[0].replace("-", "") == _core(host))
    if not same:
        return Match("lookalike", f"the company's own domain is {sorted(brand.official)[0]}")
    if label not in brand.official_labels:
        return Match("lookalike", f"it writes the name differently from {same[0]}")
    real = same[0].split(".", 1)[1]
    if any(edit_distance(host.suffix, d.split(".", 1)[1]) == 1 for d in same):
        return Match("lookalike", f"it ends in .{host.suffix}, one letter off the real .{real}")
    if _country_or_jobs(host.suffix):
        return Match("exact")  # amazon.de, google.co.uk, amazon.jobs
    return Match("lookalike", f"it ends in .{host.suffix}, not the company's own .{real}")


def _country_or_jobs(suffix: str) -> bool:
    last = suffix.rsplit(".", 1)[-1]
    return suffix == "jobs" or (len(last) == 2 and last.isalpha())


def _dressed_up(host: Host, brand: Brand) -> Match | None:
    for rest, lures in strip_lures(_unicode_label(host)):
        words = " and ".join(f"“{word}”" for word in dict.fromkeys(lures))
        added = f"it adds {words} to the company's name"
        if rest in brand.own_labels:
            return Match("lookalike", added)
        if _looks_like(rest, brand):
            return Match("lookalike", f"{added} and swaps in look-alike letters")
    return None


def _in_front(host: Host, brand: Brand) -> Match | None:
    parts = host.subdomain.split(".") if host.subdomain else []
    if not any(p.replace("-", "") in brand.own_labels or p.startswith(brand.key) for p in parts):
        return None
    if host.registrable in HIRING_PLATFORMS:
        return Match("hosted")  # acme.wd1.myworkdayjobs.com: the company's page on a platform
    return Match("lookalike", f"the name sits in front of another domain, {host.registrable}")


def _punycode(host: Host) -> Match | None:
    if any(part.startswith("xn--") for part in host.host.split(".")):
        return Match("lookalike", "it uses look-alike letters from other alphabets (punycode)")
    return None


def _misspelt(host: Host, brand: Brand) -> Match | None:
    core = _core(host)
    if skeleton(core) in {skeleton(label) for label in brand.own_labels if len(label) >= 4}:
        return Match("lookalike", "it swaps in look-alike letters (like rn for m, 0 for o)")
    if len(brand.key) >= 4 and _close(skeleton(core), skeleton(brand.key)):
        return Match("lookalike", "it is one or two letters away from the company's name")
    return None


def _looks_like(text: str, brand: Brand) -> bool:
    """Whether ``text`` is the company's name with look-alike letters or a typo or two."""
    wanted = {skeleton(label) for label in brand.own_labels if len(label) >= 4}
    folded = skeleton(text)
    return folded in wanted or (len(brand.key) >= 4 and _close(folded, skeleton(brand.key)))


def _close(a: str, b: str) -> bool:
    allowed = 1 if len(b) <= 5 else 2
    return edit_distance(a, b) <= allowed


def _known_name_plus_word(host: Host, brand: Brand, claimed: bool) -> Match | None:
    # We know where a big employer recruits from; its name with any other word is not it.
    if not (claimed and brand.known):
        return None
    core = _core(host)
    for label in sorted(brand.own_labels, key=len, reverse=True):
        if len(label) >= 3 and core != label and (core.startswith(label) or core.endswith(label)):
            extra = (
                core.removeprefix(label) if core.startswith(label) else core.removesuffix(label)
            )
            return Match("lookalike", f"it adds “{extra}” to the company's name")
    return None


def _partial(host: Host, brand: Brand) -> Match:
    core = _core(host)
    key = brand.key
    if len(key) >= 3 and (core.startswith(key) or core.endswith(key)):
        return Match("partial")
    return Match("unrelated")
