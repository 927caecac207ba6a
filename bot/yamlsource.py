"""Read YAML while remembering the line of every key and item, for error messages.

Flow authors are not programmers: an error must point at the line. PyYAML's composer gives nodes
with positions; we build plain dicts and lists from them (:class:`YMap`, :class:`YList`) that also
carry the line of each key or item.

``yes``/``no``/``on``/``off`` stay strings (YAML 1.1 would make them booleans, a classic trap for a
choice with the id ``no``); only ``true``/``false`` are booleans.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

__all__ = ("YList", "YMap", "YamlSyntaxError", "load_located")

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


class YamlSyntaxError(Exception):
    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.line = line


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
    loader = _FlowLoader(text)
    try:
        node = loader.get_single_node()
        return None if node is None else _build(loader, node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        raise YamlSyntaxError(f"{exc.problem or exc.context}", line) from exc
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(str(exc), 0) from exc
    finally:
        loader.dispose()


def _build(loader: yaml.SafeLoader, node: yaml.Node) -> object:
    if isinstance(node, yaml.MappingNode):
        return _build_map(loader, node)
    if isinstance(node, yaml.SequenceNode):
        items = YList(_build(loader, item) for item in node.value)
        items.line = node.start_mark.line + 1
        items.item_lines = [item.start_mark.line + 1 for item in node.value]
        return items
    return loader.construct_object(node, deep=True)


def _build_map(loader: yaml.SafeLoader, node: yaml.MappingNode) -> YMap:
    mapping = YMap()
    mapping.line = node.start_mark.line + 1
    mapping.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        if not isinstance(key, str):
            key = str(key)
        if key in mapping:
            raise YamlSyntaxError(f"the key {key!r} appears twice in one mapping", line)
        mapping[key] = _build(loader, value_node)
        mapping.key_lines[key] = line
    return mapping
