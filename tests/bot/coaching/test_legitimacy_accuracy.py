"""The legitimacy check is right about classes of cases, not just the examples: no false alarm on
a company's own domain or on paperwork after a signed offer, no pass on combined tricks, no
reassurance beside a red flag, and a short answer that leads with the verdict.

Cases are generated (hypothesis) or tabulated across every known employer, recruiting word and
look-alike letter, so that a fix for one example that misses its class fails here.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from bot.coaching.brandnames import LURE_TOKENS, make_brand
from bot.coaching.brands import KNOWN_DOMAINS
from bot.coaching.domains import BIG_BRANDS, compare, parse_host
from bot.coaching.legitimacy import LegitimacyResult, RecruiterReport, check_recruiter
from bot.coaching.legitimacy_text import details_markup, summary_markup
from bot.render.markup import to_plain

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
ISSUE_LURES = ("careers", "jobs", "talent", "hr", "recruiting", "apply", "hiring")
SUFFIXES = ("com", "net", "io", "co.uk", "de", "org")
WORDS = st.from_regex(r"[a-z]{3,9}", fullmatch=True)
LEGAL = st.sampled_from(
    ["", " Inc.", " LLC", " Ltd", " GmbH", " & Co.", " GmbH & Co. KG", " Pvt Ltd", " Pte. Ltd."]
)


def check(**fields: Any) -> LegitimacyResult:
    return check_recruiter(RecruiterReport(**fields))


def rule_ids(result: LegitimacyResult) -> set[str]:
    return {f.rule_id for f in result.findings}


def _reserved(word: str) -> bool:
    # Words that are themselves a known employer or a recruiting word change the question.
    return word in KNOWN_DOMAINS or word in BIG_BRANDS or word in LURE_TOKENS


# --- 1. no false alarm on a company's own domain -------------------------------------------------


@SETTINGS
@given(
    words=st.lists(WORDS, min_size=1, max_size=3),
    legal=LEGAL,
    hyphens=st.booleans(),
    suffix=st.sampled_from(SUFFIXES),
    capitalise=st.booleans(),
)
# a legal word inside the domain ("sas" of a French company): found by hypothesis in CI
@example(words=["aaa", "sas"], legal="", hyphens=False, suffix="com", capitalise=False)
@example(words=["aaa", "sas"], legal="", hyphens=True, suffix="com", capitalise=True)
@example(words=["llc"], legal=" Inc.", hyphens=False, suffix="com", capitalise=False)  # all legal
def test_a_domain_that_spells_the_company_name_is_its_own(
    words: list[str], legal: str, hyphens: bool, suffix: str, capitalise: bool
) -> None:
    assume(not any(_reserved(w) for w in words) and not _reserved("".join(words)))
    name = " ".join(w.capitalize() if capitalise else w for w in words) + legal
    label = ("-" if hyphens else "").join(words)
    result = check(company=name, email=f"jane.doe@{label}.{suffix}", asked_for="Free to talk?")
    assert "R11" not in rule_ids(result), result.findings
    assert "P01" in {p.rule_id for p in result.positives}
    assert result.risk == "low"


@SETTINGS
@given(words=st.lists(WORDS, min_size=2, max_size=3), separator=st.sampled_from(["-", " ", "&"]))
def test_a_hyphenated_company_name_on_its_hyphenated_domain_is_its_own(
    words: list[str], separator: str
) -> None:
    assume(not any(_reserved(w) for w in words))
    name = separator.join(words).replace("&", " & ") + " Ltd"
    label = "-and-".join(words) if separator == "&" else "-".join(words)
    result = check(company=name, email=f"hr@{label}.com")
    assert "R11" not in rule_ids(result)
    assert result.risk == "low"


KNOWN = sorted({(key, domain) for key, domains in KNOWN_DOMAINS.items() for domain in domains})


@pytest.mark.parametrize(("brand", "domain"), KNOWN, ids=[f"{b}-{d}" for b, d in KNOWN])
def test_every_known_employer_domain_is_its_own(brand: str, domain: str) -> None:
    host = parse_host(f"talent@{domain}")
    assert host is not None
    assert compare(host, make_brand(brand)).kind == "exact"
    result = check(company=brand, email=f"talent@{domain}", asked_for="Open to a call?")
    assert result.findings == ()
    assert result.risk == "low"


@pytest.mark.parametrize(
    ("company", "domain"),
    [
        ("The Coca-Cola Company", "coca-cola.com"),
        ("T-Mobile US", "t-mobile.com"),
        ("Marks & Spencer", "marks-and-spencer.com"),
        ("AT&T Inc.", "att.com"),
        ("H&M", "hm.com"),
        ("Rolls-Royce", "rolls-royce.com"),
        ("Hewlett-Packard", "hp.com"),
    ],
)
def test_hyphens_and_ampersands_of_real_brands_are_no_alarm(company: str, domain: str) -> None:
    result = check(company=company, email=f"recruiter@{domain}", asked_for="Free for a call?")
    assert result.findings == ()
    assert result.risk == "low"


SIGNED = [
    "Thanks for returning your signed offer letter.",
    "Congratulations again on accepting our offer!",
    "Now that you've signed the offer, here are the onboarding steps.",
    "Thank you for signing your employment contract.",
    "Since you have accepted the job offer, onboarding starts now.",
]
PAPERWORK = [
    "Sterling, our background check provider, will e-mail you a link to enter your Social "
    "Security number and date of birth.",
    "HireRight will ask for your SSN and previous addresses to run the background check.",
    "First Advantage will contact you to complete the background check with your SSN.",
    "Please fill in the direct deposit form and your W-4 in the HR portal.",
    "Upload your passport or driver's license and Social Security card for the I-9.",
]


@pytest.mark.parametrize("signed", SIGNED)
@pytest.mark.parametrize("paperwork", PAPERWORK)
def test_paperwork_after_a_signed_offer_is_normal(signed: str, paperwork: str) -> None:
    after = check(company="Acme", email="hr@acme.com", asked_for=f"{signed} {paperwork}")
    assert after.risk == "low", after.findings
    before = check(
        company="Acme", email="hr@acme.com", asked_for=f"Before your interview: {paperwork}"
    )
    assert before.risk == "high"
    assert "R07" in rule_ids(before)


def test_a_signed_offer_answer_wins_over_the_message() -> None:
    text = "Please send your SSN for the background check."
    assert check(asked_for=text, written_offer=True).risk == "low"
    assert check(asked_for=text, written_offer=False).risk == "high"


# --- 2. combined tricks --------------------------------------------------------------------------

# Look-alike swaps that the Unicode confusables data lists (digit zero for o, rn for m, digit
# one for l, Cyrillic a and e for Latin ones).
SWAPS = {"o": "0", "m": "rn", "l": "1", "a": "\u0430", "e": "\u0435"}
NAMES = (
    "Microsoft", "Amazon", "Google", "Netflix", "Deloitte", "Walmart", "Bank of America",
    "Goldman Sachs", "Wells Fargo", "Morgan Stanley", "Northwind Traders", "Globex Logistics",
    "Acme Robotics", "Blue Ridge Plumbing",
)  # fmt: skip


@SETTINGS
@given(
    name=st.sampled_from(NAMES),
    lure=st.sampled_from(ISSUE_LURES),
    swap=st.sampled_from(sorted(SWAPS)),
    joiner=st.sampled_from(["-", ""]),
    in_front=st.booleans(),
    suffix=st.sampled_from(SUFFIXES),
    data=st.data(),
)
def test_look_alike_letters_plus_a_recruiting_word_are_caught(
    name: str,
    lure: str,
    swap: str,
    joiner: str,
    in_front: bool,
    suffix: str,
    data: st.DataObject,
) -> None:
    key = make_brand(name).key
    spots = [m.start() for m in re.finditer(swap, key)]
    assume(spots)
    spot = data.draw(st.sampled_from(spots))
    faked = key[:spot] + SWAPS[swap] + key[spot + 1 :]
    label = f"{lure}{joiner}{faked}" if in_front else f"{faked}{joiner}{lure}"
    result = check(company=name, email=f"hr@{label}.{suffix}")
    assert "R11" in rule_ids(result), (label, result.findings)
    assert result.risk == "high"


@SETTINGS
@given(
    name=st.sampled_from(NAMES),
    lure=st.sampled_from(ISSUE_LURES),
    hyphens=st.booleans(),
    suffix=st.sampled_from(SUFFIXES),
)
def test_a_multi_word_name_plus_a_recruiting_word_is_caught(
    name: str, lure: str, hyphens: bool, suffix: str
) -> None:
    words = [w for w in re.findall(r"[a-z]+", name.lower())]
    label = "-".join([*words, lure]) if hyphens else "".join([*words, lure])
    result = check(company=name, website=f"https://{label}.{suffix}/apply")
    assert "R11" in rule_ids(result), (label, result.findings)


@pytest.mark.parametrize(
    "text",
    [
        "For a one-time fee of $89 we give you access to unadvertised federal jobs.",
        "Federal government positions that are not advertised to the public are open to our "
        "members for $49.99 a month.",
        "There are hidden government jobs the public never sees; our kit costs $39.",
        "Postal jobs that never appear on USAJOBS, yours for a $25 fee.",
        "We guarantee a passing score on the postal exam for $120.",
    ],
)
def test_paid_hidden_federal_jobs_are_caught(text: str) -> None:
    result = check(asked_for=text)
    assert "R06" in rule_ids(result)
    assert result.risk == "high"


@pytest.mark.parametrize(
    "text",
    [
        "Fill out the attached bank form with your account and routing numbers.",
        "Complete the direct deposit form so we can pay your training stipend.",
        "Please send your banking details and a voided check before the interview.",
        "Return the direct-deposit authorization today to hold your place.",
    ],
)
def test_a_bank_form_before_an_offer_is_caught(text: str) -> None:
    result = check(asked_for=text)
    assert "R07" in rule_ids(result)
    assert result.risk == "high"


@pytest.mark.parametrize(
    "text",
    [
        "Earn $800 a week working just 2 hours a day from your phone! No experience needed.",
        "No experience required: $600 weekly for 1-2 hours daily of simple tasks.",
        "Data entry, $1,500 a week, about 10 hours a week.",
        "Easy work from your phone, $250 a day for three hours a day.",
    ],
)
def test_pay_far_above_the_work_asked_is_caught(text: str) -> None:
    assert "R23" in rule_ids(check(asked_for=text))


@pytest.mark.parametrize(
    "text",
    [
        "Senior backend engineer, $95 an hour, 20 hours a week.",
        "Warehouse associate, $19 an hour, full time, no experience needed.",
        "Part-time barista, $16 an hour, about 15 hours a week.",
    ],
)
def test_fair_pay_for_the_work_is_no_alarm(text: str) -> None:
    assert "R23" not in rule_ids(check(asked_for=text))


# --- 3. no reassurance beside a red flag ---------------------------------------------------------

CONTRADICTIONS = [
    {"asked_for": "There's a one-time $99 fee for your starter pack."},
    {"asked_for": "The onboarding pack costs $45, payable before your first day."},
    {"asked_for": "Please complete the attached bank form before we schedule a call."},
    {"asked_for": "Call 0906 554 1234 for your phone interview.", "phone": "+44 906 554 1234"},
    {"asked_for": "Open to a chat?", "company": "Acme", "email": "hr@acme-careers.com"},
    {"asked_for": "The interview is on Telegram. Reply today only."},
]


@pytest.mark.parametrize("fields", CONTRADICTIONS)
def test_no_money_asked_is_never_said_when_contradicted(fields: dict[str, Any]) -> None:
    result = check(**fields)
    assert "P05" not in {p.rule_id for p in result.positives}
    assert "genuine recruiters work" not in summary_markup(result)
    assert "genuine recruiters work" not in details_markup(result)


@SETTINGS
@given(
    request=st.sampled_from(
        [
            "Send your SSN today.",
            "Pay the $50 registration fee.",
            "Buy gift cards for your equipment.",
            "Share the 6-digit code we just texted you.",
        ]
    ),
    callback=st.booleans(),
    verified=st.booleans(),
)
def test_no_good_sign_is_shown_under_a_high_risk(
    request: str, callback: bool, verified: bool
) -> None:
    result = check(
        company="Acme",
        email="jane@acme.com",
        asked_for=request,
        callback_via_known_number=callback or None,
        linkedin_verified=verified or None,
    )
    assert result.risk == "high"
    assert result.positives == ()
    assert "good sign" not in summary_markup(result)


# --- 4. say less, better -------------------------------------------------------------------------

MAX_WORDS = 150
MAX_BULLETS = 5

REPORTS = [
    {"company": "Microsoft", "email": "dana@microsoft.com", "asked_for": "Open to a call?"},
    {"company": "Acme", "email": "hr@acme-careers.com", "asked_for": "Pay $99 for the kit."},
    {"asked_for": "Hi"},
    {"company": "Rosa's Bakery", "email": "rosa@gmail.com", "asked_for": "Come by Saturday?"},
    {
        "company": "Amazon",
        "email": "amazon.jobs@gmail.com",
        "phone": "0906 554 1234",
        "asked_for": "Interview on Telegram. Send SSN, bank details and $50 via Zelle. Install "
        "AnyDesk. Kindly reply today only, you're hired without an interview.",
    },
    {},
]


@pytest.mark.parametrize("fields", REPORTS)
def test_the_summary_leads_with_the_verdict_and_says_little(fields: dict[str, Any]) -> None:
    result = check(**fields)
    summary = summary_markup(result)
    plain = to_plain(summary)
    assert summary.startswith(f"**Risk: {result.risk}.**")
    assert len(plain.split()) <= MAX_WORDS, plain
    assert summary.count("\n- ") <= MAX_BULLETS
    assert "WHOIS" not in summary  # homework belongs behind "More checks"
    shown = summary + details_markup(result)
    for finding in result.findings:
        assert finding.title in shown  # nothing is dropped, only moved


@SETTINGS
@given(words=st.lists(WORDS, min_size=1, max_size=2), text=st.text(max_size=200))
def test_no_request_for_a_company_address_when_the_address_is_one(
    words: list[str], text: str
) -> None:
    assume(not any(_reserved(w) for w in words))
    name = " ".join(words)
    result = check(company=name, email=f"jo@{''.join(words)}.com", asked_for=text or None)
    assert not any("company's own domain" in step for step in result.next_steps)


def test_no_domain_age_homework_for_a_known_employers_own_domain() -> None:
    known = check(company="Coca-Cola", email="mreyes@coca-cola.com")
    assert not any("How old" in q for q in known.questions)
    unknown = check(company="Acme", email="jo@acme.com")
    assert any("How old is acme.com" in q for q in unknown.questions)


def test_no_request_for_a_company_address_after_telling_them_to_avoid_this_one() -> None:
    result = check(company="Microsoft", email="talent@micros0ft-careers.com")
    steps = " ".join(result.next_steps)
    assert "Don't reply to that address" in steps
    assert "Ask for an e-mail from the company's own domain" not in steps


@pytest.mark.parametrize(
    ("text", "rule", "fires"),
    [
        ("Please download the Zoom app before our video interview.", "R09", False),
        ("Install Microsoft Teams for Thursday's panel interview.", "R09", False),
        ("Download the Zoom client from https://zoom-meet.co/ZoomInstaller.exe now.", "R09", True),
        ("Install Teams, then run our setup script before the call.", "R09", True),
        ("Bring a photo ID to the hiring event so security can sign you in.", "R07", False),
        ("Send a photo of your ID, front and back, to book the interview.", "R07", True),
        ("The assessment link expires in 7 days.", "R22", False),
        ("This offer expires in 2 hours.", "R22", True),
        ("You have been selected for an online interview next week.", "R20", False),
        ("Congratulations, you've been selected to move on to the next round.", "R20", False),
        ("You have been selected for the data entry job. Start Monday.", "R20", True),
    ],
)
def test_ordinary_steps_are_told_apart_from_their_scam_versions(
    text: str, rule: str, fires: bool
) -> None:
    assert (rule in rule_ids(check(asked_for=text))) is fires
