"""A value that does not fit its type, in the checker's words.

`types_fit` decides whether a value fits and why not; this module words the
reason for the author of a spec or a data file, naming types as the spec
writes them (`ref Person`, `Payment.card`).
"""

from __future__ import annotations

import json
from typing import Any

from ..types_fit import (BAD_DATE, BAD_TAG, DANGLING_REF, MISSING_FIELD, NO_VARIANT, NOT_IN_ENUM, OUT_OF_RANGE, TOO_LARGE,
                         UNKNOWN_FIELD, WRONG_KIND, Mismatch, TypeTable)


def describe(m: Mismatch, types: TypeTable) -> tuple[tuple, str, str]:
    """(the path of the offending part, the message, the help) for one mismatch."""
    t, value, path = m.expected, m.value, m.path
    what = f"{t.name}.{m.variant}" if m.variant else t.name if t is not None else ""
    if m.text and m.reason == OUT_OF_RANGE:
        return path, m.text, "numbers must be finite, and integers within ±(2^53 − 1), the range JSON holds exactly"
    if m.reason == BAD_DATE:
        return path, m.text, "dates are ISO 8601 text without a time zone: 2024-03-01, 2024-03-01T09:00:00"
    if m.text:
        return path, m.text, "make the value smaller" if m.reason == TOO_LARGE else "give a value within the limits"
    if m.reason == WRONG_KIND:
        return path, f"expected {_expected(t)}, found {_kind_of(value)}", f"write {_expected(t)}"
    if m.reason == NOT_IN_ENUM:
        values = types.enums[t.name]
        return path, f"{json.dumps(value)} is not a value of `{t.name}`", \
            "its values are " + ", ".join(json.dumps(v) for v in values[:8])
    if m.reason == MISSING_FIELD:
        return path, f"the `{what}` lacks the field `{m.field}`", f"add `\"{m.field}\"`"
    if m.reason == UNKNOWN_FIELD:
        return (*path, m.field), f"`{what}` has no field `{m.field}`", "declare it in the spec, or remove it from the data"
    if m.reason == BAD_TAG:
        variants = [v.name for v in types.unions[t.name].variants]
        return (*path, m.field), f"`{m.field}` must name a variant of `{t.name}`, found {json.dumps(value.get(m.field))}", \
            "its variants are " + ", ".join(variants)
    if m.reason == NO_VARIANT:
        return path, f"no variant of `{t.name}` has all of " + ", ".join(f"`{k}`" for k in value), \
            f"name the variant with `{m.field}`, or give fields of one variant"
    if m.reason == DANGLING_REF:
        return path, f"{json.dumps(value)} refers to no `{t.name}`", "add that row, or fix the reference"
    return path, m.reason, "give a value of the declared type"


def detail(m: Mismatch, types: TypeTable) -> str:
    """What is wrong inside a literal value, for a message that already says it does not fit; '' when the
    message says it all (the value as a whole is of the wrong kind)."""
    _, message, _ = describe(m, types)
    if not m.path:  # where the mismatch is: its message names the field or tag, if one is at fault
        return "" if m.reason == WRONG_KIND else f": {message}"
    return f": at `{_value_path(m.path)}`, {message}"


def _value_path(path) -> str:
    out = ""
    for step in path:
        if isinstance(step, int):
            out += f"[{step}]"
        elif step.isidentifier():
            out += f".{step}"
        else:
            out += f"[{json.dumps(step)}]"
    return out.removeprefix(".")


def _expected(t) -> str:
    if t.kind in ("record", "entity", "union"):
        return f"a `{t.name}` object"
    if t.kind in ("date", "datetime"):
        return f"a `{t}` as ISO text"
    if t.kind == "list":
        return "a list"
    if t.kind == "map":
        return "an object"
    return f"`{t}`"


def _kind_of(value: Any) -> str:
    if value is None:
        return "null"
    return {bool: "a boolean", int: "a number", float: "a number", str: "a string", list: "a list",
            dict: "an object"}.get(type(value), type(value).__name__)
