"""Read YAML while remembering the line of every key and item, for error messages.

Flow authors are not programmers: an error must point at the line. PyYAML's composer gives nodes
with positions; we build plain dicts and lists from them (:class:`YMap`, :class:`YList`) that also
carry the line of each key or item.

``yes``/``no``/``on``/``off`` stay strings (YAML 1.1 would make them booleans, a classic trap for a
choice with the id ``no``); only ``true``/``false`` are booleans.

Hostile or runaway files are refused quickly, with the line and a fix: more than
:data:`MAX_SOURCE_CHARS` characters, lists and mappings nested deeper than :data:`MAX_DEPTH`
(``[[[[...`` thousands deep crashes PyYAML's composer), more than :data:`MAX_ALIASES` uses of an
alias (``*name``; an "alias bomb" of nested aliases would otherwise expand to billions of
nodes), and any tag
outside plain YAML data (``!!python/object/apply:...``, ``!include``, any ``!tag``), which the
safe loader would otherwise have turned into a string or a list without a word.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from bot.errors import CoachError

__all__ = (
    "MAX_ALIASES",
    "MAX_DEPTH",
    "MAX_SOURCE_CHARS",
    "YList",
    "YMap",
    "YamlSyntaxError",
    "load_located",
    "too_big",
)

MAX_SOURCE_CHARS = 128 * 1024  # the largest shipped flow is under 8,000
MAX_ALIASES = 100  # no shipped file uses one
MAX_DEPTH = 40  # shipped files nest 6 deep
_PLAIN_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}"
    for name in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp")
)

try:  # the C loader is several times faster when libyaml is present
    _BaseLoader: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment]
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _BaseLoader = yaml.SafeLoader


class _FlowLoader(_BaseLoader):  # type: ignore[valid-type,misc]
    """A safe loader whose booleans are only ``true`` and ``false``."""


_FlowLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
}
_FlowLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


class YamlSyntaxError(CoachError):
    """Not YAML we read. ``fix`` is set when the YAML is valid but refused (a limit, a tag):
    the message then says what is wrong in full, and ``fix`` what to do instead."""

    def __init__(self, message: str, line: int, fix: str | None = None) -> None:
        super().__init__(message)
        self.line = line
        self.fix = fix


class YMap(dict[str, Any]):
    """A mapping that knows its own line and the line of each key."""

    line: int
    key_lines: dict[str, int]

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class YList(list[Any]):
    """A sequence that knows its own line and the line of each item."""

    line: int
    item_lines: list[int]

    def line_of(self, index: int) -> int:
        return self.item_lines[index] if index < len(self.item_lines) else self.line


def load_located(text: str) -> object:
    """Parse one YAML document into YMap/YList/scalars; raise :class:`YamlSyntaxError`."""
    if len(text) > MAX_SOURCE_CHARS:
        raise too_big(len(text))
    _check_depth(text)
    loader = _FlowLoader(text)
    try:
        node = loader.get_single_node()
        return None if node is None else _build(loader, node, _Seen())
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        raise YamlSyntaxError(f"{exc.problem or exc.context}", line) from exc
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(str(exc), 0) from exc
    finally:
        loader.dispose()


def _check_depth(text: str) -> None:
    """Refuse lists and mappings nested deeper than MAX_DEPTH, before building anything.

    PyYAML composes nodes recursively: ``[[[[...`` a few thousand deep overflows the C stack and
    kills the process. Reading events is iterative and takes a fraction of the parse.
    """
    try:
        _count_depth(text, _BaseLoader)
    except yaml.YAMLError:
        # Newer libyaml builds (PyYAML 6.0.4) stop at a nesting limit of their own with a
        # scanner error before handing out the deep events; the pure-Python reader has no such
        # limit, so it finds the depth (or the syntax error) itself.
        try:
            _count_depth(text, yaml.SafeLoader)
        except yaml.YAMLError:
            return  # the full parse reports syntax errors with their line


def _count_depth(text: str, loader: type[yaml.SafeLoader]) -> None:
    depth = 0
    for event in yaml.parse(text, Loader=loader):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                line = event.start_mark.line + 1 if event.start_mark else 0
                raise YamlSyntaxError(
                    f"lists and mappings are nested more than {MAX_DEPTH} deep here",
                    line,
                    "flatten it: a flow needs only a few levels (steps, a step, its "
                    "choices); move deeper parts into steps or flows of their own",
                )
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def too_big(size: int) -> YamlSyntaxError:
    """The error for a file over :data:`MAX_SOURCE_CHARS` (also raised before reading one)."""
    return YamlSyntaxError(
        f"the file is too big ({size:,} characters; the limit is {MAX_SOURCE_CHARS:,})",
        1,
        "split it: move a group of steps into a flow of its own and `call:` it (or `goto:` "
        "its first step), or move long texts into templates",
    )


class _Seen:
    """Nodes already built: meeting one again means an alias (``*name``) points at it."""

    def __init__(self) -> None:
        self.nodes: set[int] = set()
        self.aliases = 0

    def visit(self, node: yaml.Node) -> None:
        if node.tag not in _PLAIN_TAGS:
            raise YamlSyntaxError(
                f"the YAML tag {node.tag.removeprefix('tag:yaml.org,2002:')!r} is not allowed "
                "in these files",
                node.start_mark.line + 1,
                "remove the tag (the part starting with `!`): flow files hold plain text, "
                "numbers, lists and mappings",
            )
        if id(node) not in self.nodes:
            self.nodes.add(id(node))
            return
        # Every visit to a shared node counts, its children's too, so the work an alias bomb
        # can cause stays within MAX_ALIASES node visits.
        self.aliases += 1
        if self.aliases > MAX_ALIASES:
            raise YamlSyntaxError(
                f"the file uses YAML aliases (*name) more than {MAX_ALIASES} times, counting "
                "what they repeat (this line starts a part that is repeated)",
                node.start_mark.line + 1,
                "write the repeated part out where it is needed, or move it into a template "
                "or a flow of its own",
            )


def _build(loader: yaml.SafeLoader, node: yaml.Node, seen: _Seen) -> object:
    seen.visit(node)
    if isinstance(node, yaml.MappingNode):
        return _build_map(loader, node, seen)
    if isinstance(node, yaml.SequenceNode):
        items = YList(_build(loader, item, seen) for item in node.value)
        items.line = node.start_mark.line + 1
        items.item_lines = [item.start_mark.line + 1 for item in node.value]
        return items
    return loader.construct_object(node, deep=True)


def _build_map(loader: yaml.SafeLoader, node: yaml.MappingNode, seen: _Seen) -> YMap:
    mapping = YMap()
    mapping.line = node.start_mark.line + 1
    mapping.key_lines = {}
    for key_node, value_node in node.value:
        seen.visit(key_node)
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        if not isinstance(key, str):
            key = str(key)
        if key in mapping:
            raise YamlSyntaxError(f"the key {key!r} appears twice in one mapping", line)
        mapping[key] = _build(loader, value_node, seen)
        mapping.key_lines[key] = line
    return mapping
