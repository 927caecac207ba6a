"""The ``classify`` subcommand: ``recruiter-coach classify [--top N] [--json] TEXT``.

Prints the topic the router picks for TEXT and its confidence (``legitimacy 0.87``), or the top N,
one per line. Authors use it to see how a phrasing routes before adding it to a topic file. The
examples come from ``args.settings.dialogs_dir`` (``bot.cli.main`` passes its settings); the
trained router is kept in ``args.settings.data_dir`` (:mod:`bot.routing.cache`), so only the first
run after a change of the topic files trains it.

Exit codes: 0 routed, 1 the topic files have mistakes (listed), 2 no text to classify.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from bot.errors import FlowErrors
from bot.routing.cache import ArrayRouter, open_cached, train_and_save
from bot.routing.topics import load_topics

if TYPE_CHECKING:
    from bot.routing.router import ClassifierRouter

__all__ = ("configure", "main")

EXIT_TOPICS = 1
EXIT_USAGE = 2


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the text and the ``--top`` and ``--json`` options."""
    parser.add_argument(
        "text", nargs="*", metavar="TEXT", help="the question to classify (quotes optional)"
    )
    parser.add_argument(
        "--top", type=_positive, default=1, metavar="N", help="print the N likeliest topics"
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {number}")
    return number


def _router(dialogs_dir: Path, data_dir: Path) -> ArrayRouter | ClassifierRouter:
    """The saved router when the topics did not change; otherwise check, train and save it."""
    key, ready = open_cached(dialogs_dir, data_dir)
    return ready or train_and_save(load_topics(dialogs_dir), data_dir, key)


def main(args: argparse.Namespace) -> int:
    """Classify ``args.text``; see the module docstring for the exit codes."""
    text = " ".join(args.text).strip()
    if not text:
        print(
            'recruiter-coach classify: error: no text to classify; try: classify "is this real?"',
            file=sys.stderr,
        )
        return EXIT_USAGE
    try:
        router = _router(args.settings.dialogs_dir, args.settings.data_dir)
    except FlowErrors as exc:
        print(f"recruiter-coach classify: the topic files did not load.\n{exc}", file=sys.stderr)
        return EXIT_TOPICS
    ranked = router.rank(text, k=args.top)
    if not ranked:  # only punctuation or symbols: nothing the router can read
        print(
            f"recruiter-coach classify: error: no words to classify in {text!r}", file=sys.stderr
        )
        return EXIT_USAGE
    if args.json:
        topics = [
            {"topic": topic, "confidence": round(p, 4), "title": router.titles.get(topic, "")}
            for topic, p in ranked
        ]
        print(json.dumps({"topic": ranked[0][0], "topics": topics}, ensure_ascii=False))
    else:
        for topic, p in ranked:
            print(f"{topic} {p:.2f}")
    return 0
