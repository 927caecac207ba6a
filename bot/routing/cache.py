"""The trained topic router kept on disk, so that no process trains it unless the topics changed.

Training (:mod:`bot.routing`) imports scikit-learn and fits the model: one to two seconds, at
every start of ``classify``, of the console's first routed question and of every Slack or
Discord worker. :class:`CachedRouter` instead reads the fitted numbers from
``<data folder>/topic-router.cache`` and predicts with :mod:`bot.routing.arrays` (standard
library only), in a few milliseconds. This module imports neither scikit-learn nor the engine;
:class:`bot.routing.cached.CachedRouter` is the engine's router built on it.

The cache is keyed by a SHA-256 of everything the model depends on: the bytes and names of the
topic files, the source of the modules that read, train and replay the model, and the installed
scikit-learn, numpy and scipy (their location, size and modification time, read without
importing them). A different key, a file that does not parse, a checksum that does not match or
arrays of the wrong size: the file is ignored, the router is trained again and the file
rewritten. The format is a checksum line, one line of JSON and raw float64 coefficients; it is
parsed, never executed (no pickle), so a tampered file can at worst give wrong topics until the
next rebuild, and the checksum catches accidental damage.

Privacy: the cache holds the authors' example phrasings' n-grams, never what users typed.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import logging
import math
import os
import sys
import tempfile
from array import array
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.routing.arrays import ArrayModel, Vectorizer, export_model
from bot.routing.topics import TopicExamples, normalise

if TYPE_CHECKING:
    from bot.routing.router import ClassifierRouter

__all__ = (
    "CACHE_NAME",
    "ArrayRouter",
    "cache_key",
    "open_cached",
    "read_cache",
    "train_and_save",
    "write_cache",
)

log = logging.getLogger(__name__)

CACHE_NAME = "topic-router.cache"
FORMAT = "recruiter-coach topic router 1"
_HERE = Path(__file__).resolve().parent
# The code whose behaviour the cached numbers depend on.
_SOURCES = ("router.py", "arrays.py", "cache.py", "topics.py")
_LIBRARIES = ("sklearn", "numpy", "scipy")


class ArrayRouter:
    """Ranks topics with an :class:`ArrayModel`, as :class:`bot.routing.ClassifierRouter` does."""

    def __init__(self, model: ArrayModel, titles: dict[str, str]) -> None:
        self.model = model
        self.titles = titles

    def rank(self, text: str, k: int = 3) -> list[tuple[str, float]]:
        cleaned = normalise(text)
        if not cleaned or k < 1:
            return []
        pairs = zip(self.model.classes_, self.model.probabilities(cleaned), strict=True)
        return sorted(pairs, key=lambda pair: (-pair[1], pair[0]))[:k]

    def route(self, text: str) -> tuple[str, float] | None:
        ranked = self.rank(text, k=1)
        return ranked[0] if ranked else None


def open_cached(dialogs_dir: Path, cache_dir: Path) -> tuple[str, ArrayRouter | None]:
    """The cache key of ``dialogs_dir`` and the router saved under it (None when not current)."""
    key = cache_key(dialogs_dir)
    return key, read_cache(cache_dir / CACHE_NAME, key)


def train_and_save(
    topics: Sequence[TopicExamples], cache_dir: Path, key: str
) -> ArrayRouter | ClassifierRouter:
    """Train on ``topics`` and save the result under ``key`` (the arrays when they replay it)."""
    from bot.routing.router import train_router

    trained = train_router(topics)
    texts = [normalise(example) for topic in topics for example in topic.examples]
    model = export_model(getattr(trained, "_model", None), texts)
    if model is None:  # a pipeline shape bot.routing.arrays cannot replay: keep the trained one
        log.warning("topic router: this model cannot be cached; it is trained at each start")
        return trained
    titles = {topic.topic: topic.title for topic in topics}
    write_cache(cache_dir / CACHE_NAME, key, model, titles)
    return ArrayRouter(model, titles)


# -- the key ----------------------------------------------------------------------------------


def cache_key(dialogs_dir: Path) -> str:
    """SHA-256 over the topic files, the router's code and the installed libraries."""
    digest = hashlib.sha256(FORMAT.encode())
    digest.update(f"{sys.version_info[:2]} {sys.byteorder}".encode())
    for name in _SOURCES:
        _add_file(digest, _HERE / name)
    for library in _LIBRARIES:
        digest.update(_library_stamp(library).encode())
    folder = dialogs_dir / "topics"
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else ():
        _add_file(digest, path)
    return digest.hexdigest()


def _add_file(digest: Any, path: Path) -> None:
    data = path.read_bytes()
    digest.update(f"\0{path.name}\0{len(data)}\0".encode())
    digest.update(data)


def _library_stamp(name: str) -> str:
    """Where a library is installed and when: changes when it is upgraded, without importing it."""
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        spec = None
    if spec is None or spec.origin is None:
        return f"{name}:missing"
    stat = os.stat(spec.origin)
    return f"{name}:{spec.origin}:{stat.st_size}:{stat.st_mtime_ns}"


# -- the file ---------------------------------------------------------------------------------


def write_cache(path: Path, key: str, model: ArrayModel, titles: dict[str, str]) -> None:
    """Save ``model`` under ``key``, atomically; a folder that cannot be written is logged only."""
    meta = {
        "format": FORMAT,
        "key": key,
        "classes": model.classes_,
        "intercepts": model.intercepts,
        "titles": titles,
        "vectorizers": [_vectorizer_json(v) for v in model.vectorizers],
    }
    payload = json.dumps(meta, ensure_ascii=True).encode() + b"\n" + _le_bytes(model.coefficients)
    data = hashlib.sha256(payload).hexdigest().encode() + b"\n" + payload
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=".topic-router-")
    except OSError as exc:
        log.warning("topic router: could not save the cache in %s (%s)", path.parent, exc)
        return
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(tmp, path)  # readers see the old file or the new one, never half of one
    except OSError as exc:
        log.warning("topic router: could not save the cache in %s (%s)", path.parent, exc)
        with contextlib.suppress(OSError):
            os.unlink(tmp)


def read_cache(path: Path, key: str) -> ArrayRouter | None:
    """The router saved under ``key``, or None when the file is missing, stale or damaged."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    try:
        return _parse(data, key)
    except (ValueError, TypeError, KeyError, IndexError, AttributeError) as exc:
        log.warning(
            "topic router: ignoring a damaged cache file %s (%s)", path, type(exc).__name__
        )
        return None


def _parse(data: bytes, key: str) -> ArrayRouter | None:
    checksum, _, payload = data.partition(b"\n")
    if hashlib.sha256(payload).hexdigest().encode() != checksum:
        raise ValueError("checksum")
    header, _, raw = payload.partition(b"\n")
    meta = json.loads(header)
    if meta["format"] != FORMAT or meta["key"] != key:
        return None  # stale: the topics, the code or a library changed
    vectorizers = [_vectorizer_from(item) for item in meta["vectorizers"]]
    classes = [str(c) for c in meta["classes"]]
    intercepts = [float(b) for b in meta["intercepts"]]
    coefficients = _from_le_bytes(raw)
    model = ArrayModel(vectorizers, classes, coefficients, intercepts)
    if len(intercepts) != len(classes) or len(coefficients) != model.width * len(classes):
        raise ValueError("shape")
    # One sum instead of a check per float: any inf or nan (or absurd size) makes it non-finite.
    if not math.isfinite(sum(coefficients)) or not math.isfinite(sum(intercepts)):
        raise ValueError("not finite")
    titles = {str(k): str(v) for k, v in dict(meta["titles"]).items()}
    return ArrayRouter(model, titles)


def _vectorizer_json(vectorizer: Vectorizer) -> dict[str, Any]:
    return {
        "analyzer": vectorizer.analyzer,
        "ngram_range": list(vectorizer.ngram_range),
        "lowercase": vectorizer.lowercase,
        "token_pattern": vectorizer.token_pattern,
        "sublinear_tf": vectorizer.sublinear_tf,
        "binary": vectorizer.binary,
        "norm": vectorizer.norm,
        "vocabulary": vectorizer.vocabulary,
        "idf": list(vectorizer.idf),
    }


def _vectorizer_from(item: dict[str, Any]) -> Vectorizer:
    low, high = (int(n) for n in item["ngram_range"])
    vocabulary = {str(term): int(column) for term, column in dict(item["vocabulary"]).items()}
    idf = [float(x) for x in item["idf"]]
    width = len(vocabulary)
    if item["analyzer"] not in ("char_wb", "char", "word") or item["norm"] not in ("l2", None):
        raise ValueError("settings")
    if sorted(vocabulary.values()) != list(range(width)) or (idf and len(idf) != width):
        raise ValueError("vocabulary")
    if not 1 <= low <= high:
        raise ValueError("ngram_range")
    return Vectorizer(
        analyzer=str(item["analyzer"]),
        ngram_range=(low, high),
        lowercase=bool(item["lowercase"]),
        token_pattern=str(item["token_pattern"]),
        sublinear_tf=bool(item["sublinear_tf"]),
        binary=bool(item["binary"]),
        norm=item["norm"],
        vocabulary=vocabulary,
        idf=idf,
    )


def _le_bytes(values: array[float]) -> bytes:
    copy = array("d", values)
    if sys.byteorder != "little":
        copy.byteswap()
    return copy.tobytes()


def _from_le_bytes(raw: bytes) -> array[float]:
    values = array("d")
    values.frombytes(raw)  # ValueError when the length is not a multiple of 8
    if sys.byteorder != "little":
        values.byteswap()
    return values
