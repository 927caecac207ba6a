"""Is this recruiter real? A pure, offline check of what the user knows about a recruiter.

:func:`check_recruiter` takes a :class:`RecruiterReport` (:mod:`bot.coaching.recruiter_report`:
contact details, what they asked for, and optional answers to look-ups we cannot do offline)
and returns a :class:`LegitimacyResult`:
a risk level, findings in plain words (what we saw and why it matters), the positive signals
that apply, questions for the look-ups still to do, next steps and what to do if already caught.

Rules (ids from CONTENT.md "Red-flag rules"): R01-R11, R13-R18, R20-R24 and R26 are read from
the text and contact details; R12 (domain age), R19 (LinkedIn profile), R25 (careers page) and
R27 (cloned sites) come from the optional answers and become questions when unanswered. The
non-flags N01-N04 (a call at work, a withheld client name, salary questions, a small agency's
own domain) are never findings, and neither are ID, bank or background-check paperwork once the
offer is signed (the user says so, or the message does). A good sign shows only when nothing
contradicts it (P05 "no money asked" needs a message with no money, ID or premium-rate request
and no medium or high finding). Accuracy is measured on a labelled corpus: docs/legitimacy.md.

Scoring, in this order:

1. Nothing checkable given (no e-mail, website, phone, LinkedIn link, message or answer; a name
   alone tells nothing): ``unknown``.
2. Any high finding: ``high``. Positive signals never lower it, and none is shown beside it:
   a real domain doesn't make a request for an SSN safe.
3. Otherwise points: 2 per medium finding, 1 per low finding, minus 1 per positive signal.
   3 points or more: ``medium`` (two mediums, a medium and a low, three lows...); less:
   ``low``. So one medium alone is mentioned but is ``low``, as the checklist says ("MED = warn
   when 2+ fire"), and positives can bring a ``medium`` down to ``low``.

Nothing here touches the network: tldextract uses its bundled suffix list, e-mail addresses are
checked for syntax only, and phone numbers are read with phonenumbers' offline metadata.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Literal

from bot.coaching.contact_checks import Contacts, Evidence, contact_evidence, gather, own_domain
from bot.coaching.legitimacy_advice import if_caught, lookup_questions, next_steps
from bot.coaching.legitimacy_rules import TEXT_RULES
from bot.coaching.money_ask import money_asked
from bot.coaching.pay import pay_far_from_market
from bot.coaching.recruiter_report import RecruiterReport
from bot.coaching.rule_catalog import DATA_RULES, MONEY_RULES, POSITIVES, RULES, Severity
from bot.coaching.text_context import MONEY_TALK, SIGNED_OFFER_RULE
from bot.coaching.textscan import scan
from bot.coaching.unreadable import CONTACT_NAMES, unreadable_notes

__all__ = (
    "Finding",
    "LegitimacyResult",
    "Positive",
    "RecruiterReport",
    "Risk",
    "check_recruiter",
    "offer_signed",
    "score",
)

Risk = Literal["high", "medium", "low", "unknown"]
MEDIUM_FROM = 3  # points from which the risk is medium (see the module docstring)
POINTS: dict[Severity, int] = {"high": 0, "medium": 2, "low": 1}
SEVERITY_ORDER: dict[Severity, int] = {"high": 0, "medium": 1, "low": 2}
DOMAIN_AGE_DAYS = 90  # R12 heuristic: a domain younger than this is suspicious
PROFILE_AGE_MONTHS = 6  # R19 heuristic: a LinkedIn profile younger than this is
EACH_SIGN_COUNTS = frozenset({"R19"})  # a finding per sign, not one per rule


@dataclass(frozen=True, slots=True)
class Finding:
    """A red flag: the rule, how serious, a short title, what we saw and why it matters."""

    rule_id: str
    severity: Severity
    title: str
    reason: str
    source: str


@dataclass(frozen=True, slots=True)
class Positive:
    """A good sign (P01-P05). None is proof on its own."""

    rule_id: str
    title: str
    reason: str
    source: str


@dataclass(frozen=True, slots=True)
class LegitimacyResult:
    risk: Risk
    findings: tuple[Finding, ...]
    positives: tuple[Positive, ...]
    questions: tuple[str, ...]
    next_steps: tuple[str, ...]
    if_caught: tuple[str, ...]
    unreadable: tuple[str, ...] = ()  # a note per contact detail the check could not read

    @property
    def high(self) -> bool:
        return self.risk == "high"


MIN_MESSAGE_WORDS = 4


def check_recruiter(report: RecruiterReport) -> LegitimacyResult:
    """Check a report against every rule that can be checked offline."""
    report = report.cleaned()
    contacts = gather(
        company=report.company,
        agency=report.agency,
        email=report.email,
        website=report.website,
        linkedin_url=report.linkedin_url,
        text=report.asked_for,
    )
    evidence = _text_evidence(report) + contact_evidence(contacts, report.phone, report.asked_for)
    evidence += _answer_evidence(report)
    findings = _findings(_adjusted(evidence, report))
    positives = _positives(report, contacts, findings)
    risk = score(findings, positives) if _has_evidence(report) else "unknown"
    if risk == "low" and not findings and not positives:
        risk = "unknown"  # nothing found either way: "low" would be a verdict on no evidence
    fired = {f.rule_id for f in findings}
    own = own_domain(contacts) is not None
    return LegitimacyResult(
        risk=risk,
        findings=findings,
        positives=positives,
        questions=tuple(lookup_questions(report, contacts)),
        next_steps=tuple(next_steps(report, fired, own_domain=own, risk=risk)),
        if_caught=if_caught(),
        unreadable=tuple(
            unreadable_notes({name: getattr(report, name) for name in CONTACT_NAMES})
        ),
    )


def score(findings: tuple[Finding, ...], positives: tuple[Positive, ...]) -> Risk:
    """The risk level for these findings and positives (see the module docstring)."""
    if any(f.severity == "high" for f in findings):
        return "high"
    points = sum(POINTS[f.severity] for f in findings) - len(positives)
    return "medium" if points >= MEDIUM_FROM else "low"


def _has_evidence(report: RecruiterReport) -> bool:
    ignored = {"recruiter_name", "company", "agency"}
    return any(
        getattr(report, f.name) is not None for f in fields(report) if f.name not in ignored
    )


# --- evidence ----------------------------------------------------------------------------------


def _text_evidence(report: RecruiterReport) -> list[Evidence]:
    text = report.asked_for
    if not text:
        return []
    found = [
        Evidence(hit.rule_id, f"They wrote “{hit.excerpt}”.") for hit in scan(text, TEXT_RULES)
    ]
    if offer_signed(report):  # ID and bank details after a written offer are normal
        found = [e for e in found if e.rule_id != "R07"]
    asked = money_asked(text)  # a request to pay in words the rule table doesn't know
    if asked is not None and not {e.rule_id for e in found} & MONEY_RULES:
        found.append(Evidence("R01", f"They wrote “{asked}”."))
    pay = pay_far_from_market(text)
    if pay is not None:
        side = "far above" if pay.too_high else "far below"
        hours = " for the hours they mention" if pay.hours_stated else ""
        seen = f"They offer “{pay.excerpt}” (about ${pay.hourly:g} an hour{hours}), {side} "
        seen += "the market."
        found.append(Evidence("R23", seen))
    return found


def offer_signed(report: RecruiterReport) -> bool:
    """Whether the user has a signed written offer, by their answer or by the message."""
    if report.written_offer is not None:
        return report.written_offer
    return bool(report.asked_for and scan(report.asked_for, (SIGNED_OFFER_RULE,)))


def _answer_evidence(report: RecruiterReport) -> list[Evidence]:
    found = []
    age = report.domain_age_days
    if age is not None and 0 <= age < DOMAIN_AGE_DAYS:  # a negative age is a typo, not news
        found.append(Evidence("R12", f"The domain was registered {age} days ago."))
    months = report.linkedin_joined_months
    if months is not None and 0 <= months < PROFILE_AGE_MONTHS:
        found.append(Evidence("R19", f"Their LinkedIn profile is {months} months old."))
    if report.linkedin_verified is False:
        found.append(Evidence("R19", "Their LinkedIn profile has no verification badge."))
    if report.on_careers_page is False:
        found.append(Evidence("R25", "You didn't find the role on the company's careers page."))
    if report.similar_sites_found:
        found.append(Evidence("R27", "A search shows several similar sites or copies of the ad."))
    return found


def _adjusted(evidence: list[Evidence], report: RecruiterReport) -> list[Evidence]:
    """R09 is about running code *before* identity is verified: after a callback it is medium."""
    if not report.callback_via_known_number:
        return evidence
    return [Evidence(e.rule_id, e.seen, "medium") if e.rule_id == "R09" else e for e in evidence]


def _findings(evidence: list[Evidence]) -> tuple[Finding, ...]:
    """One finding per rule, the most serious first, then in rule order. Several sightings of
    a rule share one finding, except for rules whose every sign counts (R19: "LOW each")."""
    groups: dict[tuple[str, int], list[Evidence]] = {}
    for number, item in enumerate(evidence):
        key = (item.rule_id, number if item.rule_id in EACH_SIGN_COUNTS else 0)
        groups.setdefault(key, []).append(item)
    findings = [_finding(items) for _, items in sorted(groups.items())]
    return tuple(sorted(findings, key=lambda f: SEVERITY_ORDER[f.severity]))  # stable: ids within


def _finding(items: list[Evidence]) -> Finding:
    info = RULES[items[0].rule_id]
    severity = items[0].severity or info.severity or "low"
    seen = " ".join(dict.fromkeys(item.seen for item in items))
    return Finding(info.rule_id, severity, info.title, f"{seen} {info.why}", info.source)


# --- positive signals --------------------------------------------------------------------------


def _positives(
    report: RecruiterReport, contacts: Contacts, findings: tuple[Finding, ...]
) -> tuple[Positive, ...]:
    """The good signs that nothing contradicts. Beside a high finding none is shown: a real
    domain or a callback doesn't make a request for money or an SSN safe."""
    fired = {f.rule_id for f in findings}
    if any(f.severity == "high" for f in findings):
        return ()
    seen: dict[str, str] = {}
    domain = own_domain(contacts)
    if domain is not None and not fired & {"R11", "R12", "R18"}:
        seen["P01"] = f"They write from {domain}."
    if report.linkedin_verified:
        seen["P02"] = "Their LinkedIn profile shows a verified workplace."
    if report.on_careers_page:
        seen["P03"] = "You found the role on the company's careers page."
    if report.callback_via_known_number:
        seen["P04"] = "You called a number you found yourself and reached them."
    if (
        report.asked_for
        and _substantial(report.asked_for)
        and _nothing_asked(report.asked_for, findings)
    ):
        seen["P05"] = "Their message asks for nothing of the kind."
    return tuple(_positive(rule_id, text) for rule_id, text in seen.items())


def _substantial(text: str) -> bool:
    """A message to judge, not a word or two ("more", "my CV"): only then is "they ask for
    nothing of the kind" a good sign."""
    return len(text.split()) >= MIN_MESSAGE_WORDS


def _nothing_asked(text: str, findings: tuple[Finding, ...]) -> bool:
    """P05 holds when no money, data or premium-rate rule fired, no warning sign of medium
    weight stands beside it, and no money is asked in words no rule knows ("a $99 fee")."""
    fired = {f.rule_id for f in findings}
    if fired & (MONEY_RULES | DATA_RULES | {"R17"}):
        return False
    if any(f.severity != "low" for f in findings):
        return False
    return not scan(text, (MONEY_TALK,))


def _positive(rule_id: str, seen: str) -> Positive:
    info = POSITIVES[rule_id]
    return Positive(rule_id, info.title, f"{seen} {info.why}", info.source)
