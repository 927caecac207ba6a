"""A legitimacy result as neutral markup: the chat summary and the full command-line report.

Every text that may hold something the user typed (findings quote their message, questions
name their company) goes through :func:`bot.markup.escape`, so a template can insert the
summary with ``{{ summary | markup }}`` and a user's ``**`` or ``[link](...)`` stays text.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.coaching.legitimacy import LegitimacyResult, Risk
from bot.markup import escape

__all__ = ("RISK_LINES", "report_markup", "summary_markup")

RISK_LINES: dict[Risk, str] = {
    "high": "**Risk: high.** Stop here: share nothing and pay nothing until you have checked "
    "them another way.",
    "medium": "**Risk: medium.** Some warning signs. Check them before you go further.",
    "low": "**Risk: low.** Nothing alarming in what you told me. Still check before you share "
    "personal details.",
    "unknown": "**Risk: unknown.** You haven't told me enough to judge yet.",
}


def summary_markup(result: LegitimacyResult) -> str:
    """The chat summary: risk, findings with reasons, good signs, questions, next steps."""
    return "\n".join(_sections(result, with_ids=False))


def report_markup(result: LegitimacyResult) -> str:
    """Everything, with rule ids and sources, for the command line."""
    lines = _sections(result, with_ids=True)
    lines += _section("If you have already been caught:", result.if_caught)
    return "\n".join(lines)


def _sections(result: LegitimacyResult, *, with_ids: bool) -> list[str]:
    lines = [RISK_LINES[result.risk]]
    if result.findings:
        lines += ["", "What I noticed:"]
        for finding in result.findings:
            label = f"{finding.rule_id}, {finding.severity}" if with_ids else finding.severity
            line = f"- **{escape(finding.title)}** ({label}): {escape(finding.reason)}"
            lines.append(line + (f" Source: {escape(finding.source)}" if with_ids else ""))
    if result.positives:
        lines += ["", "Good signs:"]
        for positive in result.positives:
            label = f" ({positive.rule_id})" if with_ids else ""
            lines.append(f"- **{escape(positive.title)}**{label}: {escape(positive.reason)}")
    lines += _section("Worth looking up:", result.questions)
    lines += _section("Next steps:", result.next_steps)
    return lines


def _section(heading: str, items: Iterable[str]) -> list[str]:
    lines = [f"- {escape(item)}" for item in items]
    return ["", heading, *lines] if lines else []
