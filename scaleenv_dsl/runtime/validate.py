"""Checking tool arguments against their declared types, before any state is touched.

Whether a value fits a type is decided by `types_fit`, the answer the checker
shares. What is the runtime's own: the policy for an agent's JSON (an
integral float counts as an integer, payloads are bounded in depth, size and
string length), binding an `arguments` object to a tool's parameters, and the
wording of the errors the agent sees.
"""

from __future__ import annotations

import copy

from .. import ir
from ..types_fit import MAX_STRING  # noqa: F401  (callers import the bound on strings from here)
from ..types_fit import (BAD_TAG, MISSING, MISSING_FIELD, NOT_IN_ENUM, UNKNOWN_FIELD, WRONG_KIND, FitBuilder,
                         Mismatch, TypeTable)
from ..types_fit import measure as _measure


class ArgumentError(Exception):
    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


class ValidatorFactory(FitBuilder):
    """The fit closures for one domain's tool arguments: an agent's JSON, lenient about 3.0, bounded in size."""

    def __init__(self, domain: ir.Domain):
        super().__init__(TypeTable.of(domain), integral_floats=True, payload_limits=True)


def measure(value) -> None:
    """Reject a payload nested deeper than MAX_DEPTH or holding more than MAX_NODES items."""
    try:
        _measure(value)
    except Mismatch as err:
        raise ArgumentError(err.text) from None


def json_kind(value) -> str:
    if value is None:
        return "null"
    name = type(value).__name__
    return {bool: "a boolean", int: "an integer", float: "a number", str: "a string", list: "a list",
            dict: "an object"}.get(type(value), ("an " if name[:1].lower() in "aeiou" else "a ") + name)


_EXPECTED = {"str": "a string", "ref": "a string", "enum": "a string", "int": "an integer", "float": "a number",
             "bool": "a boolean", "list": "a list", "map": "an object", "record": "an object",
             "entity": "an object", "union": "an object",
             "date": "a date string (YYYY-MM-DD)", "datetime": "a datetime string (YYYY-MM-DDTHH:MM[:SS])"}


def mismatch_message(m: Mismatch, types: TypeTable) -> str:
    """A mismatch in the words tool-calling agents have always been given (tau2's conformance pins them)."""
    if m.text:
        return m.text
    if m.reason == WRONG_KIND:
        return f"expected {_EXPECTED[m.expected.kind]}, got {json_kind(m.value)}"
    if m.reason == NOT_IN_ENUM:
        return "expected one of " + ", ".join(repr(v) for v in sorted(set(types.enums[m.expected.name]))[:10])
    if m.reason == MISSING_FIELD:
        return f"missing field {m.field!r}"
    if m.reason == UNKNOWN_FIELD:
        return f"{m.variant or m.expected.name} has no field {m.field!r}"
    if m.reason == BAD_TAG:
        union = types.unions[m.expected.name]
        return f"'{union.tag}' must be one of " + ", ".join(repr(v.name) for v in union.variants)
    return m.reason


class ArgumentBinder:
    """Turns an `arguments` object into the positional arguments of a generated tool function."""

    __slots__ = ("tool", "params", "names", "types", "defaults")

    def __init__(self, tool: ir.ToolDef, fits: FitBuilder):
        self.tool = tool.name
        self.params = [(p.name, fits.build(p.type), p.may_be_left_out) for p in tool.params]
        # through the parameter's own check, as an argument is (the checker has made sure it fits)
        self.defaults = {p.name: fits.build(p.type)(p.default) for p in tool.params if p.has_default}
        self.names = frozenset(p.name for p in tool.params)
        self.types = fits.table

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
                out.append(_fresh(self.defaults[name]) if name in self.defaults else None)
                continue
            found += 1
            try:
                out.append(check(value))
            except Mismatch as err:
                raise ArgumentError(self._render(name, err)) from None
        if found != len(arguments):
            extra = min(str(k) for k in arguments if k not in self.names)  # the first in order, without a sort
            raise ArgumentError(f"unexpected argument '{extra[:100]}'")
        return out

    def _render(self, argument: str, err: Mismatch) -> str:
        where = argument + "".join(f"[{step!r}]" for step in err.path)
        return f"argument '{where}': {mismatch_message(err, self.types)}"


def _fresh(default):
    """A default list or map is copied for each call, so no call sees what another stored:
    Python's shared mutable default is a trap, not a semantics to keep."""
    return copy.deepcopy(default) if isinstance(default, (list, dict)) else default
