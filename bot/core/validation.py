"""Turning a YAML document into a pydantic model, with each validation error located by line."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from bot.core.problems import Problem
from bot.core.yamlfile import PathKey, YamlDoc

M = TypeVar("M", bound=BaseModel)

TODO = "TODO"
# What each pattern of the schema means, so an error names the expected form instead of quoting a regex.
PATTERNS = {
    r"^[a-z0-9][a-z0-9-]{0,63}$": "an id: lower-case letters, digits and hyphens, at most 64 characters",
    r"^[a-z]{2}$": "a two-letter language code such as en or fr",
    r"^https?://\S+$": "an http:// or https:// address without spaces",
    r"^[^/\\]+$": "a file name, without / or \\",
    r"^[A-Za-z0-9_.:#-]+$": "a platform id: letters, digits and _ . : # -",
}


def validate_doc(doc: YamlDoc, model: type[M]) -> M | list[Problem]:
    """Validate `doc` against `model`; every error comes back with its file, line and field.

    A field still holding the draft placeholder `TODO` is an error naming that field.
    """
    todos = {path: Problem(doc.file, doc.line_of(path), _dotted(path), "still says TODO: replace it with a real value")
             for path in (_todo_paths(doc.data, ()) if _may_say_todo(doc) else ())}
    try:
        result = model.model_validate(doc.data)
    except ValidationError as exc:
        problems = [_problem(doc, err) for err in exc.errors(include_url=False)]
        return list(todos.values()) + [p for p in problems if not any(p.field == t.field for t in todos.values())]
    return list(todos.values()) if todos else result


def _may_say_todo(doc: YamlDoc) -> bool:
    # A value reads TODO only if the text holds those letters or builds them from escapes (\\x54ODO):
    # the walk over every value is skipped for the (many) files with neither.
    return not doc.text or TODO in doc.text or "\\" in doc.text


def _todo_paths(data: Any, path: PathKey) -> Iterator[PathKey]:
    if isinstance(data, str):
        if data.strip() == TODO:
            yield path
    elif isinstance(data, dict):
        for key, value in data.items():
            yield from _todo_paths(value, (*path, str(key)))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from _todo_paths(value, (*path, i))


def _dotted(path: PathKey) -> str:
    return ".".join(str(p) for p in path)


def _problem(doc: YamlDoc, err: object) -> Problem:
    assert isinstance(err, dict)
    loc = tuple(str(p) if not isinstance(p, int) else p for p in err["loc"])
    return Problem(doc.file, doc.line_of(loc), _dotted(loc), _message(err))


def as_yaml(value: object) -> str:
    """A value as an admin would type it in YAML: true, false, null, 'text'."""
    if value is True or value is False:
        return str(value).lower()
    if value is None:
        return "null"
    if isinstance(value, str):
        shown = value if len(value) <= 60 else value[:60] + "…"
        return repr(shown)
    if isinstance(value, dict | list):
        return "a mapping" if isinstance(value, dict) else "a list"
    return str(value)


def _message(err: dict) -> str:  # type: ignore[type-arg]
    kind = err.get("type", "")
    ctx = err.get("ctx") or {}
    if kind == "extra_forbidden":
        return "unknown field"
    if kind == "missing":
        return "required field is missing"
    if kind == "enum":
        return f"{as_yaml(err.get('input'))} is not allowed; expected {ctx.get('expected', '')}"
    if kind == "string_pattern_mismatch":
        wanted = PATTERNS.get(str(ctx.get("pattern", "")), "the documented form")
        return f"{as_yaml(err.get('input'))} is not {wanted}"
    message = str(err.get("msg", "invalid value"))
    if kind.endswith("_type") or kind.endswith("_parsing"):
        return f"{message}, not {as_yaml(err.get('input'))}"
    return message
