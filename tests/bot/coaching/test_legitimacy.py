"""The legitimacy check: every rule fires on an example and stays quiet on a near miss.

The two tables below are the rules' specification by example: when a pattern changes, a case
here shows what it catches and what it must leave alone. Ids are the rule ids (with a letter
when a rule has several cases).
"""

from __future__ import annotations

import socket
from typing import Any

import pytest

from bot.coaching import domains
from bot.coaching.legitimacy import (
    Finding,
    LegitimacyResult,
    Positive,
    RecruiterReport,
    check_recruiter,
    score,
)
from bot.coaching.rule_catalog import POSITIVES, RULES

ORDER = {"unknown": -1, "low": 0, "medium": 1, "high": 2}


def check(**fields: Any) -> LegitimacyResult:
    return check_recruiter(RecruiterReport(**fields))


def rule_ids(result: LegitimacyResult) -> set[str]:
    return {f.rule_id for f in result.findings}


def case(rule: str, suffix: str = "", **fields: Any) -> Any:
    return pytest.param(rule, fields, id=rule + (f"-{suffix}" if suffix else ""))


FIRES = [
    case("R01", "a", asked_for="Before you start, please pay $150 for the onboarding kit."),
    case("R01", "b", asked_for="You need to buy the software licence ($89) to begin."),
    case(
        "R02",
        asked_for="We will mail you a check for $2,500. Deposit it and send the remaining "
        "balance to our equipment vendor.",
    ),
    case("R03", "a", asked_for="Pay for your starter kit with Zelle or Cash App."),
    case("R03", "b", asked_for="Send the deposit in Bitcoin to the wallet below."),
    case(
        "R04",
        "a",
        asked_for="Buy the laptop from our approved vendor and we'll reimburse you in your "
        "first paycheck.",
    ),
    case("R04", "b", asked_for="Please purchase a printer and it will be refunded later."),
    case("R05", "a", asked_for="There is a one-time placement fee of $200 to join our agency."),
    case("R05", "b", asked_for="We charge candidates $49 to review their CV."),
    case("R05", "c", asked_for="You only need to pay a small fee of $30."),
    case("R06", "a", asked_for="For $99 we give you access to hidden federal jobs."),
    case("R06", "b", asked_for="Our course guarantees a passing test score."),
    case(
        "R07",
        "a",
        asked_for="Please send a scan of your passport and your bank account number so we "
        "can set up payroll.",
    ),
    case("R07", "b", asked_for="What's your Social Security number and date of birth?"),
    case("R08", "a", asked_for="Please share the verification code we just texted you."),
    case("R08", "b", asked_for="Connect your wallet to receive the signing bonus."),
    case("R08", "c", asked_for="Send me the 6-digit code Google sent you."),
    case("R09", "a", asked_for="Clone the repo and run npm install before our call."),
    case("R09", "b", asked_for="Download the meeting app from this link: setup.exe"),
    case("R09", "c", asked_for="Please install AnyDesk so we can onboard you."),
    case("R10", company="Acme Corp", email="acme.hiring@gmail.com"),
    case("R11", "extra-word", company="Acme", email="hr@acme-careers.com"),
    case("R11", "joined-word", company="Acme", email="hr@jobsacme.net"),
    case("R11", "hyphen", company="Microsoft", email="hr@micro-soft.com"),
    case("R11", "homoglyph", company="Microsoft", email="talent@rnicrosoft.com"),
    case("R11", "typo", company="Initech", email="hr@inittech.com"),
    case("R11", "punycode", company="Acme", email="jobs@xn--cme-8cd.com"),
    case("R11", "cyrillic", company="Acme", email="jobs@\u0430cme.com"),
    case("R11", "in-front", company="Acme", website="https://acme.recruit-portal.com/apply"),
    case("R11", "other-tld", company="Acme", email="hr@acme.co", website="acme.com"),
    case("R11", "linkedin", linkedin_url="https://linkedln.com/in/jane-doe"),
    case("R11", "big-brand", website="https://amazon-careers.net"),
    case("R11", "in-text", company="Acme", asked_for="Apply at https://acme-jobs.org/form"),
    case("R12", company="Acme", email="hr@acme.com", domain_age_days=20),
    case("R13", "a", asked_for="The interview will be held on Telegram with our HR manager."),
    case("R13", "b", asked_for="Next step is a text interview with our hiring team."),
    case(
        "R14",
        asked_for="Earn $300 a day completing simple product boosting tasks. Commission paid "
        "daily.",
    ),
    case("R15", "a", asked_for="Please add me on WhatsApp so we can continue there."),
    case("R15", "b", asked_for="What's your Telegram username?"),
    case("R16", "a", asked_for="I can't give you a company email address."),
    case("R16", "b", asked_for="I don't do phone calls, we only communicate by chat."),
    case("R17", "field", phone="+44 909 879 0000"),
    case("R17", "text", asked_for="Call 0906 123 4567 for your phone interview."),
    case("R17", "us", phone="1-900-234-5678"),
    case("R18", "domains", company="Acme", email="jane@globex.com", website="initech.com"),
    case("R18", "text", asked_for="Your salary check will come from a partner company."),
    case("R19", "new", linkedin_joined_months=2),
    case("R19", "unverified", linkedin_verified=False),
    case(
        "R20",
        "a",
        asked_for="Congratulations, you've been selected for the position. Start Monday.",
    ),
    case("R20", "b", asked_for="We are hiring you without an interview."),
    case("R21", "a", asked_for="We guarantee you a job within a week."),
    case("R21", "b", asked_for="No experience needed, high pay!"),
    case("R21", "c", asked_for="Earn $500 per day from home."),
    case("R22", "a", asked_for="This offer expires today, decide now or lose it."),
    case("R22", "b", asked_for="Only 3 spots left, reply within 24 hours."),
    case("R23", "high", asked_for="Data entry clerk, remote, $45 per hour."),
    case("R23", "low", asked_for="Customer service agent, $3 an hour."),
    case(
        "R24",
        "a",
        asked_for="You will receive packages at home and reship them to our clients abroad.",
    ),
    case("R24", "b", asked_for="As a payment processing agent you transfer funds via your bank."),
    case("R24", "c", asked_for="Use your own account to receive customer payments."),
    case(
        "R24", "d", asked_for="Process payments from clients through your personal bank account."
    ),
    case("R25", on_careers_page=False),
    case("R26", "a", asked_for="Kindly send your details for the customer service role."),
    case("R26", "b", asked_for="Mystery shopper wanted."),
    case("R27", similar_sites_found=True),
]

NEAR_MISSES = [
    case("R01", "employer-pays", asked_for="The company pays for your training and laptop."),
    case("R01", "negated", asked_for="You will never be asked to pay for training."),
    case("R01", "pay-noun", asked_for="The pay is good and training is provided."),
    case("R02", "background-check", asked_for="We'll run a background check, then onboarding."),
    case("R02", "advice", asked_for="Never deposit a check from a stranger and send money on."),
    case("R03", "product", asked_for="Our team builds crypto wallet software."),
    case("R03", "negated", asked_for="We will never ask for payment by gift card."),
    case("R04", asked_for="Travel costs for the final interview are reimbursed by the employer."),
    case(
        "R05",
        "client-pays",
        asked_for="Our placement fee is paid by the client company, never by you.",
    ),
    case("R05", "negated", asked_for="We don't charge candidates anything."),
    case("R05", "employer", asked_for="The employer pays our fee when you're hired."),
    case("R06", asked_for="This is a federal job posted on usajobs.gov; applying is free."),
    case("R07", "passport", asked_for="Do you have a valid passport? The role involves travel."),
    case(
        "R07",
        "after-offer",
        asked_for="HR collects your bank details for payroll after you sign the written offer.",
    ),
    case(
        "R07",
        "written-offer",
        asked_for="Please send your bank account number for payroll.",
        written_offer=True,
    ),
    case("R07", "negated", asked_for="We will never ask for your SSN by e-mail."),
    case("R08", "skill", asked_for="Experience with password hashing and OAuth is a plus."),
    case("R08", "negated", asked_for="We will never ask you to share your password."),
    case("R09", asked_for="The technical interview is live coding in a shared online editor."),
    case("R10", "no-claim", email="jane.doe@gmail.com"),
    case("R10", "company-mail", company="Acme", email="jane@acme.com"),
    case("R11", "exact", company="Acme Inc.", email="jane@acme.com", website="www.acme.com"),
    case("R11", "agency", company="Acme", agency="Smith Talent", email="j@smithtalent.com"),
    case("R11", "partial", company="Acme", email="jane@acmeproducts.com"),
    case("R11", "real-linkedin", linkedin_url="https://www.linkedin.com/in/jane-doe"),
    case("R11", "short-brand", company="EY", email="jane@keyjobs.com"),
    case("R11", "unrelated", company="Acme", website="https://example.org"),
    case("R12", company="Acme", email="hr@acme.com", domain_age_days=2000),
    case("R13", asked_for="The interview is a video call on Zoom; I may text you the link."),
    case("R13", "negated", asked_for="The interview won't be on WhatsApp; it's a video call."),
    case("R14", asked_for="You'll manage tasks for our product team; salary $90k plus bonus."),
    case("R15", asked_for="Let's keep talking here on LinkedIn and book a video call."),
    case("R16", "switchboard", asked_for="Here is our main switchboard number; call any time."),
    case("R16", "callback", asked_for="I can't talk now but will call you tomorrow."),
    case("R17", "us", phone="+1 415 555 0100"),
    case("R17", "london", phone="+44 20 7946 0000"),
    case("R18", "agency", company="Acme", email="jane@smithtalent.com", website="acme.com"),
    case("R18", "payroll", asked_for="Your salary is paid by Acme through its own payroll."),
    case("R19", linkedin_joined_months=48, linkedin_verified=True),
    case(
        "R20",
        "interviewed",
        asked_for="After your video interview with the manager, you're selected for the "
        "final round.",
    ),
    case("R20", "negated", asked_for="We never offer a job without an interview."),
    case("R21", asked_for="We can't guarantee a placement, but I'll put you forward."),
    case("R22", asked_for="No rush: you don't need to decide today. Take a few days."),
    case("R23", "market", asked_for="Data entry clerk, $18 per hour."),
    case("R23", "senior", asked_for="Senior engineer, $90 per hour."),
    case("R24", "stripe", asked_for="Experience with payment processing systems is a plus."),
    case("R24", "warehouse", asked_for="You'll join a warehouse team that ships customer orders."),
    case("R25", on_careers_page=True),
    case("R26", "senior", asked_for="Senior data engineer on the payments team. Kind regards"),
    case("R26", "manager", asked_for="We're hiring a customer service manager at $25 an hour."),
    case("R27", similar_sites_found=False),
]


@pytest.mark.parametrize(("rule", "fields"), FIRES)
def test_the_rule_fires(rule: str, fields: dict[str, Any]) -> None:
    result = check(**fields)
    assert rule in rule_ids(result), result.findings


@pytest.mark.parametrize(("rule", "fields"), NEAR_MISSES)
def test_the_near_miss_does_not_fire(rule: str, fields: dict[str, Any]) -> None:
    result = check(**fields)
    assert rule not in rule_ids(result), result.findings


def test_every_offline_rule_has_a_firing_case_and_a_near_miss() -> None:
    fired = {p.values[0] for p in FIRES}
    missed = {p.values[0] for p in NEAR_MISSES}
    assert fired == missed == set(RULES)


def test_a_finding_says_what_was_seen_and_why_it_matters() -> None:
    result = check(asked_for="Please pay $150 for the onboarding kit.")
    [finding] = result.findings
    assert finding.severity == "high"
    assert "They wrote “pay $150 for the onboarding kit”." in finding.reason
    assert "don't charge you" in finding.reason
    assert finding.source


def test_webmail_while_claiming_a_big_brand_is_high() -> None:
    big = check(company="Amazon", email="amazon.recruiting@gmail.com")
    small = check(company="Acme Plumbing", email="acme.plumbing@gmail.com")
    assert [(f.rule_id, f.severity) for f in big.findings] == [("R10", "high")]
    assert [(f.rule_id, f.severity) for f in small.findings] == [("R10", "medium")]


def test_running_code_after_a_verified_callback_is_medium() -> None:
    text = "Clone the repo and run npm install."
    assert check(asked_for=text).findings[0].severity == "high"
    verified = check(asked_for=text, callback_via_known_number=True)
    assert [(f.rule_id, f.severity) for f in verified.findings] == [("R09", "medium")]


def test_each_linkedin_sign_counts() -> None:
    result = check(linkedin_joined_months=1, linkedin_verified=False)
    assert [f.rule_id for f in result.findings] == ["R19", "R19"]
    assert result.risk == "low"  # two lows: mentioned, not yet a warning


# --- non-flags -------------------------------------------------------------------------------

NON_FLAGS = [
    pytest.param(
        {"asked_for": "He called me at work on my office line and asked if I could talk."},
        id="N01",
    ),
    pytest.param(
        {
            "asked_for": "I can't name the client yet: it's a confidential retained search for "
            "a mid-size fintech company in Boston."
        },
        id="N02",
    ),
    pytest.param(
        {"asked_for": "What are your salary expectations, and how soon could you start?"},
        id="N03",
    ),
    pytest.param(
        {
            "company": "Acme",
            "agency": "Smith Talent",
            "email": "jane@smithtalent.com",
            "website": "smithtalent.com",
        },
        id="N04",
    ),
]
BASELINES = [
    pytest.param({}, id="alone"),
    pytest.param({"similar_sites_found": True}, id="with-a-medium"),
    pytest.param({"similar_sites_found": True, "on_careers_page": False}, id="with-two-mediums"),
]


@pytest.mark.parametrize("baseline", BASELINES)
@pytest.mark.parametrize("non_flag", NON_FLAGS)
def test_a_non_flag_never_raises_the_risk(
    non_flag: dict[str, Any], baseline: dict[str, Any]
) -> None:
    before = check(**baseline) if baseline else None
    after = check(**baseline, **non_flag)
    assert after.findings == (before.findings if before else ())
    if before is not None:
        assert ORDER[after.risk] <= ORDER[before.risk]


def test_a_small_agency_domain_is_a_good_sign_and_prompts_checking_the_agency() -> None:
    result = check(company="Acme", agency="Smith Talent", email="jane@smithtalent.com")
    assert [p.rule_id for p in result.positives] == ["P01"]
    assert any("agency" in step for step in result.next_steps)


def test_an_unexplained_domain_is_a_question_not_a_finding() -> None:
    result = check(company="Acme", email="jane@smithtalent.com")
    assert result.findings == ()
    assert any("smithtalent.com, which isn't Acme's name" in q for q in result.questions)


# --- positives and risk --------------------------------------------------------------------------


def test_every_positive_signal_can_apply() -> None:
    result = check(
        company="Acme",
        email="jane@acme.com",
        asked_for="Could we talk on Thursday about the role?",
        linkedin_verified=True,
        on_careers_page=True,
        callback_via_known_number=True,
    )
    assert [p.rule_id for p in result.positives] == sorted(POSITIVES)
    assert result.findings == ()
    assert result.risk == "low"


def test_positives_lower_medium_to_low() -> None:
    text = "We guarantee you a job. Decide today."
    assert check(asked_for=text).risk == "medium"  # two mediums; "no money asked" doesn't hold
    lowered = check(asked_for=text, callback_via_known_number=True, on_careers_page=True)
    assert {p.rule_id for p in lowered.positives} == {"P03", "P04"}
    assert lowered.risk == "low"


def test_no_good_sign_stands_beside_a_high_finding() -> None:
    result = check(
        company="Acme",
        email="jane@acme.com",
        asked_for="Send us your SSN today.",
        linkedin_verified=True,
        on_careers_page=True,
        callback_via_known_number=True,
    )
    assert result.positives == ()
    assert result.risk == "high"
    assert result.high


def test_a_lookalike_domain_is_not_a_good_sign() -> None:
    result = check(company="Acme", email="hr@acme.co", website="acme.com")
    assert "P01" not in {p.rule_id for p in result.positives}


def test_nothing_checkable_is_unknown() -> None:
    assert check().risk == "unknown"
    assert check(recruiter_name="Jane Doe", company="Acme").risk == "unknown"
    assert check(email="   ", asked_for="").risk == "unknown"


def _finding(severity: str) -> Finding:
    return Finding("R99", severity, "t", "r", "s")  # type: ignore[arg-type]


def _positive() -> Positive:
    return Positive("P99", "t", "r", "s")


@pytest.mark.parametrize(
    ("severities", "positives", "risk"),
    [
        ((), 0, "low"),
        (("medium",), 0, "low"),
        (("medium", "medium"), 0, "medium"),
        (("medium", "low"), 0, "medium"),
        (("low", "low", "low"), 0, "medium"),
        (("low", "low"), 0, "low"),
        (("medium", "medium"), 1, "medium"),
        (("medium", "medium"), 2, "low"),
        (("medium", "low"), 1, "low"),
        (("high",), 0, "high"),
        (("high",), 5, "high"),
    ],
)
def test_scoring(severities: tuple[str, ...], positives: int, risk: str) -> None:
    findings = tuple(_finding(s) for s in severities)
    assert score(findings, tuple(_positive() for _ in range(positives))) == risk


# --- questions, next steps, if caught ----------------------------------------------------------


def test_look_ups_we_cannot_do_become_questions_until_answered() -> None:
    asked = check(company="Acme", email="hr@acme.com").questions
    assert any("How old is acme.com" in q for q in asked)
    assert any("verified-workplace badge" in q for q in asked)
    assert any("join LinkedIn" in q for q in asked)
    assert any("Acme's own careers page" in q for q in asked)
    assert any("similar-looking sites" in q for q in asked)
    answered = check(
        company="Acme",
        email="hr@acme.com",
        domain_age_days=4000,
        linkedin_verified=True,
        linkedin_joined_months=50,
        on_careers_page=True,
        similar_sites_found=False,
    ).questions
    assert answered == ()


def test_a_broken_email_address_is_named_as_not_checked() -> None:
    result = check(company="Acme", email="jane@")
    assert result.unreadable == (
        "I couldn't read the e-mail address (“jane@”), so it wasn't checked. Copy it exactly "
        "as they wrote it, like name@example.com, and check again.",
    )


def test_next_steps_and_if_caught_cover_the_essentials() -> None:
    result = check(asked_for="Buy gift cards and send me the codes. Run setup.exe first.")
    steps = " ".join(result.next_steps)
    assert "number you find yourself" in steps
    assert "“scam”" in steps
    assert "Don't send any money" in steps  # in place of the general "Never pay" habit
    assert "written offer" in steps
    assert "virtual machine" in steps
    caught = " ".join(result.if_caught)
    for needle in ("ReportFraud.ftc.gov", "bank", "IdentityTheft.gov", "credit freeze"):
        assert needle in caught
    assert "SAFERjobs" in caught
    assert "check local law" in caught


def test_a_verified_callback_drops_the_callback_step() -> None:
    steps = check(callback_via_known_number=True).next_steps
    assert not any("number you find yourself" in s for s in steps)


# --- no network ------------------------------------------------------------------------------


def test_the_check_never_touches_the_network_or_the_disk(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the legitimacy check tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setenv("HOME", str(tmp_path))
    domains._extractor.cache_clear()  # build the extractor again, under the patches
    try:
        result = check(
            company="Acme",
            email="jane@acme-careers.co.uk",
            website="https://careers.acme.com/jobs",
            phone="+44 909 879 0000",
            linkedin_url="https://www.linkedin.com/in/jane",
            asked_for="Apply at http://acme-jobs.net and mail jobs@acme.io today.",
        )
    finally:
        domains._extractor.cache_clear()
    assert {"R11", "R17"} <= rule_ids(result)
    assert list(tmp_path.iterdir()) == []


# --- the check_legitimacy action ---------------------------------------------------------------


def _run_action(**inputs: object) -> dict[str, object]:
    import asyncio

    from bot.app import build_actions

    spec = build_actions().get("check_legitimacy")
    assert spec is not None
    return dict(asyncio.run(spec.function(None, inputs)))  # type: ignore[arg-type]


def test_the_action_is_registered_with_optional_inputs() -> None:
    from bot.app import build_actions

    spec = build_actions().get("check_legitimacy")
    assert spec is not None
    assert spec.inputs == ()
    expected = {"recruiter_name", "company", "email", "website", "phone", "linkedin", "asked_for"}
    assert expected <= set(spec.optional_inputs)
    assert spec.outputs == ("risk", "summary", "details", "finding_count", "high")


def test_the_action_summarises_in_neutral_markup() -> None:
    outputs = _run_action(company="Acme", email="hr@acme-careers.com", asked_for="Pay $5 fee")
    assert outputs["risk"] == "high"
    assert outputs["high"] is True
    assert outputs["finding_count"] == 2
    summary = str(outputs["summary"])
    assert summary.startswith("**Risk: high.**")
    lines = summary.splitlines()
    assert "- **A lookalike domain** (high): acme-careers.com looks like a copy" in summary
    assert lines.index("Why:") < lines.index("Next steps:")
    details = str(outputs["details"]).splitlines()
    assert details.index("Worth looking up:") < details.index("More steps:")


@pytest.mark.parametrize(
    "skip", ["skip", "Skip.", "-", "none", "n/a", "I don\u2019t know", "", "  "]
)
def test_skip_answers_count_as_not_given(skip: str) -> None:
    outputs = _run_action(
        recruiter_name=skip, company=skip, email=skip, website=skip, phone=skip,
        linkedin=skip, asked_for=skip,
    )  # fmt: skip
    assert outputs["risk"] == "unknown"
    assert outputs["finding_count"] == 0
    assert _run_action()["risk"] == "unknown"  # inputs left out entirely


def test_user_text_in_the_summary_cannot_become_markup() -> None:
    from bot.render.markup import Bold, Link, ListItem, parse

    outputs = _run_action(asked_for="Pay the **fee** at [here](https://evil.example) _now_")
    nodes = parse(str(outputs["summary"]))
    finding = next(n for n in nodes if isinstance(n, ListItem))
    assert not any(isinstance(child, Link) for child in finding.children)
    bold = [c for c in finding.children if isinstance(c, Bold)]
    assert len(bold) == 1  # only the title we wrote, not the user's **fee**


def test_the_most_serious_findings_come_first() -> None:
    result = check(company="Acme", email="acme@gmail.com", asked_for="Kindly send your SSN.")
    assert [(f.rule_id, f.severity) for f in result.findings] == [
        ("R07", "high"),
        ("R10", "medium"),
        ("R26", "low"),
    ]


@pytest.mark.parametrize(
    "text",
    ["pay " * 500, "a" * 2000, "x." * 1000, "a@b.c " * 333, "a-" * 1000, "0906 123 4567 " * 142],
    ids=["words", "one-word", "dots", "addresses", "hyphens", "numbers"],
)
def test_a_long_message_is_checked_quickly(text: str) -> None:
    import time

    check(asked_for="warm-up: acme.com, 0906 123 4567")
    started = time.process_time()  # CPU time: the machine's load does not count
    check(company="Acme", asked_for=text[:2000])
    assert time.process_time() - started < 1.0  # about 0.1 s on the dev container


def test_nothing_to_go_on_is_not_low_risk() -> None:
    """Every detail skipped and "more" typed as their message was "Risk: low. Nothing
    alarming" with the good sign "their message asks for nothing": a verdict on no evidence."""
    for words in ("more", "my CV", "a call"):
        assert check(asked_for=words).risk == "unknown"
        assert check(asked_for=words).positives == ()
    harmless = check(asked_for="Could we talk on Thursday about the role?")
    assert harmless.risk == "low" and [p.rule_id for p in harmless.positives] == ["P05"]
    own = check(company="Coca-Cola", email="jane.roe@coca-cola.com", asked_for="my CV")
    assert own.risk == "low"
