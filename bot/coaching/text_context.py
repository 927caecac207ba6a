"""Not rules, but context for them, read from the same text with the same negation handling.

- :data:`SIGNED_OFFER_RULE`: the offer is already signed or accepted, so ID, bank details and a
  background check through the employer's vendor are normal (R07 stays quiet).
- :data:`MONEY_TALK`: money asked in any words ("a $99 fee", "costs $45"). The rules catch the
  known tricks in their own words; this only keeps the "no money asked" good sign (P05) from
  showing beside a request no rule knows.
"""

from __future__ import annotations

import re

from bot.coaching.rule_words import PAYER, SIGNED_OFFER
from bot.coaching.textscan import TextPattern, TextRule, near

__all__ = ("MONEY_TALK", "SIGNED_OFFER_RULE")

_ASKING = r"\b(?:fees?|charges?|costs?|deposit|payment|purchase|buy|invoice|pay for|paying for)\b"
_AMOUNT = r"[$\u00a3\u20ac]\s?\d[\d,.]*|\b\d+\s?(?:usd|dollars|pounds|euros?)\b"
_ACT = r"\b(?:fees?|charges?|costs?|deposit|payment|purchase|buy|invoice|pay)\b"

SIGNED_OFFER_RULE = TextRule("signed-offer", (TextPattern(re.compile(SIGNED_OFFER)),))
MONEY_TALK = TextRule(
    "money-talk",
    (TextPattern(re.compile(near(_ASKING, _AMOUNT, 8)), re.compile(_ACT)),),
    exempt=re.compile(PAYER),
)
