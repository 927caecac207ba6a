"""R01 in any words: the person is asked to pay money, for the job or for something it needs.

The rule table catches the known tricks in their own words ("pay for the training kit"); this
catches the many other ways a request to pay is written: "they want $50 for training", "the
certification costs 50 USD", "send fifty dollars to secure your spot", "a refundable deposit",
"you'll need to cover the €50 background check". It reads who pays:

- *Strong*: a paying verb (pay, send, buy, purchase, transfer, wire, cover...) whose subject is
  the person ("you'll need to pay", "they want you to buy") or nobody (an instruction: "pay
  $50"), with money or a thing to pay for after it. "We pay for your training" and "we'll send
  you a laptop" are the employer paying. A promise to pay it back doesn't clear it: "buy the
  laptop and we'll reimburse you" is how the fake-check scam starts.
- *Weak*: a sum tied to a purpose or a fee ("$50 for training", "the kit is $99", "a $50
  fee", "a refundable deposit") in a sentence where nobody else pays ("the client pays our
  fee", "training is covered") and nothing is paid to the person ("you'll get $500 for
  equipment", "a $50 training bonus", "$50 an hour").

A negation before the act ("you never pay a fee", "there is no training fee") cancels it, as in
:mod:`textscan`. Heuristics, measured on the labelled corpus (docs/legitimacy.md).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.coaching.rule_words import PAY_VERB, PAYER, RAILS
from bot.coaching.textscan import negated, sentences

__all__ = ("AMOUNT", "money_asked")

_NUM = r"\d{1,3}(?:[,.]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?"
_UNITS = r"one|two|three|four|five|six|seven|eight|nine"
_TENS = r"twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety"
_NUMBER_WORDS = (
    rf"(?:a|{_UNITS})\s+(?:hundred|thousand)|(?:{_TENS})(?:[- ](?:{_UNITS}))?"
    rf"|ten|eleven|twelve|fifteen|{_UNITS}"
)
_CURRENCY_WORDS = (
    r"usd|us dollars?|dollars?|bucks|eur|euros?|gbp|pounds?(?: sterling)?|quid|cad|aud|inr"
    r"|rupees?|pesos?|naira|rand"
)
_SYMBOL = r"(?:us|ca|au|nz|c|a)?[$\u00a3\u20ac\u00a5\u20b9]"
AMOUNT = (
    rf"(?:{_SYMBOL}\s?(?:{_NUM})(?:\s?k\b)?"
    rf"|\b(?:usd|eur|gbp|cad|aud|inr|rs\.?)\s?(?:{_NUM})\b"
    rf"|\b(?:{_NUM})(?:\s?k)?\s?(?:[$\u00a3\u20ac\u00a5\u20b9]|(?:{_CURRENCY_WORDS})\b)"
    rf"|\b(?:{_NUMBER_WORDS})\s+(?:{_CURRENCY_WORDS})\b)"
)
_RATE = re.compile(
    r"\s*(?:/\s*|per\s+|an?\s+|each\s+|every\s+)(?:hour|hr|h|day|week|wk|month|mo|year|yr"
    r"|annum|shift|task)\b|\s*(?:hourly|daily|weekly|monthly|yearly|annually)\b"
)
_PURPOSE = (
    r"(?:training|trainings|courses?|class(?:es)?|certifications?|certificates?|equipment"
    r"|laptops?|computers?|phones?|headsets?|monitors?|printers?|software|licen[cs]es?"
    r"|subscriptions?|starter (?:kit|pack)s?|kits?|onboarding|orientation|registration"
    r"|background (?:check|screening)s?|screenings?|drug tests?|drug testing|medicals?"
    r"|fingerprint\w*|visas?|work permits?|permits?|sponsorship|uniforms?|supplies"
    r"|materials|tools|insurance|badges?|exams?|processing|applications?|verification"
    r"|activation|membership|account set-?up|home office)"
)
_FEE = r"(?:fees?|deposits?|charges?|dues|costs?)"
_FEE_KIND = (
    rf"(?:refundable|security|holding|good[- ]faith|one[- ]time|upfront|up[- ]front|small"
    rf"|nominal|token|joining|admin\w*|enrol\w*|{_PURPOSE})\s+(?:fees?|deposits?|charges?)"
)
_JOB = r"(?:the job|the position|the role|(?:your|a|the) (?:spot|slot|place|seat|offer|start))"

_STRONG = re.compile(
    rf"(?:{PAY_VERB}|\bpaying\b|\b(?:send|sending|buy|buying|purchase|purchasing|transfer"
    r"|transferring|wire|wiring|cover|covering|deposit|depositing|remit|spend|invest|front"
    r"|top up|make (?:a |the )?payment|submit (?:a |the )?payment)\b"
    r"|\b(?P<third>pays|sends|buys|purchases|transfers|wires|covers|deposits)\b)"
)
_SEND_LIKE = re.compile(r"\b(?:send|sending|transfer|transferring|wire|wiring|deposit|remit)")
_MONEY_OBJECT = rf"{AMOUNT}|\b{_FEE}\b|{RAILS}|\b(?:money|funds|payment)\b"
_PAY_OBJECT = rf"{_MONEY_OBJECT}|\b{_PURPOSE}\b"
_OBJECT_REACH = 60  # characters after the verb in which its object must start
_TO_THEM = re.compile(r"\s+(?:you|u|yourself|you're)\b")

_CANDIDATE = frozenset(
    {"you", "you'll", "youll", "you'd", "yourself", "candidate", "candidates", "applicant"}
    | {"applicants", "trainee", "trainees", "hire", "hires", "starter", "starters"}
)
_THIRD_PARTY = frozenset(
    {"we", "we'll", "we'd", "they", "they'll", "they'd", "us", "company", "employer", "client"}
    | {"firm", "agency", "i", "i'll", "he", "she", "it", "it'll", "recruiter", "team", "hr"}
    | {"organization", "organisation", "business", "employers", "companies", "clients"}
)
_SUBJECT_REACH = 6  # words back to look for who pays

_WEAK = (
    re.compile(
        rf"(?P<amount>{AMOUNT})(?:\s+\S+){{0,3}}?\s+(?:for|to cover|towards?|to pay for|to get"
        rf"|to secure|to reserve|to register|to unlock|to activate|to process|to join|to book"
        rf"|to apply)\s+(?:\S+\s+){{0,3}}?(?:{_PURPOSE}|{_JOB})\b"
    ),
    re.compile(
        rf"\b(?:{_PURPOSE}|{_FEE})(?:\s+\S+){{0,3}}?\s+(?:costs?|is|are|will be|comes? to|totals?"
        rf"|of|amounts? to|runs?|priced at|[:=-])\s+(?:only |just |about |around |roughly )?"
        rf"(?P<amount>{AMOUNT})"
    ),
    re.compile(rf"(?P<amount>{AMOUNT})(?:\s+\S+){{0,2}}?\s+(?:fees?|deposits?|charges?|dues)\b"),
    re.compile(rf"\b{_FEE_KIND}\b"),
    re.compile(
        rf"\b(?:wants?|needs?|requires?|required|ask(?:s|ing|ed)? for|charg(?:e|es|ing)"
        rf"|collect(?:s|ing)?|expects?)\s+(?:from you\s+|you\s+)?(?:a\s+|an\s+|the\s+)?"
        rf"(?P<amount>{AMOUNT})"
    ),
)
_EMPLOYER_PAYS = re.compile(
    rf"{PAYER}|\b(?:paid|covered|charged|billed|invoiced) (?:to|by|from) (?:the |our |your "
    r"(?:new |future )?)?(?:client|employer|company|hiring company|firm|us)\b"
    r"|\b(?:is|are|will be|gets?)\s+(?:fully\s+|always\s+|completely\s+)?(?:covered|waived"
    r"|included|paid for|on us)\b|\bon us\b"
)
# Money going to the person. "Get" and "receive" only with "you": "once we receive a deposit"
# is the company being paid.
_INCOMING = re.compile(
    r"\byou(?:'ll| will| can| would| also| then)*\s+(?:get|receive)\b|\b(?:earn\w*|be paid"
    r"|are paid|get paid|given|give|gives|award\w*|offer|offers|offering|stipend|allowance|bonus"
    r"|budget|credit|salary|wages?|compensation|reimbursements? (?:of )?up to"
    r"|reimburse\w* up to)\b"
)
_RUPEES = re.compile(r"\b[Rr][Ss]\.\s*(?=\d)")
_CLAUSE_BREAK = re.compile(
    r",(?!\d)|[;:()]|\b(?:and|but|so|then|while|whereas|although|though|which|once|after|before|if"
    r"|when|or)\b"
)


def money_asked(text: str) -> str | None:
    """The words that ask the person to pay, shortened, or None."""
    text = _RUPEES.sub("rs ", text)  # "Rs. 500": that full stop doesn't end a sentence
    for sentence in sentences(text):
        found = _strong(sentence) or _weak(sentence)
        if found is not None:
            return found
    return None


def _clauses(sentence: str) -> Iterator[tuple[int, str]]:
    start = 0
    for brk in _CLAUSE_BREAK.finditer(sentence):
        yield start, sentence[start : brk.start()]
        start = brk.end()
    yield start, sentence[start:]


def _strong(sentence: str) -> str | None:
    for offset, clause in _clauses(sentence):
        for verb in _STRONG.finditer(clause):
            after = clause[verb.end() :]
            if _TO_THEM.match(after) or negated(sentence, offset + verb.start()):
                continue
            wanted = _MONEY_OBJECT if _SEND_LIKE.match(verb.group(0)) else _PAY_OBJECT
            obj = re.search(wanted, after[:_OBJECT_REACH])
            if obj is None:
                continue
            who = _subject(clause[: verb.start()])
            rate = _RATE.match(after, obj.end()) is not None
            if verb.group("third") and who != "candidate":
                continue  # "the role pays", "the employer covers": only "each hire pays" counts
            if who == "candidate" or (who is None and not rate):
                return _short(clause)
    return None


def _subject(before: str) -> str | None:
    for word in reversed(re.findall(r"[a-z']+", before)[-_SUBJECT_REACH:]):
        if word in _CANDIDATE:
            return "candidate"
        if word in _THIRD_PARTY:
            return "third party"
    return None


# A sum set beside what it pays for, or called due: "the certification course, 75 USD, due
# before orientation", "starter kit (€40)". Read across commas, so per sentence, not clause.
_APPOSED = (
    re.compile(
        rf"\b{_PURPOSE}\b(?:\s+\S+){{0,2}}?\s?[,(\u2013\u2014-]\s?(?:only |just )?"
        rf"(?P<amount>{AMOUNT})"
    ),
    re.compile(
        rf"(?P<amount>{AMOUNT})\W{{0,3}}\s*(?:is |are |will be )?(?:due|payable|required"
        r"|non-refundable|refundable|to be paid|must be paid)\b"
    ),
)


def _weak(sentence: str) -> str | None:
    if _EMPLOYER_PAYS.search(sentence):
        return None
    for pattern in _APPOSED:
        for match in pattern.finditer(sentence):
            if not _paid_to_them(sentence, match) and not negated(sentence, match.start()):
                return _short(sentence)
    for offset, clause in _clauses(sentence):
        for pattern in _WEAK:
            for match in pattern.finditer(clause):
                if not _paid_to_them(clause, match) and not negated(
                    sentence, offset + match.start()
                ):
                    return _short(clause)
    return None


def _paid_to_them(clause: str, match: re.Match[str]) -> bool:
    """A sum paid *to* the person: a rate, a bonus, "you'll get $500 for equipment"."""
    amount = match.groupdict().get("amount")
    if amount and _RATE.match(clause, match.end("amount")):
        return True
    around = clause[: match.end()] + " " + " ".join(clause[match.end() :].split()[:2])
    return _INCOMING.search(around) is not None


def _short(clause: str) -> str:
    text = " ".join(clause.split())
    return text if len(text) <= 80 else text[:79].rstrip() + "…"
