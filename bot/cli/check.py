"""The ``check`` subcommand: ``recruiter-coach check [--file REPORT] [--email ...] [--json]``.

Runs the legitimacy check on what you know about a recruiter and prints the result: readable
text by default, JSON with ``--json``. Details come from options, from a YAML or JSON file with
the same keys (``name``, ``company``, ``agency``, ``email``, ``website``, ``phone``,
``linkedin``, ``asked_for``, and the look-up answers ``domain_age_days``,
``linkedin_joined_months``, ``linkedin_verified``, ``on_careers_page``,
``callback_via_known_number``, ``similar_sites_found``, ``written_offer``), or both; an option
wins over the file. ``--text -`` (or ``--text FILE``) reads a recruiter's message and checks the
first address, link and number in it, and the whole text as what they asked for.

Exit codes: 0 whenever the check completed, whatever the risk (the risk is in the output, so a
script reads ``risk`` from ``--json``); 2 for a file that cannot be read or is malformed (the
message names the file and the problem), for bad options, and for a contact detail that cannot
be read (``--website "a\uff20b"``, a fullwidth at sign: one line saying what it should look
like).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import unicodedata
from collections.abc import Callable
from dataclasses import asdict, fields
from pathlib import Path
from typing import Any, NoReturn

from bot.boundary import clean_text
from bot.coaching.domains import email_host, parse_host
from bot.coaching.legitimacy import RecruiterReport, check_recruiter
from bot.coaching.legitimacy_text import report_markup
from bot.coaching.message_facts import MAX_TEXT, check_inputs
from bot.errors import CoachError
from bot.render.markup import to_plain

__all__ = ("EXIT_BAD_INPUT", "ReportFileError", "configure", "main", "read_report_file")

EXIT_BAD_INPUT = 2
# file key or option name -> RecruiterReport field
ALIASES = {"name": "recruiter_name", "linkedin": "linkedin_url", "asked-for": "asked_for"}
TEXT_FIELDS = frozenset(
    {"recruiter_name", "company", "agency", "email", "website", "phone", "linkedin_url"}
    | {"asked_for"}
)
# whole-number look-up answers -> the largest believable value. The web's first domains date
# from 1985 and LinkedIn from 2003: a bigger (or a negative) number is a typo, and a typo here
# would flip a rule (a domain "-5 days old" reads as brand new).
INT_LIMITS = {"domain_age_days": 50 * 366, "linkedin_joined_months": 40 * 12}
INT_FIELDS = frozenset(INT_LIMITS)
BOOL_FIELDS = frozenset(
    {
        "linkedin_verified",
        "on_careers_page",
        "callback_via_known_number",
        "similar_sites_found",
        "written_offer",
    }
)
_YES = frozenset({"yes", "y", "true", "1"})
_NO = frozenset({"no", "n", "false", "0"})


class ReportFileError(CoachError):
    """A report file that cannot be read or holds something we cannot use."""


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the options of ``check``."""
    parser.add_argument("--file", type=Path, metavar="REPORT", help="a .yaml or .json report")
    for option, meaning in (
        ("--name", "the recruiter's name"),
        ("--company", "the company they recruit for"),
        ("--agency", "their agency, if they work for one"),
        ("--email", "the address they wrote from"),
        ("--website", "the website they gave"),
        ("--phone", "the number they gave"),
        ("--linkedin", "their LinkedIn profile link"),
        ("--asked-for", "what they asked for, or their message (quote it)"),
    ):
        parser.add_argument(option, metavar="TEXT", help=meaning)
    parser.add_argument(
        "--domain-age-days",
        type=_count("domain_age_days"),
        metavar="N",
        help="look-up: domain age",
    )
    parser.add_argument(
        "--linkedin-joined-months",
        type=_count("linkedin_joined_months"),
        metavar="N",
        help="look-up: months since they joined LinkedIn",
    )
    for option in (
        "--linkedin-verified",
        "--on-careers-page",
        "--callback-via-known-number",
        "--similar-sites-found",
        "--written-offer",
    ):
        parser.add_argument(option, type=_yes_no, metavar="yes|no", help="look-up answer")
    parser.add_argument(
        "--text",
        metavar="FILE",
        help="a recruiter's message to check, from a file or - for stdin: its addresses, links, "
        "numbers and what it asks for are read from it (options still win)",
    )
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.error = _one_line_error  # type: ignore[method-assign]


def _one_line_error(message: str) -> NoReturn:
    """A bad option in one line (argparse would print the whole usage first), exit 2."""
    print(f"recruiter-coach check: error: {message} (see --help)", file=sys.stderr)
    raise SystemExit(EXIT_BAD_INPUT)


def main(args: argparse.Namespace) -> int:
    """Check and print; 0 when the check completed (see the module docstring)."""
    try:
        values = read_report_file(args.file) if args.file else {}
        if getattr(args, "text", None):
            values.update(check_inputs(_read_text(args.text)))
    except ReportFileError as exc:
        print(f"recruiter-coach check: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    values.update(_options(args))
    values = {k: clean_text(v) if isinstance(v, str) else v for k, v in values.items()}
    problem = unusable(values)
    if problem is not None:
        print(f"recruiter-coach check: error: {problem}", file=sys.stderr)
        return EXIT_BAD_INPUT
    result = check_recruiter(RecruiterReport(**values))
    if args.json:
        shown = json.dumps(asdict(result), indent=2, ensure_ascii=False)
    else:
        shown = to_plain(report_markup(result))
    try:
        print(shown)
        sys.stdout.flush()
    except BrokenPipeError:  # "check ... | head": the reader has what it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no error at exit
    return 0


# field -> (what the option is called, what a usable value looks like)
_CONTACTS = {
    "email": ("--email", "an e-mail address, like name@example.com"),
    "website": ("--website", "a web address, like https://example.com"),
    "linkedin_url": ("--linkedin", "a web address, like https://www.linkedin.com/in/name"),
    "phone": ("--phone", "a phone number, like +1 415 555 0100"),
}


def unusable(values: dict[str, Any]) -> str | None:
    """One line naming the first contact detail that cannot be read, or None.

    A website with no host in it, or an e-mail address with no domain, would make every rule
    about them silent: the user must hear that the check did not read what they gave.
    """
    for name, (option, looks_like) in _CONTACTS.items():
        value = values.get(name)
        if not isinstance(value, str) or not value.strip():
            continue
        if not _readable(name, unicodedata.normalize("NFKC", value)):
            return f"{option} {value!r} doesn't look like {looks_like}"
    return None


def _readable(name: str, value: str) -> bool:
    if name == "phone":
        return any(char.isdigit() for char in value)
    if name == "email":
        return "@" in value and email_host(value)[0] is not None
    return parse_host(value) is not None


def _read_text(source: str) -> str:
    """The message to check: stdin for ``-``, else the file (never logged or stored)."""
    if source == "-":
        return sys.stdin.read(MAX_TEXT * 4)
    try:
        with open(source, encoding="utf-8", errors="replace") as file:
            return file.read(MAX_TEXT * 4)
    except OSError as exc:
        raise ReportFileError(f"{source}: cannot read it ({exc})") from exc


def _options(args: argparse.Namespace) -> dict[str, Any]:
    names = {f.name for f in fields(RecruiterReport)}
    given = {ALIASES.get(k, k): v for k, v in vars(args).items() if v is not None}
    return {k: v for k, v in given.items() if k in names}


def _count(name: str) -> Callable[[str], int]:
    """An argparse type for a whole number from 0 to the field's limit (fullwidth digits too)."""

    def parse(text: str) -> int:
        try:
            value = int(unicodedata.normalize("NFKC", text).strip())
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, not {text!r}") from None
        problem = out_of_range(name, value)
        if problem is not None:
            raise argparse.ArgumentTypeError(problem)
        return value

    parse.__name__ = "whole number"  # argparse names the type in some messages
    return parse


def out_of_range(name: str, value: int) -> str | None:
    """Why ``value`` cannot be a look-up answer for ``name`` (negative, absurd), or None."""
    limit = INT_LIMITS[name]
    if 0 <= value <= limit:
        return None
    return f"expected a whole number from 0 to {limit}, not {value}"


def _yes_no(text: str) -> bool:
    value = _read_bool(text)
    if value is None:
        raise argparse.ArgumentTypeError(f"expected yes or no, not {text!r}")
    return value


def _read_bool(value: object) -> bool | None:
    if isinstance(value, bool):
        return value
    word = unicodedata.normalize("NFKC", str(value)).strip().lower()  # fullwidth "yes" too
    return True if word in _YES else False if word in _NO else None


# --- report files ------------------------------------------------------------------------------


def read_report_file(path: Path) -> dict[str, Any]:
    """The report fields in a YAML or JSON file.

    Raises:
        ReportFileError: naming the file and what is wrong with it.
    """
    data = _load(path)
    if not isinstance(data, dict):
        raise ReportFileError(f"{path}: expected a mapping of keys to values at the top level")
    return {_field(path, key): _value(path, key, value) for key, value in data.items()}


def _load(path: Path) -> object:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ReportFileError(f"{path}: cannot read it ({exc})") from exc
    suffix = path.suffix.lower()
    if suffix == ".json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise ReportFileError(f"{path}: line {exc.lineno}: not valid JSON: {exc.msg}") from exc
    if suffix in (".yaml", ".yml"):
        return _load_yaml(path, text)
    raise ReportFileError(f"{path}: unknown file type {suffix!r}; use .yaml, .yml or .json")


def _load_yaml(path: Path, text: str) -> object:
    # The flows' reader: its limits (size, nesting, aliases, no tags) keep a hostile report
    # from hanging or crashing the command.
    from bot.flow.yamlsource import YamlSyntaxError, load_located

    try:
        return load_located(text) or {}
    except YamlSyntaxError as exc:
        where = f"line {exc.line}: " if exc.line else ""
        problem = str(exc) if exc.fix else f"not valid YAML: {exc}"
        raise ReportFileError(f"{path}: {where}{problem}") from exc


def _field(path: Path, key: object) -> str:
    name = ALIASES.get(str(key), str(key))
    if name not in TEXT_FIELDS | INT_FIELDS | BOOL_FIELDS:
        known = ", ".join(sorted({"name", "linkedin", *TEXT_FIELDS, *INT_FIELDS, *BOOL_FIELDS}))
        raise ReportFileError(f"{path}: unknown key {key!r}; known keys: {known}")
    return name


def _value(path: Path, key: object, value: object) -> object:
    name = ALIASES.get(str(key), str(key))
    if value is None:
        return None
    if name in INT_FIELDS:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ReportFileError(f"{path}: {key!r} must be a whole number, not {value!r}")
        problem = out_of_range(name, value)
        if problem is not None:
            raise ReportFileError(f"{path}: {key!r}: {problem}")
        return value
    if name in BOOL_FIELDS:
        flag = _read_bool(value)
        if flag is None:
            raise ReportFileError(f"{path}: {key!r} must be yes or no, not {value!r}")
        return flag
    if isinstance(value, (dict, list)):
        raise ReportFileError(f"{path}: {key!r} must be text, not a {type(value).__name__}")
    return str(value)
