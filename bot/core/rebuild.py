"""Turning a snapshot row's JSON data back into its model without validating it again.

Only for rows whose MAC proves this code wrote them from a model that passed validation (see
bot.core.snapshot): the values are already checked, so each model is assembled directly. Nothing
here runs code named by the data: enums are looked up by value, nested models by the schema.
"""
from __future__ import annotations

import functools
import sys
import types
import typing
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import Enum
from typing import Any

from pydantic import BaseModel, TypeAdapter

from bot.core.models import Repeated

Convert = Callable[[Any], Any]
_new = object.__new__
_get = object.__getattribute__
# BaseModel's own slots, set through their descriptors (a third cheaper than object.__setattr__).
_slot = {name: BaseModel.__dict__[name].__set__
         for name in ("__pydantic_fields_set__", "__pydantic_extra__", "__pydantic_private__")}
_intern = sys.intern


class Step(Enum):
    """The common conversions, written inline in the builder's code instead of called per value."""

    INTERN = "text interned"
    MAYBE_INTERN = "optional text interned"
    TUPLE = "a list as a tuple"
    INTERNED_TUPLE = "a list of text interned, as a tuple"


class NotAModel(ValueError):
    """The data does not have the shape of the model (the row is then parsed from its file)."""


@dataclass(frozen=True, slots=True)
class Each:
    """A list whose items each need a call (nested models), as a tuple."""

    convert: Convert

    def __call__(self, value: Any) -> tuple[Any, ...]:
        if value.__class__ is not list:
            raise NotAModel("not a list")
        return tuple(map(self.convert, value))


Converter = Convert | dict[Any, Any] | Step | Each | None


def rebuild(model: type[BaseModel], data: Any) -> Any:
    """`model` from `data` as model_dump gives it (every field present)."""
    return _builder(model)(data)


@functools.cache
def _builder(model: type[BaseModel]) -> Convert:
    # The builder is Python written from the schema (as dataclasses write __init__): one statement per
    # field, so a claim costs no loop or call for what it does not have. Nothing in it comes from data.
    names = tuple(model.model_fields)
    # One set shared by every instance built here: pydantic only copies it (model_copy) or adds to it on
    # assignment, which frozen models refuse first. 100k claims would otherwise hold 100k sets of 17 names.
    scope: dict[str, Any] = {"model": model, "fields_set": set(names), "NotAModel": NotAModel, "_new": _new,
                             "_get": _get, "_intern": _intern, "_fields_set": _slot["__pydantic_fields_set__"],
                             "_extra": _slot["__pydantic_extra__"], "_private": _slot["__pydantic_private__"]}
    lines = ["def build(data):",
             f"    if data.__class__ is not dict or len(data) != {len(names)}:",
             f"        raise NotAModel('not a {model.__name__}')",
             "    obj = _new(model)",
             # Filled in field order, the instance's own __dict__ shares its keys with every instance of
             # the class (PEP 412): ~250 bytes less per claim than keeping the decoded dict.
             "    values = _get(obj, '__dict__')"]
    for n, (name, field) in enumerate(model.model_fields.items()):
        value = _expression(_converter(field.annotation, field.metadata), f"data[{name!r}]", f"c{n}", scope)
        lines.append(f"    values[{name!r}] = {value}")
    lines += ["    _fields_set(obj, fields_set)", "    _extra(obj, None)", "    _private(obj, None)", "    return obj"]
    exec("\n".join(lines), scope)
    return scope["build"]  # type: ignore[no-any-return]


def _expression(converter: Converter, value: str, name: str, scope: dict[str, Any]) -> str:
    """The text of an expression turning `value` into the field's value; a function or table it needs is
    put in `scope` as `name` (also the name of its temporary)."""
    if converter is None:
        return value
    if converter is Step.INTERN:
        return f"_intern({value})"
    if converter is Step.MAYBE_INTERN:
        return f"(None if ({name} := {value}) is None else _intern({name}))"
    # Most lists are empty: those become the one shared `()` without a call.
    if converter is Step.TUPLE:
        return f"(() if ({name} := {value}) == [] else tuple({name}))"
    if converter is Step.INTERNED_TUPLE:
        return f"(() if ({name} := {value}) == [] else tuple(map(_intern, {name})))"
    scope[name] = converter
    if isinstance(converter, dict):
        return f"{name}[{value}]"  # an enum's member by value; a KeyError (unknown value) rejects the row
    if isinstance(converter, Each):
        return f"(() if (_{name} := {value}) == [] else {name}(_{name}))"
    return f"{name}({value})"


def _converter(annotation: Any, metadata: Iterable[Any] = ()) -> Converter:
    """How to turn a JSON value into the field's value: a function, an enum's members by value, a Step
    written inline, or None when it is used as it is."""
    if annotation is str:
        return Step.INTERN if any(isinstance(m, Repeated) for m in metadata) else None
    if annotation is bool:
        return None
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Annotated:
        return _converter(args[0], [*metadata, *args[1:]])
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return {m.value: m for m in annotation}
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return _builder(annotation)
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        inner = _converter(args[0])
        if inner is None or inner is Step.INTERN:
            return Step.TUPLE if inner is None else Step.INTERNED_TUPLE
        return Each(_call(inner))
    if origin in (typing.Union, types.UnionType) and type(None) in args and len(args) == 2:
        inner = _converter(next(a for a in args if a is not type(None)), metadata)
        if inner is None or inner is Step.INTERN:
            return None if inner is None else Step.MAYBE_INTERN
        return _optional(_call(inner))
    return TypeAdapter(annotation).validate_python  # anything else the schema may gain: validated


def _call(converter: Converter) -> Convert:
    """A converter as a function, for values inside a list or an optional."""
    if isinstance(converter, Step):
        calls: dict[Step, Convert] = {Step.INTERN: _intern, Step.MAYBE_INTERN: _optional(_intern),
                                      Step.TUPLE: Each(lambda v: v), Step.INTERNED_TUPLE: Each(_intern)}
        return calls[converter]
    if converter is None:
        return lambda v: v
    return converter.__getitem__ if isinstance(converter, dict) else converter


def _optional(inner: Convert) -> Convert:
    def convert(value: Any) -> Any:
        return None if value is None else inner(value)
    return convert
