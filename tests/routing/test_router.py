"""The topic router: shipped topic files, accuracy on held-out questions, errors, determinism.

``eval_questions.yaml`` is the evaluation set: questions written for evaluation only, never used
for training. The accuracy test trains on ``dialogs/topics`` and measures top-1 and top-3 on it;
``bench/router_eval.py`` prints the same numbers with the confusions.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from bot.app import build_actions, load_content
from bot.dialog.catalog import TopicRouter
from bot.dialog.engine import Engine
from bot.dialog.route_policy import ROUTE_MARGIN, ROUTE_THRESHOLD, confident_topic
from bot.errors import FlowErrors
from bot.routing.router import (
    OTHER,
    TOPIC_IDS,
    ClassifierRouter,
    LazyRouter,
    load_router,
    load_topics,
    normalise,
    topic_titles,
    train_router,
)
from bot.routing.topics import MIN_EXAMPLES
from bot.store.memory import MemoryStore

ROOT = Path(__file__).resolve().parents[2]
DIALOGS = ROOT / "dialogs"
EVAL_FILE = Path(__file__).with_name("eval_questions.yaml")
# A second held-out set (issue 10): harder phrasings, never used for training or tuning.
UNSEEN_FILE = Path(__file__).with_name("unseen_questions.yaml")
HELD_OUT = {"eval": EVAL_FILE, "unseen": UNSEEN_FILE}
MIN_TOP1 = 0.90
MIN_TOP3 = 0.98
# The bar for questions the engine would open in the wrong flow without asking (route_policy).
MAX_CONFIDENTLY_WRONG = 0


def eval_questions(path: Path = EVAL_FILE) -> list[tuple[str, str]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]
    return [(topic, str(question)) for topic, questions in data.items() for question in questions]


def held_out_questions() -> list[tuple[str, str]]:
    return [pair for path in HELD_OUT.values() for pair in eval_questions(path)]


@pytest.fixture(scope="module")
def router() -> ClassifierRouter:
    return load_router(DIALOGS)


# -- the shipped content ----------------------------------------------------------------------


def test_every_fixed_topic_has_a_file_with_enough_examples_and_a_short_title() -> None:
    topics = load_topics(DIALOGS)
    assert [t.topic for t in topics] == list(TOPIC_IDS)
    for topic in topics:
        assert len(topic.examples) >= MIN_EXAMPLES, topic.topic
        assert 0 < len(topic.title) <= 40, topic.topic
        assert topic.description, topic.topic
    titles = topic_titles(DIALOGS)
    assert list(titles) == list(TOPIC_IDS)
    assert titles["legitimacy"] == "Is this recruiter real?"


@pytest.mark.parametrize(
    ("name", "minimum", "per_topic_minimum"), [("eval", 150, 5), ("unseen", 90, 3)]
)
def test_the_evaluation_set_covers_every_topic(
    name: str, minimum: int, per_topic_minimum: int
) -> None:
    questions = eval_questions(HELD_OUT[name])
    per_topic = {topic: sum(1 for t, _ in questions if t == topic) for topic in TOPIC_IDS}
    assert len(questions) >= minimum
    assert {t for t, _ in questions} == set(TOPIC_IDS)
    assert min(per_topic.values()) >= per_topic_minimum, per_topic


def test_no_evaluation_question_is_a_training_example_even_after_normalising() -> None:
    training = {normalise(e) for topic in load_topics(DIALOGS) for e in topic.examples}
    leaked = [q for _, q in held_out_questions() if normalise(q) in training]
    assert leaked == []


def test_no_evaluation_question_is_a_near_copy_of_a_training_example() -> None:
    # Stricter than equality: a training line differing by a word or a typo would also inflate
    # the score. Near = 80% of character trigrams shared (Jaccard), after normalising.
    training = [
        (example, _trigrams(normalise(example)))
        for topic in load_topics(DIALOGS)
        for example in topic.examples
    ]
    near = []
    for _, question in held_out_questions():
        grams = _trigrams(normalise(question))
        size = len(grams)
        near += [
            (question, example)
            for example, other in training
            # sizes far apart cannot reach 80% (a cheap filter before the set operations)
            if 0.8 * size <= len(other) <= size / 0.8 and _jaccard(grams, other) >= 0.8
        ]
    assert near == []


def _jaccard(a: set[str], b: set[str]) -> float:
    shared = len(a & b)
    return shared / (len(a) + len(b) - shared)


def _trigrams(text: str) -> set[str]:
    padded = f"  {text} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


# -- accuracy ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(HELD_OUT))
def test_top1_and_top3_accuracy_on_the_held_out_questions(
    router: ClassifierRouter, name: str
) -> None:
    questions = eval_questions(HELD_OUT[name])
    top1_misses, top3_misses = [], []
    for expected, question in questions:
        ranked = [topic for topic, _ in router.rank(question, k=3)]
        if ranked[0] != expected:
            top1_misses.append((expected, ranked[0], question))
        if expected not in ranked:
            top3_misses.append((expected, ranked, question))
    top1 = 1 - len(top1_misses) / len(questions)
    top3 = 1 - len(top3_misses) / len(questions)
    assert top1 >= MIN_TOP1, f"top-1 {top1:.1%}; misses: {top1_misses}"
    assert top3 >= MIN_TOP3, f"top-3 {top3:.1%}; misses: {top3_misses}"


@pytest.mark.parametrize("name", list(HELD_OUT))
def test_no_held_out_question_opens_the_wrong_flow_confidently(
    router: ClassifierRouter, name: str
) -> None:
    # Issue 10: about 2 in 100 unseen questions used to open the wrong conversation. Under the
    # engine's rule (route_policy: threshold and margin) a wrong top topic must get buttons.
    wrong = []
    opened = 0
    questions = eval_questions(HELD_OUT[name])
    for expected, question in questions:
        ranked = router.rank(question, k=2)
        topic = confident_topic(ranked, ROUTE_THRESHOLD, ROUTE_MARGIN)
        opened += topic is not None
        if topic is not None and topic != expected:
            wrong.append((expected, ranked, question))
    assert len(wrong) <= MAX_CONFIDENTLY_WRONG, wrong
    # ... while most questions still open straight away (the rest cost one tap).
    assert opened / len(questions) >= 0.7


@pytest.mark.parametrize(
    "text",
    [
        "they asked for my salry histroy, is that sketchy",
        "recruter wants my salery history, red flag?",
        "do i have to call them back at all",
    ],
)
def test_a_misspelled_two_topic_question_is_not_opened_in_the_wrong_flow(
    router: ClassifierRouter, text: str
) -> None:
    # The kind of miss: a strong word of another topic ("red flag", "call") used to win.
    topic = confident_topic(router.rank(text, k=2))
    assert topic in (None, "compensation", "ignore")


@pytest.mark.parametrize(
    "text",
    [
        "what's the weather in paris tomorrow",
        "tell me a joke about cats",
        "how do I fix a null pointer exception in java",
        "hello!",
        "what's 7 times 8",
    ],
)
def test_off_topic_text_routes_to_other(router: ClassifierRouter, text: str) -> None:
    routed = router.route(text)
    assert routed is not None
    assert routed[0] == OTHER


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("Recr called me @ work rn!!! wat do i say", "call_at_work"),
        ("IS THIS RECRUITER LEGIT", "legitimacy"),
        ("they want $$ for a 'starter kit' before i start", "scam"),
        ("sooo do i have to pay u guys anything", "fees"),
    ],
)
def test_chat_spelling_still_routes(router: ClassifierRouter, text: str, topic: str) -> None:
    routed = router.route(text)
    assert routed is not None
    assert routed[0] == topic


# -- the router's API -------------------------------------------------------------------------


def test_rank_returns_k_topics_most_likely_first_with_probabilities(
    router: ClassifierRouter,
) -> None:
    ranked = router.rank("who pays the recruiter's fee", k=3)
    assert len(ranked) == 3
    assert ranked[0][0] == "fees"
    probabilities = [p for _, p in ranked]
    assert probabilities == sorted(probabilities, reverse=True)
    everything = router.rank("who pays the recruiter's fee", k=len(TOPIC_IDS))
    assert {t for t, _ in everything} == set(TOPIC_IDS)
    assert sum(p for _, p in everything) == pytest.approx(1.0, abs=1e-4)
    assert router.route("who pays the recruiter's fee") == ranked[0]


@pytest.mark.parametrize("text", ["", "   ", "?!...", "\n"])
def test_text_without_words_is_not_routed(router: ClassifierRouter, text: str) -> None:
    assert router.route(text) is None
    assert router.rank(text) == []


def test_the_same_examples_give_the_same_answers(router: ClassifierRouter) -> None:
    again = load_router(DIALOGS)
    for _, question in eval_questions()[::7]:
        assert again.rank(question, k=5) == router.rank(question, k=5)
        assert again.route(question) == router.route(question)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Sooo   COOL", "soo cool"),
        ("u r right", "you are right"),
        ("can't talk rn", "cant talk right now"),
        ("the recr wants $$", "the recruiter wants money"),
        ("a Non-Compete, a counter offer", "a noncompete a counteroffer"),
        ("don\u2019t", "dont"),  # a typographic apostrophe
        ("w/o asking", "without asking"),
    ],
)
def test_normalise_gives_one_spelling(text: str, expected: str) -> None:
    assert normalise(text) == expected


def test_training_is_fast(router: ClassifierRouter) -> None:
    topics = load_topics(DIALOGS)  # the router fixture has imported scikit-learn already
    start = time.process_time()
    train_router(topics)
    # The target is < 0.3 s (docs/routing.md); CPU time, with a margin for a busy test machine.
    assert time.process_time() - start < 1.5


def test_importing_the_router_and_checking_the_files_does_not_load_scikit_learn() -> None:
    code = (
        "import sys; from pathlib import Path; import bot.routing.router as r; "
        "router = r.LazyRouter(Path(sys.argv[1])); "
        "print(sorted(m for m in ('sklearn', 'numpy', 'scipy') if m in sys.modules))"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-c", code, str(DIALOGS)],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_lazy_router_trains_on_first_use_only() -> None:
    lazy = LazyRouter(DIALOGS)
    assert isinstance(lazy, TopicRouter)
    assert lazy.titles["fees"] == "Does this cost me anything?"
    assert lazy.route("  ") is None
    assert not lazy.loaded  # blank text never pays for training
    routed = lazy.route("is this recruiter even real")
    assert routed is not None
    assert routed[0] == "legitimacy"
    assert lazy.loaded
    assert lazy.load() is lazy.load()
    assert lazy.rank("is this recruiter even real", k=2)[0][0] == "legitimacy"


def test_the_engine_routes_free_text_with_the_classifier() -> None:
    renderer, registry = load_content(DIALOGS, actions=build_actions())
    engine = Engine(
        registry=registry,
        renderer=renderer,
        store=MemoryStore(),
        actions=build_actions(),
        router=LazyRouter(DIALOGS),
    )
    legitimacy_flow = engine.flow_for_topic("legitimacy")
    assert legitimacy_flow is not None
    assert engine.flow_for_text("how can i tell if this recruiter is for real") == legitimacy_flow
    assert engine.flow_for_text("what's the weather like today") is None
    assert engine.route_threshold == ROUTE_THRESHOLD
    assert engine.route_margin == ROUTE_MARGIN


# -- mistakes in topic files ------------------------------------------------------------------


@pytest.fixture
def dialogs(tmp_path: Path) -> Path:
    """A copy of the shipped topic files, to break."""
    shutil.copytree(DIALOGS / "topics", tmp_path / "dialogs" / "topics")
    return tmp_path / "dialogs"


def problems_of(dialogs: Path) -> str:
    with pytest.raises(FlowErrors) as caught:
        load_topics(dialogs)
    return str(caught.value)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_an_unknown_key_is_refused_with_the_allowed_keys(dialogs: Path) -> None:
    fees = dialogs / "topics" / "fees.yaml"
    edit(fees, "description:", "descripton:")
    message = problems_of(dialogs)
    assert f"{fees}:7 [descripton]: error: unknown key 'descripton' in a topic file" in message
    assert "did you mean `description`?" in message
    assert "allowed keys: topic, title, description, examples" in message


def test_an_unknown_topic_id_is_refused_with_the_fixed_ids(dialogs: Path) -> None:
    fees = dialogs / "topics" / "fees.yaml"
    edit(fees, "topic: fees", "topic: salary")
    message = problems_of(dialogs)
    assert f"{fees}:5 [topic]: error: unknown topic id 'salary'" in message
    assert "use one of the fixed ids: call_at_work, callback," in message


def test_a_file_named_after_another_topic_is_refused(dialogs: Path) -> None:
    topics = dialogs / "topics"
    (topics / "fees.yaml").rename(topics / "fee.yaml")
    message = problems_of(dialogs)
    assert "the topic is 'fees' but the file is 'fee.yaml'" in message
    assert f"{topics / 'fees.yaml'}: error: no examples for this topic" in message


def test_too_few_examples_are_refused(dialogs: Path) -> None:
    path = dialogs / "topics" / "ignore.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    cut = lines.index("examples:") + 6
    path.write_text("\n".join(lines[:cut]) + "\n", encoding="utf-8")
    message = problems_of(dialogs)
    assert f"{path}:8 [examples]: error: 5 examples; the router needs 20 or more" in message


def test_the_same_example_in_two_topics_is_refused(dialogs: Path) -> None:
    path = dialogs / "topics" / "decline.yaml"
    with path.open("a", encoding="utf-8") as file:
        file.write("  - Do I have to PAY the recruiter??\n")
    message = problems_of(dialogs)
    assert "'Do I have to PAY the recruiter??' is already an example of 'fees'" in message
    assert str(path) in message


def test_bad_yaml_names_its_line(dialogs: Path) -> None:
    path = dialogs / "topics" / "scam.yaml"
    edit(path, "  - is this a job scam\n", "  - is this a job scam\n - broken: [\n")
    message = problems_of(dialogs)
    assert f"{path}:" in message
    assert "this is not valid YAML" in message


def test_an_example_that_is_not_text_is_refused(dialogs: Path) -> None:
    path = dialogs / "topics" / "fees.yaml"
    edit(path, "  - any fees for me\n", "  - {who: pays}\n  - 42\n")
    message = problems_of(dialogs)
    assert "example 24 is not a phrasing: {'who': 'pays'}" in message
    assert "example 25 is not a phrasing: 42" in message


def test_a_long_title_is_refused(dialogs: Path) -> None:
    path = dialogs / "topics" / "fees.yaml"
    edit(path, "title: Does this cost me anything?", "title: " + "Does this cost me anything " * 3)
    assert "it is a button label" in problems_of(dialogs)


def test_a_missing_title_is_refused(dialogs: Path) -> None:
    path = dialogs / "topics" / "fees.yaml"
    edit(path, "title: Does this cost me anything?\n", "")
    assert "[title]: error: `title:` is missing or empty" in problems_of(dialogs)


def test_a_dialogs_folder_without_topics_gets_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FlowErrors) as caught:
        load_topics(tmp_path)
    assert len(caught.value.problems) == 1
    assert "there is no topics folder" in str(caught.value)


def test_the_lazy_router_checks_the_files_when_created(dialogs: Path) -> None:
    edit(dialogs / "topics" / "fees.yaml", "topic: fees", "topic: money")
    with pytest.raises(FlowErrors):
        LazyRouter(dialogs)
