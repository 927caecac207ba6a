"""The trained router kept on disk: same answers as training, rebuilt on change, never executed.

``bot.routing.cache`` saves the trained router in the data folder and ``bot.routing.arrays``
replays it with the standard library. These tests train once per module (a few seconds on a
busy machine) and check that the replay ranks every evaluation question as the freshly trained
scikit-learn model does, that a second process starts ready without importing scikit-learn,
that a changed topic file or library rebuilds the cache, and that a damaged or tampered file is
ignored and rebuilt.
"""

from __future__ import annotations

import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.dialog.catalog import TopicRouter
from bot.errors import FlowErrors
from bot.routing.arrays import TOLERANCE, export_model
from bot.routing.cache import (
    CACHE_NAME,
    ArrayRouter,
    cache_key,
    open_cached,
    read_cache,
    train_and_save,
)
from bot.routing.cached import CachedRouter
from bot.routing.router import ClassifierRouter, load_topics, normalise, train_router
from tests.routing.test_router import DIALOGS, ROOT, eval_questions

LIBRARIES = ("sklearn", "numpy", "scipy")
FULLWIDTH = "".join(chr(ord(c) + 0xFEE0) if c != " " else c for c in "IS THIS RECRUITER REAL")


@pytest.fixture(scope="module")
def trained() -> ClassifierRouter:
    return train_router(load_topics(DIALOGS))


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder holding the cache of the shipped topics."""
    folder = tmp_path_factory.mktemp("data")
    key, ready = open_cached(DIALOGS, folder)
    assert ready is None  # nothing saved yet
    assert isinstance(train_and_save(load_topics(DIALOGS), folder, key), ArrayRouter)
    return folder


@pytest.fixture
def cached(cache_dir: Path) -> ArrayRouter:
    router = read_cache(cache_dir / CACHE_NAME, cache_key(DIALOGS))
    assert router is not None
    return router


def assert_same_answers(expected: ClassifierRouter, got: ArrayRouter, text: str) -> None:
    want = expected.rank(text, k=24)
    have = got.rank(text, k=24)
    assert [topic for topic, _ in have[:3]] == [topic for topic, _ in want[:3]], text
    probabilities = dict(want)
    for topic, p in have:
        assert abs(p - probabilities[topic]) <= TOLERANCE, (text, topic)


def test_the_cached_router_ranks_every_eval_question_as_the_trained_one(
    trained: ClassifierRouter, cached: ArrayRouter
) -> None:
    questions = eval_questions()
    assert len(questions) > 50
    for _topic, question in questions:
        assert_same_answers(trained, cached, question)
    assert cached.titles == trained.titles


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=200))
def test_the_cached_router_agrees_on_any_text(
    trained: ClassifierRouter, cache_dir: Path, text: str
) -> None:
    cached = read_cache(cache_dir / CACHE_NAME, cache_key(DIALOGS))
    assert cached is not None
    if not normalise(text):
        assert cached.rank(text) == [] == trained.rank(text)
        return
    assert_same_answers(trained, cached, text)


def test_odd_text_is_answered_the_same_way(trained: ClassifierRouter, cached: ArrayRouter) -> None:
    for text in (
        "is   this\trecruiter\n\nlegit???",
        FULLWIDTH,
        "<@U123> is this a scam 🙃 [link](https://x.example)",
        "do I pay the agency " * 2000,  # 40 KB
        "a",
        "\ud800 lone surrogate fees",
    ):
        assert_same_answers(trained, cached, text)


def test_a_second_process_starts_ready_without_scikit_learn(cache_dir: Path) -> None:
    code = (
        "import sys; from pathlib import Path; from bot.routing.cached import CachedRouter; "
        "r = CachedRouter(Path(sys.argv[1]), Path(sys.argv[2])); "
        "print(r.loaded, r.route('do I have to pay the recruiter')[0], "
        f"sorted(m for m in {LIBRARIES!r} if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(DIALOGS), str(cache_dir)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "fees", "[]"]


def test_classify_trains_once_then_reads_the_cache(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COACH_DATA_DIR": str(tmp_path)}
    env.pop("COACH_DIALOGS_DIR", None)
    code = (
        "import sys, bot.cli.main; "
        # as test_routing_cli does: the module of this checkout, whatever is installed
        "bot.cli.main.command_modules = lambda: {'classify': 'bot.cli.classify'}; "
        "code = bot.cli.main.main(sys.argv[1:]); "
        f"print(sorted(m for m in {LIBRARIES!r} if m in sys.modules)); sys.exit(code)"
    )
    runs = [
        subprocess.run(
            [sys.executable, "-c", code, "classify", "--top", "2", "who pays the agency fee"],
            capture_output=True,
            text=True,
            timeout=120,
            env=env,
            check=False,
        )
        for _ in range(2)
    ]
    for run in runs:
        assert run.returncode == 0, run.stderr
    first, second = (run.stdout.splitlines() for run in runs)
    assert first[0].startswith("fees ")
    assert first[:2] == second[:2]  # the same answer, trained or read back
    assert first[2] != "[]"  # the first run trained
    assert second[2] == "[]"  # the second did not even import scikit-learn
    assert (tmp_path / CACHE_NAME).is_file()


def copy_dialogs(tmp_path: Path) -> Path:
    dialogs = tmp_path / "dialogs"
    shutil.copytree(DIALOGS / "topics", dialogs / "topics")
    return dialogs


def test_a_changed_topic_file_rebuilds_the_cache(tmp_path: Path) -> None:
    dialogs, data = copy_dialogs(tmp_path), tmp_path / "data"
    first = CachedRouter(dialogs, data)
    assert not first.loaded
    first.load()
    assert CachedRouter(dialogs, data).loaded  # read back
    fees = dialogs / "topics" / "fees.yaml"
    fees.write_text(
        fees.read_text(encoding="utf-8") + "  - is there a charge for the placement itself\n",
        encoding="utf-8",
    )
    changed = CachedRouter(dialogs, data)
    assert not changed.loaded  # the old cache no longer matches
    router = changed.load()
    assert isinstance(router, ArrayRouter)
    fresh = train_router(load_topics(dialogs))
    assert_same_answers(fresh, router, "is there a charge for the placement itself")
    assert CachedRouter(dialogs, data).loaded  # and the new one was saved


def test_a_broken_topic_file_is_reported_even_with_an_old_cache(tmp_path: Path) -> None:
    dialogs, data = copy_dialogs(tmp_path), tmp_path / "data"
    CachedRouter(dialogs, data).load()
    (dialogs / "topics" / "fees.yaml").write_text("topic: fees\nexamples: 3\n", encoding="utf-8")
    with pytest.raises(FlowErrors):
        CachedRouter(dialogs, data)


def test_the_key_covers_topics_libraries_and_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dialogs = copy_dialogs(tmp_path)
    key = cache_key(dialogs)
    assert cache_key(dialogs) == key  # stable
    (dialogs / "topics" / "extra.yaml").write_text("", encoding="utf-8")
    assert cache_key(dialogs) != key  # a new file counts too
    (dialogs / "topics" / "extra.yaml").unlink()
    import bot.routing.cache as routing_cache

    monkeypatch.setattr(routing_cache, "_library_stamp", lambda name: f"{name}:9.9.9")
    assert cache_key(dialogs) != key  # another scikit-learn / numpy / scipy


def damage(path: Path, how: str) -> None:
    data = path.read_bytes()
    _checksum, _, payload = data.partition(b"\n")
    if how == "flipped byte":
        middle = len(data) // 2
        path.write_bytes(data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1 :])
    elif how == "truncated":
        path.write_bytes(data[: len(data) - 13])
    elif how == "empty":
        path.write_bytes(b"")
    elif how == "garbage":
        path.write_bytes(os.urandom(4096))
    elif how == "short coefficients, valid checksum":
        import hashlib

        payload = payload[:-8]
        path.write_bytes(hashlib.sha256(payload).hexdigest().encode() + b"\n" + payload)
    elif how == "not json, valid checksum":
        import hashlib

        payload = b"{not json\n" + payload.partition(b"\n")[2]
        path.write_bytes(hashlib.sha256(payload).hexdigest().encode() + b"\n" + payload)
    else:
        raise AssertionError(how)


@pytest.mark.parametrize(
    "how",
    [
        "flipped byte",
        "truncated",
        "empty",
        "garbage",
        "short coefficients, valid checksum",
        "not json, valid checksum",
    ],
)
def test_a_damaged_cache_is_ignored_and_rebuilt(tmp_path: Path, cache_dir: Path, how: str) -> None:
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(cache_dir / CACHE_NAME, data / CACHE_NAME)
    assert CachedRouter(DIALOGS, data).loaded
    damage(data / CACHE_NAME, how)
    assert read_cache(data / CACHE_NAME, cache_key(DIALOGS)) is None
    router = CachedRouter(DIALOGS, data)
    assert not router.loaded
    if how == "flipped byte":  # rebuilding is the same for all; training once is enough
        assert router.route("who pays the recruiter")[0] == "fees"  # type: ignore[index]
        assert CachedRouter(DIALOGS, data).loaded  # rewritten whole


class _Boom:
    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (Path.touch, (str(_Boom.marker),))

    marker = Path()


def test_a_pickle_in_place_of_the_cache_is_never_executed(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    _Boom.marker = tmp_path / "executed"
    (data / CACHE_NAME).write_bytes(pickle.dumps(_Boom()))
    router = CachedRouter(DIALOGS, data)
    assert not router.loaded
    router.load()
    assert not _Boom.marker.exists()
    assert CachedRouter(DIALOGS, data).loaded


def test_an_unwritable_data_folder_still_routes(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    router = CachedRouter(DIALOGS, blocker / "data")  # mkdir fails: logged, not raised
    assert router.route("who pays the recruiter")[0] == "fees"  # type: ignore[index]
    assert isinstance(router, TopicRouter)


def test_a_pipeline_the_arrays_cannot_replay_is_not_cached(trained: ClassifierRouter) -> None:
    assert export_model(object(), ["fees"]) is None
    model: Any = trained._model  # the fitted pipeline under test
    union = model.steps[0][1]
    union.transformer_weights = {"chars": 2.0, "words": 1.0}
    try:
        assert export_model(model, ["who pays the fee"]) is None
    finally:
        union.transformer_weights = None


def test_a_failed_save_leaves_no_partial_file(
    tmp_path: Path, cached: ArrayRouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    import bot.routing.cache as routing_cache

    def disk_full(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", disk_full)  # the module calls os.replace
    routing_cache.write_cache(tmp_path / CACHE_NAME, "key", cached.model, cached.titles)
    assert list(tmp_path.iterdir()) == []  # neither the cache nor a temporary file
