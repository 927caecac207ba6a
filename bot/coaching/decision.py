"""The decision aid: should I take the interview, or say no and keep the door open?

The user names what matters most to them in a job (pay, growth, the manager and team...) and
scores their current job on each, 1 to 5, then says how the new role looks. :func:`decide` looks
for where the current job falls short, weighs the new role, and makes a suggestion the user can
follow or ignore:

- a **shortfall** is an important factor (importance 4 or 5) that the current job scores 1 or 2;
- the **top** factors are the important ones with the highest importance given (ties count);
- the **new role**: how the role looks, from what the recruiter said, on what matters to the
  user: ``better``, ``same``, ``worse`` or ``unknown`` (not said yet).

The suggestion follows the interview article (seed S2): an interview can pay off even for
someone happy where they are (the right job may be out there; they may learn theirs is the one;
they bring back ideas; they learn what they need for their next step). So declining is kept for
the clear case only:

- ``interview`` when the current job falls short (a shortfall, or a top factor scoring only 3)
  and the new role does not look worse, or when the new role looks better;
- ``decline`` only when the current job holds up on what matters *and* the new role looks worse;
- ``explore`` in between (a first conversation to learn more, at little cost): the current job
  holds up and the new role looks about the same or is not known yet, or the current job falls
  short but this particular role looks worse (ask the recruiter about what matters, and about
  other roles).

When nothing is rated important (every importance is 3 or less), the factors rated highest are
treated as the important ones, so the user's own order still counts.

The flow ``decide_interview`` asks for a ranking (first, second, third choice) rather than an
importance per factor; :func:`ratings_from_ranking` turns that into ratings: the first choice
gets importance 5, the later ones 4. The action ``decide_interview`` does that and renders the
result as neutral markup (see :mod:`bot.render.markup`): only the fixed labels of :data:`FACTORS`
and
numbers go into it, never user text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from bot.flow.actions import ActionContext, ActionRegistry

__all__ = (
    "FACTORS",
    "NEW_ROLE",
    "Decision",
    "Rating",
    "decide",
    "ratings_from_ranking",
    "register_decision_actions",
    "shortfalls_markup",
    "summary_markup",
)

#: Factor id -> how the coach names it in a sentence. The flow's choice ids are these keys.
FACTORS: Mapping[str, str] = {
    "pay": "pay and benefits",
    "growth": "growth and learning",
    "manager": "manager and team",
    "balance": "work-life balance",
    "commute": "commute or remote work",
    "stability": "stability",
    "mission": "mission and purpose",
}

IMPORTANT = 4  # an importance at or above this makes a factor important
LOW = 2  # a score at or below this, on an important factor, is a shortfall
MIDDLING = 3  # a top factor scored this is worth an interview too
TOP_IMPORTANCE = 5  # the ranking's first choice
NEXT_IMPORTANCE = 4  # the ranking's later choices
NO_ANSWER = ("", "none")  # a ranking slot left empty ("that's all")

Recommendation = Literal["interview", "explore", "decline"]
NewRole = Literal["better", "same", "worse", "unknown"]
NEW_ROLE: tuple[NewRole, ...] = ("better", "same", "worse", "unknown")


@dataclass(frozen=True, slots=True)
class Rating:
    """One factor: how much it matters to the user, and how the current job does on it."""

    factor: str
    importance: int
    score: int

    def __post_init__(self) -> None:
        if self.factor not in FACTORS:
            raise ValueError(f"unknown factor {self.factor!r}; expected one of {list(FACTORS)}")
        for name, value in (("importance", self.importance), ("score", self.score)):
            if not 1 <= value <= 5:
                raise ValueError(f"{name} of {self.factor!r} must be 1 to 5, not {value}")

    @property
    def label(self) -> str:
        return FACTORS[self.factor]


@dataclass(frozen=True, slots=True)
class Decision:
    """The suggestion and what it rests on; each tuple is most important first."""

    recommendation: Recommendation
    important: tuple[Rating, ...]
    shortfalls: tuple[Rating, ...]
    middling_top: tuple[Rating, ...]
    new_role: NewRole = "unknown"


def decide(ratings: Sequence[Rating], new_role: str = "unknown") -> Decision:
    """Suggest ``interview``, ``explore`` or ``decline`` (see the module docstring).

    Raises:
        ValueError: no ratings, the same factor rated twice, or an unknown ``new_role``.
    """
    role = _new_role(new_role)
    if not ratings:
        raise ValueError("decide() needs at least one rating")
    factors = [r.factor for r in ratings]
    if len(set(factors)) != len(factors):
        raise ValueError(f"a factor is rated twice: {factors}")
    important = [r for r in ratings if r.importance >= IMPORTANT]
    if not important:
        highest = max(r.importance for r in ratings)
        important = [r for r in ratings if r.importance == highest]
    important.sort(key=_order)
    top = important[0].importance
    shortfalls = tuple(r for r in important if r.score <= LOW)
    middling_top = tuple(r for r in important if r.importance == top and r.score == MIDDLING)
    return Decision(
        recommendation=_recommend(bool(shortfalls or middling_top), role),
        important=tuple(important),
        shortfalls=tuple(sorted(shortfalls, key=_order)),
        middling_top=middling_top,
        new_role=role,
    )


def _recommend(falls_short: bool, role: NewRole) -> Recommendation:
    """The table of the module docstring: decline only when nothing argues for a look."""
    if role == "better" or (falls_short and role != "worse"):
        return "interview"
    if not falls_short and role == "worse":
        return "decline"
    return "explore"


def _new_role(value: str) -> NewRole:
    for role in NEW_ROLE:
        if role == str(value).strip().lower():
            return role
    raise ValueError(f"unknown new_role {value!r}; expected one of {list(NEW_ROLE)}")


def _order(rating: Rating) -> tuple[int, int, int]:
    """Most important first; then the lowest score; ties in the fixed order of FACTORS."""
    return (-rating.importance, rating.score, list(FACTORS).index(rating.factor))


def ratings_from_ranking(ranking: Sequence[object], scores: Sequence[object]) -> list[Rating]:
    """Ratings from factor ids in order of importance and the current job's score for each.

    Empty places (``None``, ``""``, ``"none"``) and repeats of a factor already ranked are
    skipped together with their score, so a flow can pass a fixed number of places.

    Raises:
        ValueError: an unknown factor, a missing or invalid score, or no factor at all.
    """
    ratings: list[Rating] = []
    seen: set[str] = set()
    for position, factor in enumerate(ranking):
        if factor is None or str(factor).strip().lower() in NO_ANSWER:
            continue
        factor_id = str(factor).strip().lower()
        if factor_id in seen:
            continue
        seen.add(factor_id)
        score = scores[position] if position < len(scores) else None
        if isinstance(score, bool) or not isinstance(score, int | float | str):
            raise ValueError(f"no score for {factor_id!r}")
        importance = TOP_IMPORTANCE if not ratings else NEXT_IMPORTANCE
        ratings.append(Rating(factor_id, importance, int(float(score))))
    if not ratings:
        raise ValueError("the ranking names no factor")
    return ratings


# -- markup --------------------------------------------------------------------------------------


def shortfalls_markup(decision: Decision) -> str:
    """One list line per shortfall, ``- **Pay and benefits**: 2 out of 5``; empty when none."""
    return "\n".join(
        f"- **{_capitalised(r.label)}**: {r.score} out of 5" for r in decision.shortfalls
    )


def summary_markup(decision: Decision) -> str:
    """One or two sentences on what the suggestion rests on: the current job, then the new role."""
    return f"{_current_job_sentence(decision)} {NEW_ROLE_SENTENCE[decision.new_role]}"


#: How the new role looks, as the user reported what the recruiter said.
NEW_ROLE_SENTENCE: Mapping[NewRole, str] = {
    "better": (
        "From what the recruiter said, the new role looks **better** on what matters to you."
    ),
    "same": "From what the recruiter said, the new role looks **about the same**.",
    "worse": (
        "From what the recruiter said, the new role looks **worse** on what matters to you."
    ),
    "unknown": "You don't know yet how the new role does on what matters to you.",
}


def _current_job_sentence(decision: Decision) -> str:
    if decision.shortfalls:
        names = _join([f"**{r.label}**" for r in decision.shortfalls])
        verb = "matters" if len(decision.shortfalls) == 1 else "matter"
        return f"Your current job scores low on {names}, which {verb} to you."
    if decision.middling_top:
        names = _join([f"**{r.label}**" for r in decision.middling_top])
        return (
            f"Your current job is only middling (3 out of 5) on {names}, "
            "and nothing matters more to you."
        )
    scored = _join([f"**{r.label}** ({r.score}/5)" for r in decision.important])
    return f"Your current job holds up on what matters most to you: {scored}."


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _join(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


# -- the action ----------------------------------------------------------------------------------


def register_decision_actions(registry: ActionRegistry) -> None:
    """Register ``decide_interview`` (the flow of the same name calls it)."""
    registry.register(
        "decide_interview",
        inputs=("ranking", "scores"),
        optional_inputs=("new_role",),
        outputs=("recommendation", "shortfalls", "summary", "role_line"),
        description=(
            "Suggest taking the interview or declining, from the factors the user ranked "
            "(ids: " + ", ".join(FACTORS) + "), the current job's score on each (1-5) and "
            "how the new role looks on them (" + ", ".join(NEW_ROLE) + ")."
        ),
    )(decide_interview)


async def decide_interview(
    context: ActionContext, inputs: Mapping[str, object]
) -> Mapping[str, object]:
    """The action: ``ranking`` and ``scores`` are lists of the same length."""
    decision = decide(
        ratings_from_ranking(_as_list(inputs["ranking"]), _as_list(inputs["scores"])),
        str(inputs.get("new_role") or "unknown"),
    )
    return {
        "recommendation": decision.recommendation,
        "shortfalls": shortfalls_markup(decision),
        "summary": summary_markup(decision),
        "role_line": NEW_ROLE_SENTENCE[decision.new_role],
    }


def _as_list(value: object) -> list[object]:
    if isinstance(value, list | tuple):
        return list(value)
    raise TypeError(f"expected a list, got {type(value).__name__}")
