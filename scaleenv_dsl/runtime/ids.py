"""`new_id(keys, prefix[, width])`: a key for a new row that no row has, the same for the same state.

The id is the prefix followed by one more than the largest counter in use: among the keys that are
the prefix followed by ASCII digits only, the largest number those digits spell (1 when there is
none), zero-padded to `width` digits. A key with that prefix and that number would have a counter
at least as large, so the new id is never a key already. It depends on the set of keys alone, never
on their order, the clock or a random source, so a replay of the same calls makes the same ids.

Counters are compared as digit strings, never turned into numbers: a key of ten thousand digits is
data like any other, not an integer for Python to parse.
"""

from __future__ import annotations

from .limits import charge_steps


def new_id(state, keys, prefix: str, width: int = 1) -> str:
    if state is not None:
        charge_steps(state, len(keys))  # a scan of the keys
    start, largest = len(prefix), ""
    for key in keys:
        if type(key) is not str or not key.startswith(prefix):
            continue
        digits = key[start:]
        if digits and digits.isascii() and digits.isdigit():
            digits = digits.lstrip("0")
            if (len(digits), digits) > (len(largest), largest):
                largest = digits
    return prefix + _plus_one(largest).zfill(width)


def _plus_one(digits: str) -> str:
    """The decimal digits (no leading zeros, "" for zero) of one more than `digits`."""
    kept = digits.rstrip("9")
    if not kept:
        return "1" + "0" * len(digits)
    return kept[:-1] + chr(ord(kept[-1]) + 1) + "0" * (len(digits) - len(kept))
