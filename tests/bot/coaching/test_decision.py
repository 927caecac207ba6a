"""The decision aid: when it suggests an interview, when declining, and what it says."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from bot.boundary import ConversationRef
from bot.coaching.decision import (
    FACTORS,
    Rating,
    decide,
    ratings_from_ranking,
    register_decision_actions,
    shortfalls_markup,
    summary_markup,
)
from bot.flow.actions import ActionContext, ActionRegistry
from bot.render.markup import Bold, ListItem, parse
from bot.store.memory import MemoryStore

FLOW = Path(__file__).resolve().parents[3] / "dialogs" / "flows" / "decide_interview.yaml"


def ratings(**scores: tuple[int, int]) -> list[Rating]:
    """``pay=(importance, score)`` -> ratings."""
    return [Rating(factor, importance, score) for factor, (importance, score) in scores.items()]


# -- the recommendation ------------------------------------------------------------------------


def test_decline_when_every_important_factor_scores_high() -> None:
    decision = decide(ratings(pay=(5, 5), growth=(4, 4), balance=(5, 4)), "worse")
    assert decision.recommendation == "decline"
    assert decision.shortfalls == ()
    assert decision.middling_top == ()


def test_interview_when_every_factor_scores_low() -> None:
    decision = decide(ratings(pay=(5, 1), growth=(4, 2), balance=(4, 1)))
    assert decision.recommendation == "interview"
    # most important first, then the lowest score: balance (4, 1) before growth (4, 2)
    assert [r.factor for r in decision.shortfalls] == ["pay", "balance", "growth"]


def test_one_important_factor_scored_low_is_enough_for_an_interview() -> None:
    decision = decide(ratings(pay=(5, 5), mission=(4, 2)))
    assert decision.recommendation == "interview"
    assert [r.factor for r in decision.shortfalls] == ["mission"]


def test_a_low_score_on_an_unimportant_factor_is_no_shortfall() -> None:
    decision = decide(ratings(pay=(5, 4), commute=(3, 1), stability=(2, 1)), "worse")
    assert decision.recommendation == "decline"
    assert decision.shortfalls == ()
    assert [r.factor for r in decision.important] == ["pay"]


def test_the_top_factor_scored_only_three_suggests_an_interview() -> None:
    decision = decide(ratings(pay=(5, 3), growth=(4, 5)))
    assert decision.recommendation == "interview"
    assert decision.shortfalls == ()
    assert [r.factor for r in decision.middling_top] == ["pay"]


def test_a_three_below_the_top_is_not_enough() -> None:
    decision = decide(ratings(pay=(5, 4), growth=(4, 3)), "worse")
    assert decision.recommendation == "decline"


def test_scores_at_the_thresholds() -> None:
    assert decide(ratings(pay=(4, 2))).recommendation == "interview"  # LOW is a shortfall
    assert decide(ratings(pay=(4, 3))).recommendation == "interview"  # the only top factor
    assert decide(ratings(pay=(4, 4)), "worse").recommendation == "decline"


def test_tied_top_factors_each_count_as_top() -> None:
    decision = decide(ratings(pay=(5, 5), growth=(5, 3)))
    assert decision.recommendation == "interview"
    assert [r.factor for r in decision.middling_top] == ["growth"]


def test_tied_shortfalls_keep_the_fixed_factor_order() -> None:
    decision = decide(ratings(mission=(5, 2), pay=(5, 2), balance=(5, 2)))
    assert [r.factor for r in decision.shortfalls] == ["pay", "balance", "mission"]


def test_when_nothing_is_important_the_highest_rated_factors_count() -> None:
    decision = decide(ratings(pay=(2, 1), growth=(2, 5), balance=(1, 1)))
    assert [r.factor for r in decision.important] == ["pay", "growth"]
    assert [r.factor for r in decision.shortfalls] == ["pay"]
    assert decision.recommendation == "interview"


def test_all_equally_unimportant_and_all_high_is_a_decline() -> None:
    decision = decide(ratings(pay=(1, 5), growth=(1, 4)), "worse")
    assert decision.recommendation == "decline"
    assert len(decision.important) == 2


# -- the new role counts too (issue 10, item 6: the aid must not contradict the article) -------

HAPPY = {"pay": (5, 5), "balance": (4, 4)}  # the current job holds up on what matters
UNHAPPY = {"pay": (5, 2), "balance": (4, 4)}  # it falls short on pay
MIDDLING = {"growth": (5, 3)}


@pytest.mark.parametrize(
    "current,new_role,expected",
    [
        (HAPPY, "better", "interview"),  # the right job may be out there
        (HAPPY, "same", "explore"),  # learn more; you may find yours is the one
        (HAPPY, "unknown", "explore"),
        (HAPPY, "worse", "decline"),  # the one clear case for a no
        (UNHAPPY, "better", "interview"),
        (UNHAPPY, "same", "interview"),
        (UNHAPPY, "unknown", "interview"),
        (UNHAPPY, "worse", "explore"),  # ask about what matters, and other roles
        (MIDDLING, "unknown", "interview"),
        (MIDDLING, "worse", "explore"),
    ],
)
def test_the_new_role_is_weighed_with_the_current_job(
    current: dict[str, tuple[int, int]], new_role: str, expected: str
) -> None:
    assert decide(ratings(**current), new_role).recommendation == expected


def test_happy_in_the_job_is_never_told_no_unless_the_new_role_looks_worse() -> None:
    # Every single-factor rating: a decline needs the new role to look worse.
    for factor in FACTORS:
        for importance in range(1, 6):
            for score in range(1, 6):
                for role in ("better", "same", "unknown"):
                    decision = decide([Rating(factor, importance, score)], role)
                    assert decision.recommendation != "decline", (factor, importance, score, role)


@given(
    st.lists(
        st.tuples(
            st.sampled_from(list(FACTORS)),
            st.integers(min_value=1, max_value=5),
            st.integers(min_value=1, max_value=5),
        ),
        min_size=1,
        max_size=7,
        unique_by=lambda rating: rating[0],
    ),
    st.sampled_from(["better", "same", "worse", "unknown"]),
)
def test_decline_only_for_the_clear_case_and_the_summary_is_markup(
    given_ratings: list[tuple[str, int, int]], new_role: str
) -> None:
    decision = decide([Rating(*rating) for rating in given_ratings], new_role)
    if decision.recommendation == "decline":
        assert new_role == "worse"
        assert not decision.shortfalls and not decision.middling_top
    if new_role == "better":
        assert decision.recommendation == "interview"
    summary = summary_markup(decision)
    assert any(isinstance(node, Bold) for node in parse(summary))


def test_the_new_role_defaults_to_unknown_and_is_checked() -> None:
    assert decide(ratings(**HAPPY)).new_role == "unknown"
    assert decide(ratings(**HAPPY), " Better ").new_role == "better"
    with pytest.raises(ValueError, match="new_role"):
        decide(ratings(**HAPPY), "amazing")


def test_the_summary_says_how_the_new_role_looks() -> None:
    assert summary_markup(decide(ratings(**HAPPY), "better")).endswith(
        "the new role looks **better** on what matters to you."
    )
    assert "don't know yet" in summary_markup(decide(ratings(**HAPPY)))


def test_no_ratings_or_a_repeated_factor_is_a_mistake() -> None:
    with pytest.raises(ValueError, match="at least one"):
        decide([])
    with pytest.raises(ValueError, match="rated twice"):
        decide([Rating("pay", 5, 1), Rating("pay", 4, 5)])


@pytest.mark.parametrize(
    ("factor", "importance", "score"), [("salary", 5, 3), ("pay", 0, 3), ("pay", 5, 6)]
)
def test_a_rating_checks_its_values(factor: str, importance: int, score: int) -> None:
    with pytest.raises(ValueError):
        Rating(factor, importance, score)


# -- from the flow's ranking ----------------------------------------------------------------------


def test_the_first_choice_matters_most() -> None:
    found = ratings_from_ranking(["growth", "pay", "mission"], [3, 5, 4])
    assert found == [Rating("growth", 5, 3), Rating("pay", 4, 5), Rating("mission", 4, 4)]
    assert decide(found).recommendation == "interview"


def test_empty_places_and_repeats_are_skipped_with_their_scores() -> None:
    found = ratings_from_ranking(["pay", None, "none", "pay", "balance"], [4, None, None, 1, "2"])
    assert found == [Rating("pay", 5, 4), Rating("balance", 4, 2)]


def test_a_ranking_without_factors_or_scores_is_a_mistake() -> None:
    with pytest.raises(ValueError, match="names no factor"):
        ratings_from_ranking([None, "none"], [None, None])
    with pytest.raises(ValueError, match="no score"):
        ratings_from_ranking(["pay"], [None])
    with pytest.raises(ValueError, match="unknown factor"):
        ratings_from_ranking(["fame"], [3])


# -- what it says -------------------------------------------------------------------------------


def test_shortfalls_are_a_markup_list() -> None:
    decision = decide(ratings(pay=(5, 1), manager=(4, 2), balance=(4, 5)))
    text = shortfalls_markup(decision)
    assert text == "- **Pay and benefits**: 1 out of 5\n- **Manager and team**: 2 out of 5"
    nodes = parse(text)
    assert sum(isinstance(n, ListItem) for n in nodes) == 2


def test_no_shortfalls_is_an_empty_text() -> None:
    assert shortfalls_markup(decide(ratings(pay=(5, 5)))) == ""


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (
            {"pay": (5, 1), "growth": (4, 2)},
            "Your current job scores low on **pay and benefits** and **growth and learning**, "
            "which matter to you.",
        ),
        (
            {"pay": (5, 2)},
            "Your current job scores low on **pay and benefits**, which matters to you.",
        ),
        (
            {"stability": (5, 3), "growth": (4, 4)},
            "Your current job is only middling (3 out of 5) on **stability**, "
            "and nothing matters more to you.",
        ),
        (
            {"mission": (5, 5), "commute": (4, 4), "pay": (3, 1)},
            "Your current job holds up on what matters most to you: **mission and purpose** "
            "(5/5) and **commute or remote work** (4/5).",
        ),
    ],
)
def test_the_summary(given: dict[str, tuple[int, int]], expected: str) -> None:
    summary = summary_markup(decide(ratings(**given), "same"))
    assert (
        summary
        == f"{expected} From what the recruiter said, the new role looks **about the same**."
    )
    assert any(isinstance(node, Bold) for node in parse(summary))


# -- the action and the flow ---------------------------------------------------------------------


async def test_the_registered_action() -> None:
    registry = ActionRegistry()
    register_decision_actions(registry)
    spec = registry.get("decide_interview")
    assert spec is not None
    assert spec.inputs == ("ranking", "scores")
    assert spec.optional_inputs == ("new_role",)
    assert spec.outputs == ("recommendation", "shortfalls", "summary", "role_line")
    context = ActionContext(
        conversation=ConversationRef("console", "c", "u"),
        now=datetime(2026, 11, 23, tzinfo=UTC),
        time_zone=None,
        store=MemoryStore(),
    )
    result = await spec.function(
        context, {"ranking": ["balance", None], "scores": [2, None], "new_role": "worse"}
    )
    role_line = (
        "From what the recruiter said, the new role looks **worse** on what matters to you."
    )
    assert result == {
        "recommendation": "explore",
        "shortfalls": "- **Work-life balance**: 2 out of 5",
        "summary": "Your current job scores low on **work-life balance**, which matters to you. "
        + role_line,
        "role_line": role_line,
    }
    happy = await spec.function(context, {"ranking": ["balance"], "scores": [5]})
    assert happy["recommendation"] == "explore"
    with pytest.raises(TypeError):
        await spec.function(context, {"ranking": "pay", "scores": [3]})


def test_the_flow_offers_exactly_the_known_factors() -> None:
    flow = yaml.safe_load(FLOW.read_text(encoding="utf-8"))
    for step in ("pick_first", "pick_second", "pick_third"):
        ids = [c["id"] for c in flow["steps"][step]["choices"]]
        assert [i for i in ids if i != "none"] == list(FACTORS), step


def test_the_score_question_names_each_factor_as_the_summary_does() -> None:
    template = (FLOW.parents[1] / "templates" / "common" / "decide_score.j2").read_text("utf-8")
    for factor, label in FACTORS.items():
        assert f'"{factor}": "{label}"' in template
