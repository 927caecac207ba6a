"""``recruiter-coach console``: chat with the coach in a terminal, or script it through a pipe.

One line of stdin is one message. On start the console asks the engine to ``repeat``, so a
conversation left running (even by a process that was killed) shows its current question again.
Reminders and question time-outs that fall due while the console runs are printed as they fire.

stdin is read by a daemon thread with ``os.read`` rather than by ``asyncio.to_thread`` or
``loop.connect_read_pipe``: ``asyncio.run`` waits for ``to_thread`` workers when it shuts down,
so Ctrl-C would hang until the user pressed Enter, and ``connect_read_pipe`` makes a terminal
non-blocking, which it shares with stdout (a large print could then fail). A blocked daemon
thread holds no Python lock and dies with the process.
"""

from __future__ import annotations

import argparse
import asyncio
import codecs
import contextlib
import dataclasses
import os
import shutil
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from adapters.console.convert import current_choices, to_conversation, to_incoming, to_user_info
from adapters.console.render import Renderer, build_renderer
from bot.boundary import Choice, Command, ConversationRef, Incoming, Reply, UserInfo
from bot.config import Settings, check_storage
from bot.errors import CoachError
from bot.render.markup import escape  # re-exported by bot.app; see adapters.console.render

if TYPE_CHECKING:
    from bot.app import Coach

__all__ = (
    "ConsoleDelivery",
    "ConsoleSession",
    "ForeignConversationError",
    "LineReader",
    "configure",
    "main",
)

START_HINT = "Type start to begin, help for commands."
_READ_SIZE = 65536


def configure(parser: argparse.ArgumentParser) -> None:
    """The console's options."""
    parser.add_argument(
        "--user",
        metavar="NAME",
        help="whose conversation this is (default: your login name); each name has its own",
    )
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        type=Path,
        help="where the SQLite database lives (default: COACH_DATA_DIR or your data folder)",
    )


def main(args: argparse.Namespace) -> int:
    """Run the console until stdin ends or the user presses Ctrl-C / Ctrl-D."""
    settings = with_data_dir(args.settings, args.data_dir)
    check_storage(settings)
    user = args.user or _login_name()
    try:
        asyncio.run(_chat(settings, user))
    except KeyboardInterrupt:  # Ctrl-C before the session could take over the signal
        print(file=sys.stderr)
    return 0


def with_data_dir(settings: Settings, data_dir: Path | None) -> Settings:
    """``--data-dir`` moves the default SQLite database; an explicit DATABASE_URL stays."""
    return settings if data_dir is None else settings.with_data_dir(data_dir)


def _login_name() -> str:
    import getpass

    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no USER variable and no passwd entry (some containers)
        return "me"


def _local_time_zone() -> str | None:
    """The zone the person set for this command (``TZ=Europe/Berlin``), else None.

    The machine's own zone is not the person's: a server, a container or a laptop left on
    another zone would put every callback at the wrong hour. Without ``TZ`` the coach asks once
    ("Which city's time are you on?") and remembers the answer.
    """
    name = os.environ.get("TZ", "").strip().removeprefix(":")
    if not name:
        return None
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):  # "EST5EDT,M3.2.0,M11.1.0" and other POSIX forms
        return None
    return name


async def _chat(settings: Settings, user: str) -> None:
    from bot.app import open_coach  # imported here so that `console --help` stays instant

    stdin_tty, stdout_tty = sys.stdin.isatty(), sys.stdout.isatty()
    interactive = stdin_tty and stdout_tty
    renderer = build_renderer(
        sys.stdout, styled=stdout_tty, echo=not interactive, interactive=interactive
    )
    session = ConsoleSession(
        renderer=renderer,
        conversation=to_conversation(user),
        user=to_user_info(user, _local_time_zone()),
        hints=interactive,
        files_dir=files_folder(Path(settings.data_dir), user),
    )
    coach = await open_coach(settings, delivery=ConsoleDelivery(session), platforms=("console",))
    reader = LineReader(sys.stdin.fileno())
    try:
        session.coach = coach
        reader.start()
        _on_interrupt(reader.interrupt)
        await session.resume()
        if interactive:  # train the topic router while the user reads the first prompt
            coach.warm_up_in_background()
        await session.converse(reader)
    finally:
        await coach.close()


def _on_interrupt(callback: Callable[[], None]) -> None:
    """Ctrl-C (and SIGTERM) end the session after the turn in hand, so no answer is cut off.

    The first signal hands the signals back to Python, so a second Ctrl-C still stops a
    shutdown that hangs.
    """
    loop = asyncio.get_running_loop()
    signals = (signal.SIGINT, signal.SIGTERM)

    def interrupted() -> None:
        for sig in signals:
            loop.remove_signal_handler(sig)
        callback()

    for sig in signals:
        with contextlib.suppress(NotImplementedError, RuntimeError):  # Windows, non-main thread
            loop.add_signal_handler(sig, interrupted)


def files_folder(data_dir: Path, user: str) -> Path:
    """Where the console saves one person's files (their export, calendar files): a folder of
    their own, which goes with everything else when they ``forget``."""
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in user).strip(".") or "_"
    return data_dir / "exports" / safe


_FILE_NOTE = "The full details are in this file (JSON)"
_CALENDAR_NOTES = {
    "publish": "The calendar file is here (open it to add the call)",
    "cancel": "The calendar file is here (open it to remove the call)",
}


def _file_note(media_type: str) -> str:
    """What the saved file is for, from its media type: a calendar file says by its ``method``
    parameter (RFC 5545 8.1) whether it adds the call or cancels it; without one, it adds."""
    kind, *parameters = (part.strip().lower() for part in media_type.split(";"))
    if kind != "text/calendar":
        return _FILE_NOTE
    methods = [p.partition("=")[2].strip('" ') for p in parameters if p.startswith("method=")]
    return _CALENDAR_NOTES.get(methods[0] if methods else "", _CALENDAR_NOTES["publish"])


def save_attachment(reply: Reply, folder: Path | None) -> Reply:
    """Save a reply's file (the export) in ``folder`` and add where to its text; without a
    folder, or when it cannot be written, the file's text is shown instead, so nothing is lost."""
    file = reply.attachment
    if file is None:
        return reply
    try:
        if folder is None:
            raise OSError("no folder for files")
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / Path(file.filename).name  # never outside the folder
        # private: the export holds the person's notes and contacts
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as out:
            out.write(file.content)
    except OSError:
        note = f"I couldn't save it as a file, so here it is:\n{escape(file.content)}"
    else:
        note = f"{_file_note(file.media_type)}: {escape(str(path))}"
    return dataclasses.replace(reply, text=f"{reply.text}\n\n{note}", attachment=None)


@dataclasses.dataclass(slots=True)
class ConsoleSession:
    """One person chatting in this terminal: sends their lines, shows the coach's replies."""

    renderer: Renderer
    conversation: ConversationRef
    user: UserInfo
    hints: bool = False
    coach: Coach | None = None
    choices: tuple[Choice, ...] = ()
    files_dir: Path | None = None  # where files that come with replies (the export) are saved

    def _coach(self) -> Coach:
        if self.coach is None:
            raise RuntimeError("the console session was used before the coach was opened")
        return self.coach

    async def send(self, incoming: Incoming) -> list[Reply]:
        replies = await self._coach().handle(incoming)  # never raises
        await self._drop_files_once_forgotten()
        replies = [save_attachment(r, self.files_dir) for r in replies]
        self.choices = current_choices(replies, self.choices)
        self.renderer.show(replies)
        return replies

    async def _drop_files_once_forgotten(self) -> None:
        """After ``forget``, the files saved for the person (their phone number is in them)."""
        folder = self.files_dir
        if folder is None or not folder.exists():
            return
        if not await self._coach().knows_person(self.conversation.user_key):
            shutil.rmtree(folder, ignore_errors=True)

    async def resume(self) -> None:
        """Show the question a conversation left running is waiting on, or how to begin."""
        replies = await self.send(
            Incoming(conversation=self.conversation, command=Command("repeat"), user=self.user)
        )
        # an idle `repeat` says how to begin itself; the hint is for content that does not
        if self.hints and not replies and not await self._running():
            self.renderer.hint(START_HINT)

    async def _running(self) -> bool:
        return await self._coach().is_running(self.conversation)

    async def converse(self, reader: LineReader) -> None:
        """One turn per line until the input ends."""
        while True:
            self.renderer.prompt()
            line = await reader.readline()
            if line is None:
                self.renderer.end()
                return
            incoming = to_incoming(
                line,
                conversation=self.conversation,
                user=self.user,
                choices=self.choices,
                knows_topic=self._coach().knows_topic,
            )
            self.renderer.echo(line.strip())
            if incoming is not None:
                await self.send(incoming)

    def delivered(self, conversation: ConversationRef, replies: Sequence[Reply]) -> None:
        """Print what the scheduler sends; another console user's reminder says whose it is."""
        mine = conversation.key == self.conversation.key
        note = None if mine else f"(for {conversation.user})"
        self.renderer.show(replies, note=note)
        if mine and any(reply.choices for reply in replies):
            self.choices = current_choices(replies)  # a time-out moved on to a new question


class ForeignConversationError(CoachError):
    """A due job belongs to another platform; raised so the scheduler hands it back."""


class ConsoleDelivery:
    """The console's :class:`bot.dialog.scheduler.Delivery`: prints reminders while the console
    runs.

    The scheduler claims every due job in the database. When the console shares a database with
    the Slack or Discord bot, their users' reminders must not end up in this terminal: raising
    makes the scheduler retry the job later, when a worker of the right platform can take it.
    """

    def __init__(self, session: ConsoleSession) -> None:
        self._session = session

    async def deliver(self, conversation: ConversationRef, replies: Sequence[Reply]) -> None:
        if conversation.platform != "console":
            raise ForeignConversationError(conversation.platform)
        self._session.delivered(conversation, replies)


class LineReader:
    """Lines from a file descriptor, read by a daemon thread (see the module docstring)."""

    def __init__(self, fd: int) -> None:
        self._fd = fd
        self._chunks: asyncio.Queue[bytes] = asyncio.Queue()
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._buffer = ""
        self._eof = False
        self._interrupted = False

    def start(self) -> None:
        loop = asyncio.get_running_loop()
        thread = threading.Thread(target=self._pump, args=(loop,), name="stdin", daemon=True)
        thread.start()

    def _pump(self, loop: asyncio.AbstractEventLoop) -> None:
        while True:
            try:
                chunk = os.read(self._fd, _READ_SIZE)
            except OSError:
                chunk = b""
            try:
                loop.call_soon_threadsafe(self._chunks.put_nowait, chunk)
            except RuntimeError:  # the loop has closed: nobody is reading any more
                return
            if not chunk:
                return

    def interrupt(self) -> None:
        """End reading now (Ctrl-C): :meth:`readline` returns ``None``."""
        self._interrupted = True
        self._chunks.put_nowait(b"")

    async def readline(self) -> str | None:
        """The next line without its line break; ``None`` at the end of input."""
        while not self._interrupted:
            line, newline, rest = self._buffer.partition("\n")
            if newline:
                self._buffer = rest
                return line.removesuffix("\r")
            if self._eof:
                self._buffer = ""
                return line or None  # a last line without a line break still counts
            chunk = await self._chunks.get()
            self._eof = not chunk
            self._buffer += self._decoder.decode(chunk, final=self._eof)
        return None
