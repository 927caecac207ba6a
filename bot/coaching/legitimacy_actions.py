"""The ``check_legitimacy`` action: the legitimacy check, callable from a flow.

Every input is optional; an input that is missing, empty or a "skip" word ("skip", "-", "none",
"don't know"...) counts as not given, so a flow can ask each detail with a text question that
accepts "skip". The action neither logs nor stores what it is given.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from bot.flow.actions import ActionContext, ActionRegistry
from bot.render.conditions import is_skip_word

if TYPE_CHECKING:
    from bot.coaching.legitimacy import RecruiterReport

__all__ = ("INPUTS", "OUTPUTS", "register_legitimacy_actions", "report_from_inputs")

# action input -> RecruiterReport field
INPUTS: dict[str, str] = {
    "recruiter_name": "recruiter_name",
    "company": "company",
    "agency": "agency",
    "email": "email",
    "website": "website",
    "phone": "phone",
    "linkedin": "linkedin_url",
    "asked_for": "asked_for",
}
OUTPUTS = ("risk", "summary", "details", "finding_count", "high")


def register_legitimacy_actions(registry: ActionRegistry) -> None:
    registry.register(
        "check_legitimacy",
        optional_inputs=tuple(INPUTS),
        outputs=OUTPUTS,
        description="Check a recruiter against the red-flag rules; `summary` (the verdict, "
        "reasons and next steps) and `details` (the rest, for a More checks button) are "
        "neutral markup.",
    )(check_legitimacy)


async def check_legitimacy(
    context: ActionContext, inputs: Mapping[str, object]
) -> Mapping[str, object]:
    # The rules (their regular expressions, the brand lists) are loaded by the first check, not
    # by every start: about a tenth of a second that most sessions never need.
    from bot.coaching.legitimacy import check_recruiter
    from bot.coaching.legitimacy_text import details_markup, summary_markup

    result = check_recruiter(report_from_inputs(inputs))
    return {
        "risk": result.risk,
        "summary": summary_markup(result),
        "details": details_markup(result),
        "finding_count": len(result.findings),
        "high": result.high,
    }


def report_from_inputs(inputs: Mapping[str, object]) -> RecruiterReport:
    """A report from action inputs; missing and "skip" answers are left out."""
    from bot.coaching.legitimacy import RecruiterReport

    given = {field: _given(inputs.get(name)) for name, field in INPUTS.items()}
    return RecruiterReport(
        recruiter_name=given["recruiter_name"],
        company=given["company"],
        agency=given["agency"],
        email=given["email"],
        website=given["website"],
        phone=given["phone"],
        linkedin_url=given["linkedin_url"],
        asked_for=given["asked_for"],
    )


def _given(value: object) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    # the skip words of drafted messages (a message ending in "?" is kept: it is their words)
    return None if is_skip_word(" ".join(text.split())) else text
