"""Terminal output: plain text when piped, rich styles on a terminal.

:func:`format_reply` turns a :class:`~bot.boundary.Reply` into plain text (markup removed by
:func:`bot.render.markup.to_plain`, choices numbered), so a piped transcript has no ANSI codes.
:class:`RichRenderer` walks the :func:`bot.render.markup.parse` tree into ``rich`` text instead;
``rich``
is imported only when it is built, which happens only on a terminal.

``Reply.form`` is ignored on purpose: the engine also asks a form's fields one by one as normal
questions, and the reply's text is always the first of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol, TextIO

from bot.boundary import Card, Choice, Reply

# bot.app re-exports these (the public API); imported where they live so that `console --help`
# does not load the engine.
from bot.render.markup import Bold, Italic, LineBreak, Link, ListItem, Node, Text, parse, to_plain

if TYPE_CHECKING:
    import rich.console
    import rich.style
    import rich.text

__all__ = (
    "PROMPT",
    "PlainRenderer",
    "Renderer",
    "RichRenderer",
    "build_renderer",
    "format_choices",
    "format_reply",
)

PROMPT = "> "
_CHANNEL_NOTE = "[to be posted in the referral channel]"


class Renderer(Protocol):
    """What the console session prints through."""

    def show(self, replies: Sequence[Reply], *, note: str | None = None) -> None:
        """Print the coach's replies; ``note`` (who a reminder is for) goes above them."""

    def echo(self, line: str) -> None:
        """A line the user typed was read."""

    def hint(self, text: str) -> None:
        """A line from the console itself (not the coach)."""

    def prompt(self) -> None:
        """Ask for the next line."""

    def end(self) -> None:
        """The input has ended."""


def format_choices(choices: Sequence[Choice]) -> list[str]:
    """``1) label`` lines; the number is what the user types. A choice with a keyword has no
    number (a number typed there is the question's answer): ``switch) label``."""
    lines, number = [], 0
    for choice in choices:
        if choice.keyword is not None:
            lines.append(f"  {choice.keyword}) {choice.label}")
        else:
            number += 1
            lines.append(f"  {number}) {choice.label}")
    return lines


def format_card(card: Card) -> list[str]:
    lines = [f"== {to_plain(card.title)} =="]
    lines += [f"  {to_plain(name)}: {to_plain(value)}" for name, value in card.fields]
    if card.text:
        lines.append(to_plain(card.text))
    return lines


def format_reply(reply: Reply) -> str:
    """One reply as plain text, without any markup or escape codes."""
    lines = [_CHANNEL_NOTE] if reply.destination == "referral_channel" else []
    if reply.text:
        lines.append(to_plain(reply.text))
    if reply.card is not None:
        lines += format_card(reply.card)
    lines += format_choices(reply.choices)
    return "\n".join(lines)


class _BaseRenderer:
    """Echo and prompt bookkeeping shared by both renderers.

    Args:
        stream: where to print.
        echo: print each line read as ``> line`` (when the terminal did not show it already).
        interactive: print a prompt, and reprint it after a reminder interrupted the wait.
    """

    def __init__(self, stream: TextIO, *, echo: bool, interactive: bool) -> None:
        self._stream = stream
        self._echo = echo
        self._interactive = interactive
        self._waiting = False  # a prompt is on screen and the user has not answered it yet
        self._printed = False  # anything shown yet (no blank line at the very top)

    def show(self, replies: Sequence[Reply], *, note: str | None = None) -> None:
        if not replies:
            return
        interrupted = self._waiting
        if interrupted:
            self._write("\n")  # step off the prompt line before a reminder
        if note:
            self._note(note)
        for reply in replies:
            self._reply(reply)
        self._printed = True
        self._stream.flush()
        if interrupted:
            self.prompt()

    def echo(self, line: str) -> None:
        self._waiting = False
        if self._echo and line:
            # A blank line before each turn keeps a piped transcript readable.
            self._note(("\n" if self._printed else "") + PROMPT + line)
            self._printed = True
            self._stream.flush()

    def hint(self, text: str) -> None:
        self._note(text)
        self._printed = True
        self._stream.flush()

    def prompt(self) -> None:
        if self._interactive:
            self._prompt()
            self._stream.flush()
            self._waiting = True

    def end(self) -> None:
        if self._waiting:  # Ctrl-D or Ctrl-C at the prompt: let the shell start a fresh line
            self._write("\n")
            self._stream.flush()
            self._waiting = False

    def _write(self, text: str) -> None:
        self._stream.write(text)

    def _note(self, text: str) -> None:
        raise NotImplementedError

    def _reply(self, reply: Reply) -> None:
        raise NotImplementedError

    def _prompt(self) -> None:
        raise NotImplementedError


class PlainRenderer(_BaseRenderer):
    """Plain text: for pipes, files and terminals that cannot take styles."""

    def _note(self, text: str) -> None:
        self._write(text + "\n")

    def _reply(self, reply: Reply) -> None:
        self._write(format_reply(reply) + "\n")

    def _prompt(self) -> None:
        self._write(PROMPT)


class RichRenderer(_BaseRenderer):
    """Styled output for a terminal: the coach in its own colour, bold, italic and links."""

    COACH = "cyan"

    def __init__(self, stream: TextIO, *, echo: bool, interactive: bool) -> None:
        super().__init__(stream, echo=echo, interactive=interactive)
        from rich.console import Console  # imported here: a piped console never needs rich

        # highlight=False: rich would otherwise colour numbers and URLs inside the coach's text.
        self._console: rich.console.Console = Console(file=stream, highlight=False)

    def _note(self, text: str) -> None:
        self._console.print(text, style="dim", markup=False, emoji=False)

    def _reply(self, reply: Reply) -> None:
        if reply.destination == "referral_channel":
            self._note(_CHANNEL_NOTE)
        if reply.text:
            self._console.print(to_rich_text(reply.text, self.COACH))
        if reply.card is not None:
            self._console.print(
                "\n".join(format_card(reply.card)), style=self.COACH, markup=False, emoji=False
            )
        for line in format_choices(reply.choices):
            self._console.print(line, style="bold", markup=False, emoji=False)

    def _prompt(self) -> None:
        self._console.print(PROMPT, style="bold green", end="", markup=False)


def to_rich_text(markup: str, style: str = "") -> rich.text.Text:
    """Neutral markup as ``rich`` text. Text nodes are never read as rich markup."""
    from rich.style import Style
    from rich.text import Text as RichText

    out = RichText(style=style)
    for node in parse(markup):
        _append(out, node, Style())
    return out


def _append(out: rich.text.Text, node: Node, style: rich.style.Style) -> None:
    from rich.style import Style

    match node:
        case Text(text):
            out.append(text, style)
        case Bold(children):
            for child in children:
                _append(out, child, style + Style(bold=True))
        case Italic(children):
            for child in children:
                _append(out, child, style + Style(italic=True))
        case Link(label_children, url):
            start = len(out)
            for child in label_children:
                _append(out, child, style + Style(underline=True, link=url))
            if out.plain[start:] != url:  # terminals without hyperlinks still show where it goes
                out.append(f" ({url})", style + Style(dim=True))
        case ListItem(children):
            out.append("• ", style)
            for child in children:
                _append(out, child, style)
        case LineBreak():
            out.append("\n", style)


def build_renderer(stream: TextIO, *, styled: bool, echo: bool, interactive: bool) -> Renderer:
    """Rich output when ``styled`` (a terminal), plain text otherwise."""
    kind = RichRenderer if styled else PlainRenderer
    return kind(stream, echo=echo, interactive=interactive)
