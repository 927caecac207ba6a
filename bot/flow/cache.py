"""The loaded flows kept in the data folder, so that a start with unchanged content skips loading.

Loading the flows parses every YAML file with line numbers and runs every load-time check (each
step's keys, every template and expression through Jinja's parser, the slot analysis of
:mod:`bot.flow.checks`): most of a console start's own work. When nothing they depend on
changed, the result is the same every time, so :func:`load_flows_cached` keeps it in
``<data folder>/flows.cache`` and reads it back instead, without importing the loader, YAML or
the checks.

The cache is keyed by a SHA-256 of everything the load depends on: the bytes and names of every
file in the flows folder, the template folders (own and fallback) and the topics folder; the
folders' paths; the source of this package and of :mod:`bot.render`; the installed Jinja,
PyYAML and MarkupSafe (where and when installed, read without importing them); the renderer's
filters and tests and the actions' names, inputs and outputs. Any change is a different key: the
flows are loaded and checked in full (a flow with a mistake fails with its error as before; an
older cache is never used for it) and, when they load, the file is written again. There is one
key for the whole content, not one per file, because the checks look across files (a template
used by several flows, a ``goto`` into another flow).

The file is a format line, the key, a SHA-256 of the body and the body: the flows as plain
JSON (:func:`encode_flows`), rebuilt only into the model's own classes (:func:`decode_flows`);
it is parsed, never executed (no pickle). A file that does not match in any way (another format
or key, a wrong checksum, JSON that does not decode into flows) is ignored and rewritten. It
holds the authors' content only, never what users typed.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import importlib.util
import json
import logging
import os
import sys
import tempfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from bot.flow.actions import ActionRegistry
from bot.flow.model import (
    ActionStep,
    AskStep,
    Branch,
    BranchStep,
    CallStep,
    ChoiceOption,
    EndStep,
    Expression,
    Flow,
    GotoStep,
    Message,
    Rule,
    SayStep,
    SetStep,
    SourceLocation,
)
from bot.flow.registry import FlowRegistry
from bot.render.templates import TemplateRenderer

__all__ = ("CACHE_NAME", "content_key", "decode_flows", "encode_flows", "load_flows_cached")

log = logging.getLogger(__name__)

CACHE_NAME = "flows.cache"
FORMAT = "recruiter-coach flows 1"
_BOT = Path(__file__).resolve().parent.parent
_CODE = (_BOT / "flow", _BOT / "render")  # the loader, its checks and the renderer they use
_LIBRARIES = ("jinja2", "yaml", "markupsafe")
# The model's classes a cache may name; anything else is refused.
_CLASSES: dict[str, type] = {
    cls.__name__: cls
    for cls in (
        ActionStep,
        AskStep,
        Branch,
        BranchStep,
        CallStep,
        ChoiceOption,
        EndStep,
        Flow,
        GotoStep,
        Rule,
        SayStep,
        SetStep,
        SourceLocation,
    )
}
_TAG = "@"  # the key naming a class in the JSON (no field of the model is called that)


def load_flows_cached(
    flows_dir: Path,
    *,
    renderer: TemplateRenderer,
    actions: ActionRegistry,
    cache_dir: Path | None,
) -> FlowRegistry:
    """The flows of ``flows_dir`` from the cache in ``cache_dir`` when it is current, else
    loaded (:func:`bot.flow.loader.load_flows`) and cached; without a ``cache_dir``, loaded.

    Raises:
        FlowErrors: the content changed and a flow or template has a mistake.
    """
    key = path = None
    if cache_dir is not None:
        key = content_key(flows_dir, renderer=renderer, actions=actions)
        path = cache_dir / CACHE_NAME
        registry = read_flows(path, key, renderer)
        if registry is not None:
            return registry
    # Imported only when the flows are loaded: the loader brings YAML and Jinja's parser.
    from bot.flow.loader import load_flows

    registry = load_flows(flows_dir, renderer=renderer, actions=actions)
    if path is not None and key is not None:
        write_flows(path, key, registry)
    return registry


def content_key(flows_dir: Path, *, renderer: TemplateRenderer, actions: ActionRegistry) -> str:
    """A SHA-256 of everything loading ``flows_dir`` depends on (see the module docstring)."""
    digest = hashlib.sha256(f"{FORMAT}\0{sys.version_info[:2]}\0".encode())
    for folder in _CODE:
        _add_folder(digest, folder, suffix=".py")
    for library in _LIBRARIES:
        digest.update(_library_stamp(library).encode())
    digest.update(renderer.fingerprint().encode())
    specs = [(s.name, s.inputs, s.optional_inputs, s.outputs) for s in actions.specs()]
    digest.update(repr(specs).encode())
    folders = [flows_dir, flows_dir.parent / "topics", *renderer.template_dirs]
    folders.extend(renderer.fallback_dirs)
    for folder in dict.fromkeys(folder.resolve() for folder in folders):  # each folder once
        _add_folder(digest, folder)
    return digest.hexdigest()


def _add_folder(digest: Any, folder: Path, *, suffix: str = "") -> None:
    digest.update(f"\0folder\0{folder}\0".encode())
    for path in _files(folder, suffix):
        try:
            data = path.read_bytes()
        except OSError:  # unreadable: the loader reports it; the key only has to differ
            data = b"\0unreadable"
        digest.update(f"\0{path.relative_to(folder)}\0{len(data)}\0".encode())
        digest.update(data)


def _files(folder: Path, suffix: str) -> list[Path]:
    found: list[Path] = []
    for root, dirs, names in os.walk(folder):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        found.extend(Path(root, name) for name in names if name.endswith(suffix))
    return sorted(found)


def _library_stamp(name: str) -> str:
    """Where a library is installed and when: changes when it is upgraded, without importing it."""
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        spec = None
    if spec is None or spec.origin is None:
        return f"{name}:missing"
    stat = os.stat(spec.origin)
    return f"{name}:{spec.origin}:{stat.st_size}:{stat.st_mtime_ns}"


# -- the file ---------------------------------------------------------------------------------


def read_flows(path: Path, key: str, renderer: TemplateRenderer) -> FlowRegistry | None:
    """The flows in the file at ``path`` if it was written for ``key``; None otherwise."""
    try:
        with path.open(encoding="utf-8") as file:
            if file.readline().rstrip("\n") != FORMAT or file.readline().rstrip("\n") != key:
                return None  # another format or other content: the usual reason to rebuild
            checksum = file.readline().rstrip("\n")
            body = file.read()
        if hashlib.sha256(body.encode()).hexdigest() != checksum:
            raise ValueError("the checksum does not match")
        return decode_flows(body, renderer)
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as exc:  # damaged: ignored and rewritten
        log.warning("flows cache %s unreadable (%s); loading the flows again", path, exc)
        return None


def write_flows(path: Path, key: str, registry: FlowRegistry) -> None:
    """Write the cache atomically; a folder that cannot be written only costs the next start."""
    try:
        body = encode_flows(registry)
    except TypeError as exc:  # a model field this codec does not know: cache nothing
        log.warning("flows not cached: %s", exc)
        return
    checksum = hashlib.sha256(body.encode()).hexdigest()
    text = f"{FORMAT}\n{key}\n{checksum}\n{body}"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".flows-", suffix=".tmp")
        try:
            with os.fdopen(descriptor, "w", encoding="utf-8") as file:
                file.write(text)
            os.replace(temporary, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise
    except OSError as exc:
        log.info("flows cache not written to %s: %s", path, exc)


# -- the codec --------------------------------------------------------------------------------


def encode_flows(registry: FlowRegistry) -> str:
    """The current flows as JSON: plain values, a class name beside each model object's fields.

    Raises:
        TypeError: a value the codec does not know (a new kind of field in the model).
    """
    return json.dumps([_encode(flow) for flow in registry.flows.values()], separators=(",", ":"))


def decode_flows(body: str, renderer: TemplateRenderer) -> FlowRegistry:
    """Flows from :func:`encode_flows`; inline texts and expressions are prepared as checked.

    Raises:
        ValueError, KeyError, TypeError: the text is not what :func:`encode_flows` writes.
    """
    data = json.loads(body)
    if not isinstance(data, list):
        raise ValueError("not a list of flows")
    registry = FlowRegistry()
    decode = _decoder(renderer)
    for item in data:
        flow = decode(item)
        if not isinstance(flow, Flow):
            raise ValueError("not a flow")
        registry.add(flow)
    return registry


def _encode(value: object) -> object:
    if value is None or isinstance(value, str | int | float):  # bool is an int
        return value
    if isinstance(value, tuple):
        return [_encode(item) for item in value]
    if isinstance(value, Expression):
        return {_TAG: "Expression", "source": value.source}
    if isinstance(value, Message):
        return {_TAG: "Message", "template": value.template, "inline": list(value.inline)}
    if dataclasses.is_dataclass(value) and type(value).__name__ in _CLASSES:
        fields = {f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return {_TAG: type(value).__name__, **fields}
    if isinstance(value, Mapping):  # a flow's steps
        return {_TAG: "map", "items": {str(k): _encode(v) for k, v in value.items()}}
    raise TypeError(f"cannot cache a {type(value).__name__}")


def _decoder(renderer: TemplateRenderer) -> Callable[[object], object]:
    def decode(value: object) -> object:
        if isinstance(value, list):
            return tuple(decode(item) for item in value)
        if not isinstance(value, dict):
            return value
        tag = value[_TAG]
        if tag == "Expression":
            source = str(value["source"])
            return Expression(source, renderer.checked_expression(source))
        if tag == "Message":
            inline = tuple(str(text) for text in value["inline"])
            compiled = renderer.checked_inline(inline) if inline else None
            return Message(template=value["template"], inline=inline, compiled=compiled)
        if tag == "map":
            return {str(k): decode(v) for k, v in _items(value["items"])}
        fields = {k: decode(v) for k, v in _items(value) if k != _TAG}
        return _CLASSES[tag](**fields)

    return decode


def _items(value: object) -> Iterable[tuple[str, object]]:
    if not isinstance(value, dict):
        raise ValueError("a mapping was expected")
    return value.items()
