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
    """Parse YAML text into data plus a map of line numbers."""
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
