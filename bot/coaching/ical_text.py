"""One iCalendar TEXT property line (RFC 5545 3.3.11 and 3.1): the value escaped, the line folded
before 75 octets. Byte for byte what ``icalendar`` writes (``Contentline.from_parts`` with a
``vText``; tests/bot/coaching/test_ical_text.py compares the two on any text), at a fraction of
its cost: its folder encodes the line one character at a time, about 40 us a line on the turn
that schedules a callback, which writes two."""

from __future__ import annotations

__all__ = ("text_line",)

# icalendar folds when the next character would bring a line to 75 octets: 74 at most.
_LONGEST = 74
_FOLD = "\r\n "
# An escape's backslash (or an RFC 6868 caret) is not left at a line's end (icalendar #1501).
_ESCAPES = "\\^"


def text_line(name: str, value: str) -> bytes:
    """``NAME:value`` with the value escaped, folded, as UTF-8."""
    line = f"{name}:{escape_text(value)}"
    if line.isascii():
        return line.encode() if len(line) <= _LONGEST else _fold_ascii(line).encode()
    return _fold(line).encode()


def escape_text(text: str) -> str:
    """TEXT escaping, in icalendar's order (``\\N`` read as a line break; CR, LF, CRLF -> \\n)."""
    return (
        text.replace(r"\N", "\n")
        .replace("\\", "\\\\")
        .replace(";", r"\;")
        .replace(",", r"\,")
        .replace("\r\n", r"\n")
        .replace("\n", r"\n")
        .replace("\r", r"\n")
    )


def _fold_ascii(line: str) -> str:
    """:func:`_fold` when every character is one octet: slices, not a loop over characters."""
    pieces: list[str] = []
    start = 0
    while len(line) - start > _LONGEST:
        end = start + _LONGEST
        if line[end - 1] in _ESCAPES:
            end -= 1
        pieces.append(line[start:end])
        start = end
    pieces.append(line[start:])
    return _FOLD.join(pieces)


def _fold(line: str) -> str:
    pieces: list[str] = []
    current: list[str] = []
    size = 0
    for char in line:
        width = 1 if char < "\x80" else len(char.encode())
        if current and size + width > _LONGEST:
            carried = current.pop() if len(current) > 1 and current[-1] in _ESCAPES else ""
            pieces.append("".join(current))
            current = [carried] if carried else []
            size = len(carried)
        current.append(char)
        size += width
    pieces.append("".join(current))
    return _FOLD.join(pieces)
