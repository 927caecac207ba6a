"""Lines the coach must never say again (issue 10, item 9), checked over every shipped text.

Each rule is a phrasing that was wrong or unhedged: it is searched in every template and every
flow file (say/text lines included), sentence by sentence, so a new template cannot bring it back.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DIALOGS = ROOT / "dialogs"
SHIPPED = sorted([*DIALOGS.glob("templates/**/*.j2"), *DIALOGS.glob("flows/*.yaml")], key=str)

# (what is wrong, a sentence matching this is banned, unless it also matches this)
RULES: list[tuple[str, re.Pattern[str], re.Pattern[str] | None]] = [
    (
        "an employer never needs a card number: card details are not 'paperwork after an offer'",
        re.compile(r"card (?:details|numbers?)[^.]*(?:belong|after (?:a|the) (?:written )?offer)"),
        None,
    ),
    (
        "grouping card details with ID and bank details 'before an offer' implies a card number"
        " is fine after one: an employer never needs it",
        re.compile(
            r"(?:ID|bank)(?:,| or)[^.]*card (?:details|numbers?) (?:only )?(?:before|after)"
        ),
        None,
    ),
    (
        "'the employer pays / never charges you' holds for reputable recruiters only",
        re.compile(
            r"never charges? you|employer[^.]* pays|paid by the employer"
            r"|recruiter costs you nothing"
        ),
        re.compile(r"reputable"),
    ),
    (
        "'a freeze is free' is US law: say so",
        re.compile(r"freeze is free|free freeze|freezes? (?:are|is) free"),
        re.compile(r"\bUS\b|United States|U\.S\."),
    ),
    (
        "no guilt lines about recruiters remembering silence",
        re.compile(
            r"remember[^.]*(?:quiet|silen|ignor|missed call|didn.t (?:reply|answer))"
            r"|(?:missed call|went quiet|went silent)[^.]*remember",
            re.IGNORECASE,
        ),
        None,
    ),
    (
        "the article says 'things you aren't great at', not 'skills you don't enjoy'",
        re.compile(r"(?:don.t|do not) enjoy", re.IGNORECASE),
        None,
    ),
    (
        "the article says 'what others in your profession are doing', not 'what others expect'",
        re.compile(r"what others expect", re.IGNORECASE),
        None,
    ),
    (
        "the coach never hurries a person who can't decide: pressure to decide is a red flag "
        "in its own scam checks (R22); the articles' 'may not last long' goes with reasons",
        re.compile(r"(?:don.t|do not) (?:sit on it|wait) too long|decide (?:now|today)", re.I),
        re.compile(r"warning sign|red flag|scam|pushes you", re.IGNORECASE),
    ),
]


def _sentences(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    return [s for s in re.split(r"(?<=[.!?])\s+|\n", text) if s.strip()]


def test_the_scan_covers_the_shipped_texts() -> None:
    names = {p.name for p in SHIPPED}
    assert {"scam_data.j2", "decline_intro.j2", "scam.yaml", "verify_recruiter.yaml"} <= names
    assert len(SHIPPED) > 150


@pytest.mark.parametrize("reason,banned,unless", RULES, ids=[r[0][:40] for r in RULES])
def test_no_shipped_text_says_it(
    reason: str, banned: re.Pattern[str], unless: re.Pattern[str] | None
) -> None:
    found = [
        f"{path.relative_to(ROOT)}: {sentence.strip()}"
        for path in SHIPPED
        for sentence in _sentences(path)
        if banned.search(sentence) and not (unless and unless.search(sentence))
    ]
    assert found == [], reason


@pytest.mark.parametrize(
    "line",
    [
        "Your SSN, ID, bank or card details belong in the paperwork after a written offer.",
        "Asks for ID, bank or card details before a written offer",
        "Genuine recruiters are paid by the employer, never by you.",
        "A real agency is paid by the employer, not by you.",
        "A real recruiter is paid by the employer and never charges you.",
        "Short answer: a real recruiter costs you nothing.",
        "The employer who hires you pays their fee.",
        "Put a credit freeze on; a freeze is free.",
        "Don't just miss the call: recruiters remember who went quiet.",
        "Recruiters remember who went silent, they talk.",
        "A short note beats not picking up: a missed call is what recruiters remember.",
        "The new one might want skills you don't enjoy using.",
        "You see what others expect of you.",
        "Don't sit on it too long, though: an opening like this may not stay open for long.",
    ],
)
def test_each_rule_catches_the_old_line(line: str) -> None:
    assert any(
        banned.search(line) and not (unless and unless.search(line)) for _, banned, unless in RULES
    )


# -- the seed articles' points are all said somewhere (issue 10, item 7) -------------------------

ARTICLE_POINTS: dict[str, re.Pattern[str]] = {
    "the door may only open briefly": re.compile(r"may not (?:stay open|last)[^.]*long"),
    "recruiters don't want to put your current job at risk": re.compile(
        r"(?:doesn.t|don.t|do not) want to put your (?:current )?job at risk"
    ),
    "people hesitate and miss out": re.compile(r"hesitate[^.]*miss out"),
    "if you don't try, you'll never know": re.compile(r"won.t know unless you try"),
    "the right job may be out there": re.compile(r"right job may be out there"),
    "you may learn yours is the one": re.compile(r"yours is the one"),
    "things you aren't great at": re.compile(r"things you aren.t great at"),
    "time away from family": re.compile(r"time away from your family"),
    "you learn to contribute better": re.compile(r"learn to contribute"),
    "your five-year plan": re.compile(r"five-year plan"),
    "what others in your profession are doing": re.compile(
        r"what others in your profession are doing"
    ),
}


@pytest.mark.parametrize("point", list(ARTICLE_POINTS))
def test_every_point_of_the_articles_is_said(point: str) -> None:
    said = [p for p in SHIPPED if ARTICLE_POINTS[point].search(p.read_text(encoding="utf-8"))]
    assert said, f"no shipped text says: {point}"


# -- the content brief's items that had no line yet (issue 10, item 8) -------------------------

BRIEF_POINTS: dict[str, re.Pattern[str]] = {
    "task scams": re.compile(r"paid \"tasks\"[^\n]*scam", re.IGNORECASE),
    "reshipping": re.compile(r"parcels and sending them on is never a real job"),
    "money mules": re.compile(r"money mule"),
    "paid hidden federal jobs": re.compile(r"\"hidden\" government jobs[^\n]*USAJOBS\.gov"),
    "premium-rate numbers": re.compile(r"premium-rate number"),
    "free-mail sender claiming a big brand": re.compile(r"free-mail sender using a well-known"),
    "a LinkedIn badge is not proof": re.compile(r"badge[^.]*(?:isn.t|is not) proof"),
    "missed callback: check the time zone": re.compile(r"missed each other[\s\S]*time zone", re.I),
    "missed callback: check the number": re.compile(r"missed each other[\s\S]*the number", re.I),
}


@pytest.mark.parametrize("point", list(BRIEF_POINTS))
def test_every_point_of_the_content_brief_is_said(point: str) -> None:
    said = [p for p in SHIPPED if BRIEF_POINTS[point].search(p.read_text(encoding="utf-8"))]
    assert said, f"no shipped text says: {point}"
