"""The ``recruiter-coach`` command line: one entry point, subcommands found by module name.

Each subcommand lives in a module that exposes two functions::

    configure(parser: argparse.ArgumentParser) -> None   # add the subcommand's options
    main(args: argparse.Namespace) -> int                # run it; returns the exit code

:data:`COMMANDS` lists the subcommands; the package that provides each one registers its module
as an entry point in the ``recruiter_coach.commands`` group (see ``pyproject.toml``). ``bot/``
never imports ``adapters`` (nor Slack or Discord code), not even by name: a subcommand's module is
loaded through its entry point only when that subcommand runs, so ``recruiter-coach console``
never loads the Slack SDK.

This is the only place that reads the environment: it loads ``.env`` from the current directory
(existing variables win), builds :class:`bot.config.Settings` and hands it to the subcommand as
``args.settings``. Errors meant for people, :class:`~bot.errors.ConfigError` (exit 2) and
:class:`~bot.errors.FlowError` / :class:`~bot.errors.FlowErrors` (exit 1), are printed without a
traceback.
"""

from __future__ import annotations

import argparse
import difflib
import importlib
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import Protocol, cast

from bot import startup
from bot.config import Settings
from bot.errors import CoachError, ConfigError, FlowError, FlowErrors

__all__ = ("COMMANDS", "EXIT_CONFIG", "EXIT_FLOWS", "build_parser", "main")

PROG = "recruiter-coach"
EXIT_FLOWS = 1
EXIT_CONFIG = 2
EXIT_USAGE = 2  # as argparse exits on a bad option

ENTRY_POINT_GROUP = "recruiter_coach.commands"
DISTRIBUTION = "recruiter-coach"
# subcommand -> one-line help; the module comes from the entry point of the same name.
COMMANDS: dict[str, str] = {
    "console": "chat with the coach in the terminal",
    "flows": "lint, draw and test the flows in a dialogs folder",
    "classify": "which topic a question is about, with the router's confidence",
    "discord": "run the Discord bot (DISCORD_BOT_TOKEN); --invite-url prints its invite link",
    "check": "check a recruiter for scam red flags (exit 0 when the check completes)",
    "stats": "per-step counts for flow authors: started, answered, retried, abandoned",
    "slack": "run the Slack app (Socket Mode with SLACK_APP_TOKEN, else HTTP on --port)",
}

# Third-party loggers stay at WARNING whatever LOG_LEVEL says: SQLAlchemy logs SQL statements
# with their parameters at INFO, and those parameters hold what users wrote.
_OWN_LOGGERS = ("bot", "adapters")
_LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class CommandModule(Protocol):
    """What a subcommand module provides."""

    def configure(self, parser: argparse.ArgumentParser) -> None: ...

    def main(self, args: argparse.Namespace) -> int: ...


class CommandUnavailableError(CoachError):
    """A subcommand's module is not installed (or not written yet)."""


class _VersionAction(argparse.Action):
    """``--version``, reading the installed version only when asked (it costs an import)."""

    def __init__(
        self,
        option_strings: Sequence[str],
        dest: str = argparse.SUPPRESS,
        default: str = argparse.SUPPRESS,
        help: str | None = None,
    ) -> None:
        super().__init__(option_strings, dest=dest, default=default, nargs=0, help=help)

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: object,
        option_string: str | None = None,
    ) -> None:
        print(f"{PROG} {_version()}")
        parser.exit()


def _version() -> str:
    from importlib import metadata

    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return "unknown (not installed; run pip install -e .)"


def load_command(name: str) -> CommandModule:
    """Import the module of subcommand ``name``.

    Raises:
        CommandUnavailableError: the module (or its package) does not exist.
    """
    module_name = command_modules().get(name)
    if module_name is None:
        raise CommandUnavailableError(
            f"the {name!r} command is not available: no installed package provides it "
            "(install the project with `python -m pip install -e .`)"
        )
    try:
        module: ModuleType = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        parts = module_name.split(".")
        if exc.name not in {".".join(parts[:i]) for i in range(1, len(parts) + 1)}:
            raise  # the module exists but one of *its* imports is missing: a real bug
        raise CommandUnavailableError(
            f"the {name!r} command is not available: its module {module_name} is not installed"
        ) from exc
    return cast(CommandModule, module)


def command_modules() -> dict[str, str]:
    """Subcommand -> module name, from the installed packages' entry points."""
    own = _own_command_modules()
    if all(name in own for name in COMMANDS):  # the usual case: no other package is asked
        return own
    from importlib.metadata import entry_points

    return {ep.name: ep.value for ep in entry_points(group=ENTRY_POINT_GROUP)}


def _own_command_modules() -> dict[str, str]:
    """The subcommands this distribution declares: reading one package's metadata is ~20x
    faster than scanning every installed package (a start-up cost every command pays).

    Its ``entry_points.txt`` is read directly, from the metadata folder importlib.metadata would
    find first on ``sys.path``: importing importlib.metadata (email, csv, zipfile...) costs more
    than the rest of the command line. It is asked only when no such folder is found.
    """
    text = _own_entry_points()
    if text is not None:
        return _entry_point_group(text, ENTRY_POINT_GROUP)
    from importlib.metadata import PackageNotFoundError, distribution

    try:
        points = distribution(DISTRIBUTION).entry_points.select(group=ENTRY_POINT_GROUP)
    except PackageNotFoundError:
        return {}
    return {ep.name: ep.value for ep in points}


def _own_entry_points() -> str | None:
    """The text of this distribution's ``entry_points.txt`` ("" when it has none); None when no
    ``recruiter_coach-*.dist-info`` or ``.egg-info`` folder is on ``sys.path``."""
    prefix = DISTRIBUTION.replace("-", "_")
    for entry in sys.path:
        try:
            names = sorted(os.listdir(entry or "."))
        except OSError:  # a zip file or a folder that is gone
            continue
        for name in names:
            lower = name.lower()
            if (
                lower.startswith(prefix)
                and lower[len(prefix) : len(prefix) + 1] in ("-", ".")
                and lower.endswith((".dist-info", ".egg-info"))
            ):
                try:
                    return Path(entry or ".", name, "entry_points.txt").read_text("utf-8")
                except OSError:
                    return ""
    return None


def _entry_point_group(text: str, group: str) -> dict[str, str]:
    """``name = value`` lines of one ``[group]`` of an ``entry_points.txt``."""
    found: dict[str, str] = {}
    inside = False
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("["):
            inside = line == f"[{group}]"
        elif inside and "=" in line and not line.startswith(("#", ";")):
            name, value = line.split("=", 1)
            found[name.strip()] = value.strip()
    return found


def build_parser(
    command: str | None = None,
) -> tuple[argparse.ArgumentParser, CommandModule | None]:
    """The parser; only ``command``'s module is imported to add its options."""
    parser = argparse.ArgumentParser(
        prog=PROG, description="A chat coach for the moment a recruiter calls you at work."
    )
    parser.add_argument("--version", action=_VersionAction, help="show the version and exit")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    chosen: CommandModule | None = None
    for name, summary in COMMANDS.items():
        sub = subparsers.add_parser(name, help=summary, description=summary)
        if name == command:
            chosen = load_command(name)
            chosen.configure(sub)
    return parser, chosen


def _command_in(argv: Sequence[str]) -> str | None:
    # The top-level options take no values, so the first word that is not an option is the
    # subcommand (or a typo, which argparse then reports).
    word = next((arg for arg in argv if not arg.startswith("-")), None)
    return word if word in COMMANDS else None


def load_settings() -> Settings:
    """``.env`` from the current directory (without overriding), then the environment."""
    dotenv = Path.cwd() / ".env"
    if dotenv.is_file():
        from dotenv import load_dotenv  # imported only when there is a file to read

        load_dotenv(dotenv, override=False)
    return Settings.from_env(os.environ)


def setup_logging(settings: Settings) -> None:
    """Log to stderr: our loggers at LOG_LEVEL, everything else at WARNING (see _OWN_LOGGERS)."""
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING, format=_LOG_FORMAT)
    for name in _OWN_LOGGERS:
        logging.getLogger(name).setLevel(settings.python_log_level)


def main(argv: list[str] | None = None) -> int:
    """Run ``recruiter-coach``; returns the exit code."""
    argv = sys.argv[1:] if argv is None else argv
    startup.begin()  # until open_coach() is done, or the command returns: see bot.startup
    try:
        return _main(argv)
    finally:
        startup.end()


def _main(argv: list[str]) -> int:
    try:
        parser, module = build_parser(_command_in(argv))
    except CommandUnavailableError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return EXIT_FLOWS
    try:
        args, extras = parser.parse_known_args(argv)
        if extras:
            return _unrecognized(parser, argv, extras)
        if module is None:
            parser.print_help()
            return 0
        return _run(module, args)
    except BrokenPipeError:
        return _reader_left()


def _reader_left() -> int:
    """The reader of our output left early (``recruiter-coach stats | head``): that is not an
    error. Point stdout at /dev/null so that flushing it at exit does not fail again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout is not a real file (a test's capture)
        pass
    finally:
        os.close(devnull)
    return 0


def _unrecognized(parser: argparse.ArgumentParser, argv: Sequence[str], extras: list[str]) -> int:
    """Words no parser took, in one line naming the (sub)command they were given to, a close
    option if there is one and its ``--help``: argparse would print the top-level usage line,
    which names none of the subcommand's options."""
    names, chosen = _subcommand_path(parser, argv)
    where = " ".join([PROG, *names])
    wrong = next((word for word in extras if word.startswith("-")), extras[0])
    options = [o for action in chosen._actions for o in action.option_strings]
    close = difflib.get_close_matches(wrong.split("=")[0], options, n=1, cutoff=0.75)
    hint = f"did you mean {close[0]}? " if close else ""
    what = "unknown option" if wrong.startswith("-") else "unexpected argument"
    print(f"{where}: error: {what} {wrong!r}; {hint}see {where} --help", file=sys.stderr)
    return EXIT_USAGE


def _subcommand_path(
    parser: argparse.ArgumentParser, argv: Sequence[str]
) -> tuple[list[str], argparse.ArgumentParser]:
    """The subcommand names in ``argv`` (``flows test`` is two) and the innermost parser."""
    names: list[str] = []
    for word in argv:
        choices = _subparsers(parser)
        if word in choices:
            names.append(word)
            parser = choices[word]
    return names, parser


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return cast(dict[str, argparse.ArgumentParser], action.choices)
    return {}


def _run(module: CommandModule, args: argparse.Namespace) -> int:
    try:
        args.settings = load_settings()
        setup_logging(args.settings)
        return module.main(args)
    except ConfigError as exc:
        print(f"{PROG}: configuration error: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except (FlowErrors, FlowError) as exc:
        print(f"{PROG}: the flows did not load.\n{exc}", file=sys.stderr)
        return EXIT_FLOWS


if __name__ == "__main__":
    raise SystemExit(main())
