"""The red-flag rules that show in words: the patterns :func:`textscan.scan` applies.

One :class:`TextRule` per rule id (R01-R09, R13-R16, R18, R20-R22, R24, R26); R23 (pay far from
the going rate) needs numbers and lives in :mod:`pay`. The patterns are heuristics written
against the checklist's wording; each has a firing example and a near miss in
``tests/bot/coaching/test_legitimacy.py``. When a pattern grows a false alarm, add the near
miss to the test table first.

Conventions: text is already folded (lower case, straight quotes); ``act`` is the verb a
negation must precede ("we never ask you to *pay*"); ``exempt`` is a sentence-level way out
("the fee is paid by the client").
"""

from __future__ import annotations

import re

from bot.coaching.rule_words import (
    AFTER_OFFER,
    ASK,
    CHAT_APPS,
    EXECUTABLE,
    GENERIC_ROLE,
    GOVERNMENT_JOBS,
    ID_DOCUMENT,
    IN_PERSON_ID,
    KNOWN_MEETING_APP,
    MONEY_VERB,
    NO_GAP,
    NOT_FOR_A_STEP,
    PAY_ACT,
    PAY_VERB,
    PAYER,
    PII,
    RAILS,
    REFUSE,
    RUN_VERB,
    SECRET,
)
from bot.coaching.textscan import TextPattern, TextRule, near

__all__ = ("TEXT_RULES",)


def _re(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _p(pattern: str, act: str | None = None, unless: str | None = None) -> TextPattern:
    return TextPattern(_re(pattern), _re(act) if act else None, _re(unless) if unless else None)


# --- the rules ---------------------------------------------------------------------------------

_THINGS_TO_PAY_FOR = (
    r"\b(?:training|certif\w*|equipment|laptop|computer|software|starter kit|kit|background check"
    r"|(?:starter|welcome|onboarding|training|work|equipment) (?:kit|pack|package)s?"
    r"|onboarding|registration|supplies|uniform|materials)\b"
)

TEXT_RULES: tuple[TextRule, ...] = (
    TextRule("R01", (_p(near(PAY_ACT, _THINGS_TO_PAY_FOR), act=PAY_ACT),), exempt=_re(PAYER)),
    TextRule(
        "R02",
        (
            _p(
                r"(?<!background )(?<!credit )(?<!reference )(?<!security )\b(?:cheque|check"
                r"|money order|cashier'?s check)s?\b(?!\s+(?:your|out|in|if|whether|that|the"
                r"|with|on|my|our|this|these|to|again|back)\b)"
            ),
            _p(r"\b(?:deposit|cash)\w*\b"),
            _p(
                r"\b(?:send|sending|wire|wiring|transfer|transferring|forward|gift cards?|vendor"
                r"|supplier|remaining|remainder|rest of|balance|difference|leftover|excess)\b"
            ),
        ),
        all_of=True,
    ),
    TextRule("R03", (_p(near(MONEY_VERB, RAILS), act=MONEY_VERB),)),
    TextRule(
        "R04",
        (
            _p(
                r"\b(?:preferred|approved|designated|certified|authori[sz]ed|partner)\s+(?:vendor"
                r"|supplier|store|shop|dealer)s?\b|\bour\s+(?:vendor|supplier)s?\b"
            ),
            _p(
                near(
                    r"\breimburs\w*|\brefund\w*|\bpay you back\b|\bpaid back\b",
                    r"\b(?:pay ?check|paycheque|salary|payroll|wages?|first pay)\b",
                )
            ),
            _p(
                near(
                    r"\b(?:buy|purchase|order|pay for)\b",
                    r"\breimburs\w*|\brefund\w*|\bpay you back\b|\bpaid back\b",
                    10,
                ),
                act=r"\b(?:buy|purchase|order|pay for)\b",
            ),
        ),
    ),
    TextRule(
        "R05",
        (
            _p(
                r"\b(?:placement|registration|sign[- ]?up|application|applicant|cv|resume"
                r"|r\u00e9sum\u00e9|cv service|cv writing|resume writing|recruitment|recruiting"
                r"|agency|membership|enrol(?:l)?ment|admin(?:istration)?|processing|interview"
                r"|joining|job seeker|candidate|service)\s+(?:fees?|charges?)\b",
                act=r"\b(?:fees?|charges?)\b",
            ),
            _p(
                r"\bfees?\s+(?:to|for)\s+(?:apply|register|join|be (?:considered|placed"
                r"|registered|submitted)|placement|(?:our|the) (?:database|agency|service))\b"
            ),
            _p(r"\b(?:charge|charges|charging)\s+(?:you|candidates|applicants|job ?seekers)\b"),
            _p(near(PAY_VERB + r"|\bpaying\b", r"\bfees?\b", 3), act=PAY_VERB + r"|\bpaying\b"),
        ),
        exempt=_re(PAYER),
    ),
    TextRule(
        "R06",
        (
            _p(
                r"\b(?:hidden|undisclosed|unadvertised|unlisted|secret|unpublished)\s+(?:federal"
                r"|government|gov't|civil[- ]service|postal|public[- ]sector|state)\s+(?:jobs?"
                r"|positions?|openings?|vacancies|roles?)\b"
            ),
            _p(
                near(
                    r"\b(?:fees?|pay for|paying for|purchase|buy)\b",
                    r"\b(?:federal|government|postal|civil[- ]service|usps)\s+(?:jobs?|positions?"
                    r"|openings?|vacancies|roles?|exams?|tests?)\b",
                ),
                act=r"\b(?:fees?|pay for|paying for|purchase|buy)\b",
            ),
            _p(
                r"\bguarantee[sd]?\s+(?:a\s+|you\s+a\s+)?(?:high\s+|passing\s+|top\s+)?(?:test"
                r"|exam)\s*(?:scores?|results?|pass)?\b|\bguarantee[sd]?\s+(?:to\s+|you\s+)?pass\b"
                r"|\bguarantee\w*\s+(?:\w+\s+){0,3}?(?:passing|high|top)\s+(?:test\s+|exam\s+)?"
                r"(?:scores?|grades?|marks?|results?)\b"
            ),
            _p(
                near(
                    GOVERNMENT_JOBS,
                    r"\b(?:not|never|aren't|isn't|are not|is not)\s+(?:\w+\s+)?(?:advertised"
                    r"|listed|posted|published|public)\b|\bpublic never sees?\b"
                    r"|\bnever (?:appear|show up)\b",
                )
            ),
        ),
    ),
    TextRule(
        "R07",
        (
            _p(PII),
            _p(
                near(
                    r"\b(?:scan|scanned|copy|photo|picture|image|upload|send|provide|share"
                    r"|submit|number|front and back)\b",
                    ID_DOCUMENT,
                    4,
                )
            ),
        ),
        exempt=_re(f"{AFTER_OFFER}|{IN_PERSON_ID}"),
    ),
    TextRule(
        "R08",
        (
            _p(near(ASK, SECRET), act=ASK),
            _p(
                r"\bconnect (?:your )?(?:crypto |metamask |web3 )?wallet\b|\b(?:seed|recovery"
                r"|secret) phrase\b|\bprivate keys?\b"
            ),
        ),
    ),
    TextRule(
        "R09",
        (
            _p(
                r"\b(?:npm (?:install|i|run|start)|npx \S+|pip3? install|yarn (?:add|install)"
                r"|pnpm (?:add|install)|git clone|docker run|curl [^\n]*\|\s*(?:ba)?sh|powershell"
                r"|bash \S+\.sh)\b"
            ),
            _p(
                r"\b(?:run|running|execute|executing)\s+(?:the |our |this |my |a |their )?"
                r"(?:\w+\s+)?(?:repo(?:sitory)?|script|code|project|program|file|installer"
                r"|\S+\.(?:exe|msi|dmg|pkg|apk|bat|cmd|ps1|sh|scr|jar))\b",
                act=r"\b(?:run|running|execute|executing)\b",
            ),
            _p(
                r"\b(?:download|downloading|install|installing|clone|cloning)\s+(?:the |our "
                r"|this |my |a |their )?(?:\w+\s+)?(?:app|application|software|client|tool"
                r"|extension|plugin|program|installer|repo(?:sitory)?|project|code"
                r"|\S+\.(?:exe|msi|dmg|pkg|apk|bat|cmd|ps1|sh|scr|jar|zip))\b",
                act=r"\b(?:download|downloading|install|installing|clone|cloning)\b",
            ),
            _p(near(RUN_VERB, EXECUTABLE), act=RUN_VERB),
            _p(
                r"\b(?:anydesk|teamviewer|rustdesk|ultraviewer|remote[- ](?:access|desktop"
                r"|control) (?:app|tool|software|session))\b"
            ),
        ),
        exempt=_re(KNOWN_MEETING_APP),
    ),
    TextRule(
        "R13",
        (
            _p(
                near(
                    r"\b(?:interview|onboard|screening|assessment|orientation)\w*",
                    rf"\b(?:on|via|over|through|using|by|in)\s+(?:\w+\s+)?{CHAT_APPS}\b",
                ),
                act=rf"\b(?:on|via|over|through|using|by|in)\s+(?:\w+\s+)?{CHAT_APPS}\b",
            ),
            _p(
                r"\b(?:telegram|whatsapp|signal|textnow|text|chat|sms|hangouts|wire)[- ]"
                r"(?:based\s+)?(?:interview|screening|onboarding)s?\b"
            ),
        ),
    ),
    TextRule(
        "R14",
        (
            _p(
                r"\b(?:optimi[sz]ation tasks?|(?:app|product|data|order|hotel|merchant|review)"
                r" optimi[sz]ation|optimi[sz]e (?:products|apps|orders|data)|product boosting"
                r"|boost(?:ing)? (?:products|orders|apps|sales|ratings)|(?:app|product|hotel"
                r"|movie|merchant) (?:ratings?|reviews?)|rate (?:products|apps|hotels|movies)"
                r"|(?:like|liking|subscribe to|follow) (?:youtube |tiktok |instagram )?(?:videos"
                r"|posts|channels|pages)|complete (?:\d+ |simple |easy )?(?:tasks|orders|sets)"
                r"|tasks? (?:per|a|each) day|daily tasks|task-based|order grabbing|grab orders)\b"
            ),
            _p(
                r"\b(?:commissions?|earn\w*|per task|(?:daily|weekly) (?:income|earnings|pay"
                r"|salary|payout)|payouts?|profits?)\b|[$\u00a3\u20ac]\s?\d[\d,]*\s*(?:per|a|/)"
                r"\s*(?:day|task)\b"
            ),
        ),
        all_of=True,
    ),
    TextRule(
        "R15",
        (
            _p(
                r"\b(?:move|continue|switch|talk|chat|message|text|contact|add|reach|dm|ping"
                r"|write|speak|discuss|connect|join)\w*\s+(?:\w+\s+){0,4}?(?:on|to|via|over"
                r"|through|in|at)\s+(?:telegram|whatsapp|whats app|signal|wechat|wire|kik|viber"
                r"|hangouts|google chat|textnow)\b"
            ),
            _p(
                r"\b(?:telegram|whatsapp|wechat|signal|viber|kik)\s+(?:number|id|handle"
                r"|username|contact|account|group)\b"
            ),
        ),
    ),
    TextRule(
        "R16",
        (
            _p(rf"{REFUSE}{NO_GAP}(?:company|work|corporate|official|business) e-?mail\b"),
            _p(
                rf"{REFUSE}{NO_GAP}(?:a |any )?(?:phone |voice |video |zoom |teams )?"
                r"(?:calls?|call me|to call|speak on the phone|talk on the phone)\b"
            ),
            _p(
                r"\b(?:no|without|doesn't have a|don't have a|there is no|there's no)\s+(?:main"
                r"|office|company|landline|switchboard|direct|business)\s+(?:number|line"
                r"|phone)s?\b"
            ),
            _p(
                r"\b(?:only|just)\s+(?:communicate|talk|chat|contact|reach|speak|message)\w*\s+"
                r"(?:by|via|over|through|on)\s+(?:text|chat|messages?|e-?mail|dm|instant"
                r" messag\w*)\b"
            ),
            _p(r"\bno (?:phone |video |voice )?calls\b"),
        ),
        negatable=False,  # these patterns *are* refusals; a negation is what they look for
    ),
    TextRule(
        "R18",
        (
            _p(
                r"\b(?:check|cheque|payment|salary|invoice|money)\w*\s+(?:\w+\s+){0,5}?(?:from"
                r"|to|by|in the name of)\s+(?:a |an |our |another |the )?(?:different|another"
                r"|third[- ]party|partner|sister|affiliated|associate)\s+(?:company|firm"
                r"|account|business)\b"
            ),
        ),
    ),
    TextRule(
        "R20",
        (
            _p(
                r"\byou(?:'re| are| have been|'ve been) (?:hired|selected|accepted|approved"
                rf"|chosen|employed)\b{NOT_FOR_A_STEP}"
                r"|\bcongratulations?\W+(?:you(?:'ve| have)? )?"
                rf"(?:got|get|landed|won|been (?:offered|selected|hired))\b{NOT_FOR_A_STEP}"
                r"|\boffer(?:ing)? you (?:the|a"
                r"|this) (?:job|position|role)\b|\b(?:job|employment) offer (?:letter )?(?:is )?"
                r"(?:attached|enclosed|below)\b",
                unless=r"\b(?:phone|video|zoom|teams|in[- ]person|on[- ]?site|face[- ]to[- ]face"
                r"|live|final|second|panel|technical)\s+(?:interview|call|round|meeting)s?\b"
                r"|\binterviewed\b|\b(?:after|following|since|thanks? (?:you )?for|enjoyed|loved)"
                r"\s+(?:\w+\s+){0,3}?(?:interviews?|interviewing|meeting|speaking|talking|calls?"
                r"|conversations?|chats?)\b|\b(?:met|spoke|talked) (?:with|to)\b",
            ),
            _p(
                near(
                    r"\b(?:hire|hired|hiring|offer|offered|job|position|selected)\b",
                    r"\b(?:without|with no|no need for|no need of|skip(?:ping)?)\s+(?:an?\s+"
                    r"|any\s+|the\s+)?(?:interview|call|meeting)s?\b|\bno interview\b",
                    8,
                )
            ),
        ),
    ),
    TextRule(
        "R21",
        (
            _p(
                r"\bguarantee[sd]?\s+(?:you\s+)?(?:a\s+|an\s+|your\s+)?(?:job|placement|position"
                r"|employment|income|interview|hire|offer|work|role|salary)\b|\b(?:job|placement"
                r"|employment|income|hire|hiring) guarantee(?:d)?\b|\b100% (?:guaranteed"
                r"|placement|hiring)\b|\bmoney[- ]back guarantee\b"
            ),
            _p(
                r"\bno experience(?: needed| required| necessary)?\W+(?:\w+\W+){0,3}?(?:high"
                r"|great|big|excellent|top|huge)\s+(?:pay|salary|income|earnings)\b"
            ),
            _p(
                r"\b(?:earn|make)\s+(?:up to\s+)?[$\u00a3\u20ac]\s?\d[\d,]*\+?\s*k?\s*(?:per|a|/"
                r"|every)\s*(?:day|week)\b|\b(?:earn|make)\s+(?:\S+\s+){0,4}?from (?:the comfort"
                r" of )?(?:your )?home\b"
            ),
        ),
    ),
    TextRule(
        "R22",
        (
            _p(
                r"\btoday only\b|\bwithin (?:the next )?(?:\d+|one|two|twenty[- ]four) ?(?:hours?"
                r"|hrs?|h|minutes?|mins?)\b|\blimited (?:slots|spots|places|positions|seats"
                r"|openings|vacancies|time)\b|\b(?:only|just) (?:\d+|a few|few) (?:slots|spots"
                r"|places|positions|seats|openings) (?:left|remaining|available)\b|\bdecide (?:now"
                r"|today|immediately|right now|right away|tonight)\b|\b(?:or|otherwise|else)"
                r" (?:you(?:'ll| will)? )?lose (?:it|this|the|your)\b|\bact (?:now|fast|quickly"
                r"|immediately|today)\b|\burgent(?:ly)? (?:reply|response|needed|required)\b"
                r"|\breply urgently\b|\brespond (?:immediately|asap|right away|today|now|quickly)"
                r"\b|\b(?:offer|link|position|spot) (?:ends|expires|closes) (?:today|tonight|soon"
                r"|in \d+ ?(?:hours?|hrs?|h|minutes?|mins?))\b"
                r"|\bbefore (?:midnight|end of (?:the )?day|eod|tonight|it'?s gone)\b"
            ),
        ),
    ),
    TextRule(
        "R24",
        (
            _p(
                r"\b(?:receiv|reship|re-ship|repackag|re-packag|forward|relabel)\w*\s+(?:\w+\s+)"
                r"{0,4}?(?:packages?|parcels?|shipments?|goods|merchandise)\b|\b(?:packages?"
                r"|parcels?) (?:from|at) (?:your )?home\b"
            ),
            _p(
                r"\bpayment processing (?:agent|assistant|coordinator|specialist|officer"
                r"|representative|clerk)\b|\bprocess(?:ing)? payments? (?:for|on behalf|through"
                r" your)\b|\bmoney (?:transfer|mule) agent\b"
            ),
            _p(
                r"\b(?:transfer|move|forward|send|pass|process|receiv|accept)\w*\s+(?:\w+\s+){0,3}?(?:funds|money"
                r"|payments)\s+(?:\w+\s+){0,3}?(?:through|via|using|from|into) your (?:own "
                r"|personal )?(?:bank|account)|\buse your (?:own |personal )?(?:bank )?account"
                r" to (?:receive|transfer|process)\b|\bopen (?:a |new |several |multiple )?"
                r"(?:bank )?accounts? (?:in your name|for (?:us|the company))\b"
            ),
        ),
    ),
    TextRule(
        "R26",
        (
            _p(GENERIC_ROLE),
            _p(
                r"\bkindly\b|\bdear (?:candidate|applicant|sir|madam|job ?seeker|beneficiary)\b"
                r"|\brevert back\b|\bdo the needful\b|!!|\bcongratulation\b(?!s)"
            ),
        ),
    ),
)
