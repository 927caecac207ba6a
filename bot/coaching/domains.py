"""Domains: read a host from an address or link, and compare it with a claimed brand (R10, R11).

Registrable domains come from ``tldextract`` with the Public Suffix List snapshot it ships:
``suffix_list_urls=()`` means it never fetches a list and ``cache_dir=None`` means it never
writes one, so this module touches neither the network nor the disk. The extractor is built on
first use (importing tldextract costs ~100 ms) and kept.

We cannot look up a company's official domain offline, so "official" is inferred: a domain whose
registrable label *is* the brand ("acme" for Acme Inc.) matches; the brand dressed up with an
extra word (careers, jobs, hr...), a hyphen, a homoglyph (rn for m, 0 for o, 1 for l), a typo
(edit distance 1 for short brands, 2 for longer), punycode, or placed in front of someone else's
domain is a lookalike; the brand with some other word is only a "partial" match we ask about.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Literal
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from tldextract import TLDExtract

__all__ = (
    "BIG_BRANDS",
    "Host",
    "Match",
    "brand_key",
    "compare",
    "edit_distance",
    "email_host",
    "find_hosts",
    "is_webmail",
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
# Tokens scammers add to a brand: acme-careers.com, jobsacme.net, acmehr.org.
LURE_TOKENS = (
    "careers", "career", "jobs", "job", "hr", "recruiting", "recruitment", "recruiter",
    "recruit", "team", "talent", "hiring", "hire", "apply", "staffing", "onboarding", "offer",
    "offers", "portal", "official", "work", "people",
)  # fmt: skip
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
# Words a company name carries that its domain usually doesn't.
_LEGAL_WORDS = frozenset(
    {
        "inc", "incorporated", "llc", "ltd", "limited", "corp", "corporation", "co", "company",
        "gmbh", "plc", "sa", "ag", "bv", "nv", "pty", "llp", "lp", "the", "and", "group",
        "holdings", "srl", "sas", "oy", "ab", "as",
    }
)  # fmt: skip
# rn looks like m, vv like w, cl like d, 0 like o, 1 and i like l, 5 like s.
_HOMOGLYPHS = (("rn", "m"), ("vv", "w"), ("cl", "d"), ("0", "o"), ("1", "l"), ("i", "l"),
               ("5", "s"))  # fmt: skip
# Free text is cut into words and each word is tested whole: linear in the text, unlike a search
# for hosts with nested repeats, which a long run of "a.a.a." makes crawl.
_WORD_SPLIT = re.compile(r"[\s<>()\[\]{}\"',;|]+")
_HOST_WORD = re.compile(r"(?:https?://)?[\w-]+(?:\.[\w-]+)+(?:[:/?#]\S*)?", re.IGNORECASE)
MAX_HOST_LENGTH = 253  # the DNS limit; longer is no host, and slow to split
MAX_HOSTS_IN_TEXT = 20  # more links than this in one message add nothing to the check

MatchKind = Literal["exact", "lookalike", "partial", "unrelated"]


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


def brand_key(name: str) -> str:
    """A company name as a domain label would spell it: "Acme Corp." -> "acme"."""
    words = _words(name)
    kept = [w for w in words if w not in _LEGAL_WORDS] or words
    return "".join(kept)


def _words(name: str) -> list[str]:
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    return re.findall(r"[a-z0-9]+", plain.lower().replace("&", " and "))


def skeleton(text: str) -> str:
    """``text`` with lookalike letters folded, so that "rnicrosoft" and "microsoft" meet."""
    text = text.lower().replace("-", "")
    for seen, meant in _HOMOGLYPHS:
        text = text.replace(seen, meant)
    return text


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


def compare(host: Host, brand: str) -> Match:
    """How ``host`` relates to the brand key ``brand`` (see the module docstring)."""
    label = host.label
    if len(brand) < 2:
        return Match("unrelated")
    if label == brand:
        return Match("exact")
    return (
        _punycode(host)
        or _dressed_up(label, brand)
        or _in_front(host, brand)
        or _misspelt(label, brand)
        or _partial(label, brand)
    )


def _punycode(host: Host) -> Match | None:
    if any(part.startswith("xn--") for part in host.host.split(".")):
        return Match("lookalike", "it uses look-alike letters from other alphabets (punycode)")
    return None


def _dressed_up(label: str, brand: str) -> Match | None:
    if label.replace("-", "") == brand:
        return Match("lookalike", "it adds a hyphen to the name")
    if not (label.startswith(brand) or label.endswith(brand)):
        return None
    rest = label.removeprefix(brand) if label.startswith(brand) else label.removesuffix(brand)
    rest = rest.strip("-")
    lure = next((t for t in LURE_TOKENS if rest.startswith(t) or rest.endswith(t)), None)
    if lure is not None:
        return Match("lookalike", f"it adds “{lure}” to the company's name")
    if "-" in label:
        return Match("lookalike", "it joins the company's name to another word with a hyphen")
    return None


def _in_front(host: Host, brand: str) -> Match | None:
    parts = host.subdomain.split(".") if host.subdomain else []
    if any(part.replace("-", "") == brand or part.startswith(brand) for part in parts):
        return Match("lookalike", f"the name sits in front of another domain, {host.registrable}")
    return None


def _misspelt(label: str, brand: str) -> Match | None:
    if len(brand) >= 4 and skeleton(label) == skeleton(brand):
        return Match("lookalike", "it swaps in look-alike letters (like rn for m, 0 for o)")
    allowed = 1 if len(brand) <= 5 else 2
    if len(brand) >= 4 and edit_distance(label, brand) <= allowed:
        return Match("lookalike", "it is one or two letters away from the company's name")
    return None


def _partial(label: str, brand: str) -> Match:
    if len(brand) >= 3 and (label.startswith(brand) or label.endswith(brand)):
        return Match("partial")
    return Match("unrelated")
