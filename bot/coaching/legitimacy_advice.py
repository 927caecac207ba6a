"""What the legitimacy check tells the user to look up, to do next, and to do if already caught.

Look-ups we cannot do offline become questions: domain age (R12), the LinkedIn profile (R19), the
careers page (R25) and cloned sites (R27); each is asked only while its answer is missing. The
advice follows CONTENT.md section A ("How to verify", "If already caught"); the reporting
addresses are US and UK ones, so the list ends by pointing to local rules.
"""

from __future__ import annotations

from bot.coaching.contact_checks import Contacts, domain_questions
from bot.coaching.domains import is_webmail
from bot.coaching.recruiter_report import RecruiterReport
from bot.coaching.rule_catalog import MONEY_RULES

__all__ = ("if_caught", "lookup_questions", "next_steps")

CHAT_RULES = frozenset({"R13", "R15", "R16"})
ADDRESS_RULES = frozenset({"R10", "R11", "R18"})

IF_CAUGHT = (
    "Stop replying and send nothing more: no money, no documents, no codes.",
    "Money sent: call your bank, card company or payment app now and ask them to stop or "
    "reverse it. For gift cards, call the card's company with the card numbers.",
    "Bank details shared: tell your bank and watch your statements.",
    "Social security number or ID shared: report it at IdentityTheft.gov (US) and put a fraud "
    "alert or a credit freeze on your credit reports.",
    "Passwords or codes shared: change them now from a safe device, e-mail first, and turn on "
    "two-step sign-in.",
    "Ran their code or app: disconnect that computer, change your passwords from another "
    "device, and have the computer checked or reinstalled.",
    "Report it: ReportFraud.ftc.gov (US) and the job site or LinkedIn; in the UK, SAFERjobs.",
    "Rules and reporting offices differ by country and state: check local law and rules where "
    "you live, or ask a local consumer-advice service.",
)


def if_caught() -> tuple[str, ...]:
    return IF_CAUGHT


def lookup_questions(report: RecruiterReport, contacts: Contacts) -> list[str]:
    """Questions for the look-ups still to do, and about details that need a second look."""
    questions = domain_questions(contacts, report.company)
    if report.domain_age_days is None:
        questions += _domain_age_question(contacts)
    questions += _linkedin_questions(report)
    company = report.company or "the company"
    if report.on_careers_page is None:
        questions.append(
            f"Is the role on {company}'s own careers page? Find the site by searching the "
            "company's name yourself, not through a link they sent."
        )
    if report.similar_sites_found is None:
        questions.append(
            f"Search {company}'s name on its own: do several similar-looking sites come up, or "
            "the same ad in many cities?"
        )
    return questions


def _domain_age_question(contacts: Contacts) -> list[str]:
    # A known employer's own domain is years old; asking would be homework for nothing.
    known = {domain for brand in contacts.brands for domain in brand.official}
    hosts = [h for h in contacts.domain_hosts() if h.registrable not in known]
    hosts = [h for h in hosts if not is_webmail(h)]
    if not hosts:
        return []
    names = [h.registrable for h in hosts[:2]]
    subject = f"is {names[0]}" if len(names) == 1 else f"are {names[0]} and {names[1]}"
    return [
        f"How old {subject}? A WHOIS or RDAP look-up shows when a domain was registered; less "
        "than 90 days is a warning sign, and so is a domain with no website."
    ]


def _linkedin_questions(report: RecruiterReport) -> list[str]:
    questions = []
    if report.linkedin_verified is None:
        questions.append(
            "Does their LinkedIn profile show a verified-workplace badge, a detailed work "
            "history and a link to a company page with real staff?"
        )
    if report.linkedin_joined_months is None:
        questions.append(
            "When did they join LinkedIn (“About this profile” shows it)? Less than 6 months "
            "is a warning sign. A reverse image search of the photo helps too."
        )
    return questions


def next_steps(
    report: RecruiterReport, fired: set[str], *, own_domain: bool = False, risk: str = "low"
) -> list[str]:
    """What to do next, the steps that fit this case first: what not to do given what was
    found, how to reach the company safely, then the general habits. ``own_domain``: the
    address is already the company's own, so we don't ask for one."""
    steps = _urgent_steps(fired)
    avoid_address = risk == "high" and bool(fired & ADDRESS_RULES)
    if avoid_address:
        steps.append(
            "Don't reply to that address. Find the company's own website yourself and contact "
            "them from there."
        )
    if fired & CHAT_RULES:
        steps.append("Ask for a phone or video call, and keep messages on LinkedIn or e-mail.")
    if not (report.email or report.phone or report.website):
        steps.append(
            "Ask them for their full name, company, work e-mail and a number you can check."
        )
    if risk == "low" and "R07" not in fired:
        steps.append(KEEP_ID)
    if not report.callback_via_known_number:
        steps.append(
            "Call the company on a number you find yourself, not one they gave you, and ask "
            "for the recruiter by name."
        )
    steps += _contact_steps(report, fired, own_domain or avoid_address)
    steps.append(
        "Search the recruiter's and the company's names with “scam”, “review” and "
        "“complaint”; if almost nothing comes up, that's a warning sign too."
    )
    if not fired & MONEY_RULES:
        steps.append(NEVER_PAY)
    if KEEP_ID not in steps and "R07" not in fired:
        steps.append(KEEP_ID)
    return steps


NEVER_PAY = (
    "Never pay to get a job: no fees, equipment, training or gift cards. A reputable employer "
    "pays the recruiter."
)
KEEP_ID = (
    "Keep your ID, social security number, bank details and date of birth until you have a "
    "written offer you have checked."
)


def _urgent_steps(fired: set[str]) -> list[str]:
    steps = []
    if fired & MONEY_RULES:
        steps.append("Don't send any money or buy anything they suggest.")
    if "R07" in fired:
        steps.append(
            "Don't send ID, your social security number or bank details: employers need them "
            "only after a written offer you have accepted."
        )
    if "R09" in fired:
        steps.append(
            "Don't run their code or app on your own computer. If you must, use a throwaway "
            "virtual machine with no logins, keys or wallets on it."
        )
    if "R08" in fired:
        steps.append("Don't share any password or code, whoever asks.")
    if "R17" in fired:
        steps.append("Don't call that number; ask them to call you instead.")
    return steps


def _contact_steps(report: RecruiterReport, fired: set[str], has_address: bool) -> list[str]:
    """``has_address``: their address is the company's own, or we told them not to use it."""
    steps = []
    wants_address = fired & ADDRESS_RULES or (report.company and not report.email)
    if wants_address and not has_address:
        steps.append("Ask for an e-mail from the company's own domain.")
    if report.agency:
        steps.append(
            "Check the agency as well: its own website, main number and reviews. A reputable "
            "agency is paid by the employer, not by you."
        )
    return steps
