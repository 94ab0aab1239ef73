"""Checking tool arguments against their declared types, before any state is touched.

Validators are built once per tool from the IR and return a checked copy of
each argument, so a caller holding on to a list it passed cannot later change
a row that stored it. Payloads are bounded in depth, size and string length.
"""

from __future__ import annotations

import math
from typing import Callable

from .. import ir
from .journal import MISSING
from .values import jcopy

MAX_DEPTH = 32
MAX_NODES = 10_000
MAX_STRING = 100_000
MAX_INTEGER = 2 ** 53 - 1  # the language's bound on numbers: beyond it JSON does not hold an integer exactly

Validator = Callable[[object], object]


class ArgumentError(Exception):
    def __init__(self, message: str, path: tuple = ()):
        self.message = message
        self.path = path
        super().__init__(message)

    def at(self, step) -> "ArgumentError":
        return ArgumentError(self.message, (step, *self.path))

    def render(self, argument: str) -> str:
        where = argument + "".join(f"[{step!r}]" for step in self.path)
        return f"argument '{where}': {self.message}"


def json_kind(value) -> str:
    if value is None:
        return "null"
    name = type(value).__name__
    return {bool: "a boolean", int: "an integer", float: "a number", str: "a string", list: "a list",
            dict: "an object"}.get(type(value), ("an " if name[:1].lower() in "aeiou" else "a ") + name)


def _fail(expected: str, value):
    raise ArgumentError(f"expected {expected}, got {json_kind(value)}")


def measure(value, depth: int = 0, budget: list | None = None) -> None:
    """Reject values nested deeper than MAX_DEPTH or holding more than MAX_NODES items."""
    budget = budget if budget is not None else [MAX_NODES]
    budget[0] -= 1
    if budget[0] < 0:
        raise ArgumentError(f"the value holds more than {MAX_NODES} items")
    if depth > MAX_DEPTH:
        raise ArgumentError(f"the value nests deeper than {MAX_DEPTH} levels")
    t = type(value)
    if t is dict:
        for v in value.values():
            measure(v, depth + 1, budget)
    elif t is list or t is tuple:
        for v in value:
            measure(v, depth + 1, budget)
    elif t is str and len(value) > MAX_STRING:
        raise ArgumentError(f"a string is longer than {MAX_STRING} characters")


# ---------------------------------------------------------------- scalars

def check_str(v):
    if type(v) is not str:
        _fail("a string", v)
    if len(v) > MAX_STRING:
        raise ArgumentError(f"the string is longer than {MAX_STRING} characters")
    return v


def check_int(v):
    if type(v) is not int:
        if type(v) is not float or not v.is_integer():
            _fail("an integer", v)
        v = int(v)  # 3.0 from a JSON encoder that writes every number as a float
    if not -MAX_INTEGER <= v <= MAX_INTEGER:
        raise ArgumentError(f"expected an integer within ±{MAX_INTEGER}")
    return v


def check_float(v):
    t = type(v)
    if t is float:
        if not math.isfinite(v):
            raise ArgumentError("expected a finite number")
        return v
    if t is not int:
        _fail("a number", v)
    if not -MAX_INTEGER <= v <= MAX_INTEGER:  # 1e20 written without a point: a float, as a float would be
        try:
            return float(v)
        except OverflowError:
            raise ArgumentError("expected a finite number") from None
    return v


def check_bool(v):
    if type(v) is not bool:
        _fail("a boolean", v)
    return v


def check_any(v):
    measure(v)
    return jcopy(v)


# ---------------------------------------------------------------- builder

class ValidatorFactory:
    """Builds validators for the types of one domain."""

    def __init__(self, domain: ir.Domain):
        self.records = {r.name: r.fields for r in domain.records}
        self.entities = {e.name: e.fields for e in domain.entities}
        self.unions = {u.name: u for u in domain.unions}
        self.enums = {e.name: frozenset(e.values) for e in domain.enums}
        self._named: dict[str, Validator] = {}

    def build(self, t: ir.TypeRef) -> Validator:
        kind = t.kind
        if kind in ("str", "ref"):
            return check_str
        if kind in _SCALARS:
            return _SCALARS[kind]
        if kind == "enum":
            return self._enum(t.name)
        if kind == "optional":
            return _optional(self.build(t.args[0]))
        if kind in ("list", "map"):
            item = self.build(t.args[0])
            check = _list_of(item) if kind == "list" else _map_of(item)
            # a list or map of scalars cannot nest: its length check bounds it
            return check if _is_scalar(t.args[0]) else _bounded(check)
        if kind in ("record", "entity", "union"):
            return _bounded(self._named_validator(t.name))
        return check_any

    def _enum(self, name: str) -> Validator:
        values = self.enums.get(name, frozenset())
        shown = ", ".join(repr(v) for v in sorted(values)[:10])

        def check_enum(v):
            if type(v) is not str:
                _fail("a string", v)
            if v not in values:
                raise ArgumentError(f"expected one of {shown}")
            return v
        return check_enum

    def _named_validator(self, name: str) -> Validator:
        # resolved lazily so that recursive types do not recurse while building
        def check_named(v):
            fn = self._named.get(name)
            if fn is None:
                fn = self._named[name] = self._make_named(name)
            return fn(v)
        return check_named

    def _make_named(self, name: str) -> Validator:
        if name in self.unions:
            return self._union(self.unions[name])
        fields = self.records.get(name) or self.entities.get(name) or []
        return _record(name, [(f.name, self.build(f.type), f.type.kind == "optional") for f in fields])

    def _union(self, union: ir.UnionDef) -> Validator:
        variants = {v.name: _record(v.name, [(f.name, self.build(f.type), f.type.kind == "optional")
                                             for f in v.fields], tag=union.tag)
                    for v in union.variants}
        names = ", ".join(repr(v) for v in variants)

        def check_union(v):
            if type(v) is not dict:
                _fail("an object", v)
            tag = v.get(union.tag)
            variant = variants.get(tag) if type(tag) is str else None
            if variant is None:
                raise ArgumentError(f"'{union.tag}' must be one of {names}")
            return variant(v)
        return check_union


_SCALARS = {"int": check_int, "float": check_float, "bool": check_bool, "any": check_any, "none": check_any,
            "tuple": check_any}


def _is_scalar(t: ir.TypeRef) -> bool:
    return t.kind in ("str", "ref", "int", "float", "bool", "enum")


def _bounded(check: Validator) -> Validator:
    """Measure a container argument once, at its top, before walking it."""
    def check_bounded(v):
        measure(v)
        return check(v)
    check_bounded.inner = check
    return check_bounded


def _inner(check: Validator) -> Validator:
    return getattr(check, "inner", check)


def _optional(check: Validator) -> Validator:
    def check_optional(v):
        return None if v is None else check(v)
    return check_optional


def _list_of(item: Validator) -> Validator:
    item = _inner(item)
    if item is check_str:
        return _list_of_str

    def check_list(v):
        if type(v) is not list:
            _fail("a list", v)
        if len(v) > MAX_NODES:
            raise ArgumentError(f"the list holds more than {MAX_NODES} items")
        out = []
        for i, x in enumerate(v):
            try:
                out.append(item(x))
            except ArgumentError as err:
                raise err.at(i) from None
        return out
    return check_list


def _list_of_str(v):
    """list[str], the commonest container argument, checked without a call per item."""
    if type(v) is not list:
        _fail("a list", v)
    if len(v) > MAX_NODES:
        raise ArgumentError(f"the list holds more than {MAX_NODES} items")
    for i, x in enumerate(v):
        if type(x) is not str or len(x) > MAX_STRING:
            try:
                check_str(x)
            except ArgumentError as err:
                raise err.at(i) from None
    return v[:]


def _map_of(value: Validator) -> Validator:
    value = _inner(value)

    def check_map(v):
        if type(v) is not dict:
            _fail("an object", v)
        if len(v) > MAX_NODES:
            raise ArgumentError(f"the object holds more than {MAX_NODES} items")
        out = {}
        for k, x in v.items():
            if type(k) is not str:
                raise ArgumentError("object keys must be strings")
            try:
                out[k] = value(x)
            except ArgumentError as err:
                raise err.at(k) from None
        return out
    return check_map


def _record(name: str, fields: list[tuple[str, Validator, bool]], tag: str | None = None) -> Validator:
    known = {f for f, _, _ in fields} | ({tag} if tag else set())
    fields = [(f, _inner(check), optional) for f, check, optional in fields]

    def check_record(v):
        if type(v) is not dict:
            _fail("an object", v)
        extra = [k for k in v if k not in known]
        if extra:
            raise ArgumentError(f"{name} has no field {extra[0]!r}")
        out = {tag: v[tag]} if tag else {}
        for field, check, optional in fields:
            x = v.get(field, MISSING)
            if x is MISSING or (x is None and optional):
                if not optional:
                    raise ArgumentError(f"missing field {field!r}")
                continue
            try:
                out[field] = check(x)
            except ArgumentError as err:
                raise err.at(field) from None
        return out
    return check_record


# ---------------------------------------------------------------- tools

class ArgumentBinder:
    """Turns an `arguments` object into the positional arguments of a generated tool function."""

    __slots__ = ("tool", "params", "names")

    def __init__(self, tool: ir.ToolDef, factory: ValidatorFactory):
        self.tool = tool.name
        self.params = [(p.name, factory.build(p.type), p.type.kind == "optional") for p in tool.params]
        self.names = frozenset(p.name for p in tool.params)

    def bind(self, arguments) -> list:
        if type(arguments) is not dict:
            raise ArgumentError(f"arguments must be an object, got {json_kind(arguments)}")
        out = []
        found = 0
        for name, check, optional in self.params:
            value = arguments.get(name, MISSING)
            if value is MISSING:
                if not optional:
                    raise ArgumentError(f"missing argument '{name}'")
                out.append(None)
                continue
            found += 1
            try:
                out.append(check(value))
            except ArgumentError as err:
                raise ArgumentError(err.render(name)) from None
        if found != len(arguments):
            extra = min(str(k) for k in arguments if k not in self.names)  # the first in order, without a sort
            raise ArgumentError(f"unexpected argument '{extra[:100]}'")
        return out
