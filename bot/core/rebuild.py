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
from enum import Enum
from typing import Any

from pydantic import BaseModel, TypeAdapter

from bot.core.models import Repeated

Convert = Callable[[Any], Any]
_new = object.__new__
_get = object.__getattribute__
_set = object.__setattr__
_intern = sys.intern


class Step(Enum):
    """What the builder does to a field in its own loops, instead of a call per value."""

    INTERN = "text interned"
    MAYBE_INTERN = "optional text interned"
    TUPLE = "a list as a tuple"
    INTERNED_TUPLE = "a list of text interned, as a tuple"


class NotAModel(ValueError):
    """The data does not have the shape of the model (the row is then parsed from its file)."""


def rebuild(model: type[BaseModel], data: Any) -> Any:
    """`model` from `data` as model_dump gives it (every field present)."""
    return _builder(model)(data)


@functools.cache
def _builder(model: type[BaseModel]) -> Convert:
    names = tuple(model.model_fields)
    first = names[0]
    # One set shared by every instance built here: pydantic only copies it (model_copy) or adds to it on
    # assignment, which frozen models refuse first. 100k claims would otherwise hold 100k sets of 17 names.
    fields_set = set(names)
    converters = [(name, c) for name, f in model.model_fields.items()
                  if (c := _converter(f.annotation, f.metadata)) is not None]
    # The common cases are done in the loops below rather than by a call per value: an enum field is a
    # dict lookup (a KeyError, unknown value, rejects the row), text is interned, a list becomes a tuple.
    lookups = tuple((name, c) for name, c in converters if isinstance(c, dict))
    steps = {step: tuple(name for name, c in converters if c is step) for step in Step}
    interned, maybe_interned = steps[Step.INTERN], steps[Step.MAYBE_INTERN]
    tuples, interned_tuples = steps[Step.TUPLE], steps[Step.INTERNED_TUPLE]
    calls = tuple((name, c) for name, c in converters if not isinstance(c, (dict, Step)))

    def build(data: Any) -> Any:
        if data.__class__ is not dict or len(data) != len(names):
            raise NotAModel(f"not a {model.__name__}")
        for name, members in lookups:
            data[name] = members[data[name]]
        for name in interned:
            data[name] = _intern(data[name])
        for name in maybe_interned:
            if (value := data[name]) is not None:
                data[name] = _intern(value)
        for name in tuples:
            data[name] = tuple(data[name])  # an empty one is the one shared `()`
        for name in interned_tuples:
            data[name] = tuple(map(_intern, data[name]))
        for name, convert in calls:
            data[name] = convert(data[name])
        obj = _new(model)
        # The instance's own __dict__ shares its keys with every instance of the class (PEP 412) as long
        # as they are inserted in field order: ~250 bytes less per claim than keeping the decoded dict.
        values = _get(obj, "__dict__")
        values[first] = None
        values.update(data)
        _set(obj, "__pydantic_fields_set__", fields_set)
        _set(obj, "__pydantic_extra__", None)
        _set(obj, "__pydantic_private__", None)
        return obj

    return build


def _converter(annotation: Any, metadata: Iterable[Any] = ()) -> Convert | dict[Any, Any] | Step | None:
    """How to turn a JSON value into the field's value: a function, an enum's members by value, a Step
    the builder's loops take, or None when it is used as it is."""
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
        return _tuple(_call(inner))
    if origin in (typing.Union, types.UnionType) and type(None) in args and len(args) == 2:
        inner = _converter(next(a for a in args if a is not type(None)), metadata)
        if inner is None or inner is Step.INTERN:
            return None if inner is None else Step.MAYBE_INTERN
        return _optional(_call(inner))
    return TypeAdapter(annotation).validate_python  # anything else the schema may gain: validated


def _call(converter: Convert | dict[Any, Any] | Step) -> Convert:
    if isinstance(converter, Step):  # inside a model, nested models and lists of them: a call per value
        return {Step.INTERN: _intern, Step.MAYBE_INTERN: _optional(_intern),
                Step.TUPLE: _tuple(lambda v: v), Step.INTERNED_TUPLE: _tuple(_intern)}[converter]
    return converter.__getitem__ if isinstance(converter, dict) else converter


def _tuple(inner: Convert) -> Convert:
    def convert(value: Any) -> Any:
        if value.__class__ is not list:
            raise NotAModel("not a list")
        return tuple([inner(v) for v in value])
    return convert


def _optional(inner: Convert) -> Convert:
    def convert(value: Any) -> Any:
        return None if value is None else inner(value)
    return convert
