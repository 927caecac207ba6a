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
