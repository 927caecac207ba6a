"""The console adapter: pure converters, plain rendering, and the real CLI driven through a pipe.

End-to-end tests start ``python -m bot.cli.main console`` as a subprocess with its own data folder
and read its output line by line until the expected text appears (with a timeout), never
sleeping for a fixed time.
"""

from __future__ import annotations

import contextlib
import io
import os
import queue
import select
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from adapters.console.cli import (
    ConsoleDelivery,
    ConsoleSession,
    ForeignConversationError,
    save_attachment,
    with_data_dir,
)
from adapters.console.convert import current_choices, to_conversation, to_incoming, to_user_info
from adapters.console.render import PlainRenderer, format_reply, to_rich_text
from bot.boundary import Attachment, Card, Choice, ConversationRef, Reply
from bot.config import Settings, check_storage
from bot.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 60.0
PRIVACY = "a word on privacy"
CAN_TALK = "can you talk freely right now?"
WHEN = "When suits you?"
NUMBER_QUESTION = "Which number should they call?"
AT_WORK_SCRIPT = ["start", "at work", "whenever", "tomorrow 18:30", "+1 415 555 0100"]


def console_env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ)  # the autouse clean_env fixture removed COACH_* and friends
    env.update(PYTHONPATH=str(ROOT), COACH_DATA_DIR=str(data_dir), TZ="America/New_York")
    env.update(extra)
    return env


def run_console(
    data_dir: Path, lines: list[str], *args: str, **env: str
) -> subprocess.CompletedProcess[str]:
    """Run the console to the end of a scripted stdin."""
    return subprocess.run(
        [sys.executable, "-m", "bot.cli.main", "console", *args],
        input="".join(line + "\n" for line in lines),
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        env=console_env(data_dir, **env),
        cwd=data_dir.parent,
    )


class LiveConsole:
    """A console subprocess whose stdin stays open: send lines, wait for output."""

    def __init__(self, data_dir: Path, *args: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli.main", "console", *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,  # an error message shows up in the output read
            text=True,
            env=console_env(data_dir),
            cwd=data_dir.parent,
        )
        self.output: list[str] = []
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._reader = threading.Thread(target=self._pump, daemon=True)
        self._reader.start()

    def _pump(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._lines.put(line)
        self._lines.put(None)

    def send(self, *lines: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write("".join(line + "\n" for line in lines))
        self.process.stdin.flush()

    def expect(self, text: str) -> str:
        """Read output until a line contains ``text``; returns everything read so far."""
        while True:
            try:
                line = self._lines.get(timeout=TIMEOUT)
            except queue.Empty:
                pytest.fail(f"no {text!r} within {TIMEOUT} s; output:\n{''.join(self.output)}")
            if line is None:
                pytest.fail(f"the console ended before {text!r}; output:\n{''.join(self.output)}")
            self.output.append(line)
            if text in line:
                return "".join(self.output)

    def close(self) -> int:
        """End the input and wait for the console to exit; returns its exit code."""
        assert self.process.stdin is not None
        self.process.stdin.close()
        code = self.process.wait(timeout=TIMEOUT)
        self.release()
        return code

    def kill(self) -> None:
        """SIGKILL: the console gets no chance to clean up."""
        self.process.kill()
        self.process.wait(timeout=TIMEOUT)
        self.release()

    def release(self) -> None:
        self._reader.join(timeout=TIMEOUT)
        for pipe in (self.process.stdin, self.process.stdout):
            if pipe is not None and not pipe.closed:
                with contextlib.suppress(BrokenPipeError):  # input unsent before a kill
                    pipe.close()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def live_console(data_dir: Path) -> Iterator[Callable[..., LiveConsole]]:
    """Starts live consoles; any still running when the test ends is killed."""
    started: list[LiveConsole] = []

    def start(*args: str) -> LiveConsole:
        started.append(LiveConsole(data_dir, *args))
        return started[-1]

    yield start
    for console in started:
        if console.process.poll() is None:
            console.kill()
        else:
            console.release()


# -- convert.py ----------------------------------------------------------------------------------

CHOICES = (
    Choice(id="at_work", label="I'm at work, I can't talk", token="1.abc.at_work"),
    Choice(id="free", label="I can talk now", token="1.abc.free"),
)
ME = to_conversation("ana")
ANA = to_user_info("ana", "Europe/Berlin")


def test_to_incoming_sends_the_token_when_a_number_picks_a_choice() -> None:
    incoming = to_incoming(" 2 ", conversation=ME, user=ANA, choices=CHOICES)
    assert incoming is not None
    assert incoming.choice_token == "1.abc.free"
    assert incoming.text is None
    assert incoming.event_id is None  # the console never retries, so it needs no de-duplication


def test_to_incoming_sends_text_when_a_label_is_typed() -> None:
    incoming = to_incoming("I can talk now", conversation=ME, user=ANA, choices=CHOICES)
    assert incoming is not None
    assert (incoming.text, incoming.choice_token) == ("I can talk now", None)
    assert incoming.user.time_zone == "Europe/Berlin"
    assert incoming.conversation == ME


def test_to_incoming_sends_text_when_the_number_matches_no_choice() -> None:
    for line in ("3", "0", "2", "+1 415 555 0100"):
        choices = CHOICES if line != "2" else ()
        incoming = to_incoming(line, conversation=ME, user=ANA, choices=choices)
        assert incoming is not None
        assert (incoming.text, incoming.choice_token) == (line, None)


def test_to_incoming_sends_text_when_a_choice_is_labelled_with_the_number() -> None:
    scale = tuple(Choice(id=f"n{n}", label=str(n), token=f"t{n}") for n in range(11))
    incoming = to_incoming("3", conversation=ME, user=ANA, choices=scale)
    assert incoming is not None
    assert incoming.text == "3"  # the label "3", not the third choice (which is "2")


# "When suits you?" asked again with the offer a question typed instead earned: a number typed
# there is a time, so the offer has a keyword and no number.
SWITCH = Choice(
    "legitimacy", "Switch to: Is this recruiter real?", "topic:legitimacy", keyword="switch"
)


def test_a_choice_with_a_keyword_is_never_picked_by_a_number() -> None:
    for line, choices in (("1", (SWITCH,)), ("3", (*CHOICES, SWITCH)), ("switch", (SWITCH,))):
        incoming = to_incoming(line, conversation=ME, user=ANA, choices=choices)
        assert incoming is not None
        assert (incoming.text, incoming.choice_token) == (line, None)
    incoming = to_incoming("2", conversation=ME, user=ANA, choices=(SWITCH, *CHOICES))
    assert incoming is not None and incoming.choice_token == "1.abc.free"  # numbers skip it


def test_to_incoming_ignores_a_blank_line() -> None:
    assert to_incoming("   ", conversation=ME, user=ANA, choices=CHOICES) is None


def test_to_conversation_keeps_users_apart() -> None:
    assert to_conversation("ana").key != to_conversation("bo").key
    assert to_conversation("ana").platform == "console"


def test_current_choices_come_from_the_last_question_asked() -> None:
    asked = [Reply("Privacy first."), Reply("Can you talk?", choices=CHOICES)]
    assert current_choices(asked) == CHOICES
    assert current_choices([Reply("Which number?")], CHOICES) == ()
    assert current_choices([], CHOICES) == CHOICES


# -- render.py -----------------------------------------------------------------------------------


def test_format_reply_is_plain_text_with_numbered_choices() -> None:
    reply = Reply("**Hi** _there_, see [the guide](https://example.com/g).", choices=CHOICES)
    assert format_reply(reply) == (
        "Hi there, see the guide (https://example.com/g).\n"
        "  1) I'm at work, I can't talk\n"
        "  2) I can talk now"
    )


def test_format_reply_shows_a_keyword_instead_of_a_number() -> None:
    assert format_reply(Reply("When suits you?", choices=(SWITCH,))) == (
        "When suits you?\n  switch) Switch to: Is this recruiter real?"
    )
    assert format_reply(Reply("Can you talk?", choices=(*CHOICES, SWITCH))).splitlines()[1:] == [
        "  1) I'm at work, I can't talk",
        "  2) I can talk now",
        "  switch) Switch to: Is this recruiter real?",
    ]


def test_format_reply_shows_a_card_and_marks_a_channel_post() -> None:
    card = Card(title="Referral", fields=(("Role", "Backend **engineer**"),), text="Ask _Alex_.")
    text = format_reply(Reply("", card=card, destination="referral_channel"))
    assert text.splitlines() == [
        "[to be posted in the referral channel]",
        "== Referral ==",
        "  Role: Backend engineer",
        "Ask Alex.",
    ]


def test_plain_renderer_echoes_input_and_writes_no_escape_codes() -> None:
    out = io.StringIO()
    renderer = PlainRenderer(out, echo=True, interactive=False)
    renderer.show([Reply("- one\n- **two**")])
    renderer.echo("start")
    renderer.echo("")  # a blank line is not echoed
    renderer.prompt()  # not interactive: no prompt
    renderer.hint("Type start to begin.")
    assert out.getvalue() == "• one\n• two\n\n> start\nType start to begin.\n"
    assert "\x1b" not in out.getvalue()


def test_plain_renderer_reprints_the_prompt_after_a_reminder() -> None:
    out = io.StringIO()
    renderer = PlainRenderer(out, echo=False, interactive=True)
    renderer.prompt()
    renderer.show([Reply("**Reminder:** call at 18:30")], note="(for bo)")
    renderer.end()
    assert out.getvalue() == "> \n(for bo)\nReminder: call at 18:30\n> \n"


def test_to_rich_text_styles_markup_and_never_reads_rich_markup() -> None:
    text = to_rich_text("**bold** [bold]not markup[/bold] [docs](https://example.com)")
    assert text.plain == "bold [bold]not markup[/bold] docs (https://example.com)"
    styles = {text.plain[span.start : span.end]: str(span.style) for span in text.spans}
    assert "bold" in styles["bold"]
    assert "link https://example.com" in styles["docs"]


async def test_delivery_prints_reminders_and_says_whose_they_are() -> None:
    out = io.StringIO()
    session = ConsoleSession(
        renderer=PlainRenderer(out, echo=True, interactive=False), conversation=ME, user=ANA
    )
    delivery = ConsoleDelivery(session)
    await delivery.deliver(ME, [Reply("**Reminder:** your call is at 18:30.")])
    await delivery.deliver(to_conversation("bo"), [Reply("Reminder for Bo.")])
    await delivery.deliver(ME, [Reply("Still there?", choices=CHOICES)])
    assert out.getvalue() == (
        "Reminder: your call is at 18:30.\n(for bo)\nReminder for Bo.\n"
        "Still there?\n  1) I'm at work, I can't talk\n  2) I can talk now\n"
    )
    assert session.choices == CHOICES  # a time-out that asks a new question renumbers


async def test_delivery_hands_back_another_platforms_reminder() -> None:
    out = io.StringIO()
    session = ConsoleSession(
        renderer=PlainRenderer(out, echo=True, interactive=False), conversation=ME, user=ANA
    )
    slack_user = ConversationRef(platform="slack", channel="D1", user="U1", space="T1")
    with pytest.raises(ForeignConversationError):
        await ConsoleDelivery(session).deliver(slack_user, [Reply("Private reminder.")])
    assert out.getvalue() == ""


@pytest.mark.parametrize(
    ("media_type", "note"),
    [
        ("text/calendar; method=PUBLISH", "(open it to add the call)"),
        ("text/calendar", "(open it to add the call)"),  # a reply saved before the method
        ("text/calendar; method=CANCEL", "(open it to remove the call)"),
        ('Text/Calendar; charset=utf-8; METHOD="CANCEL"', "(open it to remove the call)"),
        ("application/json", "The full details are in this file (JSON)"),
    ],
)
def test_a_saved_file_says_what_opening_it_does(
    tmp_path: Path, media_type: str, note: str
) -> None:
    reply = Reply("Here.", attachment=Attachment("call.ics", "BEGIN:VCALENDAR", media_type))
    saved = save_attachment(reply, tmp_path)
    assert note in saved.text and saved.attachment is None
    assert (tmp_path / "call.ics").read_text(encoding="utf-8") == "BEGIN:VCALENDAR"


def test_check_storage_names_the_setting_to_fix(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    settings = with_data_dir(
        Settings(data_dir=tmp_path, database_url="memory://"), blocker / "data"
    )
    assert settings.database_url == "memory://"  # an explicit database stays
    check_storage(settings)  # memory:// needs no folder
    default = with_data_dir(
        Settings(data_dir=tmp_path, database_url=f"sqlite+aiosqlite:///{tmp_path / 'coach.db'}"),
        blocker / "data",
    )
    assert default.database_url.endswith(str(blocker / "data" / "coach.db"))
    with pytest.raises(ConfigError, match="set COACH_DATA_DIR"):
        check_storage(default)
    with pytest.raises(ConfigError, match="DATABASE_URL: unsupported database URL scheme"):
        check_storage(Settings(data_dir=tmp_path, database_url="mysql://db/coach"))


# -- the real console, through a pipe -------------------------------------------------------------


def test_console_walks_the_at_work_path_and_reads_back_time_and_number(data_dir: Path) -> None:
    result = run_console(data_dir, AT_WORK_SCRIPT)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "> tomorrow 18:30" in out  # piped: each line is echoed so the transcript reads well
    assert "I couldn't read that as a date and time" in out
    assert "+1 415-555-0100" in out
    assert "6:30 pm" in out.split("> +1 415 555 0100", 1)[1]
    assert "\x1b" not in out
    assert "Traceback" not in result.stderr


def test_console_keeps_the_cancellation_and_the_new_event_of_a_replaced_call(
    data_dir: Path,
) -> None:
    """A new time replacing a call: the old event's cancellation and the new event are saved
    as two files (they had one name, and the new one overwrote the cancellation), and the
    cancellation is not called a file "to add the call"."""
    script = [*AT_WORK_SCRIPT, "restart", "at work", "Thursday 12:30", "+1 415 555 0100"]
    result = run_console(data_dir, [*script, "2"])
    assert result.returncode == 0, result.stderr
    replaced = result.stdout.split("> 2\n", 1)[1]
    assert "The calendar file is here (open it to remove the call)" in replaced
    assert replaced.count("open it to add the call") == 1
    [folder] = (data_dir / "exports").iterdir()  # the person's own folder
    saved = sorted(p.name for p in folder.iterdir())  # the real clock's dates
    assert len(saved) == 3, saved
    [cancelled] = [name for name in saved if name.endswith("-cancelled.ics")]
    assert cancelled.removesuffix("-cancelled.ics") + ".ics" in saved  # the first call's
    assert "METHOD:CANCEL" in (folder / cancelled).read_text(encoding="utf-8")


def test_console_asks_form_fields_one_by_one(data_dir: Path) -> None:
    # The step after "at work" carries a Reply.form (time and number); the console ignores the
    # form and the engine asks each field as a plain question.
    out = run_console(data_dir, ["start", "at work", "tomorrow 18:30"]).stdout
    at_work, rest = out.split("> at work", 1)[1].split("> tomorrow 18:30", 1)
    assert WHEN in at_work
    assert NUMBER_QUESTION in rest


def test_console_shows_the_privacy_notice_on_the_first_run_only(data_dir: Path) -> None:
    first = run_console(data_dir, ["start"])
    second = run_console(data_dir, ["restart"])
    assert PRIVACY in first.stdout
    assert PRIVACY not in second.stdout
    assert CAN_TALK in second.stdout


def test_console_keeps_users_apart(data_dir: Path) -> None:
    alice = run_console(data_dir, ["start", "at work"], "--user", "alice")
    bob = run_console(data_dir, [], "--user", "bob")
    alice_again = run_console(data_dir, [], "--user", "alice")
    assert WHEN in alice.stdout
    assert WHEN not in bob.stdout
    assert PRIVACY in bob.stdout  # a new person sees the notice too
    assert WHEN in alice_again.stdout  # her question, shown again on start


def test_console_takes_a_number_for_a_choice(data_dir: Path) -> None:
    at_work = run_console(data_dir, ["start", "1"], "--user", "one")
    free = run_console(data_dir, ["start", "2"], "--user", "two")
    assert "  1) I'm at work, I can't talk" in at_work.stdout
    assert WHEN in at_work.stdout.split("> 1", 1)[1]
    assert WHEN not in free.stdout
    assert "How do you feel" in free.stdout.split("> 2", 1)[1]


def test_console_reads_a_last_line_without_a_line_break(data_dir: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "adapters.console"],
        input="start\n\n\nat work",  # blank lines are ignored
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        env=console_env(data_dir),
        cwd=data_dir.parent,
    )
    assert result.returncode == 0, result.stderr
    assert WHEN in result.stdout
    assert "> \n" not in result.stdout


def test_console_resumes_after_sigkill(
    data_dir: Path, live_console: Callable[..., LiveConsole]
) -> None:
    console = live_console()
    console.send("start", "at work", "tomorrow 18:30")
    console.expect(NUMBER_QUESTION)
    console.kill()

    result = run_console(data_dir, ["+1 415 555 0100"])
    assert result.returncode == 0, result.stderr
    before, after = result.stdout.split("> +1 415 555 0100", 1)
    assert NUMBER_QUESTION in before  # the same question, shown again on start
    assert "+1 415-555-0100" in after
    assert "6:30 pm" in after  # the answer given before the kill was kept


def test_console_prints_a_reminder_that_falls_due_while_it_runs(
    live_console: Callable[..., LiveConsole],
) -> None:
    console = live_console()
    # A call in five minutes gets its reminder at once (the usual lead is 15 minutes).
    console.send("start", "at work", "in 5 minutes", "+1 415 555 0100")
    console.expect("Reminder:")
    assert console.close() == 0
    assert "+1 415-555-0100" in "".join(console.output)


def test_console_reports_a_broken_flow_without_a_traceback(tmp_path: Path) -> None:
    dialogs = tmp_path / "dialogs"
    shutil.copytree(ROOT / "dialogs", dialogs)
    flow = dialogs / "flows" / "recruiter_called.yaml"
    lines = flow.read_text(encoding="utf-8").splitlines(keepends=True)
    broken = next(n for n, line in enumerate(lines, 1) if "next: callback_number" in line)
    lines[broken - 1] = lines[broken - 1].replace("callback_number", "callback_numbr")
    flow.write_text("".join(lines), encoding="utf-8")

    result = run_console(tmp_path / "data", ["start"], COACH_DIALOGS_DIR=str(dialogs))
    assert result.returncode == 1
    assert f"recruiter_called.yaml:{broken}" in result.stderr
    assert "callback_numbr" in result.stderr
    assert "fix: " in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_console_never_logs_what_the_user_typed(data_dir: Path) -> None:
    secret = "zebra-413-secret"
    result = run_console(data_dir, ["start", "at work", secret], LOG_LEVEL="DEBUG")
    assert result.returncode == 0, result.stderr
    assert secret in result.stdout  # echoed in the transcript...
    assert secret not in result.stderr  # ...but in no log line, SQLAlchemy's included


def test_console_loads_no_platform_sdk_and_no_rich_when_piped(data_dir: Path) -> None:
    result = run_console(data_dir, [], PYTHONPROFILEIMPORTTIME="1")
    assert result.returncode == 0, result.stderr
    imported = {
        line.rsplit("|", 1)[1].strip()
        for line in result.stderr.splitlines()
        if line.startswith("import time:")
    }
    assert "bot.app" in imported  # the profile did list the imports
    heavy = {"slack_sdk", "slack_bolt", "discord", "aiohttp", "rich", "adapters.slack"}
    assert not {name.split(".")[0] for name in imported} & heavy
    assert not imported & heavy


# -- the real console, on a terminal --------------------------------------------------------------


class TerminalConsole:
    """A console subprocess on a pseudo-terminal: styled output, a prompt, Ctrl-D."""

    def __init__(self, data_dir: Path) -> None:
        self.master, slave = os.openpty()
        env = console_env(data_dir, TERM="xterm-256color")
        env.pop("NO_COLOR", None)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli.main", "console"],
            stdin=slave,
            stdout=slave,
            stderr=subprocess.PIPE,
            env=env,
            cwd=data_dir.parent,
        )
        os.close(slave)
        self.output = b""
        self._seen = 0  # where the next expect() starts looking

    def expect(self, text: bytes) -> bytes:
        """Read the terminal until ``text`` appears after the last match; returns all output."""
        while (found := self.output.find(text, self._seen)) < 0:
            ready, _, _ = select.select([self.master], [], [], TIMEOUT)
            if not ready:
                pytest.fail(f"no {text!r} within {TIMEOUT} s; output: {self.output!r}")
            try:
                chunk = os.read(self.master, 4096)
            except OSError:  # EIO: the console exited and closed the terminal
                chunk = b""
            if not chunk:
                pytest.fail(f"the console ended before {text!r}; output: {self.output!r}")
            self.output += chunk
        self._seen = found + len(text)
        return self.output

    def type(self, keys: bytes) -> None:
        os.write(self.master, keys)

    def finish(self) -> tuple[int, bytes]:
        """Wait for the exit; returns the exit code and stderr."""
        assert self.process.stderr is not None
        code = self.process.wait(timeout=TIMEOUT)
        err = self.process.stderr.read()
        self.process.stderr.close()
        os.close(self.master)
        return code, err


@pytest.fixture
def terminal(data_dir: Path) -> Iterator[TerminalConsole]:
    console = TerminalConsole(data_dir)
    yield console
    if console.process.poll() is None:
        console.process.kill()
        console.finish()


PROMPT_ON_TERMINAL = b"> \x1b[0m"  # the prompt, styled, at the end of what was printed


def test_console_on_a_terminal_styles_output_and_ends_on_ctrl_d(terminal: TerminalConsole) -> None:
    start = terminal.expect(PROMPT_ON_TERMINAL)
    assert b"Nothing is running right now" in start  # nothing is running yet
    assert b"\x1b[" in start
    terminal.type(b"start\n")
    terminal.expect(b"2) I can talk now")
    terminal.expect(PROMPT_ON_TERMINAL)
    terminal.type(b"\x04")  # Ctrl-D at the prompt
    code, err = terminal.finish()
    assert code == 0
    assert b"Traceback" not in err


def test_console_on_a_terminal_ends_cleanly_on_ctrl_c(terminal: TerminalConsole) -> None:
    terminal.expect(PROMPT_ON_TERMINAL)
    terminal.process.send_signal(signal.SIGINT)  # what Ctrl-C sends to the foreground process
    code, err = terminal.finish()
    assert code == 0
    assert b"Traceback" not in err
    assert b"KeyboardInterrupt" not in err


def test_without_tz_the_console_asks_the_city_once_instead_of_taking_the_machines(
    data_dir: Path,
) -> None:
    lines = ["start", "at work", "New York", "tomorrow 18:30", "+1 415 555 0100"]
    first = run_console(data_dir, lines, TZ="")
    assert first.returncode == 0, first.stderr
    assert first.stdout.count("Which city's time are you on?") == 1
    # New York's way of saying it, without naming the user's own zone
    assert "6:30 pm" in first.stdout and "America/New_York" not in first.stdout
    again = ["restart", "at work", "tomorrow 9:00", "+1 415 555 0100", "1"]
    second = run_console(data_dir, again, TZ="")
    assert "Which city's time are you on?" not in second.stdout  # remembered
    assert "9 am" in second.stdout
