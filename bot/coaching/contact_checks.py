"""Checks on contact details: e-mail, website, links, phone numbers (R10, R11, R17, R18, P01).

Each check returns *evidence*: a rule id, the severity when it differs from the catalogue's, and
what we saw in plain words. :mod:`legitimacy` turns evidence into findings. Agency domains are
handled the way the checklist's N04 asks: a recruiter writing from their own small agency's
domain is not a red flag; we suggest checking the agency instead.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bot.coaching.confusables import skeleton
from bot.coaching.domains import (
    BIG_BRANDS,
    Brand,
    Host,
    compare,
    email_host,
    find_hosts,
    is_webmail,
    make_brand,
    parse_host,
)
from bot.coaching.rule_catalog import Severity

__all__ = ("Contacts", "Evidence", "contact_evidence", "domain_questions", "gather", "own_domain")

LINKEDIN_BRAND = "linkedin"
LINKEDIN_DOMAINS = frozenset({"linkedin.com", "lnkd.in"})
PHONE_REGIONS = ("US", "GB")  # numbers written without a country code are tried as these


@dataclass(frozen=True, slots=True)
class Evidence:
    rule_id: str
    seen: str
    severity: Severity | None = None  # None: the catalogue's


@dataclass(frozen=True, slots=True)
class Contacts:
    """The contact details of a report, read once."""

    company: str  # brand keys ("" when not given)
    agency: str
    company_brand: Brand | None
    agency_brand: Brand | None
    email: Host | None
    email_text: str
    email_valid: bool
    website: Host | None
    linkedin: Host | None
    linked: tuple[Host, ...]  # hosts in the free text (links, addresses)

    @property
    def brands(self) -> list[Brand]:
        """The company's and the agency's names, those given."""
        return [b for b in (self.company_brand, self.agency_brand) if b is not None and b.key]

    def domain_hosts(self) -> list[Host]:
        """E-mail, website and linked hosts, once each, without webmail and LinkedIn."""
        hosts = [h for h in (self.email, self.website, *self.linked) if h is not None]
        seen: dict[str, Host] = {}
        for host in hosts:
            if not is_webmail(host) and host.registrable not in LINKEDIN_DOMAINS:
                seen.setdefault(host.registrable, host)
        return list(seen.values())


def gather(
    *,
    company: str | None,
    agency: str | None,
    email: str | None,
    website: str | None,
    linkedin_url: str | None,
    text: str | None,
) -> Contacts:
    host, valid = email_host(email) if email else (None, False)
    company_brand = make_brand(company) if company else None
    agency_brand = make_brand(agency) if agency else None
    return Contacts(
        company=company_brand.key if company_brand else "",
        agency=agency_brand.key if agency_brand else "",
        company_brand=company_brand,
        agency_brand=agency_brand,
        email=host,
        email_text=email or "",
        email_valid=valid,
        website=parse_host(website) if website else None,
        linkedin=parse_host(linkedin_url) if linkedin_url else None,
        linked=tuple(find_hosts(text)) if text else (),
    )


def contact_evidence(contacts: Contacts, phone: str | None, text: str | None) -> list[Evidence]:
    return [
        *_webmail(contacts),
        *_lookalikes(contacts),
        *_premium_numbers(phone, text),
        *_mismatch(contacts),
    ]


def own_domain(contacts: Contacts) -> str | None:
    """P01: the e-mail's domain when it is exactly the company's or the agency's own."""
    host = contacts.email
    if host is None or is_webmail(host) or not contacts.email_valid:
        return None
    if any(compare(host, brand).kind == "exact" for brand in contacts.brands):
        return host.registrable
    return None


# --- R10: free webmail --------------------------------------------------------------------------


def _webmail(contacts: Contacts) -> list[Evidence]:
    claimed = contacts.company or contacts.agency
    mail_hosts = [h for h in (contacts.email, *contacts.linked) if h is not None]
    webmail = next((h for h in mail_hosts if is_webmail(h)), None)
    if webmail is None or not claimed:
        return []
    known = contacts.company_brand is not None and contacts.company_brand.known
    big = known or contacts.company in BIG_BRANDS
    seen = f"They write from {webmail.registrable}, a free personal mail service"
    seen += ", while saying they recruit for a large, well-known company." if big else "."
    return [Evidence("R10", seen, "high" if big else None)]


# --- R11: lookalike domains ----------------------------------------------------------------------


def _lookalikes(contacts: Contacts) -> list[Evidence]:
    found = [*_brand_lookalikes(contacts), *_linkedin_lookalike(contacts)]
    found += _other_endings(contacts)
    return found[:1]  # one finding is enough; the first names the clearest case


def _brand_lookalikes(contacts: Contacts) -> Iterable[Evidence]:
    brands = contacts.brands
    for host in contacts.domain_hosts():
        if any(compare(host, b).kind in ("exact", "hosted") for b in brands):
            continue
        claimed = bool(brands)
        for brand in brands or _big_brands_in(host):
            match = compare(host, brand, claimed=claimed)
            if match.kind == "lookalike":
                yield Evidence("R11", f"{host.host} looks like a copy of the name: {match.why}.")
                break


def _big_brands_in(host: Host) -> list[Brand]:
    # No company given: a famous name dressed up ("amazon-careers.net") still gives itself away.
    folded = skeleton(host.host)
    return [make_brand(b) for b in sorted(BIG_BRANDS) if len(b) >= 4 and b in folded]


def _linkedin_lookalike(contacts: Contacts) -> Iterable[Evidence]:
    hosts = [h for h in (contacts.linkedin, *contacts.linked) if h is not None]
    for host in hosts:
        if host.registrable in LINKEDIN_DOMAINS:
            continue
        match = compare(host, LINKEDIN_BRAND, claimed=False)
        if match.kind == "lookalike":
            yield Evidence("R11", f"{host.host} is not LinkedIn's own site: {match.why}.")


def _other_endings(contacts: Contacts) -> Iterable[Evidence]:
    for brand in contacts.brands:
        if brand.known:
            continue  # its endings are known: compare() judges each one
        hosts = [h for h in contacts.domain_hosts() if h.label.replace("-", "") in brand.spellings]
        endings = sorted({h.registrable for h in hosts})
        if len(endings) > 1:
            yield Evidence(
                "R11",
                f"{' and '.join(endings)} differ only in their ending: one of them may be a "
                "copy. Check which one the company really uses.",
            )


# --- R17: premium-rate numbers -----------------------------------------------------------------


def _premium_numbers(phone: str | None, text: str | None) -> list[Evidence]:
    numbers = ([phone] if phone else []) + _numbers_in(text or "")
    premium = next((n for n in numbers if _is_premium(n)), None)
    if premium is None:
        return []
    return [Evidence("R17", f"{premium.strip()} is a premium-rate number.")]


def _numbers_in(text: str) -> list[str]:
    import phonenumbers  # here, not at the top: ~20 ms, and only this check needs it

    found: list[str] = []
    for region in PHONE_REGIONS:
        found += [m.raw_string for m in phonenumbers.PhoneNumberMatcher(text, region)]
    return found


def _is_premium(number: str) -> bool:
    import phonenumbers

    regions: tuple[str | None, ...] = (None,) if number.strip().startswith("+") else PHONE_REGIONS
    for region in regions:
        try:
            parsed = phonenumbers.parse(number, region)
        except phonenumbers.NumberParseException:
            continue
        if (
            phonenumbers.is_valid_number(parsed)
            and phonenumbers.number_type(parsed) == phonenumbers.PhoneNumberType.PREMIUM_RATE
        ):
            return True
    return False


# --- R18: names that don't line up --------------------------------------------------------------


def _mismatch(contacts: Contacts) -> list[Evidence]:
    mail, site = contacts.email, contacts.website
    if mail is None or site is None or is_webmail(mail) or is_webmail(site):
        return []
    if mail.registrable == site.registrable or not (contacts.company or contacts.agency):
        return []
    if _accounted(mail, contacts) or _accounted(site, contacts):
        return []  # one of them is the company's or the agency's own: an agency at work (N04)
    return [
        Evidence(
            "R18",
            f"The e-mail comes from {mail.registrable}, the website is {site.registrable}, and "
            "neither is the name they gave.",
        )
    ]


def _accounted(host: Host, contacts: Contacts) -> bool:
    return any(compare(host, b).kind in ("exact", "hosted", "partial") for b in contacts.brands)


# --- questions about domains --------------------------------------------------------------------


def domain_questions(contacts: Contacts, company: str | None) -> list[str]:
    """What to look up or confirm about the e-mail and website domains."""
    questions: list[str] = []  # an unreadable address is a note of its own: see unreadable.py
    host = contacts.email
    if host is None or is_webmail(host) or not company:
        return questions
    if contacts.agency_brand and compare(host, contacts.agency_brand).kind == "exact":
        return questions
    brand = contacts.company_brand
    kind = compare(host, brand).kind if brand and brand.key else "unrelated"
    if kind == "partial":
        questions.append(
            f"Is {host.registrable} really {company}'s own domain? Compare it with the one on "
            "the company's site, which you find by searching the company's name yourself."
        )
    elif kind == "unrelated":
        questions.append(
            f"They write from {host.registrable}, which isn't {company}'s name. If that is "
            "their agency, check the agency too: its own website, main number and reviews."
        )
    return questions
