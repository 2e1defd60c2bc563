"""Reading YAML files; the line of every key and item is found when a problem needs it (file, line, field).

Whatever a file holds, reading it either gives data or one Problem with file, line and field: the
work per file is bounded (size read, nesting depth, alias expansion, length of numbers) and only the
plain YAML types are built (no tags beyond `!!str`, `!!int`, `!!float`, `!!bool`, `!!null`).
"""
from __future__ import annotations

import functools
import os
import stat
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.core.problems import Problem

# libyaml's parser when PyYAML was built with it: same nodes and marks, several times faster. It also
# refuses nesting deeper than 1,000 levels, before any of our code sees the nodes.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# Events alone need only the parser (no constructor or resolver set up per file).
try:
    from yaml.cyaml import CParser as _Parser  # type: ignore[attr-defined]
except ImportError:
    _Parser = yaml.SafeLoader  # type: ignore[assignment,misc]
_local = threading.local()

PathKey = tuple[str | int, ...]

MAX_FILE_BYTES = 2_000_000
MAX_DEPTH = 64
# Values built through aliases (a `*name` repeats a whole subtree): a few thousand is generous for
# real files; "billion laughs" files would need billions.
MAX_ALIAS_VALUES = 10_000
# A number longer than this is not a count or a date: building it can cost quadratic time (1:2:3:…).
MAX_NUMBER_CHARS = 100
YAML_SUFFIXES = (".yaml", ".yml")

_TAG = "tag:yaml.org,2002:"
_STR, _MAP, _SEQ, _TIMESTAMP, _MERGE = (_TAG + t for t in ("str", "map", "seq", "timestamp", "merge"))
_KINDS = {_TAG + "null": "null", _TAG + "bool": "boolean (true or false)", _TAG + "int": "integer",
          _TAG + "float": "number"}


@dataclass(frozen=True)
class YamlDoc:
    """The data of one YAML file; `lines` (the 1-based line where each path starts) is built on demand."""

    file: str
    data: Any
    text: str = field(default="", repr=False, compare=False)
    known_lines: dict[PathKey, int] | None = field(default=None, repr=False, compare=False)

    @functools.cached_property
    def lines(self) -> dict[PathKey, int]:
        """The line map, parsed again from the text only when a problem must be located."""
        return self.known_lines if self.known_lines is not None else line_map(self.text)

    def line_of(self, path: PathKey) -> int:
        """The line of the deepest known node on `path` (a missing field points at its parent)."""
        for end in range(len(path), -1, -1):
            line = self.lines.get(tuple(path[:end]))
            if line is not None:
                return line
        return 1


def is_yaml_name(name: str) -> bool:
    """Whether a file name is one the loaders read: `.yaml` or `.yml`, any case, not hidden."""
    return not name.startswith(".") and name.lower().endswith(YAML_SUFFIXES)


def read_bounded(path: Path, shown_as: str, limit: int = MAX_FILE_BYTES) -> bytes | Problem:
    """The bytes of a regular file of at most `limit` bytes; a Problem for anything else.

    The file is opened without blocking (a FIFO would block every reload) and checked on the open
    descriptor, so a symlink to a device or a file swapped after the check is never read past `limit`.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        return Problem(shown_as, 1, "", f"cannot read file: {exc.strerror or exc}")
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return Problem(shown_as, 1, "", "not a regular file (a folder, pipe or device); only plain files are read")
        if info.st_size > limit:
            return Problem(shown_as, 1, "", f"file is {info.st_size} bytes; the limit is {limit}")
        raw = _read_up_to(fd, limit + 1)
    except OSError as exc:
        return Problem(shown_as, 1, "", f"cannot read file: {exc.strerror or exc}")
    finally:
        os.close(fd)
    if len(raw) > limit:
        return Problem(shown_as, 1, "", f"file is larger than {limit} bytes")
    return raw


def _read_up_to(fd: int, most: int) -> bytes:
    # os.read straight off the descriptor: no file object per file (10,000 of them per load).
    parts = []
    size = 0
    while size < most and (part := os.read(fd, most - size)):
        parts.append(part)
        size += len(part)
    return parts[0] if len(parts) == 1 else b"".join(parts)


def read_yaml(path: Path, shown_as: str) -> YamlDoc | Problem:
    """Parse one file; a problem instead of data when it cannot be read or parsed."""
    raw = read_bounded(path, shown_as)
    if isinstance(raw, Problem):
        return raw
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        return Problem(shown_as, line, "", f"not UTF-8 text: byte 0x{raw[exc.start]:02x} at column {column}; "
                                           "save the file as UTF-8")
    return parse_yaml(text, shown_as)


def parse_yaml(text: str, shown_as: str) -> YamlDoc | Problem:
    """Parse YAML text into data (its line map is built later, if a problem needs it)."""
    try:
        return YamlDoc(shown_as, _from_events(text), text)
    except (_NeedsNodes, yaml.YAMLError, RecursionError):
        pass  # anything unusual, and every problem, goes the way of nodes (which bounds and words it)
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        return Problem(shown_as, line, "", f"bad YAML: {exc.problem or exc.context}")
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        return Problem(shown_as, line, "", f"bad YAML: character U+{exc.character:04X} is not allowed in a YAML file"
                       if isinstance(exc.character, int) else f"bad YAML: {exc.reason}")
    except yaml.YAMLError as exc:
        return Problem(shown_as, 1, "", f"bad YAML: {exc}")
    except RecursionError:  # the pure-Python parser, when libyaml is missing
        return Problem(shown_as, 1, "", f"bad YAML: nested too deeply (at most {MAX_DEPTH} levels)")
    if node is None:
        return Problem(shown_as, 1, "", "file is empty")
    builder = _Builder()
    try:
        data = builder.build(node, (), 0, False)
    except _Refused as exc:
        return Problem(shown_as, exc.line, ".".join(map(str, exc.path)), exc.message)
    return YamlDoc(shown_as, data, text, builder.lines)


def line_map(text: str) -> dict[PathKey, int]:
    """The line of every key and item of a document that parsed before (empty when it no longer does)."""
    try:
        node = yaml.compose(text, Loader=_Loader)
        builder = _Builder()
        if node is not None:
            builder.build(node, (), 0, False)
    except (yaml.YAMLError, _Refused, RecursionError):
        return {}
    return builder.lines


class _NeedsNodes(Exception):
    """The text holds something the event walk leaves to the nodes: anchors, tags, duplicate or complex
    keys, deep nesting, long numbers, more than one document."""


_resolver = yaml.resolver.Resolver()
_plain_tags: dict[str, str] = {}  # short plain scalars (keys, enum values) -> their resolved tag
_plain_values: dict[tuple[str, str], Any] = {}  # `true`, `false`, small numbers: built once, immutable
_NO_KEY = object()
_ScalarEvent, _AliasEvent, _DocumentStartEvent = yaml.ScalarEvent, yaml.AliasEvent, yaml.DocumentStartEvent
_MappingStartEvent, _MappingEndEvent = yaml.MappingStartEvent, yaml.MappingEndEvent
_SequenceStartEvent, _SequenceEndEvent = yaml.SequenceStartEvent, yaml.SequenceEndEvent


def _plain_tag(value: str) -> str:
    tag = _plain_tags.get(value)
    if tag is None:
        tag = _resolver.resolve(yaml.ScalarNode, value, (True, False))
        if len(value) <= 40:
            if len(_plain_tags) > 50_000:
                _plain_tags.clear()
            _plain_tags[value] = tag
    return tag


def _plain_value(tag: str, value: str) -> Any:
    if tag not in _KINDS or len(value) > MAX_NUMBER_CHARS:
        raise _NeedsNodes  # a merge key, or a number too long: the node path words the problem
    key = (tag, value)
    if key not in _plain_values:
        if len(_plain_values) > 10_000:
            _plain_values.clear()
        try:
            _plain_values[key] = _scalar(yaml.ScalarNode(tag, value), ())
        except _Refused:
            raise _NeedsNodes from None
    return _plain_values[key]


def _from_events(text: str) -> Any:
    """The data of a one-document text, built from libyaml's events without a node per value (the
    data the node path builds, in about two thirds of yaml.compose's time on the store's files)."""
    parser = _Parser(text)
    try:
        return _walk(parser.get_event)
    finally:
        parser.dispose()


def _walk(next_event: Any) -> Any:
    # One loop, locals only: it runs once per scalar of the store (millions at 100k claims).
    stack: list[tuple[Any, bool]] = []  # the enclosing containers, outermost first
    top: Any = None  # the open list or mapping, None outside any
    in_list = False
    key: Any = _NO_KEY  # in a mapping, the key whose value comes next
    root: Any = _NO_KEY
    documents = 0
    tags = _plain_tags
    while (event := next_event()) is not None:
        kind = event.__class__
        if kind is _ScalarEvent:
            if event.anchor is not None or event.tag is not None and event.tag != "!":
                raise _NeedsNodes
            value: Any = event.value
            if event.implicit[0]:  # plain: resolve as YAML 1.1 does (true, 12, null; dates stay text)
                tag = tags.get(value) or _plain_tag(value)
                if tag != _STR and tag != _TIMESTAMP:
                    value = _plain_value(tag, value)
        elif kind is _MappingStartEvent or kind is _SequenceStartEvent:
            if event.anchor is not None or event.tag is not None or len(stack) >= MAX_DEPTH:
                raise _NeedsNodes
            value = {} if kind is _MappingStartEvent else []
        elif kind is _MappingEndEvent or kind is _SequenceEndEvent:
            if key is not _NO_KEY:
                raise _NeedsNodes
            top, in_list = stack.pop()
            continue
        elif kind is _DocumentStartEvent:
            documents += 1
            if documents > 1:
                raise _NeedsNodes
            continue
        elif kind is _AliasEvent:
            raise _NeedsNodes
        else:
            continue
        if top is None:
            root = value
        elif in_list:
            top.append(value)
        elif key is _NO_KEY:
            if kind is not _ScalarEvent or value in top:
                raise _NeedsNodes  # a list or mapping as a key, or a key twice
            key = value
        else:
            top[key] = value
            key = _NO_KEY
        if kind is not _ScalarEvent:
            stack.append((top, in_list))
            top, in_list = value, kind is _SequenceStartEvent
    if root is _NO_KEY:
        raise _NeedsNodes  # empty: the node path words it
    return root


class _Refused(Exception):
    def __init__(self, node: yaml.Node, path: PathKey, message: str) -> None:
        super().__init__(message)
        self.line, self.path, self.message = node.start_mark.line + 1, path, message


class _Builder:
    """Turns composed nodes into plain data, recording lines, within the limits above."""

    def __init__(self) -> None:
        self.lines: dict[PathKey, int] = {}
        self.seen: set[int] = set()
        self.active: set[int] = set()
        self.alias_values = 0

    def build(self, node: yaml.Node, path: PathKey, depth: int, via_alias: bool) -> Any:
        self.lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.ScalarNode):
            self._count(node, path, via_alias)
            return _scalar(node, path)
        key = id(node)
        if key in self.active:
            raise _Refused(node, path, "an alias refers to the list or mapping that contains it")
        if depth >= MAX_DEPTH:
            raise _Refused(node, path, f"nested more than {MAX_DEPTH} levels deep")
        via_alias = self._count(node, path, via_alias)
        self.active.add(key)
        try:
            if isinstance(node, yaml.MappingNode):
                return self._mapping(node, path, depth, via_alias)
            if node.tag != _SEQ:
                raise _Refused(node, path, f"the tag {_short(node.tag)} is not allowed on a list; remove it")
            return [self.build(item, (*path, i), depth + 1, via_alias) for i, item in enumerate(node.value)]
        finally:
            self.active.discard(key)

    def _count(self, node: yaml.Node, path: PathKey, via_alias: bool) -> bool:
        """Count a value built again through an alias; True when this node is such a repeat."""
        again = via_alias or id(node) in self.seen
        self.seen.add(id(node))
        if again:
            self.alias_values += 1
            if self.alias_values > MAX_ALIAS_VALUES:
                raise _Refused(node, path, f"aliases expand to more than {MAX_ALIAS_VALUES} values")
        return again

    def _mapping(self, node: yaml.MappingNode, path: PathKey, depth: int, via_alias: bool) -> dict[Any, Any]:
        if node.tag != _MAP:
            raise _Refused(node, path, f"the tag {_short(node.tag)} is not allowed on a mapping; remove it")
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                raise _Refused(key_node, path, "merge keys (<<) are not supported; write the fields out in full")
            if not isinstance(key_node, yaml.ScalarNode):
                raise _Refused(key_node, path, "a mapping key must be a plain value, not a list or mapping")
            key = _scalar(key_node, path)
            child = (*path, str(key))
            if key in out:
                raise _Refused(key_node, child, "key appears twice in one mapping")
            out[key] = self.build(value_node, child, depth + 1, via_alias)
            self.lines[child] = key_node.start_mark.line + 1
        return out


def _short(tag: str) -> str:
    return "!!" + tag[len(_TAG):] if tag.startswith(_TAG) else tag if tag.startswith("!") else f"!<{tag}>"


def _scalar(node: yaml.ScalarNode, path: PathKey) -> Any:
    # Dates stay strings: a published date of 2025-03 must not turn into something else.
    if node.tag in (_STR, _TIMESTAMP):
        return node.value
    kind = _KINDS.get(node.tag)
    if kind is None:
        raise _Refused(node, path, f"the tag {_short(node.tag)} is not allowed; remove it (only plain values are read)")
    if len(node.value) > MAX_NUMBER_CHARS:
        raise _Refused(node, path, f"a {kind} of {len(node.value)} characters is too long; quote it if it is text")
    constructor = getattr(_local, "constructor", None)
    if constructor is None:
        constructor = _local.constructor = yaml.SafeLoader("")
    try:
        return constructor.construct_object(node)
    except (ValueError, KeyError, IndexError, TypeError, ArithmeticError, yaml.YAMLError):
        raise _Refused(node, path, f"{node.value!r} is not a valid {kind}") from None
    finally:
        constructor.constructed_objects.clear()
