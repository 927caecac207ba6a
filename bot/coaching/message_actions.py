"""The ``check_message`` action: the legitimacy check on a message the user pasted.

The facts are read by :mod:`bot.coaching.message_facts`; the check itself is the
``check_legitimacy`` action's. Neither logs nor stores the message.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.coaching.legitimacy_actions import check_legitimacy
from bot.coaching.message_facts import check_inputs, extract, looks_like_message
from bot.flow.actions import ActionContext, ActionRegistry

__all__ = ("check_message", "register_message_actions")

OUTPUTS = (
    "risk",
    "summary",
    "details",
    "finding_count",
    "high",
    "emails",
    "links",
    "phones",
    "asks",
    "is_message",
)


def register_message_actions(registry: ActionRegistry) -> None:
    registry.register(
        "check_message",
        inputs=("message",),
        outputs=OUTPUTS,
        description="Check a pasted recruiter message: its addresses, links, numbers and asks.",
    )(check_message)


async def check_message(
    context: ActionContext, inputs: Mapping[str, object]
) -> Mapping[str, object]:
    text = str(inputs.get("message") or "")
    facts = extract(text)
    if not looks_like_message(text, facts):
        return {"is_message": False}
    result = dict(await check_legitimacy(context, check_inputs(text, facts)))
    result.update(
        is_message=True,
        emails=list(facts.emails),
        links=list(facts.links),
        phones=list(facts.phones),
        asks=list(facts.ask_words),
    )
    return result
