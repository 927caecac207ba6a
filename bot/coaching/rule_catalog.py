"""The red-flag rules and positive signals of the content checklist, as data.

Ids, severities and sources follow ``CONTENT.md`` ("Red-flag rules for a legitimacy checker");
titles and reasons are our own plain words. ``why`` is the "why it matters" half of a finding's
reason; the "what we saw" half is written where the rule is checked. Severities: ``high`` warns
on its own, ``medium`` warns when two fire (or with a low), ``low`` is mentioned only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ("DATA_RULES", "MONEY_RULES", "POSITIVES", "RULES", "Severity", "SignalInfo")

Severity = Literal["high", "medium", "low"]

# Rules about money changing hands, and about personal data: P05 holds only when none fired.
MONEY_RULES = frozenset({"R01", "R02", "R03", "R04", "R05", "R06", "R14", "R24"})
DATA_RULES = frozenset({"R07", "R08"})

FTC_2021 = "FTC consumer alert, Apr 2021: consumer.ftc.gov/consumer-alerts/2021/04"
FTC_2020 = "FTC consumer alert, Dec 2020: consumer.ftc.gov/consumer-alerts/2020/12"
FTC_COLUMN = "FTC column on job scams (hayspost.com)"
FTC_SHEET = "FTC 'Job Scams' sheet (nextierbank.com/ftc-resources/job-scams)"
FTC_TASKS = "FTC alert on task scams, Aug 2025: consumer.ftc.gov/consumer-alerts/2025/08"
FBI = "FBI/IC3 warning on fake jobs (news.softpedia.com; sandiegolocaldirectory.org)"
VA_KIT = "VA fraud prevention kit: vsafe.gov/va-toolkit"
BBB = "BBB employment scams: bbb.org/all/consumer/scam/employment-scams"
BBB_2018 = "BBB via mydailyrecord.com (2018)"
PROCORE = "Procore recruiters: careers.procore.com/blogs"
LINKEDIN = "LinkedIn Help a9551007: linkedin.com/help/linkedin/answer/a9551007"
RTIDX = "A safer coding test: rtidx.com/research/a-safer-coding-test"
REALJOBCHECK = "Lookalike domains: realjobcheck.com/glossary/lookalike-domain"
GET_SAFE_ONLINE = "Get Safe Online (UK); essentialrecruitment.co.uk"


@dataclass(frozen=True, slots=True)
class SignalInfo:
    """One rule (R..) or positive signal (P..): what it is called and why it matters."""

    rule_id: str
    severity: Severity | None  # None for positive signals
    title: str
    why: str
    source: str


def _rule(rule_id: str, severity: Severity, title: str, why: str, source: str) -> SignalInfo:
    return SignalInfo(rule_id, severity, title, why, source)


RULES: dict[str, SignalInfo] = {
    r.rule_id: r
    for r in (
        _rule(
            "R01",
            "high",
            "They want you to pay to get the job",
            "Real employers don't charge you for training, equipment or checks.",
            f"{FTC_2021}; {FTC_2020}",
        ),
        _rule(
            "R02",
            "high",
            "The fake-check pattern",
            "A check you deposit and partly send on bounces days later, and you owe the "
            "bank the money.",
            f"{FTC_2021}; {BBB}",
        ),
        _rule(
            "R03",
            "high",
            "Payment by gift card, crypto or money transfer",
            "Those payments can't be traced or reversed, which is why scammers ask for them.",
            f"{FTC_COLUMN}; {FTC_TASKS}",
        ),
        _rule(
            "R04",
            "high",
            "Buy equipment now, get paid back later",
            "The 'reimbursement' never comes: it is a known equipment scam.",
            f"{FBI}; earnmorecashtoday.com",
        ),
        _rule(
            "R05",
            "high",
            "A fee charged to you, the candidate",
            "A reputable recruiter is paid by the employer, never by you. In the UK charging "
            "job-seekers such fees is illegal.",
            "FTC business blog, Jun 2021; S1; workrightscentre.org",
        ),
        _rule(
            "R06",
            "high",
            "Paid access to 'hidden' government jobs or test scores",
            "Government jobs are advertised for free (in the US on usajobs.gov); no one can "
            "sell a guaranteed score.",
            f"{FTC_2021}; ftc.gov/node/41277",
        ),
        _rule(
            "R07",
            "high",
            "Asks for a card number, or ID or bank details before an offer",
            "No employer needs a card number. ID and bank details come after a written offer.",
            f"{FTC_2020}; {FBI}; {VA_KIT}",
        ),
        _rule(
            "R08",
            "high",
            "Asks for passwords, codes or your wallet",
            "No recruiter needs a password, a one-time code or a wallet connection: that is "
            "how accounts get taken over.",
            RTIDX,
        ),
        _rule(
            "R09",
            "high",
            "Asks you to install or run their code or app",
            "Fake interviews deliver malware this way, stealing passwords, keys and crypto.",
            f"{RTIDX}; cyberpings.com",
        ),
        _rule(
            "R10",
            "medium",
            "Writes from a free personal e-mail account",
            "Recruiters normally write from their company's own address.",
            f"{FTC_COLUMN}; {PROCORE}",
        ),
        _rule(
            "R11",
            "high",
            "A lookalike domain",
            "Scammers register addresses that look like a real company's to impersonate it.",
            f"{REALJOBCHECK}; {FBI}; yokoco.com",
        ),
        _rule(
            "R12",
            "medium",
            "A very new domain",
            "Throwaway domains are cheap and new; a real company's is usually years old.",
            "damnjobs.com domain checklist; phrcert.com",
        ),
        _rule(
            "R13",
            "high",
            "Interview or onboarding by chat app or text only",
            "Scammers avoid voice and video, which are easier to trace and to judge.",
            f"{VA_KIT}; blog.icwgroup.com; yokoco.com; {PROCORE}",
        ),
        _rule(
            "R14",
            "high",
            "'Tasks for commission' offer",
            "Paid 'optimisation', rating or liking tasks are a task scam that ends in a "
            "crypto deposit.",
            f"{FTC_TASKS}; FTC press release, Dec 2024",
        ),
        _rule(
            "R15",
            "medium",
            "Pushes you to move to a chat app",
            "Moving off LinkedIn or the job site takes you away from its safety checks.",
            LINKEDIN,
        ),
        _rule(
            "R16",
            "medium",
            "Won't give a company e-mail, a call or a main number",
            "Someone who can't be reached through their firm can't be verified.",
            f"{PROCORE}; essentialrecruitment.co.uk",
        ),
        _rule(
            "R17",
            "high",
            "A premium-rate phone number",
            "Calling it costs you by the minute; a real recruiter calls you.",
            f"{GET_SAFE_ONLINE}; BBB New York",
        ),
        _rule(
            "R18",
            "medium",
            "Names and addresses that don't line up",
            "The company named, the e-mail domain and who pays should all be the same business.",
            "employmentspecialist.blogspot.com",
        ),
        _rule(
            "R19",
            "low",
            "Signs of a thin or new LinkedIn profile",
            "Fake profiles are new, unverified and thin.",
            f"drinkcoffee.github.io; {LINKEDIN}",
        ),
        _rule(
            "R20",
            "high",
            "A job offer without a live interview",
            "Real employers talk to you before they hire you.",
            f"{BBB_2018}; shieldandfortify.com",
        ),
        _rule(
            "R21",
            "medium",
            "Guarantees a job or easy money",
            "No one can promise you a job, and 'no experience, high pay' is bait.",
            f"{FTC_SHEET}; {FTC_2021}",
        ),
        _rule(
            "R22",
            "medium",
            "Pressure to decide fast",
            "Rushing you is how scammers stop you from checking.",
            f"{FTC_SHEET}; odrimedia.co.ke; {VA_KIT}",
        ),
        _rule(
            "R23",
            "medium",
            "Pay far from the going rate",
            "Pay far above (or below) the market for a simple role is used as bait.",
            f"{VA_KIT}; visualfoodie.com",
        ),
        _rule(
            "R24",
            "high",
            "Reshipping parcels or moving money",
            "Receiving and reshipping parcels or passing money through your account is never "
            "a real job, and it can make you part of a crime.",
            f"FTC; {BBB}; FBI (2006)",
        ),
        _rule(
            "R25",
            "medium",
            "Not on the company's own careers page",
            "A role the company doesn't list itself may be a fake posting.",
            f"{VA_KIT}; {BBB_2018}",
        ),
        _rule(
            "R26",
            "low",
            "A vague, generic job ad",
            "Vague duties, clumsy wording and generic titles are common in scam ads.",
            f"BBB (wpafb); {BBB_2018}",
        ),
        _rule(
            "R27",
            "medium",
            "Several similar sites or copied ads",
            "Cloned sites and the same ad in many cities suggest a fake.",
            f"{FBI}; {BBB_2018}",
        ),
    )
}


def _positive(rule_id: str, title: str, why: str, source: str) -> SignalInfo:
    return SignalInfo(rule_id, None, title, why, source)


POSITIVES: dict[str, SignalInfo] = {
    p.rule_id: p
    for p in (
        _positive(
            "P01",
            "Writes from the company's own domain",
            "An address on the company's (or their agency's) own domain is a good sign, "
            "though not proof on its own.",
            "CONTENT P01; phrcert.com",
        ),
        _positive(
            "P02",
            "Verified LinkedIn workplace",
            "LinkedIn's badge means the workplace was checked by work e-mail or ID.",
            f"{LINKEDIN}; Axios, Apr 2024",
        ),
        _positive(
            "P03",
            "The role is on the company's own careers page",
            "The company advertises it itself.",
            BBB_2018,
        ),
        _positive(
            "P04",
            "You reached them through a number you found yourself",
            "That is the strongest check there is.",
            f"{FTC_COLUMN}; essentialrecruitment.co.uk",
        ),
        _positive(
            "P05",
            "No money asked, no ID or bank details before an offer",
            "That is how genuine recruiters work.",
            f"{FTC_2020}; {FBI}",
        ),
    )
}
