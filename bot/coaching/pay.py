"""R23: pay far from the going rate for a simple, generic role.

The checklist's heuristic is "more than about twice the typical pay for data entry, admin or
remote customer service". Typical US pay for those roles is around $15-20 an hour, so we flag
from $40 an hour (or the same per day, week, month or year, assuming full time), and below
$5 an hour, which no lawful job pays. Only amounts in a sentence that names a generic role
count, so a senior engineer's $90 an hour is left alone. The thresholds are ours: tune them on
labelled examples.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.coaching.rule_words import GENERIC_ROLE
from bot.coaching.textscan import sentences

__all__ = ("PayHit", "pay_far_from_market")

HIGH_HOURLY = 40.0
LOW_HOURLY = 5.0
# full-time hours per period, to turn a daily/weekly/... figure into an hourly one
HOURS_PER = {"hour": 1.0, "day": 8.0, "week": 40.0, "month": 173.0, "year": 2080.0}
_PERIOD_WORDS = {
    "hour": "hour",
    "hr": "hour",
    "h": "hour",
    "day": "day",
    "week": "week",
    "wk": "week",
    "month": "month",
    "mo": "month",
    "year": "year",
    "yr": "year",
    "annum": "year",
}
_AMOUNT = re.compile(
    r"(?:[$\u00a3\u20ac]\s?(?P<a>\d[\d,]*(?:\.\d+)?)\s*(?P<ka>k)?"
    r"|(?P<b>\d[\d,]*(?:\.\d+)?)\s*(?P<kb>k)?\s*(?:usd|dollars|pounds|gbp|eur|euros))"
    r"\s*(?:/|per|an|a|each|every)\s*(?P<period>hour|hr|h|day|week|wk|month|mo|year|yr|annum)\b"
)
_ROLE = re.compile(GENERIC_ROLE)


@dataclass(frozen=True, slots=True)
class PayHit:
    excerpt: str
    hourly: float
    too_high: bool


def pay_far_from_market(text: str) -> PayHit | None:
    """The first pay figure far from market for a generic role, or None."""
    for sentence in sentences(text):
        if not _ROLE.search(sentence):
            continue
        for match in _AMOUNT.finditer(sentence):
            hourly = _hourly(match)
            if hourly is not None and (hourly >= HIGH_HOURLY or hourly < LOW_HOURLY):
                return PayHit(match.group(0), round(hourly, 2), hourly >= HIGH_HOURLY)
    return None


def _hourly(match: re.Match[str]) -> float | None:
    number = match.group("a") or match.group("b")
    try:
        amount = float(number.replace(",", ""))
    except ValueError:
        return None
    if match.group("ka") or match.group("kb"):
        amount *= 1000
    period = _PERIOD_WORDS[match.group("period")]
    return amount / HOURS_PER[period]
