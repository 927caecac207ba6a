"""The calendar file's free-text lines are what icalendar writes, byte for byte, for any text:
escaped (backslash, semicolon, comma, every kind of line break) and folded before 75 octets,
never inside a UTF-8 character nor right after an escape's backslash."""

from __future__ import annotations

from hypothesis import example, given
from hypothesis import strategies as st
from icalendar import Parameters
from icalendar.parser import Contentline
from icalendar.prop import vText

from bot.coaching.ical_text import text_line

# The characters that matter (escapes, breaks, carets, wide ones) often; any other text too.
TRICKY = st.sampled_from([*"\\;,\n\r^ aN", "é", "€", "😀", "\r\n", "\\N"])
TEXT = st.one_of(
    st.lists(TRICKY, max_size=200).map("".join),
    st.text(st.characters(exclude_categories=("Cs",)), max_size=300),
)


def icalendar_line(name: str, value: str) -> bytes:
    line: bytes = Contentline.from_parts(name, Parameters(), vText(value)).to_ical()
    return line


@given(value=TEXT, name=st.sampled_from(["DESCRIPTION", "UID", "X"]))
@example(value="x" * 73 + "\\", name="D")  # the backslash would end the first line
@example(value="é" * 40, name="DESCRIPTION")
def test_a_text_line_is_what_icalendar_writes(value: str, name: str) -> None:
    assert text_line(name, value) == icalendar_line(name, value)


@given(value=TEXT)
@example(value="x" * 300)  # three folds
@example(value="€" * 100)
def test_no_line_is_longer_than_75_octets(value: str) -> None:
    """RFC 5545 3.1: 75 octets at most, the folding space included."""
    for line in text_line("DESCRIPTION", value).split(b"\r\n"):
        assert len(line) <= 75
        line.decode()  # whole characters only
