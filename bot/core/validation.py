"""Turning a YAML document into a pydantic model, with each validation error located by line."""
from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel, ValidationError

from bot.core.problems import Problem
from bot.core.yamlfile import YamlDoc

M = TypeVar("M", bound=BaseModel)


def validate_doc(doc: YamlDoc, model: type[M]) -> M | list[Problem]:
    """Validate `doc` against `model`; every error comes back with its file, line and field."""
    try:
        return model.model_validate(doc.data)
    except ValidationError as exc:
        return [_problem(doc, err) for err in exc.errors(include_url=False)]


def _problem(doc: YamlDoc, err: object) -> Problem:
    assert isinstance(err, dict)
    loc = tuple(str(p) if not isinstance(p, int) else p for p in err["loc"])
    field = ".".join(str(p) for p in loc)
    message = _message(err)
    return Problem(doc.file, doc.line_of(loc), field, message)


def _message(err: dict) -> str:  # type: ignore[type-arg]
    kind = err.get("type", "")
    if kind == "extra_forbidden":
        return "unknown field"
    if kind == "missing":
        return "required field is missing"
    if kind == "enum":
        expected = err.get("ctx", {}).get("expected", "")
        return f"{err.get('input')!r} is not allowed; expected {expected}"
    return str(err.get("msg", "invalid value"))
