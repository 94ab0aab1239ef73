"""JSON values: copying, comparing, and the value built-ins of the language."""

from __future__ import annotations

import json
import marshal
from itertools import islice

from ..types_fit import jcopy  # the checker copies values too: one copy for both


def deep_copy(value):
    """A deep copy of a large JSON-shaped value (a whole database), fast."""
    try:
        return marshal.loads(marshal.dumps(value))
    except ValueError:  # something marshal cannot carry: fall back to the general path
        return jcopy(value)


def copy_list(value, copy_item):
    """A list of records, copied item by item; anything unexpected is copied generically."""
    if type(value) is list:
        return [copy_item(v) for v in value]
    return jcopy(value)


def copy_map(value, copy_item):
    if type(value) is dict:
        return {k: copy_item(v) for k, v in value.items()}
    return jcopy(value)


def copy_flat(value):
    """A list or map of scalars, or a record of scalars."""
    t = type(value)
    if t is list or t is dict:
        return value.copy()
    return jcopy(value)


def to_json(value) -> str:
    """`to_json(x)`: Python's `json.dumps(x, sort_keys=True)`."""
    return json.dumps(value, sort_keys=True, allow_nan=False)


def round_number(x, ndigits):
    """`round(x, n)` with a computed `n`: Python's result, without Python's cost.

    For an integer `x` and a negative `n`, Python computes 10 ** -n, which takes
    hours for an `n` near -2**53. Once 10 ** -n exceeds twice |x| the answer is 0,
    so that case is answered without the power.
    """
    if isinstance(x, int) and isinstance(ndigits, int) and -ndigits > x.bit_length():
        return 0  # 10 ** -n > 2 ** bit_length > |x|, and halves round to the even 0
    return round(x, ndigits)


def bounded(items: list):
    """A list's own iterator, stopped after the length the list has now.

    `for x in xs` in a spec must end even if its body appends to `xs` (in Python
    it would not). Before that point this is Python's iteration exactly,
    removals during the loop included.
    """
    return islice(items, len(items))


# ---------------------------------------------------------------- comparison

def json_equal(a, b, tolerance: float = 0.0) -> bool:
    """JSON equality where key order does not matter, list order does, an absent
    key equals a null one, and numbers are equal within `tolerance`."""
    if a is b:
        return True
    ta, tb = type(a), type(b)
    if ta is dict and tb is dict:
        if a == b:
            return True
        for key in a.keys() | b.keys():
            if not json_equal(a.get(key), b.get(key), tolerance):
                return False
        return True
    if ta in (list, tuple) and tb in (list, tuple):
        return len(a) == len(b) and all(json_equal(x, y, tolerance) for x, y in zip(a, b))
    if _is_number(a) and _is_number(b):
        return a == b or abs(a - b) <= tolerance
    if ta is bool or tb is bool:
        return ta is tb and a == b
    return a == b


def _is_number(x) -> bool:
    return type(x) in (int, float)


def rows_equal(a, b) -> bool:
    """Do two rows hold the same data, a null counting as an absent key?

    Python's `==` does the work wherever it can. Unlike `json_equal` it takes
    `true` for `1`, which is harmless here: both rows passed the same schema,
    so a field is either a bool or a number.
    """
    if a == b:
        return True
    ta, tb = type(a), type(b)
    if ta is dict and tb is dict:
        for key in a.keys() | b.keys():
            x, y = a.get(key), b.get(key)
            if x != y and not rows_equal(x, y):
                return False
        return True
    if ta is list and tb is list:
        return len(a) == len(b) and all(x == y or rows_equal(x, y) for x, y in zip(a, b))
    return False


__all__ = ["jcopy", "deep_copy", "copy_list", "copy_map", "copy_flat", "to_json", "round_number", "bounded",
           "json_equal", "rows_equal"]
