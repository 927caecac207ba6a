"""Free-text topic routing: which coaching topic (``bot.routing.topics.TOPIC_IDS``) a question is
about.

Flow authors list example phrasings per topic in ``dialogs/topics/<topic_id>.yaml``
(:mod:`bot.routing.topics` reads them strictly; its API is re-exported here). :func:`load_router`
trains a scikit-learn model on them: TF-IDF over character n-grams (robust to typos and chat
spelling) joined with word unigrams and bigrams, then a multinomial logistic regression, whose
probabilities are the confidences :meth:`ClassifierRouter.route` and
:meth:`ClassifierRouter.rank` return. Off-topic text lands on the ``other`` topic, trained on
off-topic examples like any other.

scikit-learn takes about a second to import, so it is imported only inside the training
function: importing this module is cheap, and :class:`LazyRouter` checks the topic files when it
is created but trains only when free text first needs routing.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

from bot.dialog.catalog import TopicRouter
from bot.routing.topics import (
    OTHER,
    TOPIC_IDS,
    TopicExamples,
    check_topics,
    load_topics,
    normalise,
    topic_titles,
)

__all__ = (
    "OTHER",
    "TOPIC_IDS",
    "ClassifierRouter",
    "LazyRouter",
    "TopicExamples",
    "check_topics",
    "load_router",
    "load_topics",
    "normalise",
    "topic_titles",
    "train_router",
)

# Logistic regression's inverse regularisation strength, chosen by 5-fold cross-validation on
# the training examples (bench/router_eval.py --cv), never on the evaluation questions: log loss
# and calibration improve up to C=1000, but training time grows with C; at 100 the model is a
# little under-confident (safe: unsure text gets buttons, not a wrong flow) and trains in < 0.3 s.
_C = 100.0


class _Model(Protocol):
    """The part of a fitted scikit-learn pipeline the router uses."""

    classes_: Any

    def predict_proba(self, texts: list[str]) -> Any: ...


class ClassifierRouter(TopicRouter):
    """Routes free text with a model trained on the topic files' examples."""

    def __init__(self, model: _Model, topics: Sequence[TopicExamples]) -> None:
        self._model = model
        self._classes: list[str] = [str(topic) for topic in model.classes_]
        self.titles: dict[str, str] = {topic.topic: topic.title for topic in topics}

    def route(self, text: str) -> tuple[str, float] | None:
        """The most likely topic and its probability; None for text with no words.

        ``other`` is a topic like the rest: off-topic text returns ``("other", p)``.
        """
        ranked = self.rank(text, k=1)
        return ranked[0] if ranked else None

    def rank(self, text: str, k: int = 3) -> list[tuple[str, float]]:
        """The ``k`` most likely topics with their probabilities, most likely first.

        Probabilities over all topics (``other`` included) sum to 1; ties go to the topic id
        that sorts first, so the order is stable. Empty for text with no words.
        """
        cleaned = normalise(text)
        if not cleaned or k < 1:
            return []
        probabilities = self._model.predict_proba([cleaned])[0].tolist()
        pairs = sorted(zip(self._classes, probabilities, strict=True), key=_by_probability)
        return [(topic, float(p)) for topic, p in pairs[:k]]


def _by_probability(pair: tuple[str, float]) -> tuple[float, str]:
    return -pair[1], pair[0]


def train_router(topics: Sequence[TopicExamples], *, c: float = _C) -> ClassifierRouter:
    """Fit the classifier on the examples; the same files always give the same model.

    ``c`` is logistic regression's inverse regularisation strength (for the benchmark's
    cross-validation; the default is the tuned one).
    """
    texts: list[str] = []
    labels: list[str] = []
    for topic in topics:
        for example in topic.examples:
            texts.append(normalise(example))
            labels.append(topic.topic)
    model = _build_pipeline(c)
    model.fit(texts, labels)
    return ClassifierRouter(model, topics)


def _build_pipeline(c: float = _C) -> Any:
    # Imported here: scikit-learn costs about a second, paid only when a router is trained.
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer  # type: ignore[import-untyped]
    from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]
    from sklearn.pipeline import FeatureUnion, make_pipeline  # type: ignore[import-untyped]

    # float32 halves the solver's work against float64 at no cost in accuracy.
    features = FeatureUnion(
        [
            # char_wb keeps n-grams inside words: "recruter" still shares "recr", "ruit"...
            # min_df drops n-grams of one or two examples: half the features, so half the
            # training time, for no measurable loss in cross-validation.
            (
                "chars",
                TfidfVectorizer(
                    analyzer="char_wb",
                    ngram_range=(2, 5),
                    min_df=3,
                    sublinear_tf=True,
                    dtype=np.float32,
                ),
            ),
            # \w+ keeps one-letter words such as "i"; bigrams catch "not interested".
            (
                "words",
                TfidfVectorizer(
                    ngram_range=(1, 2),
                    min_df=2,
                    sublinear_tf=True,
                    token_pattern=r"\b\w+\b",
                    dtype=np.float32,
                ),
            ),
        ]
    )
    # newton-cg is deterministic and, on these sparse features, about twice as fast as lbfgs.
    # class_weight: authors add examples unevenly; that must not make a topic more likely.
    classifier = LogisticRegression(
        C=c, solver="newton-cg", max_iter=1000, class_weight="balanced"
    )
    return make_pipeline(features, classifier)


def load_router(dialogs_dir: Path) -> ClassifierRouter:
    """Check the topic files in ``dialogs_dir/topics`` and train a router on them.

    Raises:
        FlowErrors: a topic file has a mistake.
    """
    return train_router(load_topics(dialogs_dir))


class LazyRouter(TopicRouter):
    """Checks the topic files now, trains on first use (or on :meth:`load`).

    Creating one costs a YAML read; the first :meth:`route` or :meth:`rank` pays for importing
    scikit-learn and training (about a second in all). Call :meth:`load` from a worker thread at
    start-up to pay that before the first user does.

    Raises:
        FlowErrors: from the constructor, when a topic file has a mistake.
    """

    def __init__(self, dialogs_dir: Path) -> None:
        self._topics = load_topics(dialogs_dir)
        self.titles: dict[str, str] = {topic.topic: topic.title for topic in self._topics}
        self._router: ClassifierRouter | None = None
        self._lock = threading.Lock()  # load() may run in a thread while the loop routes

    def load(self) -> ClassifierRouter:
        """The trained router, training it now if nobody has yet."""
        with self._lock:
            if self._router is None:
                self._router = train_router(self._topics)
            return self._router

    @property
    def loaded(self) -> bool:
        return self._router is not None

    def route(self, text: str) -> tuple[str, float] | None:
        return self.load().route(text) if normalise(text) else None

    def rank(self, text: str, k: int = 3) -> list[tuple[str, float]]:
        return self.load().rank(text, k) if normalise(text) else []
