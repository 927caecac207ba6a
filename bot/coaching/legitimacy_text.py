"""A legitimacy result as neutral markup: the short chat summary, the "more checks" details, and
the full command-line report.

The summary says little on purpose: the verdict, any contact detail that could not be read
(named, whichever field it is), the one or two reasons that decided it (the
most serious findings, or the good signs when nothing is wrong), and the two or three next steps
that fit this case. Everything else (further findings, look-ups, more steps, what to do if
already caught) is in :func:`details_markup`, which the flow shows behind a "More checks"
button. Only good signs that nothing contradicts reach either (see ``legitimacy._positives``).

Every text that may hold something the user typed (findings quote their message, questions
name their company) goes through :func:`bot.render.markup.escape`, so a template can insert the
summary with ``{{ summary | markup }}`` and a user's ``**`` or ``[link](...)`` stays text.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.coaching.legitimacy import Finding, LegitimacyResult, Positive, Risk
from bot.render.markup import escape

__all__ = ("RISK_LINES", "details_markup", "report_markup", "summary_markup")

REASONS = 2  # reasons in the summary
STEPS = 3  # next steps in the summary

RISK_LINES: dict[Risk, str] = {
    "high": "**Risk: high.** Stop here: share nothing and pay nothing until you have checked "
    "them another way.",
    "medium": "**Risk: medium.** Some warning signs. Check them before you go further.",
    "low": "**Risk: low.** Nothing alarming in what you told me.",
    "unknown": "**Risk: unknown.** You haven't told me enough to judge yet.",
}


def summary_markup(result: LegitimacyResult) -> str:
    """The chat summary: the verdict, the reasons that decided it, the steps that fit."""
    lines = [RISK_LINES[result.risk]]
    lines += _section("Not checked:", result.unreadable)
    lines += _section("Why:", _reasons(result)[:REASONS], escaped=True)
    lines += _section("Next steps:", result.next_steps[:STEPS])
    return "\n".join(lines)


def details_markup(result: LegitimacyResult) -> str:
    """What the summary leaves out: further findings and good signs, look-ups, more steps,
    and what to do if already caught."""
    rest = _reasons(result)[REASONS:]
    lines = _section("More of what I noticed:", rest, escaped=True)
    lines += _section("Worth looking up:", result.questions)
    lines += _section("More steps:", result.next_steps[STEPS:])
    lines += _section("If you have already sent money or details:", result.if_caught)
    return "\n".join(lines).strip("\n")


def _reasons(result: LegitimacyResult) -> list[str]:
    """Findings (most serious first), then good signs, as escaped markup lines."""
    lines = [_finding_line(f, with_ids=False) for f in result.findings]
    lines += [_positive_line(p, with_ids=False) for p in result.positives]
    return lines


def _finding_line(finding: Finding, *, with_ids: bool) -> str:
    label = f"{finding.rule_id}, {finding.severity}" if with_ids else finding.severity
    line = f"**{escape(finding.title)}** ({label}): {escape(finding.reason)}"
    return line + (f" Source: {escape(finding.source)}" if with_ids else "")


def _positive_line(positive: Positive, *, with_ids: bool) -> str:
    label = f" ({positive.rule_id})" if with_ids else " (good sign)"
    return f"**{escape(positive.title)}**{label}: {escape(positive.reason)}"


def report_markup(result: LegitimacyResult) -> str:
    """Everything, with rule ids and sources, for the command line."""
    lines = _sections(result, with_ids=True)
    lines += _section("If you have already been caught:", result.if_caught)
    return "\n".join(lines)


def _sections(result: LegitimacyResult, *, with_ids: bool) -> list[str]:
    lines = [RISK_LINES[result.risk]]
    lines += _section("Not checked:", result.unreadable)
    findings = [_finding_line(f, with_ids=with_ids) for f in result.findings]
    lines += _section("What I noticed:", findings, escaped=True)
    positives = [_positive_line(p, with_ids=with_ids) for p in result.positives]
    lines += _section("Good signs:", positives, escaped=True)
    lines += _section("Worth looking up:", result.questions)
    lines += _section("Next steps:", result.next_steps)
    return lines


def _section(heading: str, items: Iterable[str], *, escaped: bool = False) -> list[str]:
    lines = [f"- {item if escaped else escape(item)}" for item in items]
    return ["", heading, *lines] if lines else []
