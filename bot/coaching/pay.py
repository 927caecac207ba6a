"""R23: pay far from the going rate for simple work that anyone could do.

The checklist's heuristic is "more than about twice the typical pay for data entry, admin or
remote customer service". Typical US pay for those roles is around $15-20 an hour, so we flag
from $40 an hour, and below $5 an hour, which no lawful job pays. Pay given per day, week,
month or year is turned into an hourly figure with the hours the message states ("2 hours a
day", "10 hours a week"), or full time when it states none: "$800 a week for two hours a day"
is $80 an hour. Only messages about simple work count (a generic role like data entry, or "no
experience needed", "easy tasks", "from your phone"), so a senior engineer's $90 an hour is left
alone. The thresholds are ours: tune them on labelled examples (bench/legitimacy_corpus.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.coaching.rule_words import GENERIC_ROLE
from bot.coaching.textscan import fold, sentences

__all__ = ("PayHit", "pay_far_from_market", "stated_hours_per_week")

HIGH_HOURLY = 40.0
LOW_HOURLY = 5.0
FULL_TIME = {"hour": 1.0, "day": 8.0, "week": 40.0, "month": 173.0, "year": 2080.0}
WORK_DAYS = 5.0
WEEKS_PER_MONTH = 4.33
_PERIOD_WORDS = {
    "hour": "hour",
    "hr": "hour",
    "h": "hour",
    "day": "day",
    "daily": "day",
    "week": "week",
    "wk": "week",
    "weekly": "week",
    "month": "month",
    "mo": "month",
    "monthly": "month",
    "year": "year",
    "yr": "year",
    "annum": "year",
}
_AMOUNT = re.compile(
    r"(?:[$\u00a3\u20ac]\s?(?P<a>\d[\d,]*(?:\.\d+)?)\s*(?P<ka>k)?(?:\s*-\s*[$\u00a3\u20ac]?\s?"
    r"(?P<a2>\d[\d,]*(?:\.\d+)?))?"
    r"|(?P<b>\d[\d,]*(?:\.\d+)?)\s*(?P<kb>k)?\s*(?:usd|dollars|pounds|gbp|eur|euros))"
    r"\s*(?:(?:/|per|an|a|each|every)\s*(?P<period>hour|hr|h|day|week|wk|month|mo|year|yr"
    r"|annum)\b|(?P<adverb>daily|weekly|monthly)\b)"
)
_HOURS = re.compile(
    r"\b(?P<n>\d+(?:\.\d+)?|one|two|three|four|five|six|a couple of|a few|couple of|few)"
    r"(?:\s*(?:-|to)\s*(?P<n2>\d+(?:\.\d+)?))?\s*(?:hours?|hrs?)\s*(?:(?:a|per|each|/|every)\s*"
    r"(?P<period>day|week)\b|(?P<adverb>daily|weekly)\b)"
)
_NUMBER_WORDS = {
    "one": 1.0, "two": 2.0, "three": 3.0, "four": 4.0, "five": 5.0, "six": 6.0,
    "a couple of": 2.0, "couple of": 2.0, "a few": 3.0, "few": 3.0,
}  # fmt: skip
_SIMPLE_WORK = re.compile(
    GENERIC_ROLE + r"|\bno (?:prior |previous )?(?:experience|skills?|qualifications?)\b"
    r"|\b(?:simple|easy) (?:online )?(?:tasks?|work|jobs?|money)\b|\bfrom your (?:phone|mobile)\b"
    r"|\banyone can do\b"
)


@dataclass(frozen=True, slots=True)
class PayHit:
    excerpt: str
    hourly: float
    too_high: bool
    hours_stated: bool  # the hourly figure uses the hours the message states


def pay_far_from_market(text: str) -> PayHit | None:
    """The first pay figure far from market for simple work, or None."""
    if not _SIMPLE_WORK.search(fold(text)):
        return None
    weekly_hours = stated_hours_per_week(text)
    for sentence in sentences(text):
        for match in _AMOUNT.finditer(sentence):
            hourly = _hourly(match, weekly_hours)
            if hourly is not None and (hourly >= HIGH_HOURLY or hourly < LOW_HOURLY):
                used = weekly_hours is not None and _period(match) in ("day", "week", "month")
                return PayHit(
                    match.group(0).strip(), round(hourly, 2), hourly >= HIGH_HOURLY, used
                )
    return None


def stated_hours_per_week(text: str) -> float | None:
    """The working hours a week that the text states ("2 hours a day" is 10), or None."""
    match = _HOURS.search(fold(text))
    if match is None:
        return None
    number = match.group("n2") or match.group("n")
    hours = _NUMBER_WORDS.get(number) or float(number)
    period = match.group("period") or {"daily": "day", "weekly": "week"}[match.group("adverb")]
    weekly = hours * WORK_DAYS if period == "day" else hours
    return weekly if 0 < weekly <= 80 else None


def _period(match: re.Match[str]) -> str:
    return _PERIOD_WORDS[match.group("period") or match.group("adverb")]


def _hourly(match: re.Match[str], weekly_hours: float | None) -> float | None:
    number = match.group("a2") or match.group("a") or match.group("b")
    try:
        amount = float(number.replace(",", ""))
    except ValueError:
        return None
    if match.group("ka") or match.group("kb"):
        amount *= 1000
    period = _period(match)
    if weekly_hours is None or period in ("hour", "year"):
        return amount / FULL_TIME[period]
    per_period = {"day": weekly_hours / WORK_DAYS, "week": weekly_hours}
    return amount / per_period.get(period, weekly_hours * WEEKS_PER_MONTH)
