"""The trained topic router as plain arrays: predicts with the standard library only.

:mod:`bot.routing` trains a scikit-learn pipeline (TF-IDF features joined by a ``FeatureUnion``,
then a multinomial logistic regression). Importing scikit-learn and training take one to two
seconds, so :mod:`bot.routing.cache` keeps the fitted numbers on disk and this module computes
the same probabilities from them: each vectorizer's vocabulary and idf weights, the
regression's coefficients and intercepts. Nothing here imports numpy or scikit-learn, and
nothing is unpickled: the arrays are floats and strings.

:func:`export_model` accepts only the pipeline shapes it can reproduce exactly and then checks
its own probabilities against the pipeline's on the training texts; anything else returns None
and the caller keeps the trained model (correct, just slower to start).
"""

from __future__ import annotations

import math
import re
from array import array
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ("ArrayModel", "Vectorizer", "export_model")

# The largest difference allowed between these probabilities and the pipeline's: the pipeline
# computes in float32, this module in float64.
TOLERANCE = 1e-4
_WHITE_SPACES = re.compile(r"\s\s+")
_ANALYZERS = ("char_wb", "char", "word")


@dataclass(frozen=True, slots=True)
class Vectorizer:
    """One fitted ``TfidfVectorizer``: how it cuts text into terms and what each term weighs."""

    analyzer: str  # "char_wb", "char" or "word"
    ngram_range: tuple[int, int]
    lowercase: bool
    token_pattern: str
    sublinear_tf: bool
    binary: bool
    norm: str | None  # "l2" or None
    vocabulary: dict[str, int]
    idf: Sequence[float]  # empty when the vectorizer does not use idf

    def terms(self, text: str) -> list[str]:
        """The terms of ``text``, as scikit-learn's analyzer for these settings yields them."""
        if self.lowercase:
            text = text.lower()
        low, high = self.ngram_range
        if self.analyzer == "word":
            return _word_ngrams(re.findall(self.token_pattern, text), low, high)
        text = _WHITE_SPACES.sub(" ", text)
        if self.analyzer == "char":
            return _char_ngrams(text, low, high)
        return _char_wb_ngrams(text, low, high)

    def features(self, text: str, offset: int) -> dict[int, float]:
        """Column -> TF-IDF weight (normalised) of ``text``, columns shifted by ``offset``."""
        counts: dict[int, float] = {}
        for term in self.terms(text):
            column = self.vocabulary.get(term)
            if column is not None:
                counts[column] = 1.0 if self.binary else counts.get(column, 0.0) + 1.0
        for column, count in counts.items():
            weight = 1.0 + math.log(count) if self.sublinear_tf else count
            counts[column] = weight * self.idf[column] if self.idf else weight
        if self.norm == "l2":
            length = math.sqrt(sum(value * value for value in counts.values()))
            if length > 0:
                counts = {column: value / length for column, value in counts.items()}
        return {column + offset: value for column, value in counts.items()}


class ArrayModel:
    """Multinomial logistic regression over joined TF-IDF features, from plain arrays.

    ``coefficients`` is feature-major: the weights of column ``j`` for every class are
    ``coefficients[j * len(classes) : (j + 1) * len(classes)]``.
    """

    def __init__(
        self,
        vectorizers: Sequence[Vectorizer],
        classes: Sequence[str],
        coefficients: array[float],
        intercepts: Sequence[float],
    ) -> None:
        self.vectorizers = tuple(vectorizers)
        self.classes_ = list(classes)
        self.coefficients = coefficients
        self.intercepts = list(intercepts)
        self.width = sum(len(v.vocabulary) for v in self.vectorizers)

    def probabilities(self, text: str) -> list[float]:
        """The probability of each class (in the order of ``classes_``) for one text."""
        n = len(self.classes_)
        scores = list(self.intercepts)
        coefficients = self.coefficients
        offset = 0
        for vectorizer in self.vectorizers:
            for column, value in vectorizer.features(text, offset).items():
                base = column * n
                for k in range(n):
                    scores[k] += value * coefficients[base + k]
            offset += len(vectorizer.vocabulary)
        top = max(scores)
        exps = [math.exp(score - top) for score in scores]
        total = sum(exps)
        return [e / total for e in exps]

    def predict_proba(self, texts: list[str]) -> list[list[float]]:
        return [self.probabilities(text) for text in texts]


def _char_wb_ngrams(text: str, low: int, high: int) -> list[str]:
    ngrams: list[str] = []
    for word in text.split():
        word = f" {word} "
        length = len(word)
        for n in range(low, high + 1):
            offset = 0
            ngrams.append(word[offset : offset + n])
            while offset + n < length:
                offset += 1
                ngrams.append(word[offset : offset + n])
            if offset == 0:  # a word shorter than n is counted once
                break
    return ngrams


def _char_ngrams(text: str, low: int, high: int) -> list[str]:
    length = len(text)
    return [
        text[i : i + n]
        for n in range(low, min(high + 1, length + 1))
        for i in range(length - n + 1)
    ]


def _word_ngrams(tokens: list[str], low: int, high: int) -> list[str]:
    grams = list(tokens) if low == 1 else []
    for n in range(max(low, 2), min(high + 1, len(tokens) + 1)):
        grams.extend(" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1))
    return grams


# -- export from a fitted scikit-learn pipeline ----------------------------------------------


def export_model(pipeline: Any, texts: Sequence[str]) -> ArrayModel | None:
    """The arrays of a fitted pipeline, or None when this module cannot reproduce it.

    ``texts`` (the training texts) are scored both ways; any difference above
    :data:`TOLERANCE` also gives None.
    """
    try:
        model = _export(pipeline)
    except (AttributeError, TypeError, ValueError, IndexError, KeyError):
        return None
    if model is None or not agrees(model, pipeline.predict_proba, texts):
        return None
    return model


def agrees(
    model: ArrayModel, predict_proba: Callable[[list[str]], Any], texts: Sequence[str]
) -> bool:
    """True when ``model`` gives the probabilities ``predict_proba`` gives, on every text."""
    expected = predict_proba(list(texts))
    for text, row in zip(texts, expected, strict=True):
        got = model.probabilities(text)
        if any(abs(a - float(b)) > TOLERANCE for a, b in zip(got, row, strict=True)):
            return False
    return True


def _export(pipeline: Any) -> ArrayModel | None:
    # Only called right after training, when scikit-learn is loaded anyway; reading a cached
    # model back never comes here.
    from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]
    from sklearn.pipeline import FeatureUnion  # type: ignore[import-untyped]

    steps = getattr(pipeline, "steps", None)
    if not steps or len(steps) != 2:
        return None
    union, classifier = steps[0][1], steps[1][1]
    if not isinstance(union, FeatureUnion) or union.transformer_weights is not None:
        return None
    if not isinstance(classifier, LogisticRegression) or len(classifier.classes_) < 3:
        return None
    vectorizers = [_vectorizer(step) for _name, step in union.transformer_list]
    if any(v is None for v in vectorizers):
        return None
    coef = classifier.coef_  # classes x features
    n_classes, width = coef.shape
    coefficients = array("d", coef.T.astype("float64").ravel().tolist())
    model = ArrayModel(
        [v for v in vectorizers if v is not None],
        [str(c) for c in classifier.classes_],
        coefficients,
        [float(b) for b in classifier.intercept_],
    )
    return model if model.width == width and n_classes == len(model.classes_) else None


def _vectorizer(step: Any) -> Vectorizer | None:
    from sklearn.feature_extraction.text import TfidfVectorizer  # type: ignore[import-untyped]

    if not isinstance(step, TfidfVectorizer):
        return None
    params = step.get_params()
    plain = (
        params["analyzer"] in _ANALYZERS
        and params["tokenizer"] is None
        and params["preprocessor"] is None
        and params["stop_words"] is None
        and params["strip_accents"] is None
        and params["input"] == "content"
        and params["norm"] in ("l2", None)
    )
    if not plain:
        return None
    low, high = params["ngram_range"]
    return Vectorizer(
        analyzer=params["analyzer"],
        ngram_range=(int(low), int(high)),
        lowercase=bool(params["lowercase"]),
        token_pattern=str(params["token_pattern"]),
        sublinear_tf=bool(params["sublinear_tf"]),
        binary=bool(params["binary"]),
        norm=params["norm"],
        vocabulary={str(term): int(column) for term, column in step.vocabulary_.items()},
        idf=[float(x) for x in step.idf_] if params["use_idf"] else [],
    )
