"""Static facts about tool bodies and guards, read from the IR alone.

What the procedural tests and the linter share: which nodes are error messages (never inputs to
try, never mutated), and whether a guard's condition is decided by constants alone, so that it can
never fail or never pass whatever the call. The dynamic search reports "never fails within the
budget"; `constant_outcome` says when that is certain.
"""

from __future__ import annotations

from .. import ir

UNKNOWN = object()  # a value that depends on the call or the state

_COMPARE = {
    "==": lambda a, b: a == b, "!=": lambda a, b: a != b, "<": lambda a, b: a < b, "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b, ">=": lambda a, b: a >= b, "in": lambda a, b: a in b, "not in": lambda a, b: a not in b,
}


def message_ids(body) -> set[int]:
    """The ids of every node inside an error message of `body` (a `require`'s, a lookup's, ...)."""
    return {id(n) for node in ir.walk(body) for m in error_messages(node) for n in ir.walk(m)}


def error_messages(node) -> list[ir.Model]:
    found = (getattr(node, name, None) for name in ("message", "error"))
    return [m for m in found if isinstance(m, ir.Model)]


def constant_outcome(guard: ir.Guard) -> str | None:
    """"never fails" or "never passes" when the guard's condition is a constant; None when the
    call or the state decides it (and for argument guards, which a value of another type fails)."""
    if guard.condition is None:
        return None
    value = constant_value(guard.condition)
    if value is UNKNOWN:
        return None
    return "never fails" if value else "never passes"


def constant_value(e: ir.Expr):
    """The value of `e` when constants alone decide it (`not true`, `1 < 2`, `"a" in ["a"]`), else UNKNOWN."""
    if isinstance(e, ir.Const):
        return e.value
    if isinstance(e, ir.ListExpr):
        items = [constant_value(i) for i in e.items]
        return UNKNOWN if any(i is UNKNOWN for i in items) else items
    if isinstance(e, ir.Unary):
        operand = constant_value(e.operand)
        if operand is UNKNOWN:
            return UNKNOWN
        return (not operand) if e.op == "not" else _negated(operand)
    if isinstance(e, ir.Binary):
        return _binary(e)
    return UNKNOWN


def _binary(e: ir.Binary):
    left, right = constant_value(e.left), constant_value(e.right)
    if e.op in ("and", "or"):  # one side can decide: `false and x`, `true or x`
        for side in (left, right):
            if side is not UNKNOWN and bool(side) == (e.op == "or"):
                return e.op == "or"
        return UNKNOWN if UNKNOWN in (left, right) else (bool(left) and bool(right) if e.op == "and"
                                                          else bool(left) or bool(right))
    if left is UNKNOWN or right is UNKNOWN or e.op not in _COMPARE:
        return UNKNOWN
    try:
        return _COMPARE[e.op](left, right)
    except TypeError:
        return UNKNOWN


def _negated(value):
    return -value if type(value) in (int, float) else UNKNOWN
