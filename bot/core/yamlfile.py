"""Reading YAML files; the line of every key and item is found only when a problem needs it."""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import threading

import yaml

# libyaml's parser when PyYAML was built with it: same nodes and marks, several times faster.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_local = threading.local()

from bot.core.problems import Problem

PathKey = tuple[str | int, ...]

MAX_FILE_BYTES = 2_000_000


@dataclass(frozen=True)
class YamlDoc:
    """The data of one YAML file; `lines` (the 1-based line where each path starts) is built on demand."""

    file: str
    data: Any
    text: str = field(default="", repr=False, compare=False)

    @functools.cached_property
    def lines(self) -> dict[PathKey, int]:
        """The line map, parsed again from the text only when a problem must be located."""
        return line_map(self.text)

    def line_of(self, path: PathKey) -> int:
        """The line of the deepest known node on `path` (a missing field points at its parent)."""
        for end in range(len(path), -1, -1):
            line = self.lines.get(tuple(path[:end]))
            if line is not None:
                return line
        return 1


def read_yaml(path: Path, shown_as: str) -> YamlDoc | Problem:
    """Parse one file; a problem instead of data when it cannot be read or parsed."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return Problem(shown_as, 1, "", f"cannot read file: {exc.strerror}")
    if len(raw) > MAX_FILE_BYTES:
        return Problem(shown_as, 1, "", f"file is larger than {MAX_FILE_BYTES} bytes")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return Problem(shown_as, 1, "", f"not UTF-8 text (byte {exc.start})")
    return parse_yaml(text, shown_as)


def parse_yaml(text: str, shown_as: str) -> YamlDoc | Problem:
    """Parse YAML text into data (its line map is built later, if a problem needs it)."""
    try:
        return YamlDoc(shown_as, _from_events(text), text)
    except _DuplicateKey as exc:
        return Problem(shown_as, exc.line, exc.key, "key appears twice in one mapping")
    except (_NeedsNodes, yaml.YAMLError):
        pass  # anything unusual, and every error, goes the way of nodes (which words the error)
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        return Problem(shown_as, line, "", f"bad YAML: {exc.problem or exc.context}")
    except yaml.YAMLError as exc:
        return Problem(shown_as, 1, "", f"bad YAML: {exc}")
    if node is None:
        return Problem(shown_as, 1, "", "file is empty")
    try:
        data = _data(node)
    except _DuplicateKey as exc:
        return Problem(shown_as, exc.line, exc.key, "key appears twice in one mapping")
    except ValueError as exc:
        return Problem(shown_as, node.start_mark.line + 1, "", f"bad YAML value: {exc}")
    return YamlDoc(shown_as, data, text)


class _NeedsNodes(Exception):
    """The text uses something the event walk leaves to yaml.compose (anchors, tags, complex keys)."""


_resolver = yaml.resolver.Resolver()
_plain_tags: dict[str, str] = {}  # short plain scalars (keys, enum values) -> their resolved tag
_NO_KEY = object()


def _plain_tag(value: str) -> str:
    tag = _plain_tags.get(value)
    if tag is None:
        tag = _resolver.resolve(yaml.ScalarNode, value, (True, False))
        if len(value) <= 40:
            if len(_plain_tags) > 50_000:
                _plain_tags.clear()
            _plain_tags[value] = tag
    return tag


def _from_events(text: str) -> Any:
    """The data of a one-document text, built from libyaml's events without making a node per value
    (the same data as _data(yaml.compose(text)), about a third faster on the store's files)."""
    stack: list[list[Any]] = []  # [container, key waiting for its value]
    root: Any = _NO_KEY
    documents = 0
    event: Any
    for event in yaml.parse(text, Loader=_Loader):
        kind = event.__class__
        if kind is yaml.ScalarEvent:
            if event.anchor is not None or event.tag is not None and event.tag != "!":
                raise _NeedsNodes
            value: Any = event.value
            if event.implicit[0]:  # plain: resolve as YAML 1.1 does (true, 12, null; dates stay text)
                tag = _plain_tag(value)
                if tag != _STR and tag != "tag:yaml.org,2002:timestamp":
                    if tag not in _PLAIN and tag != "tag:yaml.org,2002:float":
                        raise _NeedsNodes
                    value = _data(yaml.ScalarNode(tag, value))
        elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
            if event.anchor is not None or event.tag is not None:
                raise _NeedsNodes
            value = {} if kind is yaml.MappingStartEvent else []
        elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
            done = stack.pop()
            if done[1] is not _NO_KEY:
                raise _NeedsNodes
            if not stack:
                root = done[0]
            continue
        elif kind is yaml.DocumentStartEvent:
            documents += 1
            if documents > 1:
                raise _NeedsNodes  # compose reports "expected a single document"
            continue
        elif kind is yaml.AliasEvent:
            raise _NeedsNodes
        else:
            continue
        if stack:
            top = stack[-1]
            container = top[0]
            if container.__class__ is list:
                container.append(value)
            elif top[1] is _NO_KEY:
                if kind is not yaml.ScalarEvent:
                    raise _NeedsNodes  # a mapping or list as a key
                if value in container:
                    raise _DuplicateKey(str(value), event.start_mark.line + 1)
                top[1] = value
            else:
                container[top[1]] = value
                top[1] = _NO_KEY
        elif kind is yaml.ScalarEvent:
            root = value
        if kind is not yaml.ScalarEvent:
            stack.append([value, _NO_KEY])
    if root is _NO_KEY or root is None and documents == 0:
        raise _NeedsNodes  # empty: compose words it
    return root


def line_map(text: str) -> dict[PathKey, int]:
    """The line of every key and item of a document that parsed before (empty when it no longer does)."""
    lines: dict[PathKey, int] = {}
    try:
        node = yaml.compose(text, Loader=_Loader)
        if node is not None:
            _build(node, (), lines)
    except (yaml.YAMLError, _DuplicateKey, ValueError):
        return {}
    return lines


class _DuplicateKey(Exception):
    def __init__(self, key: str, line: int) -> None:
        super().__init__(key)
        self.key, self.line = key, line


def _build(node: yaml.Node, path: PathKey, lines: dict[PathKey, int]) -> Any:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _scalar(key_node)
            if key in out:
                raise _DuplicateKey(str(key), key_node.start_mark.line + 1)
            child = (*path, str(key))
            out[key] = _build(value_node, child, lines)
            lines[child] = key_node.start_mark.line + 1
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, (*path, i), lines) for i, item in enumerate(node.value)]
    return _scalar(node)


_STR = "tag:yaml.org,2002:str"
_PLAIN = ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:int", "tag:yaml.org,2002:null")
_plain_values: dict[tuple[str, str], Any] = {}  # `true`, `false`, small ints: built once, immutable


def _data(node: yaml.Node) -> Any:
    # _build without the line map: the common path, when a file has no problem to locate. String
    # scalars (nearly all of them) are taken inline: this walk is most of the load after libyaml's.
    kind = node.__class__
    if kind is yaml.MappingNode:
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = key_node.value if key_node.__class__ is yaml.ScalarNode and key_node.tag == _STR else _scalar(key_node)
            if key in out:
                raise _DuplicateKey(str(key), key_node.start_mark.line + 1)
            out[key] = (value_node.value if value_node.__class__ is yaml.ScalarNode and value_node.tag == _STR
                        else _data(value_node))
        return out
    if kind is yaml.SequenceNode:
        return [item.value if item.__class__ is yaml.ScalarNode and item.tag == _STR else _data(item)
                for item in node.value]
    if kind is yaml.ScalarNode and node.tag in _PLAIN:
        key = (node.tag, node.value)
        if key not in _plain_values:
            if len(_plain_values) > 10_000:
                _plain_values.clear()
            _plain_values[key] = _scalar(node)
        return _plain_values[key]
    return _scalar(node)


def _scalar(node: yaml.Node) -> Any:
    # Dates stay strings: a published date of 2025-03 must not turn into something else.
    if node.tag == "tag:yaml.org,2002:timestamp":
        return node.value
    if not isinstance(node, yaml.ScalarNode):
        raise ValueError("a mapping key must be a plain value")
    if node.tag == "tag:yaml.org,2002:str":
        return node.value
    constructor = getattr(_local, "constructor", None)
    if constructor is None:
        constructor = _local.constructor = yaml.SafeLoader("")
    value = constructor.construct_object(node)
    constructor.constructed_objects.clear()
    return value
