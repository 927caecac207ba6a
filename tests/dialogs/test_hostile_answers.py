"""Lone surrogates and NUL in anything a person types never fail a turn, on any store.

Slack's and Discord's JSON can carry an unpaired surrogate such as ``"Bob\\ud800"``; UTF-8 cannot
encode it (SQLite, PostgreSQL and the memory store's JSON check all refused it) and PostgreSQL
text cannot hold NUL. The walk: every shipped transcript is replayed on each store, and at every
question it reaches (every ask step of every shipped flow: the transcripts cover them all) a copy
of the conversation is answered with such text, typed and, where a form is shown, submitted in
every field. The turn must not apologise, and a free-text answer must be kept, cleaned.
"""

from __future__ import annotations

from bot.boundary import ConversationRef, Incoming, UserInfo, clean_text
from bot.store import Store
from tests.dialogs.question_walk import Question, QuestionWalk, shipped_dialogs

HOSTILE = "Bob\ud800 \x00Smith\udfff"
CLEANED = "Bob\ufffd Smith\ufffd"
FREE_TEXT = ("text", "long_text")


def test_clean_text_replaces_lone_surrogates_and_drops_nul() -> None:
    assert clean_text(HOSTILE) == CLEANED
    assert clean_text("\ud83d\ude00 pair") == "\U0001f600 pair"  # two halves make one emoji
    assert clean_text("plain") == "plain" and clean_text("ünï 🎉") == "ünï 🎉"
    incoming = Incoming(
        ConversationRef("slack", "C1", "U1"),
        text=HOSTILE,
        form=(("name", HOSTILE),),
        user=UserInfo(display_name=HOSTILE),
    )
    assert incoming.text == CLEANED and incoming.form == (("name", CLEANED),)
    assert incoming.user.display_name == CLEANED


class _HostileWalk(QuestionWalk):
    """Types (and, in a form, submits in every field) the hostile text at each question."""

    async def probe_question(self, question: Question) -> None:
        step, form = question.step, question.form
        user = UserInfo(display_name=HOSTILE, time_zone=question.run.case.time_zone)
        await self.answer(question, question.incoming(HOSTILE, user), "typed")
        free_text = step.kind in FREE_TEXT and step.form is None
        if free_text and CLEANED not in (await self.slots(question)).values():
            self.problems.append(f"{question.label()}: answer not kept")
        if form is not None and form.form is not None and step.form is not None:
            values = tuple((f.name, HOSTILE) for f in form.form.fields)
            submitted = Incoming(
                question.ref,
                form=values,
                choice_token=form.form.token,
                user=user,
                received_at=question.run.case.now,
            )
            await self.answer(question, submitted, "form")


async def test_every_question_of_every_flow_keeps_a_hostile_answer(any_store: Store) -> None:
    walk = _HostileWalk(shipped_dialogs(), any_store)
    await walk.walk_all()
    assert walk.problems == [], "\n".join(walk.problems)
    assert walk.unprobed() == set()
