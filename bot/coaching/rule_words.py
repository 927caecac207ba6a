"""Words and phrases the red-flag patterns share, as regular-expression fragments.

Text is folded before matching (lower case, straight quotes), so every fragment is lower case.
Kept apart from :mod:`legitimacy_rules` so that each rule there reads as a short recipe.
"""

from __future__ import annotations

__all__ = (
    "AFTER_OFFER",
    "ASK",
    "CHAT_APPS",
    "EXECUTABLE",
    "GENERIC_ROLE",
    "GOVERNMENT_JOBS",
    "ID_DOCUMENT",
    "IN_PERSON_ID",
    "KNOWN_MEETING_APP",
    "MONEY_VERB",
    "NOT_FOR_A_STEP",
    "NO_GAP",
    "PAYER",
    "PAY_ACT",
    "PAY_VERB",
    "PII",
    "RAILS",
    "REFUSE",
    "RUN_VERB",
    "SECRET",
    "SIGNED_OFFER",
)

# "pay" as a verb: not "the pay is good", "weekly pay", "pay rate".
PAY_VERB = (
    r"(?<!the )(?<!your )(?<!our )(?<!good )(?<!great )(?<!high )(?<!base )(?<!weekly )"
    r"(?<!hourly )(?<!daily )(?<!holiday )(?<!sick )(?<!starting )(?<!competitive )"
    r"\bpay\b(?!\s+(?:is|was|rate|range|scale|band|per|will be|increase|rise|raise|day|check)\b)"
)
PAY_ACT = (
    rf"{PAY_VERB}|\bpaying\b|\bpaid for\b|\bpurchas(?:e|ing)\b|\bbuy(?:ing)?\b|\bfees?\b"
    r"|\bdeposit\b|\bpayment\b"
)
# Someone else pays: the employer, the client, "at no cost". Such a sentence is no request.
PAYER = (
    r"\b(?:we|we'll|the company|company|the employer|employer|the client|client|they|firm)"
    r"\s+(?:will\s+|would\s+|also\s+|fully\s+|can\s+|could\s+)?(?:pay|pays|cover|covers"
    r"|provide|provides|supply"
    r"|supplies|fund|funds)\b|\bpaid (?:for )?by (?:the |our )?(?:employer|company|client"
    r"|hiring company|us|them|firm)\b|\bat (?:no|our) (?:cost|expense|charge)\b"
    r"|\bfree of charge\b|\b(?:is|are) (?:provided|free)\b|\bfor free\b|\bpaid training\b"
)
AFTER_OFFER = (
    r"\bafter (?:you(?:'ve| have)? )?(?:sign|accept|receiv|get|got)\w* (?:the |a |your )?"
    r"(?:written |formal |signed )?(?:job )?offer\b|\b(?:after|once) (?:you(?:'re| are) "
    r"|being |you've been |you have been )?hired\b|\b(?:after|once) you (?:start|join)\b"
    r"|\bafter (?:your|the) start date\b|\bafter hire\b"
)
# Showing an ID in person (at a hiring event, for building security, for the I-9) is no request
# to send it: "bring a photo ID".
IN_PERSON_ID = (
    r"\bbring (?:along )?(?:a |an |your )?(?:valid )?(?:photo id|id|passport|driver'?s"
    r" licen[cs]e|identification|id card)\b"
)
# The offer is already signed or accepted: ID and bank details for payroll, tax forms and a
# background check through the employer's vendor are normal from here on.
SIGNED_OFFER = (
    r"\b(?:signed|accepted|countersigned|returned)\s+(?:\w+\s+){0,2}?(?:job\s+|written\s+)?"
    r"(?:offer|contract|employment agreement)s?\b"
    r"|\b(?:for|on)\s+(?:signing|accepting|returning|countersigning)\s+(?:\w+\s+){0,2}?"
    r"(?:offer|contract|employment agreement)s?\b"
    r"|\b(?:offer|contract)(?: letter)? (?:that )?you(?:'ve| have)? (?:signed|accepted)\b"
)
CHAT_APPS = (
    r"(?:telegram|whatsapp|whats app|signal|wire|google chat|google hangouts|hangouts|textnow"
    r"|text now|sms|texts?|text messages?|imessage|wechat|kik|viber|chat app|instant messag\w*)"
)
MONEY_VERB = (
    r"\b(?:pay|paying|paid|payment|send|sending|sent|buy|buying|purchase|transfer|deposit|fund"
    r"|top up|reimburs\w*|receive|wire|via|through|using)\b"
)
RAILS = (
    r"\b(?:gift ?cards?|itunes cards?|steam cards?|google play cards?|bitcoin|btc|crypto"
    r"(?:currency|currencies)?|usdt|tether|ethereum|wire transfer|western union|moneygram|zelle"
    r"|cash ?app|venmo|paypal)\b"
)
PII = (
    r"\b(?:social security(?: number| no| card)?|ssn|social insurance number|national insurance"
    r"(?: number| no)?|ni number|nino|routing (?:numbers?|no)|sort code|iban|bank (?:accounts?"
    r"|details|info(?:rmation)?|login|statements?|card|forms?)|banking (?:details|info(?:rmation)?"
    r"|forms?)|account (?:numbers?|details)|direct[- ]deposit (?:forms?|details|info(?:rmation)?"
    r"|authori[sz]ation|set-?up)|voided (?:check|cheque)|credit card|debit card"
    r"|card (?:number|details)|cvv|date of birth|dob|birth ?date|tax (?:id|file number)|tfn)\b"
)
ID_DOCUMENT = (
    r"\b(?:passport|driver'?s'? licen[cs]e|driving licen[cs]e|id card|identity card|photo id"
    r"|national id|government[- ]issued id|id)\b"
)
SECRET = (
    r"\b(?:passwords?|passcodes?|pin(?: code| number)?|one[- ]time (?:code|password|pin|passcode)"
    r"|otp|verification codes?|security codes?|2fa codes?|mfa codes?|authenticat\w* codes?"
    r"|login (?:code|details|credentials)|credentials|private keys?|api keys?|access tokens?"
    r"|auth tokens?|ssh keys?|env(?:ironment)? (?:variables|vars|file)|\.env(?: file)?"
    r"|(?:\d|four|six|eight)[- ]digit (?:code|pin|number)"
    r"|code (?:that )?(?:we|google|i|they|you|it) (?:just )?(?:sent|texted|e-?mailed))(?!\w)"
)
ASK = (
    r"\b(?:send|share|give|tell|provide|enter|paste|read|forward|type|text|confirm|upload"
    r"|submit|what's|what is|need (?:your|the|that|this)|let me (?:have|know))\b"
)
NO_GAP = r"(?:(?!but\b|and\b)\w+\W+){0,4}?"  # a short gap that doesn't cross "but"/"and"
REFUSE = (
    r"\b(?:can't|cant|cannot|won't|will not|unable to|not able to|doesn't|does not|don't"
    r"|do not|refus\w*|declin\w*|avoid\w*)\s+"
)
GENERIC_ROLE = (
    r"\b(?:secret shopper|mystery shopper|admin(?:istrative)? assistant|customer service"
    r"(?: rep(?:resentative)?| agent| assistant)?(?! (?:manager|director|lead|head|supervisor))"
    r"|data entry(?: clerk| operator| assistant)?"
    r"|virtual assistant|personal assistant|package handler|shipping (?:clerk|coordinator)"
    r"|remote assistant|chat (?:support|moderator)|online assistant|typist|receptionist"
    r"|work from home (?:job|position|opportunity))\b"
)
GOVERNMENT_JOBS = (
    r"\b(?:federal|government|gov't|civil[- ]service|postal|usps|public[- ]sector)\s+(?:\w+\s+)?"
    r"(?:jobs?|positions?|openings?|vacancies|roles?)\b"
)
EXECUTABLE = r"\S+\.(?:exe|msi|dmg|pkg|apk|bat|cmd|ps1|scr|jar|vbs)\b"
# A known meeting app for a scheduled call is normal, unless the sentence brings their link,
# file or code (a fake "Zoom" installer is still caught).
KNOWN_MEETING_APP = (
    r"^(?!.*(?:https?://|www\.|\.(?:exe|msi|dmg|pkg|apk|zip)\b|\b(?:repo|script|code|npm|pip"
    r"|git|extension|plugin)\b)).*\b(?:zoom|microsoft teams|teams|webex|google meet|skype"
    r"|bluejeans|gotomeeting)\b"
)
# "Selected for an interview / the next round" is a step in a process, not a job offer.
NOT_FOR_A_STEP = (
    r"(?!\s+(?:for|to)\s+(?:\w+\s+){0,6}?(?:interviews?|rounds?|stages?|assessments?|calls?"
    r"|screen\w*|tests?)\b)"
)
RUN_VERB = r"\b(?:download\w*|install\w*|run|running|open|execute\w*|launch\w*)\b"
