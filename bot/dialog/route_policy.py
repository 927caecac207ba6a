"""When a routed question opens its flow straight away, and when it gets a choice of topics.

The router's top probability alone is not enough: about two in a hundred unseen questions had a
wrong top topic at 0.6 or more, typically when two topics share a strong word ("call", "salary")
and both score high. So a question opens a flow only when the top topic is likely enough *and*
clearly ahead of the runner-up; otherwise the engine offers the likeliest topics as buttons,
where a wrong first guess costs one tap instead of a wrong conversation.

The two numbers were tuned on out-of-fold predictions of the training examples (5-fold
cross-validation, ``python bench/router_eval.py --calibrate``), never on the evaluation
questions, which only measure the result (docs/routing.md has the table).
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ("OTHER", "ROUTE_MARGIN", "ROUTE_THRESHOLD", "confident_topic")

OTHER = "other"  # the off-topic topic: never opened straight away

#: The top topic's probability must reach this ...
ROUTE_THRESHOLD = 0.8
#: ... and beat the runner-up's by at least this much.
ROUTE_MARGIN = 0.0


def confident_topic(
    ranked: Sequence[tuple[str, float]],
    threshold: float = ROUTE_THRESHOLD,
    margin: float = ROUTE_MARGIN,
) -> str | None:
    """The topic to open straight away, or None to offer a choice.

    ``ranked`` is the router's answer, most likely first (at least the top two for the margin;
    a single entry counts as having no runner-up).
    """
    if not ranked:
        return None
    topic, probability = ranked[0]
    runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
    if topic == OTHER or probability < threshold or probability - runner_up < margin:
        return None
    return topic
