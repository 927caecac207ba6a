"""``recruiter-coach flows studio [PATH] [--port 8700]``: the flow studio's web server.

``bot.cli.flows`` hands ``flows studio`` to this module through the ``studio`` entry point
(``bot/`` never imports adapters). The server listens on 127.0.0.1 only; the conversation runs
on an in-memory store, so nothing the author types is kept.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import errno
import sys
import time
import webbrowser
from pathlib import Path

__all__ = ("DEFAULT_PORT", "HOST", "configure", "main", "serve")

HOST = "127.0.0.1"
DEFAULT_PORT = 8700


def configure(parser: argparse.ArgumentParser) -> None:
    """The studio's options (``flows studio`` adds the same ones)."""
    parser.add_argument("path", nargs="?", type=Path, metavar="PATH", help="a dialogs folder")
    add_options(parser)


def add_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"port on {HOST} (default {DEFAULT_PORT})"
    )
    parser.add_argument("--open", action="store_true", help="open the page in your browser")


def main(args: argparse.Namespace) -> int:
    """Serve until Ctrl-C; exit 2 when the folder is missing or the port is taken."""
    started = time.perf_counter()
    root = _dialogs_root(args)
    if not ((root / "flows").is_dir() or (root / "templates").is_dir()):
        # a folder of templates only is one (it runs the shipped flows: bot.flow.contentdirs)
        print(f"{root}: not a dialogs folder (it needs a flows/ or a templates/ folder)")
        return 2
    try:
        asyncio.run(serve(root, args.port, started=started, open_page=args.open))
    except KeyboardInterrupt:
        print("studio stopped", file=sys.stderr)
    except OSError as exc:
        if exc.errno != errno.EADDRINUSE:
            raise
        print(
            f"port {args.port} is taken on {HOST}: stop what uses it or pick another, "
            f"e.g. --port {args.port + 1}"
        )
        return 2
    return 0


def _dialogs_root(args: argparse.Namespace) -> Path:
    from bot.config import DEFAULT_DIALOGS_DIR

    path: Path | None = args.path
    if path is None:
        settings = getattr(args, "settings", None)
        path = Path(settings.dialogs_dir) if settings is not None else Path(DEFAULT_DIALOGS_DIR)
    if path.is_file():  # a flow file: its dialogs folder
        return path.parent.parent
    if path.name == "flows" and not (path / "flows").is_dir():
        return path.parent
    return path


async def serve(root: Path, port: int, *, started: float, open_page: bool = False) -> None:
    from aiohttp import web

    from adapters.studio.server import build_app
    from adapters.studio.session import StudioSession

    session = StudioSession(root)
    runner = web.AppRunner(build_app(session), access_log=None)
    await runner.setup()
    try:
        await web.TCPSite(runner, HOST, port, reuse_address=False).start()
        url = f"http://{HOST}:{port}/"
        seconds = time.perf_counter() - started
        print(
            f"Flow studio for {root}: {url} (ready in {seconds:.2f} s; Ctrl-C stops it)",
            flush=True,
        )
        print(session.report.summary(), flush=True)
        if open_page:
            with contextlib.suppress(webbrowser.Error):
                webbrowser.open(url)
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()
