"""The ``flows`` subcommand: ``recruiter-coach flows lint|graph|test|studio [PATH]``.

``bot.cli.main`` imports this module only when ``flows`` is used, calls :func:`configure` on the
subcommand's parser and :func:`main` with the parsed arguments. PATH is a dialogs folder (with
``flows/`` and ``templates/``) or one flow file in it; without PATH, ``COACH_DIALOGS_DIR`` or the
shipped ``dialogs/`` (``bot.cli.main`` passes its settings as ``args.settings``; run on its own,
this
module reads COACH_DIALOGS_DIR itself, the one place in :mod:`bot.flowtools` that does).

``flows studio`` is a web page that renders Slack and Discord messages, so it lives in
``adapters.studio``; it is loaded through its ``studio`` entry point, as ``bot.cli.main`` loads
every subcommand, and ``bot/`` never imports it.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
from pathlib import Path

from bot.config import DEFAULT_DIALOGS_DIR
from bot.flow.model import Flow
from bot.flowtools.casefile import load_cases
from bot.flowtools.graph import GRAPHVIZ_HELP, dot, find_dot, mermaid, readme, render_dot
from bot.flowtools.lint import Dialogs, lint, load_dialogs
from bot.flowtools.transcript import Coverage, run_cases

__all__ = ("configure", "main")

IMAGE_FORMATS = ("svg", "png")


def configure(parser: argparse.ArgumentParser) -> None:
    """Add ``lint``, ``graph`` and ``test`` under the ``flows`` parser."""
    commands = parser.add_subparsers(
        dest="flows_command", metavar="{lint,graph,test,studio}", required=True
    )
    lint_parser = commands.add_parser("lint", help="check the flows: errors and warnings")
    _add_path(lint_parser)
    lint_parser.add_argument(
        "--actions",
        action="store_true",
        help="also list the actions flows may call, with their inputs",
    )
    graph_parser = commands.add_parser("graph", help="draw the flows (Mermaid, SVG, PNG)")
    _add_path(graph_parser)
    graph_parser.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        help="write <flow>.mmd files and a README.md here, not to stdout",
    )
    graph_parser.add_argument(
        "--format",
        action="append",
        choices=IMAGE_FORMATS,
        default=[],
        help="also draw with Graphviz (repeat for both); needs `dot`",
    )
    test_parser = commands.add_parser("test", help="run the transcript tests in <PATH>/tests")
    _add_path(test_parser)
    test_parser.add_argument(
        "--min-coverage",
        type=float,
        default=0.0,
        metavar="N",
        help="fail when a flow has less than N%% of its steps covered",
    )
    _add_studio(commands)


def _add_studio(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    studio_parser = commands.add_parser(
        "studio", help="a local web page to talk to, see and test the flows as you write them"
    )
    _add_path(studio_parser)
    studio_parser.add_argument(
        "--port", type=int, default=8700, help="port on 127.0.0.1 (default 8700)"
    )
    studio_parser.add_argument("--open", action="store_true", help="open the page in a browser")


def _add_path(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "path",
        nargs="?",
        type=Path,
        metavar="PATH",
        help="a dialogs folder or one flow file (default: COACH_DIALOGS_DIR "
        "or the shipped dialogs)",
    )


def main(args: argparse.Namespace) -> int:
    """Run the chosen tool; the exit code is 1 on errors or failures, 0 otherwise."""
    if args.flows_command == "studio":
        return _studio(args)
    path: Path = args.path or _default_dialogs(args)
    if not path.exists():
        print(f"{path}: no such file or folder (give a dialogs folder or a flow file)")
        return 2
    root, only = _resolve(_shorter(path))
    dialogs = load_dialogs(root)
    if args.flows_command == "lint":
        return _lint(dialogs, only, args)
    if args.flows_command == "graph":
        return _graph(dialogs, only, args)
    return _test(dialogs, only, args)


def _studio(args: argparse.Namespace) -> int:
    """Hand over to the studio's module (an adapter), found through its entry point."""
    from bot.cli.main import CommandUnavailableError, load_command

    args.path = args.path or _default_dialogs(args)
    try:
        studio = load_command("studio")
    except CommandUnavailableError as exc:
        print(exc)
        return 2
    return studio.main(args)


def _default_dialogs(args: argparse.Namespace) -> Path:
    """The caller's settings (``bot.cli.main`` passes them), else COACH_DIALOGS_DIR, else
    shipped."""
    settings = getattr(args, "settings", None)
    if settings is not None:
        return Path(settings.dialogs_dir)
    return Path(os.environ.get("COACH_DIALOGS_DIR") or DEFAULT_DIALOGS_DIR)


def _resolve(path: Path) -> tuple[Path, Path | None]:
    """(dialogs folder, the one flow file or None); the ``flows/`` folder itself works too."""
    if path.is_file():
        return path.parent.parent, path
    if path.name == "flows" and not (path / "flows").is_dir():
        return path.parent, None
    return path, None


def _lint(dialogs: Dialogs, only: Path | None, args: argparse.Namespace) -> int:
    report = lint(dialogs, only)
    for problem in report.problems:
        print(problem)
    if args.actions:
        print("actions flows may call:")
        for spec in dialogs.actions.specs():
            optional = [f"[{name}]" for name in spec.optional_inputs]
            inputs = ", ".join([*spec.inputs, *optional])
            outputs = ", ".join(spec.outputs) or "nothing"
            print(f"  {spec.name}({inputs}) -> {outputs}: {spec.description}")
    print(report.summary())
    return 1 if report.errors else 0


def _shorter(path: Path) -> Path:
    """``path`` relative to the current folder when inside it: shorter lines, clickable."""
    if path.is_absolute() and path.is_relative_to(Path.cwd()):
        return path.relative_to(Path.cwd())
    return path


def _selected(dialogs: Dialogs, only: Path | None) -> list[Flow]:
    flows = list(dialogs.registry.flows.values())
    if only is None:
        return flows
    return [f for f in flows if Path(f.where.path).resolve() == only.resolve()]


def _load_errors(dialogs: Dialogs, only: Path | None) -> bool:
    """Print the load errors (of the one file, with ``only``); True when there were any."""
    report = lint(dialogs, only)
    for problem in report.errors:
        print(problem)
    if report.errors:
        print(f"{len(report.errors)} error(s): fix them first (`recruiter-coach flows lint`)")
    return bool(report.errors)


def _graph(dialogs: Dialogs, only: Path | None, args: argparse.Namespace) -> int:
    if _load_errors(dialogs, only):
        return 1
    flows = _selected(dialogs, only)
    if args.out is None:
        print("\n".join(mermaid(flow) for flow in flows), end="")
    else:
        args.out.mkdir(parents=True, exist_ok=True)
        for flow in flows:
            _write(args.out / f"{flow.id}.mmd", mermaid(flow))
    images = _images(flows, args.format, args.out or Path.cwd()) if args.format else {}
    if args.out is not None:
        _write(args.out / "README.md", readme(flows, images, _graph_command(args)))
    return 0


def _graph_command(args: argparse.Namespace) -> str:
    """The command line that made a diagram folder, for its README."""
    words = ["recruiter-coach flows graph", *([str(args.path)] if args.path else [])]
    words += ["--out", str(args.out), *(f"--format {f}" for f in dict.fromkeys(args.format))]
    return " ".join(words)


def _images(flows: list[Flow], formats: list[str], out: Path) -> dict[str, list[str]]:
    """Draw every flow in every format with Graphviz; flow id -> the file names written."""
    program = find_dot()
    if program is None:
        print(GRAPHVIZ_HELP.format(format=" or ".join(dict.fromkeys(formats)).upper()))
        return {}
    out.mkdir(parents=True, exist_ok=True)
    written: dict[str, list[str]] = {}
    for flow in flows:
        for image_format in dict.fromkeys(formats):
            target = out / f"{flow.id}.{image_format}"
            try:
                render_dot(dot(flow), image_format, target, program)
            except (OSError, subprocess.SubprocessError) as exc:
                print(f"{target}: Graphviz failed ({exc}); the Mermaid text is still written")
                continue
            print(f"wrote {target}")
            written.setdefault(flow.id, []).append(target.name)
    return written


def _write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
    print(f"wrote {path}")


def _test(dialogs: Dialogs, only: Path | None, args: argparse.Namespace) -> int:
    if _load_errors(dialogs, only):
        return 1
    cases, problems = load_cases(dialogs.root / "tests")
    for problem in problems:
        print(problem)
    coverage = Coverage()
    results = asyncio.run(run_cases(dialogs, cases, coverage))
    failed = [r for r in results if not r.passed]
    for result in failed:
        print(result.failure)
    print(
        f"{len(results) - len(failed)} passed, {len(failed)} failed"
        f" ({len(results)} case{'s' * (len(results) != 1)} in {dialogs.root / 'tests'})"
    )
    below = []
    for flow in _selected(dialogs, only):
        print(coverage.line(flow))
        if coverage.percent(flow) < args.min_coverage:
            below.append(flow.id)
    if below:
        print(f"below the minimum coverage of {args.min_coverage:g}%: {', '.join(below)}")
    return 1 if failed or problems or below else 0
