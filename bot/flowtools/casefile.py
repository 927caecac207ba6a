"""The transcript test format: ``<dialogs>/tests/*.yaml``, read strictly with line numbers.

A file holds one case (a mapping) or several (a list of mappings)::

    name: at work, callback tomorrow
    flow: recruiter_called           # optional: the flow the first message starts
    start: callback_when             # optional: begin waiting at this step ...
    slots: {situation: at_work}      # ... with these slots preset
    time_zone: America/New_York      # the user's zone (default UTC; null: the platform says none)
    now: 2026-11-23T10:00:00-05:00   # the fixed clock
    platform: console                # which template overrides apply (default console)
    turns:
      - user: start                  # or `press: <choice id>`, `form: {...}`, `timeout: true`
        bot: ["can you talk"]        # in order, case-insensitive; `{regex: ...}` for a pattern
        choices: ["I'm at work, I can't talk", "I can talk now"]
        step: can_talk               # or `flow.step`, or `ended`
        slots: {situation: at_work}

Mistakes in a test file are reported like flow mistakes (:class:`bot.errors.FlowProblem`): file,
line, key and fix.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from bot.errors import FlowProblem
from bot.flow.context import unknown_keys
from bot.flow.yamlsource import YamlSyntaxError, YList, YMap, load_located

__all__ = ("DEFAULT_NOW", "Case", "Expect", "TurnSpec", "load_cases")

DEFAULT_NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)  # a Monday afternoon
CASE_KEYS = ("name", "flow", "start", "slots", "time_zone", "now", "platform", "turns")
TURN_KEYS = ("user", "press", "form", "timeout", "bot", "choices", "step", "slots")
ACTIONS = ("user", "press", "form", "timeout")
PLATFORMS = ("console", "slack", "discord")


@dataclass(frozen=True, slots=True)
class Expect:
    """A text the replies must contain (case-insensitive), or a regular expression."""

    text: str
    regex: bool = False

    def __str__(self) -> str:
        return f"regex: {self.text!r}" if self.regex else repr(self.text)


@dataclass(frozen=True, slots=True)
class TurnSpec:
    line: int
    action: str  # one of ACTIONS
    value: object  # the text, the choice id, the form values, or True for a timeout
    bot: tuple[Expect, ...] = ()
    choices: tuple[str, ...] | None = None
    step: str | None = None
    slots: Mapping[str, object] | None = None

    def describe(self) -> str:
        return f"{self.action}: {self.value!r}" if self.action != "timeout" else "timeout"


@dataclass(frozen=True, slots=True)
class Case:
    name: str
    path: str
    line: int
    turns: tuple[TurnSpec, ...]
    flow: str | None = None
    start: str | None = None
    slots: Mapping[str, object] | None = None
    time_zone: str | None = "UTC"
    now: datetime = DEFAULT_NOW
    platform: str = "console"

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"


class _Problems(list[FlowProblem]):
    def add(self, path: str, line: int, key: str, message: str, fix: str) -> None:
        self.append(FlowProblem(path, line, key, message, fix))


def load_cases(tests_dir: Path) -> tuple[list[Case], list[FlowProblem]]:
    """Every case in ``tests_dir/*.yaml``, and every mistake found in those files."""
    cases: list[Case] = []
    problems = _Problems()
    for path in sorted(tests_dir.glob("*.yaml")) if tests_dir.is_dir() else []:
        cases.extend(_load_file(path, problems))
    return cases, list(problems)


def _load_file(path: Path, problems: _Problems) -> Iterator[Case]:
    name = str(path)
    try:
        data = load_located(path.read_text(encoding="utf-8"))
    except YamlSyntaxError as exc:
        problems.add(
            name,
            exc.line,
            "",
            str(exc) if exc.fix else f"this is not valid YAML: {exc}",
            exc.fix or "check the indentation and quoting on this line or the one before it",
        )
        return
    items = list(data) if isinstance(data, YList) else [data]
    for index, item in enumerate(items):
        line = data.line_of(index) if isinstance(data, YList) else 1
        if not isinstance(item, YMap):
            problems.add(
                name,
                line,
                "",
                "a test case must be a mapping with `turns:`",
                "write `name: ...` and `turns: [...]` (a list of such mappings for several cases)",
            )
            continue
        case = _case(item, name, f"{path.stem} #{index + 1}", problems)
        if case is not None:
            yield case


def _case(data: YMap, path: str, default_name: str, problems: _Problems) -> Case | None:
    before = len(problems)
    problems.extend(unknown_keys(data, CASE_KEYS, path, "a test case"))
    turns_data = data.get("turns")
    if not isinstance(turns_data, YList) or not turns_data:
        problems.add(
            path,
            data.line_of("turns"),
            "turns",
            "a test case needs a list of `turns`",
            'add `turns:` with items like `- user: start` and `bot: ["..."]`',
        )
        return None
    turns = [_turn(t, turns_data.line_of(i), path, problems) for i, t in enumerate(turns_data)]
    case = Case(
        name=str(data.get("name", default_name)),
        path=path,
        line=data.line,
        turns=tuple(t for t in turns if t is not None),
        flow=_optional_text(data, "flow", path, problems),
        start=_optional_text(data, "start", path, problems),
        slots=_mapping(data, "slots", path, problems),
        time_zone=_time_zone(data, path, problems),
        now=_now(data, path, problems),
        platform=_platform(data, path, problems),
    )
    return case if len(problems) == before else None


def _turn(data: object, line: int, path: str, problems: _Problems) -> TurnSpec | None:
    if not isinstance(data, YMap):
        problems.add(
            path,
            line,
            "turns",
            "each turn is a mapping",
            'write `- user: "text"` (or press/form/timeout) with `bot: [...]`',
        )
        return None
    problems.extend(unknown_keys(data, TURN_KEYS, path, "a turn"))
    actions = [key for key in ACTIONS if key in data]
    if len(actions) != 1:
        problems.add(
            path,
            data.line,
            "user",
            "a turn needs exactly one of `user`, `press`, "
            f"`form`, `timeout` (found {', '.join(actions) or 'none'})",
            'write `user: "what the user types"` or `press: choice_id`',
        )
        return None
    return TurnSpec(
        line,
        actions[0],
        _action_value(data, actions[0], path, problems),
        _expects(data, path, problems),
        _choices(data, path, problems),
        _optional_text(data, "step", path, problems),
        _mapping(data, "slots", path, problems),
    )


def _action_value(data: YMap, action: str, path: str, problems: _Problems) -> object:
    """The text typed, the choice id pressed, the form's (field, text) pairs, or True."""
    value: object = data[action]
    if action == "form":
        form = _mapping(data, "form", path, problems) or {}
        return tuple((str(k), str(v)) for k, v in form.items())
    if action in ("user", "press"):
        # `user: true` is YAML's boolean; the user typed the word.
        return str(value).lower() if isinstance(value, bool) else str(value)
    return value


def _expects(data: YMap, path: str, problems: _Problems) -> tuple[Expect, ...]:
    raw = data.get("bot", [])
    items = list(raw) if isinstance(raw, list) else [raw]
    found: list[Expect] = []
    for item in items:
        if isinstance(item, YMap) and set(item) == {"regex"}:
            found.append(Expect(str(item["regex"]), regex=True))
        elif isinstance(item, str | int | float):
            found.append(Expect(str(item)))
        else:
            problems.add(
                path,
                data.line_of("bot"),
                "bot",
                "`bot` is a list of texts (or `{regex: pattern}` items)",
                'write `bot: ["can you talk", {regex: "tomorrow.*18:30"}]`',
            )
    return tuple(found)


def _choices(data: YMap, path: str, problems: _Problems) -> tuple[str, ...] | None:
    if "choices" not in data:
        return None
    raw = data["choices"]
    if not isinstance(raw, list):
        problems.add(
            path,
            data.line_of("choices"),
            "choices",
            "`choices` is a list of labels",
            'write `choices: ["Yes", "No"]` (`[]` for no buttons)',
        )
        return None
    return tuple(str(label) for label in raw)


def _optional_text(data: YMap, key: str, path: str, problems: _Problems) -> str | None:
    value = data.get(key)
    if value is not None and not isinstance(value, str):
        problems.add(path, data.line_of(key), key, f"`{key}` must be a name", f"write `{key}: x`")
        return None
    return value


def _mapping(data: YMap, key: str, path: str, problems: _Problems) -> dict[str, object] | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, YMap):
        problems.add(
            path,
            data.line_of(key),
            key,
            f"`{key}` must be a mapping",
            f"write `{key}: {{name: value}}`",
        )
        return None
    return dict(value)


def _time_zone(data: YMap, path: str, problems: _Problems) -> str | None:
    if "time_zone" not in data:
        return "UTC"
    value = data["time_zone"]
    if value is not None and not isinstance(value, str):
        problems.add(
            path,
            data.line_of("time_zone"),
            "time_zone",
            "`time_zone` must be a name",
            "write `time_zone: Europe/Berlin` (or `null`: the platform gives none)",
        )
        return "UTC"
    return value


def _now(data: YMap, path: str, problems: _Problems) -> datetime:
    value = data.get("now", DEFAULT_NOW)
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError:
        problems.add(
            path,
            data.line_of("now"),
            "now",
            f"cannot read {value!r} as a date-time",
            "write `now: 2026-11-23T10:00:00-05:00`",
        )
        return DEFAULT_NOW
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _platform(data: YMap, path: str, problems: _Problems) -> str:
    value = data.get("platform", "console")
    if value not in PLATFORMS:
        problems.add(
            path,
            data.line_of("platform"),
            "platform",
            f"unknown platform {value!r}",
            f"use one of: {', '.join(PLATFORMS)}",
        )
        return "console"
    return str(value)
