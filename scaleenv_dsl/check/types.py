"""Relations between IR types: assignability, unification, display."""

from __future__ import annotations

from .. import ir

NUMERIC = ("int", "float")
STRINGLIKE = ("str", "enum", "ref")
# values that cannot change in place, so sharing one between two places is harmless
IMMUTABLE = ("str", "int", "float", "bool", "enum", "ref", "none", "date", "datetime")
DATES = ("date", "datetime")  # ISO text at run time, ordered by time (scaleenv_dsl/dates.py)


def is_numeric(t: ir.TypeRef) -> bool:
    return t.kind in NUMERIC or t.kind == "any"


def is_stringlike(t: ir.TypeRef) -> bool:
    return t.kind in STRINGLIKE or t.kind == "any"


def strip_optional(t: ir.TypeRef) -> ir.TypeRef:
    return t.args[0] if t.kind == "optional" else t


def assignable(src: ir.TypeRef, dst: ir.TypeRef) -> bool:
    """Can a value of type `src` be stored where `dst` is expected?

    Enums and refs are strings at run time, so they mix with `str` freely; a
    string literal meant for an enum is checked against its values separately.
    """
    if src.kind == "any" or dst.kind == "any" or src == dst:
        return True
    if dst.kind == "optional":
        return src.kind == "none" or assignable(strip_optional(src), dst.args[0])
    if src.kind in STRINGLIKE and dst.kind in STRINGLIKE:
        return not (src.kind == dst.kind == "ref" and _distinct_refs(src, dst))
    if src.kind == "int" and dst.kind == "float":
        return True
    if src.kind == dst.kind and src.kind in ("list", "map"):
        return assignable(src.args[0], dst.args[0])
    return False


def is_orderable(t: ir.TypeRef) -> bool:
    """Can `<`, `min` and `sorted` order values of type `t`?"""
    return is_numeric(t) or is_stringlike(t) or t.kind in DATES


def _distinct_refs(a: ir.TypeRef, b: ir.TypeRef) -> bool:
    """Keys of different tables never mix. Keys inside rows (`ref Order.items.item_id`,
    `ref Product.variants`) often share one id space, so two of those may."""
    if a.path and b.path:
        return False
    return (a.name, a.path) != (b.name, b.path)


def comparable(a: ir.TypeRef, b: ir.TypeRef) -> bool:
    a, b = strip_optional(a), strip_optional(b)
    return (assignable(a, b) or assignable(b, a) or (is_numeric(a) and is_numeric(b))
            or a.kind == "none" or b.kind == "none")


def unify(a: ir.TypeRef, b: ir.TypeRef) -> ir.TypeRef | None:
    """The type that holds both, for list items and conditional branches."""
    if a.kind == "any":
        return b
    if b.kind == "any":
        return a
    if a.kind == "none":
        return ir.optional(b)
    if b.kind == "none":
        return ir.optional(a)
    if a.kind in NUMERIC and b.kind in NUMERIC:
        return ir.FLOAT if "float" in (a.kind, b.kind) else ir.INT
    if assignable(a, b):
        return b
    if assignable(b, a):
        return a
    return None


def element_type(t: ir.TypeRef) -> ir.TypeRef | None:
    """What `for x in t` yields, for lists and strings; None for anything else."""
    if t.kind == "list":
        return t.args[0]
    if t.kind == "str":
        return ir.STR  # its characters, as in Python
    if t.kind == "any":
        return ir.ANY
    return None


def describe(t: ir.TypeRef) -> str:
    return f"`{t}`"
