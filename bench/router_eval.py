"""Topic router evaluation: accuracy on the held-out questions, confusions, timing, calibration.

Trains :func:`bot.routing.router.load_router` on ``dialogs/topics/*.yaml`` and routes every
question of
``tests/routing/eval_questions.yaml`` (never used for training). Prints:

- top-1 and top-3 accuracy, and accuracy per topic;
- the confusion pairs (expected -> predicted, with the questions);
- what the engine's confidence threshold does: at each threshold, the share of questions routed
  straight to a topic and how many of those are right (the rest would get the top three as
  buttons);
- import and training times.

- "confidently wrong": questions the engine would open in the wrong flow under the shipped rule
  of :mod:`bot.dialog.route_policy` (top probability >= threshold and ahead of the runner-up by the
  margin), for both held-out sets: ``tests/routing/eval_questions.yaml`` and
  ``tests/routing/unseen_questions.yaml``.

``--calibrate`` tunes that threshold and margin on out-of-fold predictions of the training
examples (5-fold cross-validation: each example is predicted by a model that never saw it) and
prints the grid; the evaluation questions play no part in it.

``--cv`` adds 5-fold cross-validation on the training examples themselves for several values of
logistic regression's C (accuracy, log loss, calibration error). That is how C was chosen: on
the examples, never on the evaluation questions.

Usage (from the repository root)::

    python bench/router_eval.py
    python bench/router_eval.py --cv
    python bench/router_eval.py --calibrate
    python bench/router_eval.py --dialogs path/to/dialogs --questions my_questions.yaml
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from a checkout
    sys.path.insert(0, str(ROOT))

from bot.dialog.route_policy import ROUTE_MARGIN, ROUTE_THRESHOLD, confident_topic  # noqa: E402
from bot.routing.router import (  # noqa: E402
    OTHER,
    TOPIC_IDS,
    ClassifierRouter,
    TopicExamples,
    load_topics,
    normalise,
    train_router,
)

THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8)
CV_VALUES = (20.0, 50.0, 100.0, 300.0, 1000.0)
GRID_THRESHOLDS = tuple(round(0.40 + 0.05 * i, 2) for i in range(12))  # 0.40 .. 0.95
GRID_MARGINS = tuple(round(0.05 * i, 2) for i in range(11))  # 0.00 .. 0.50
#: The calibration's bar: at most this share of out-of-fold examples opened in a wrong flow.
TARGET_CONFIDENTLY_WRONG = 0.015

Ranked = list[tuple[str, float]]


def load_questions(path: Path) -> list[tuple[str, str]]:
    """(expected topic, question) pairs from an evaluation file."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]
    return [(topic, str(question)) for topic, questions in data.items() for question in questions]


def evaluate(router: ClassifierRouter, questions: list[tuple[str, str]]) -> dict[str, object]:
    """Top-1/top-3 accuracy, per-topic accuracy, confusions and (confidence, right) pairs."""
    top1 = top3 = 0
    per_topic: dict[str, list[bool]] = defaultdict(list)
    confusions: dict[tuple[str, str], list[str]] = defaultdict(list)
    top3_misses: list[str] = []
    scored: list[tuple[float, bool]] = []
    routed = wrong = 0
    wrong_lines: list[str] = []
    for expected, question in questions:
        ranked = router.rank(question, k=3)
        opened = confident_topic(ranked, ROUTE_THRESHOLD, ROUTE_MARGIN)
        routed += opened is not None
        if opened is not None and opened != expected:
            wrong += 1
            wrong_lines.append(f"{expected} -> {opened} ({ranked[0][1]:.2f}): {question}")
        best, confidence = ranked[0]
        right = best == expected
        top1 += right
        top3 += expected in [topic for topic, _ in ranked]
        if expected not in [topic for topic, _ in ranked]:
            top3_misses.append(f"{expected}: {question}  -> {', '.join(t for t, _ in ranked)}")
        per_topic[expected].append(right)
        scored.append((confidence, right))
        if not right:
            confusions[(expected, best)].append(f"{question}  ({confidence:.2f})")
    count = len(questions)
    return {
        "count": count,
        "top1": top1 / count,
        "top3": top3 / count,
        "per_topic": {t: sum(v) / len(v) for t, v in per_topic.items()},
        "confusions": confusions,
        "top3_misses": top3_misses,
        "scored": scored,
        "routed": routed / count,
        "confidently_wrong": wrong,
        "confidently_wrong_lines": wrong_lines,
    }


def time_training(topics: list[TopicExamples], runs: int) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU seconds per training, scikit-learn already imported.

    CPU time is the steadier number on a busy machine; wall clock is what a user waits.
    """
    train_router(topics)  # the first run pays for imports
    wall: list[float] = []
    cpu: list[float] = []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        train_router(topics)
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return wall, cpu


def print_report(result: dict[str, object], topics: list[TopicExamples]) -> None:
    examples = sum(len(topic.examples) for topic in topics)
    print(f"training examples: {examples} in {len(topics)} topics")
    print(f"evaluation questions: {result['count']}")
    print(f"top-1 accuracy: {result['top1']:.1%}")
    print(f"top-3 accuracy: {result['top3']:.1%}")
    per_topic = result["per_topic"]
    assert isinstance(per_topic, dict)
    weak = {t: a for t, a in per_topic.items() if a < 1.0}
    print("topics below 100% top-1: " + ", ".join(f"{t} {a:.0%}" for t, a in weak.items()))
    confusions = result["confusions"]
    assert isinstance(confusions, dict)
    print("\nconfusion pairs (expected -> predicted):")
    for (expected, predicted), questions in sorted(confusions.items(), key=lambda i: -len(i[1])):
        print(f"  {expected} -> {predicted}: {len(questions)}")
        for question in questions:
            print(f"      {question}")
    print("\nnot even in the top three:")
    for miss in result["top3_misses"]:  # type: ignore[attr-defined]
        print(f"  {miss}")
    scored = result["scored"]
    assert isinstance(scored, list)
    print("\nconfidence threshold (engine routes at >= threshold, else offers the top three):")
    for threshold in THRESHOLDS:
        routed = [right for confidence, right in scored if confidence >= threshold]
        share = len(routed) / len(scored)
        accuracy = sum(routed) / len(routed) if routed else 0.0
        print(f"  {threshold:.1f}: {share:6.1%} routed, {accuracy:6.1%} of those right")
    print(
        f"\nshipped rule (threshold {ROUTE_THRESHOLD:.2f}, margin {ROUTE_MARGIN:.2f}): "
        f"{result['routed']:.1%} opened straight away, "
        f"{result['confidently_wrong']} confidently wrong"
    )
    for line in result["confidently_wrong_lines"]:  # type: ignore[attr-defined]
        print(f"  {line}")


def out_of_fold(topics: list[TopicExamples], folds: int = 5) -> list[tuple[str, Ranked]]:
    """(expected topic, top-two ranking) for every example, each from a model that never saw it."""
    pairs = [(topic.topic, example) for topic in topics for example in topic.examples]
    predicted: list[tuple[str, Ranked]] = []
    for fold in range(folds):
        train = [p for i, p in enumerate(pairs) if i % folds != fold]
        router = train_router(_as_topics(train))
        predicted += [
            (expected, router.rank(text, k=2))
            for i, (expected, text) in enumerate(pairs)
            if i % folds == fold
        ]
    return predicted


def rule_outcome(
    predicted: list[tuple[str, Ranked]], threshold: float, margin: float
) -> tuple[float, float]:
    """(share opened straight away, share opened in a wrong flow) under one threshold/margin."""
    opened = wrong = 0
    for expected, ranked in predicted:
        topic = confident_topic(ranked, threshold, margin)
        opened += topic is not None
        wrong += topic is not None and topic != expected
    return opened / len(predicted), wrong / len(predicted)


def calibrate(topics: list[TopicExamples]) -> tuple[float, float]:
    """Print the grid and return the (threshold, margin) that opens the most questions while at
    most TARGET_CONFIDENTLY_WRONG of the out-of-fold examples open a wrong flow."""
    predicted = out_of_fold(topics)
    print(f"\ncalibration on {len(predicted)} out-of-fold examples (5-fold):")
    print("  threshold margin  opened  wrong-opened")
    best: tuple[float, float, float] | None = None  # (opened, threshold, margin)
    for threshold in GRID_THRESHOLDS:
        for margin in GRID_MARGINS:
            opened, wrong = rule_outcome(predicted, threshold, margin)
            if margin in (0.0, 0.2, 0.4) or threshold in (0.5, 0.6):
                print(f"  {threshold:9.2f} {margin:6.2f}  {opened:6.1%}  {wrong:6.2%}")
            if wrong <= TARGET_CONFIDENTLY_WRONG and (best is None or opened > best[0]):
                best = (opened, threshold, margin)
    if best is None:
        print("  no setting meets the target")
        return ROUTE_THRESHOLD, ROUTE_MARGIN
    print(
        f"  best: threshold {best[1]:.2f}, margin {best[2]:.2f}: {best[0]:.1%} opened, "
        f"at most {TARGET_CONFIDENTLY_WRONG:.1%} wrong"
    )
    return best[1], best[2]


def cross_validate(topics: list[TopicExamples], folds: int = 5) -> None:
    """k-fold on the examples: how well each C generalises to phrasings it has not seen."""
    print(f"\n{folds}-fold cross-validation on the training examples:")
    pairs = [(topic.topic, example) for topic in topics for example in topic.examples]
    for c in CV_VALUES:
        right = 0
        log_loss = 0.0
        scored: list[tuple[float, bool]] = []
        for fold in range(folds):
            train = [p for i, p in enumerate(pairs) if i % folds != fold]
            test = [p for i, p in enumerate(pairs) if i % folds == fold]
            router = train_router(_as_topics(train), c=c)
            for expected, text in test:
                probabilities = dict(router.rank(text, k=len(TOPIC_IDS)))
                best = max(probabilities, key=lambda t: probabilities[t])
                right += best == expected
                log_loss -= _log(probabilities.get(expected, 0.0))
                scored.append((probabilities[best], best == expected))
        print(
            f"  C={c:<6g} accuracy {right / len(pairs):.1%}  log loss {log_loss / len(pairs):.3f}"
            f"  calibration error {_calibration_error(scored):.3f}"
        )


def _as_topics(pairs: list[tuple[str, str]]) -> list[TopicExamples]:
    grouped: dict[str, list[str]] = defaultdict(list)
    for topic, example in pairs:
        grouped[topic].append(example)
    return [
        TopicExamples(t, t, "", tuple(grouped[t]), t, tuple(range(len(grouped[t]))))
        for t in TOPIC_IDS
        if t in grouped
    ]


def _log(p: float) -> float:
    import math

    return math.log(max(p, 1e-15))


def _calibration_error(scored: list[tuple[float, bool]], bins: int = 10) -> float:
    """Expected calibration error: |confidence - accuracy| per bin, weighted by bin size."""
    grouped: dict[int, list[tuple[float, bool]]] = defaultdict(list)
    for confidence, right in scored:
        grouped[min(int(confidence * bins), bins - 1)].append((confidence, right))
    total = 0.0
    for items in grouped.values():
        mean_confidence = statistics.fmean(c for c, _ in items)
        accuracy = sum(r for _, r in items) / len(items)
        total += abs(mean_confidence - accuracy) * len(items)
    return total / len(scored)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dialogs", type=Path, default=ROOT / "dialogs")
    parser.add_argument(
        "--questions", type=Path, default=ROOT / "tests" / "routing" / "eval_questions.yaml"
    )
    parser.add_argument("--runs", type=int, default=5, help="training runs to time")
    parser.add_argument("--cv", action="store_true", help="also cross-validate C on the examples")
    parser.add_argument(
        "--calibrate", action="store_true", help="tune threshold and margin out of fold"
    )
    parser.add_argument(
        "--unseen",
        type=Path,
        default=ROOT / "tests" / "routing" / "unseen_questions.yaml",
        help="a second held-out set, reported separately",
    )
    args = parser.parse_args()

    start = time.perf_counter()
    import sklearn.linear_model  # noqa: F401  (timed on its own: the router imports it lazily)

    sklearn_import = time.perf_counter() - start
    topics = load_topics(args.dialogs)
    questions = load_questions(args.questions)
    leaked = _leaked(topics, questions)
    if leaked:
        print(f"evaluation questions found among the training examples: {leaked}")
        return 1
    wall, cpu = time_training(topics, args.runs)
    router = train_router(topics)
    print_report(evaluate(router, questions), topics)
    if args.unseen.exists():
        unseen = load_questions(args.unseen)
        print(f"\n==== second held-out set: {args.unseen.name} ====")
        print_report(evaluate(router, unseen), topics)
    counts = Counter(topic for topic, _ in questions)
    print(f"\nquestions per topic: min {min(counts.values())}, 'other' {counts[OTHER]}")
    print(f"scikit-learn import: {sklearn_import:.2f} s (once, on first use)")
    print(
        f"training over {len(wall)} runs: wall clock median {statistics.median(wall):.3f} s "
        f"(min {min(wall):.3f}, max {max(wall):.3f}), CPU median {statistics.median(cpu):.3f} s"
    )
    if args.cv:
        cross_validate(topics)
    if args.calibrate:
        calibrate(topics)
    return 0


def _leaked(topics: list[TopicExamples], questions: list[tuple[str, str]]) -> list[str]:
    seen = {normalise(example) for topic in topics for example in topic.examples}
    return [question for _, question in questions if normalise(question) in seen]


if __name__ == "__main__":
    raise SystemExit(main())
