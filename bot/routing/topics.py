"""Topic files: the fixed topic ids, the example phrasings authors write, and text normalisation.

Flow authors list example phrasings per topic in ``dialogs/topics/<topic_id>.yaml``, one file per
fixed topic id (:data:`TOPIC_IDS`, listed in docs/routing.md)::

    topic: fees
    title: Does this cost me anything?
    description: who pays the recruiter, whether the candidate is ever charged
    examples:
      - do I have to pay the recruiter
      - who pays the agency's fee

:func:`load_topics` reads them strictly: an unknown key (the allowed ones are listed), a topic id
outside the fixed list, a missing file, fewer than :data:`MIN_EXAMPLES` examples or one phrasing
in two places is an error naming the file, the line and the fix. :func:`normalise` is the one
spelling both the duplicate check and the classifier (:mod:`bot.routing.router`) see.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bot.errors import FlowErrors, FlowProblem

if TYPE_CHECKING:
    from bot.flow.yamlsource import YMap

__all__ = (
    "MIN_EXAMPLES",
    "OTHER",
    "TOPIC_IDS",
    "TopicExamples",
    "check_topics",
    "load_topics",
    "normalise",
    "topic_titles",
)

# The fixed topic ids, in the order buttons and reports use (docs/routing.md lists them).
TOPIC_IDS: tuple[str, ...] = (
    "call_at_work",
    "callback",
    "legitimacy",
    "scam",
    "scam_aftermath",
    "fees",
    "first_call",
    "compensation",
    "recruiter_types",
    "representation",
    "decline",
    "referral",
    "relationship",
    "change_mind",
    "ignore",
    "privacy_work",
    "decide_interview",
    "process",
    "prep",
    "references",
    "counteroffer",
    "noncompete",
    "follow_up",
    "other",
)
OTHER = "other"
TOPIC_KEYS = ("topic", "title", "description", "examples")
MIN_EXAMPLES = 20  # fewer and the classifier barely learns a topic
MAX_TITLE = 40  # titles become buttons; Slack and Discord cut long labels


# -- normalisation ----------------------------------------------------------------------------

# Whole-word chat spellings -> the words the examples mostly use. Typos need no entry: the
# character n-grams absorb them. Contractions lose their apostrophe first ("don't" -> "dont").
_SLANG: dict[str, str] = {
    "u": "you",
    "ya": "you",
    "ur": "your",
    "r": "are",
    "rn": "right now",
    "atm": "at the moment",
    "recr": "recruiter",
    "recrs": "recruiters",
    "hh": "headhunter",
    "pls": "please",
    "plz": "please",
    "thx": "thanks",
    "ty": "thanks",
    "idk": "i dont know",
    "bc": "because",
    "cuz": "because",
    "coz": "because",
    "abt": "about",
    "b4": "before",
    "tmrw": "tomorrow",
    "tmr": "tomorrow",
    "2moro": "tomorrow",
    "2morrow": "tomorrow",
    "tonite": "tonight",
    "2nite": "tonight",
    "l8r": "later",
    "msg": "message",
    "ppl": "people",
    "mgr": "manager",
    "comp": "compensation",
    "gonna": "going to",
    "wanna": "want to",
    "w": "with",
}
# Spelled apart, together or hyphenated: one spelling, so that the word features agree.
_COMPOUNDS = (
    (re.compile(r"\bnon ?compete"), "noncompete"),
    (re.compile(r"\bcounter ?offer"), "counteroffer"),
    (re.compile(r"\bin ?house\b"), "inhouse"),
    (re.compile(r"\bhead ?hunter"), "headhunter"),
    (re.compile(r"\bfollow ?up"), "followup"),
)
_SHORTHAND = (("w/o", " without "), ("w/", " with "), ("b/c", " because "))
_APOSTROPHES = re.compile(r"['\u2018\u2019\u02bc`]")
_MONEY = re.compile(r"\$+")
_NOT_WORD = re.compile(r"[^\w]+")
_REPEATS = re.compile(r"([^\W\d])\1{2,}")  # three or more of one letter: "sooo" -> "soo"


def normalise(text: str) -> str:
    """Lower-case chat text in one canonical spelling: what the classifier sees.

    ``"Recr called me @ work rn... wat do I do???"`` -> ``"recruiter called me work right now
    what do i do"``.
    """
    text = unicodedata.normalize("NFKC", text).casefold().strip()
    text = _APOSTROPHES.sub("", text)
    for short, long in _SHORTHAND:
        text = text.replace(short, long)
    text = _MONEY.sub(" money ", text)
    text = _NOT_WORD.sub(" ", text).replace("_", " ")
    text = _REPEATS.sub(r"\1\1", text)
    text = " ".join(_SLANG.get(word, word) for word in text.split())
    for pattern, replacement in _COMPOUNDS:
        text = pattern.sub(replacement, text)
    return text


# -- topic files ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TopicExamples:
    """One topic file: the id, its button title, a description and the example phrasings."""

    topic: str
    title: str
    description: str
    examples: tuple[str, ...]
    path: str
    lines: tuple[int, ...]  # the line of each example, for error messages


def load_topics(dialogs_dir: Path) -> list[TopicExamples]:
    """Read and check ``dialogs_dir/topics/*.yaml``, in the order of :data:`TOPIC_IDS`.

    Raises:
        FlowErrors: every problem found, each with its file, line and fix.
    """
    topics, problems = check_topics(dialogs_dir)
    if problems:
        raise FlowErrors(problems)
    return topics


def check_topics(dialogs_dir: Path) -> tuple[list[TopicExamples], list[FlowProblem]]:
    """The topic files that loaded, and the problems found in all of them."""
    folder = dialogs_dir / "topics"
    if not folder.is_dir():
        fix = f"create it with one file per topic id: {', '.join(TOPIC_IDS)}"
        return [], [FlowProblem(str(folder), 0, "", "there is no topics folder", fix)]
    problems: list[FlowProblem] = []
    found: dict[str, TopicExamples] = {}
    for path in sorted(folder.glob("*.yaml")):
        topic = _TopicFile(path, problems).load()
        if topic is not None:
            found[topic.topic] = topic
    topics = [found[topic] for topic in TOPIC_IDS if topic in found]
    problems.extend(_missing_topics(folder, found))
    problems.extend(_duplicate_examples(topics))
    return topics, problems


def topic_titles(dialogs_dir: Path) -> dict[str, str]:
    """Topic id -> its short title (a button label), in the order of :data:`TOPIC_IDS`.

    Raises:
        FlowErrors: a topic file has a mistake.
    """
    return {topic.topic: topic.title for topic in load_topics(dialogs_dir)}


@dataclass(slots=True)
class _TopicFile:
    """Reads one topic file, adding what is wrong with it to ``problems``."""

    path: Path
    problems: list[FlowProblem]

    def problem(self, line: int, key: str, message: str, fix: str) -> None:
        self.problems.append(FlowProblem(str(self.path), line, key, message, fix))

    def load(self) -> TopicExamples | None:
        before = len(self.problems)
        data = self._read()
        if data is None:
            return None
        # Imported here: bot.flow.context pulls in the flow model, which `classify` never needs.
        from bot.flow.context import unknown_keys

        self.problems.extend(unknown_keys(data, TOPIC_KEYS, str(self.path), "a topic file"))
        topic = self._topic_id(data)
        title = self._text(data, "title")
        description = self._text(data, "description")
        examples, lines = self._examples(data)
        if topic is None or len(self.problems) > before:
            return None
        return TopicExamples(topic, title, description, examples, str(self.path), lines)

    def _read(self) -> YMap | None:
        # YAML is imported when a file is checked, which a current router cache skips
        # (bot.routing.cached): a start that only routes never needs it.
        from bot.flow.yamlsource import YamlSyntaxError, YMap, load_located

        try:
            data = load_located(self.path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            self.problem(0, "", f"cannot read the file: {exc}", "save it as UTF-8 text")
            return None
        except YamlSyntaxError as exc:
            self.problem(
                exc.line,
                "",
                str(exc) if exc.fix else f"this is not valid YAML: {exc}",
                exc.fix
                or "check the indentation and quoting here (an example holding ': ' needs quotes)",
            )
            return None
        if not isinstance(data, YMap):
            fix = "write the keys `topic:`, `title:`, `description:` and `examples:`"
            self.problem(1, "", "a topic file must be a mapping", fix)
            return None
        return data

    def _topic_id(self, data: YMap) -> str | None:
        topic, line = data.get("topic"), data.line_of("topic")
        if topic not in TOPIC_IDS:
            message = f"unknown topic id {topic!r}" if topic else "the file names no topic"
            fix = f"use one of the fixed ids: {', '.join(TOPIC_IDS)}"
            self.problem(line, "topic", message, fix)
            return None
        if self.path.stem != topic:
            message = f"the topic is {topic!r} but the file is {self.path.name!r}"
            fix = f"rename the file to {topic}.yaml or write `topic: {self.path.stem}`"
            self.problem(line, "topic", message, fix)
            return None
        return str(topic)

    def _text(self, data: YMap, key: str) -> str:
        value, line = data.get(key), data.line_of(key)
        if not isinstance(value, str) or not value.strip():
            self.problem(line, key, f"`{key}:` is missing or empty", _TEXT_FIX[key])
            return ""
        if key == "title" and len(value.strip()) > MAX_TITLE:
            message = f"the title has {len(value.strip())} characters; it is a button label"
            self.problem(line, key, message, f"shorten it to {MAX_TITLE} characters or fewer")
        return value.strip()

    def _examples(self, data: YMap) -> tuple[tuple[str, ...], tuple[int, ...]]:
        from bot.flow.yamlsource import YList

        items, line = data.get("examples"), data.line_of("examples")
        if not isinstance(items, YList):
            fix = "add `examples:` with one phrasing per line, each line starting with `- `"
            self.problem(line, "examples", "`examples:` is missing or not a list", fix)
            return (), ()
        examples: list[str] = []
        lines: list[int] = []
        for index, item in enumerate(items):
            if isinstance(item, str) and normalise(item):
                examples.append(item.strip())
                lines.append(items.line_of(index))
                continue
            message = f"example {index + 1} is not a phrasing: {item!r}"
            fix = "write a question or a sentence as plain text (quote it if it holds ': ')"
            self.problem(items.line_of(index), "examples", message, fix)
        if len(examples) < MIN_EXAMPLES:
            message = (
                f"{len(examples)} examples; the router needs {MIN_EXAMPLES} or more per topic"
            )
            fix = "add varied phrasings: questions, statements, short ones, typos, chat style"
            self.problem(line, "examples", message, fix)
        return tuple(examples), tuple(lines)


_TEXT_FIX = {
    "title": "add a short button label, e.g. `title: Is this recruiter real?`",
    "description": "add one line saying which questions belong to this topic",
}


def _missing_topics(folder: Path, found: dict[str, TopicExamples]) -> list[FlowProblem]:
    return [
        FlowProblem(
            str(folder / f"{topic}.yaml"),
            0,
            "",
            "no examples for this topic (the file is missing or did not load)",
            "create it with `topic:`, `title:`, `description:` and `examples:`",
        )
        for topic in TOPIC_IDS
        if topic not in found
    ]


def _duplicate_examples(topics: Iterable[TopicExamples]) -> list[FlowProblem]:
    # The same phrasing under two topics teaches the model a contradiction; twice in one topic
    # it silently counts double. Both are mistakes an author wants to hear about.
    seen: dict[str, str] = {}
    problems = []
    for topic in topics:
        for example, line in zip(topic.examples, topic.lines, strict=True):
            key = normalise(example)
            if key in seen:
                message = f"the example {example!r} is already an example of {seen[key]!r}"
                fix = "keep each phrasing once, in one topic only"
                problems.append(FlowProblem(topic.path, line, "examples", message, fix))
            seen.setdefault(key, topic.topic)
    return problems
