"""``forget`` in the console also deletes the files it saved for the person (their export and
the calendar files hold their phone number): after "forget" and "yes", nothing of theirs is left
in the data folder; after "no", the files stay."""

from __future__ import annotations

from pathlib import Path

from tests.adapters.test_console import run_console

CALL = ["start", "at work", "tomorrow 18:30", "+1 646 555 0142", "export"]
DIGITS = (b"6465550142", b"646 555 0142", b"646-555-0142")


def chat(data: Path, lines: list[str]) -> str:
    done = run_console(data, lines, "--user", "sam")
    assert done.returncode == 0, done.stderr
    return done.stdout


def saved(data: Path) -> list[str]:
    return sorted(p.name for p in (data / "exports").rglob("*") if p.is_file())


def test_forget_deletes_the_files_saved_for_the_person(tmp_path: Path) -> None:
    data = tmp_path / "data"
    out = chat(data, CALL)
    files = saved(data)
    assert any(n.endswith(".ics") for n in files) and any(n.endswith(".json") for n in files)
    assert any(b"6465550142" in p.read_bytes() for p in (data / "exports").rglob("*.json"))

    out = chat(data, ["forget", "no"])
    assert "kept everything" in out and saved(data) != []

    out = chat(data, ["forget", "yes"])
    assert "erased everything" in out
    assert saved(data) == []
    every_file = [p for p in data.rglob("*") if p.is_file()]
    assert [p for p in every_file if any(d in p.read_bytes() for d in DIGITS)] == []


NERVOUS = [
    "start", "I cant talk now", "London", "tomorrow after 5", "tomorrow 1830", "07911 123456",
    "maybe", "not now", "forget", "yes",
]  # fmt: skip


def test_a_nervous_persons_session_from_the_first_question_to_forget(tmp_path: Path) -> None:
    """The session tried from a fresh checkout at the end of the day's fixes, piped as typed: a
    natural "can't talk", a time the coach asks about instead of guessing, a UK number without
    its +44, "maybe", then forget, after which no file holds the number."""
    data = tmp_path / "data"
    done = run_console(data, NERVOUS, "--user", "sam", TZ="")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "Which city's time are you on?" in out.split("> I cant talk now\n", 1)[1]
    assert "couldn't tell the time" in out.split("> tomorrow after 5\n", 1)[1]
    script = out.split("> 07911 123456\n", 1)[1]
    assert "Could you call me on +44 7911 123456 on" in script and ", 18:30?" in script
    assert "nobody has to decide on the phone" in out.split("> maybe\n", 1)[1]
    assert "erased everything" in out.split("> yes\n", 1)[1]
    every_file = [p for p in data.rglob("*") if p.is_file()]
    assert [p for p in every_file if b"7911" in p.read_bytes()] == []
