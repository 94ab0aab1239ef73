"""Starts the data lacks: rows given the values the tools' conditions compare their fields with.

`require member.fines < 10` can only fail on a member owing ten dollars or more, and a check on a
hold that is "ready for pickup" is only reached when some hold is. When the data has no such row,
calls alone may never make one. So each comparison of a row's field with a constant, in a guard
or in a branch condition, gives overlays (the `initial` of the cases format) that set the field to
the constant and, for a number, to one on either side: the boundary, from both sides. An overlay
is only used when the state it makes still meets every invariant.
"""

from __future__ import annotations

import random

from .. import ir
from .data import View

COMPARISONS = ("==", "!=", "<", "<=", ">", ">=", "in", "not in")
ROWS_PER_FIELD = 2


def compared_fields(domain: ir.Domain) -> dict[tuple[str, tuple[str, ...]], list]:
    """(entity, field path) -> the constants some condition compares it with, in every tool."""
    found: dict[tuple[str, tuple[str, ...]], dict] = {}
    for tool in domain.tools:
        for condition in _conditions(tool):
            for node in ir.walk(condition):
                if isinstance(node, ir.Binary) and node.op in COMPARISONS:
                    for field, other in ((node.left, node.right), (node.right, node.left)):
                        place = _row_field(field)
                        values = _constants(other)
                        if place is not None and values:
                            found.setdefault(place, {}).update(dict.fromkeys(map(_hashable, values)))
    return {place: [_plain(v) for v in values] for place, values in found.items()}


def boundary_overlays(domain: ir.Domain, view: View, rng: random.Random, limit: int) -> list[dict]:
    """Overlays setting compared fields of a few rows to their constants and neighbours, at most `limit`."""
    overlays = []
    for (entity, path), constants in compared_fields(domain).items():
        rows = list(view.rows(entity))
        chosen = rng.sample(rows, min(ROWS_PER_FIELD, len(rows)))
        collection = domain.entity(entity).collection
        for key in chosen:
            for value in _around(constants):
                overlays.append({collection: {key: _nested(path, value)}})
    rng.shuffle(overlays)
    return overlays[:limit]


def _conditions(tool: ir.ToolDef):
    contract = tool.contract or ir.ToolContract()
    yield from (g.condition for g in contract.guards if g.condition is not None)
    for item in (*contract.guards, *contract.effects, *contract.returns):
        yield from item.when


def _row_field(e: ir.Expr) -> tuple[str, tuple[str, ...]] | None:
    """(entity, path) when `e` is a field (of a field ...) of a row looked up by key."""
    path = []
    while isinstance(e, ir.GetField):
        path.append(e.name)
        e = e.obj
    if isinstance(e, ir.Lookup) and path:
        return e.entity, tuple(reversed(path))
    return None


def _constants(e: ir.Expr) -> list:
    if isinstance(e, ir.Const) and isinstance(e.value, (str, int, float, bool)):
        return [e.value]
    if isinstance(e, ir.Const) and isinstance(e.value, list):
        return [v for v in e.value if isinstance(v, (str, int, float, bool))]
    if isinstance(e, ir.ListExpr):
        return [i.value for i in e.items if isinstance(i, ir.Const) and isinstance(i.value, (str, int, float, bool))]
    return []


def _around(constants: list) -> list:
    values = {}
    for c in constants:
        if type(c) is int:
            values.update(dict.fromkeys((c - 1, c, c + 1)))
        elif type(c) is float:
            values.update(dict.fromkeys((round(c - 0.01, 6), c, round(c + 0.01, 6))))
        else:
            values[c] = None
    return list(values)


def _nested(path: tuple[str, ...], value) -> dict:
    out = value
    for name in reversed(path):
        out = {name: out}
    return out


def _hashable(value):
    return (type(value).__name__, value)


def _plain(tagged):
    return tagged[1]
