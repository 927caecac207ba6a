"""A pressed question's buttons are replaced by the answer ("You chose: ..."), in the app's DM
(chat.update) and in an ephemeral /recruiter answer (response_url, replace_original), through
the real Bolt app against the fake Slack Web API."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from adapters.slack.answered import answered_blocks, chosen_label
from adapters.slack.limits import check_message
from tests.adapters.slack.conftest import Harness, button, buttons


def context_text(blocks: list[dict[str, Any]]) -> str:
    return " ".join(e["text"] for b in blocks if b["type"] == "context" for e in b["elements"])


async def test_a_pressed_question_in_the_dm_shows_the_answer_instead_of_its_buttons(
    slack: Harness,
) -> None:
    await slack.dm("hi")
    first = await slack.fake.wait_for("chat.postMessage", 2)
    question = first[-1].args
    message = {"ts": "1700000000.000002", "text": question["text"], "blocks": question["blocks"]}
    await slack.click(
        button(question["blocks"], "I can talk now"), ephemeral=False, channel="DU1",
        message=message,
    )  # fmt: skip
    (update,) = await slack.fake.wait_for("chat.update")
    assert update.args["channel"] == "DU1" and update.args["ts"] == "1700000000.000002"
    assert buttons(update.args["blocks"]) == []
    assert "You chose: *I can talk now*" in context_text(update.args["blocks"])
    assert update.args["text"] == question["text"]  # the question stays readable


async def test_a_pressed_ephemeral_question_is_replaced_through_its_response_url(
    slack: Harness,
) -> None:
    await slack.command("")
    hooks = await slack.fake.wait_for("hook", 2)
    await slack.click(button(hooks[-1].args["blocks"], "I can talk now"))
    replaced = await slack.fake.wait_for("replaced")
    assert "You chose: *I can talk now*" in context_text(replaced[0].args["blocks"])
    assert buttons(replaced[0].args["blocks"]) == []


@given(st.text(min_size=1, max_size=200))
def test_any_label_gives_a_valid_message(label: str) -> None:
    blocks = [
        {"type": "section", "text": {"type": "mrkdwn", "text": "Can you talk?"}},
        {
            "type": "actions",
            "elements": [
                {"type": "button", "action_id": "rc_choice_0", "value": "t",
                 "text": {"type": "plain_text", "text": "Yes"}},
            ],
        },
    ]  # fmt: skip
    body = {"actions": [{"action_id": "rc_choice_0", "text": {"text": label}}]}
    found = chosen_label(body) or "?"
    message = {"text": "Can you talk?", "blocks": answered_blocks(blocks, found)}
    check_message(message)  # type: ignore[arg-type]
    assert buttons(message["blocks"]) == []
