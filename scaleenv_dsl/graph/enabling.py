"""Enabling and disabling edges: which tools' effects can make which guards true or false.

An effect of tool A touches a guard of tool B when it writes the same field path of the same
entity that the guard tests. Where the effect writes a constant and the guard compares that
field with a literal (`order.status = "cancelled"` against `require order.status == "pending"`),
the comparison is decided: A *enables* B's guard (can make it true) or *disables* it (can make it
false). Everything else that touches the guard is *may-affect*.

Rows are matched by entity and path only. Which row a call changes depends on its arguments, so
an edge always means "can": cancelling some order disables modifying that order, not every order.

The direction of a decided test follows the guard's structure: `not` flips it, `and`, `or`, `any`
and `all` keep it (the filter of an `all` flips it), `find(...) is not none` is an `any`. A test
in any other position, or in a guard's `when` branch conditions (which decide whether the guard
is checked at all, not whether it holds), is may-affect.
"""

from __future__ import annotations

import json
import operator
from dataclasses import dataclass
from typing import Any, Iterator

from .. import ir

KINDS = ("enables", "disables", "may-affect")

COMPARISONS = {"==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le,
               ">": operator.gt, ">=": operator.ge,
               "in": lambda a, b: a in b, "not in": lambda a, b: a not in b}
FLIPPED = {"==": "==", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}  # `c < x` is `x > c`

Path = tuple[str, ...]
Loops = dict[str, "tuple[str, Path] | None"]
NOT_A_TEST = object()  # a find's element: which row is found, not a condition


@dataclass(frozen=True)
class GuardEdge:
    """Tool `writer`'s effect on `field` can make guard `guard` of `tool` true, false, or either."""
    writer: str
    tool: str
    guard: str
    kind: str                 # one of KINDS
    field: str                # "Order.status"; "Loan.*" for a row inserted or deleted
    path: str                 # the effect's full path: "status", "payment_methods[].balance", "" for a row
    op: str                   # the effect's op: set, insert, delete, append, ...
    value: Any = None         # the constant written at the guard's field, when there is one
    constant: bool = False    # whether `value` is that constant (None can be one)
    test: str | None = None   # the decided test: 'Order.status == "pending"'
    reason: str | None = None  # for may-affect: why it could not be decided

    def attributes(self) -> dict[str, Any]:
        """The edge's attributes in the graph: everything but its ends, None left out."""
        attrs = {"kind": self.kind, "field": self.field, "path": self.path, "guard": self.guard,
                 "op": self.op, "value": self.value, "constant": self.constant,
                 "test": self.test, "reason": self.reason}
        return {k: v for k, v in attrs.items() if v is not None or k == "value"}


@dataclass(frozen=True)
class Place:
    """A part of a row that a guard reads: `entity`'s rows, then `path` ("[]" for a map or list entry).

    `use` says how the guard uses it when that makes deeper changes irrelevant: "keys" (membership
    in a map), "size" (`len`), "iterate" (a loop over it, whose elements are places of their own),
    "none-test" (`is none`) or "tag" (`is VARIANT`).
    """
    entity: str
    path: Path
    expr: ir.Expr
    use: str | None = None


@dataclass(frozen=True)
class Test:
    """One leaf of a guard's condition and how it pulls the guard: True when the guard holds more
    as the test holds, False when less, None when it is not monotone (or a branch condition)."""
    expr: ir.Expr
    polarity: bool | None
    loops: tuple[tuple[str, tuple[str, Path] | None], ...]
    branch: bool = False


def guard_edges(domain: ir.Domain) -> list[GuardEdge]:
    """Every (effect, guard) pair that touches, with its relation. Deterministic, de-duplicated."""
    tests = [(tool, guard, test, _places(test)) for tool in domain.tools if tool.contract
             for guard in tool.contract.guards for test in guard_tests(guard)]
    edges: dict[GuardEdge, None] = {}
    for writer in domain.tools:
        for effect in writer.contract.effects if writer.contract else ():
            for tool, guard, test, (places, scans) in tests:
                edge = _relate(domain, effect, test, places, scans, _Edge(writer, effect, tool, guard))
                if edge is not None:
                    edges.setdefault(edge)
    return list(edges)


# ---------------------------------------------------------------- a guard's tests

def guard_tests(guard: ir.Guard) -> Iterator[Test]:
    """The leaves of the guard's condition with their polarity, then its branch conditions."""
    if guard.condition is not None:
        yield from _tests(guard.condition, True, {})
    for condition in guard.when:
        for test in _tests(condition, None, {}):
            yield Test(test.expr, None, test.loops, branch=True)


def _tests(e: ir.Expr, polarity: bool | None, loops: Loops) -> Iterator[Test]:
    if isinstance(e, ir.Unary) and e.op == "not":
        yield from _tests(e.operand, _flip(polarity), loops)
    elif isinstance(e, ir.Binary) and e.op in ("and", "or"):
        yield from _tests(e.left, polarity, loops)
        yield from _tests(e.right, polarity, loops)
    elif _quantified(e, polarity) is not None:
        yield from _comprehension_tests(*_quantified(e, polarity), loops)
    else:
        yield Test(e, polarity, tuple(loops.items()))


def _quantified(e: ir.Expr, polarity: bool | None):
    """(comprehension, its filter's polarity, its element's polarity or NOT_A_TEST) for `any(...)`,
    `all(...)` and `find(...) is [not] none`; None for anything else. `all(e for x in xs if f)` is
    `all(not f or e)`, so its filter pulls against the guard; a find is found when its filter passes."""
    if isinstance(e, ir.Comprehension) and e.form in ("any", "all"):
        return e, polarity if e.form == "any" else _flip(polarity), polarity
    if isinstance(e, ir.IsVariant) and e.variant is None and isinstance(e.value, ir.Comprehension) \
            and e.value.form == "find":
        return e.value, polarity if e.negated else _flip(polarity), NOT_A_TEST
    return None


def _comprehension_tests(c: ir.Comprehension, filter_polarity, element_polarity, loops: Loops) -> Iterator[Test]:
    inner = dict(loops)
    for loop in c.loops:
        yield Test(loop.iterable, None, tuple(inner.items()))  # what is iterated changes what is tested
        _bind(loop, inner)
        if loop.condition is not None:
            yield from _tests(loop.condition, filter_polarity, inner)
    if element_polarity is not NOT_A_TEST:
        yield from _tests(c.element, element_polarity, inner)


def _flip(polarity: bool | None) -> bool | None:
    return None if polarity is None else not polarity


# ---------------------------------------------------------------- places a test reads

def _places(test: Test) -> tuple[tuple[Place, ...], frozenset[str]]:
    """The row places a test reads, and the entities whose collections it scans or tests membership in."""
    places: list[Place] = []
    scans: set[str] = set()
    _collect(test.expr, dict(test.loops), None, places, scans)
    return tuple(places), frozenset(scans)


def _collect(e: ir.Expr, loops: Loops, use: str | None, places: list[Place], scans: set[str]) -> None:
    place = _place(e, loops)
    if place is not None:
        places.append(Place(place[0], place[1], e, use))
        for inner, inner_loops, inner_use in _inside_place(e, loops):
            _collect(inner, inner_loops, inner_use, places, scans)
        return
    if isinstance(e, ir.CollectionRef):
        scans.add(e.entity)
    elif isinstance(e, ir.Comprehension):
        _collect_comprehension(e, loops, places, scans)
    else:
        for child in ir.children(e):
            if isinstance(child, ir.Loop):
                continue
            _collect(child, loops, _use_by(e, child), places, scans)


def _collect_comprehension(c: ir.Comprehension, loops: Loops, places, scans) -> None:
    inner = dict(loops)
    for loop in c.loops:
        _collect(loop.iterable, inner, "iterate" if _element_place(loop.iterable, inner) else None,
                 places, scans)
        _bind(loop, inner)
        if loop.condition is not None:
            _collect(loop.condition, inner, None, places, scans)
    for part in (c.element, c.key):
        if part is not None:
            _collect(part, inner, None, places, scans)


def _inside_place(e: ir.Expr, loops: Loops) -> Iterator[tuple[ir.Expr, Loops, str | None]]:
    """What a place expression reads besides the place: the keys on its way, a find's loops."""
    node = e
    while True:
        if isinstance(node, ir.Lookup):
            yield node.key, loops, None
            return
        if isinstance(node, ir.GetField):
            node = node.obj
        elif isinstance(node, ir.MapGet):
            yield node.key, loops, None
            node = node.obj
        elif isinstance(node, ir.ListIndex):
            yield node.index, loops, None
            node = node.obj
        elif isinstance(node, ir.Comprehension):
            inner = dict(loops)
            for loop in node.loops:
                yield loop.iterable, dict(inner), "iterate"
                _bind(loop, inner)
                if loop.condition is not None:
                    yield loop.condition, dict(inner), None
            return
        else:
            return


def _use_by(parent: ir.Expr, child: ir.Expr) -> str | None:
    if isinstance(parent, ir.Binary) and parent.op in ("in", "not in") and parent.right is child \
            and child.type.kind == "map":
        return "keys"
    if isinstance(parent, ir.Builtin) and parent.name == "len":
        return "size"
    if isinstance(parent, ir.IsVariant):
        return "none-test" if parent.variant is None else "tag"
    return None


def _place(e: ir.Expr, loops: Loops) -> tuple[str, Path] | None:
    """(entity, path) when `e` is a row or a part of one; a loop variable stands for its element."""
    if isinstance(e, ir.Lookup):
        return e.entity, ()
    if isinstance(e, ir.Var):
        return loops.get(e.name)
    if isinstance(e, ir.GetField):
        inner = _place(e.obj, loops)
        return None if inner is None else (inner[0], inner[1] + (e.name,))
    if isinstance(e, (ir.MapGet, ir.ListIndex)):
        inner = _place(e.obj, loops)
        return None if inner is None else (inner[0], inner[1] + ("[]",))
    if isinstance(e, ir.Comprehension) and e.form == "find" and isinstance(e.element, ir.Var):
        inner = dict(loops)
        for loop in e.loops:
            _bind(loop, inner)
        return inner.get(e.element.name)  # a find returns one of the elements it loops over
    return None


def _bind(loop: ir.Loop, loops: Loops) -> None:
    """Bind a loop's names: the element of what it iterates, or nothing known (a key, an index)."""
    element = _element_place(loop.iterable, loops)
    names = loop.names
    for name in names:
        loops[name] = None
    if element is not None:
        is_items = isinstance(loop.iterable, ir.Builtin) and loop.iterable.name == "map.items"
        if is_items and len(names) == 2:
            loops[names[1]] = element
        elif not is_items and len(names) == 1:
            loops[names[0]] = element


def _element_place(iterable: ir.Expr, loops: Loops) -> tuple[str, Path] | None:
    if isinstance(iterable, ir.Builtin) and iterable.name in ("map.values", "map.items") and iterable.args:
        source = iterable.args[0]
        if isinstance(source, ir.CollectionRef):
            return source.entity, ()
        inner = _place(source, loops)
        return None if inner is None else (inner[0], inner[1] + ("[]",))
    inner = _place(iterable, loops)
    if inner is not None and iterable.type.kind == "list":
        return inner[0], inner[1] + ("[]",)
    return None


# ---------------------------------------------------------------- an effect against a test

def _relate(domain: ir.Domain, effect: ir.Effect, test: Test, places: tuple[Place, ...], scans: frozenset[str],
            edge: "_Edge") -> GuardEdge | None:
    rowwise = effect.op in ("insert", "delete")
    membership = _membership(test.expr)
    if rowwise and membership is not None and membership[0] == effect.entity and test.polarity is not None:
        holds = (effect.op == "insert") == membership[1]
        collection = domain.entity(effect.entity).collection
        return edge.decided(holds, test, None, f"{'' if membership[1] else 'not '}in {collection}")
    # A deleted row's fields are never tested again: its lookup fails first. Only a membership
    # test or a scan over the rows can tell the difference.
    touched = [] if effect.op == "delete" else \
        [p for p in places if p.entity == effect.entity and _overlaps(p, effect.path, domain)]
    if not touched:
        if rowwise and effect.entity in scans:
            return edge.may("it adds or removes rows that the guard scans")
        return None
    if test.branch:
        return edge.may("it changes a condition that decides whether the guard is checked")
    if len(touched) == 1 and effect.op in ("set", "insert"):
        decided = _decide(test.expr, touched[0], effect)
        if decided is not None:
            holds, value, text = decided
            if test.polarity is None:
                return edge.may(f"it decides {text}, which the guard does not use in one direction")
            return edge.decided(holds, test, value, text, constant=True)
    return edge.may(_why_undecided(touched, effect))


class _Edge:
    """Builds the GuardEdge of one effect and one guard."""

    def __init__(self, writer: ir.ToolDef, effect: ir.Effect, tool: ir.ToolDef, guard: ir.Guard):
        self.common = dict(writer=writer.name, tool=tool.name, guard=guard.id, op=effect.op,
                           field=_field(effect), path=_path_text(effect.path))

    def decided(self, holds: bool, test: Test, value, text: str, constant: bool = False) -> GuardEdge:
        makes_true = holds == test.polarity
        return GuardEdge(kind="enables" if makes_true else "disables", value=value, constant=constant,
                         test=text, **self.common)

    def may(self, reason: str) -> GuardEdge:
        return GuardEdge(kind="may-affect", reason=reason, **self.common)


def _membership(e: ir.Expr) -> tuple[str, bool] | None:
    """(entity, True) for `k in coll`, (entity, False) for `k not in coll`."""
    if isinstance(e, ir.Binary) and e.op in ("in", "not in") and isinstance(e.right, ir.CollectionRef):
        return e.right.entity, e.op == "in"
    return None


def _overlaps(place: Place, effect_path: Path, domain: ir.Domain) -> bool:
    """Whether writing at `effect_path` can change what the test reads at the place."""
    shorter = min(len(place.path), len(effect_path))
    if place.path[:shorter] != effect_path[:shorter]:
        return False
    if len(effect_path) <= len(place.path):
        return True
    step = effect_path[len(place.path)]  # the effect changes something inside the place
    if place.use in ("keys", "size", "iterate"):
        return step != "[]"  # an entry's content, not which entries there are
    if place.use == "none-test":
        return False
    if place.use == "tag":
        return step == _union_tag(place.expr.type, domain)
    return True


def _union_tag(t: ir.TypeRef, domain: ir.Domain) -> str | None:
    t = t.args[0] if t.kind == "optional" else t
    return domain.type_def(t.name).tag if t.kind == "union" else None


def _decide(e: ir.Expr, place: Place, effect: ir.Effect) -> tuple[bool, Any, str] | None:
    """(whether the test holds, the value, the test in words) once the effect's constant is written."""
    written = _project(effect.value, place.path[len(effect.path):])
    if not isinstance(written, ir.Const) or not _is_value(written.value):
        return None
    value = written.value
    where = f"{place.entity}.{_path_text(place.path)}"
    if e is place.expr and e.type.kind == "bool":
        return bool(value), value, where
    if isinstance(e, ir.IsVariant) and e.value is place.expr and e.variant is None:
        return (value is None) != e.negated, value, f"{where} is {'not ' if e.negated else ''}none"
    if isinstance(e, ir.Binary) and e.op in COMPARISONS:
        return _compare(e, place.expr, value, where)
    return None


def _compare(e: ir.Binary, operand: ir.Expr, value, where: str) -> tuple[bool, Any, str] | None:
    if e.left is operand:
        literal, op, literal_first = _literal(e.right), e.op, False
    elif e.right is operand:
        literal, op, literal_first = _literal(e.left), e.op, True
    else:
        return None
    if literal is None:
        return None
    text = f"{json.dumps(literal[0])} {op} {where}" if literal_first else f"{where} {op} {json.dumps(literal[0])}"
    try:
        holds = COMPARISONS[op](literal[0], value) if literal_first else COMPARISONS[op](value, literal[0])
    except TypeError:  # a comparison the runtime would reject: nothing to decide
        return None
    return bool(holds), value, text


def _literal(e: ir.Expr) -> tuple[Any] | None:
    """(the constant,) for a literal or a list of literals, else None (the 1-tuple lets None be a value)."""
    if isinstance(e, ir.Const) and _is_value(e.value):
        return (e.value,)
    if isinstance(e, ir.ListExpr) and all(isinstance(i, ir.Const) and _is_value(i.value) for i in e.items):
        return ([i.value for i in e.items],)
    return None


def _is_value(v) -> bool:
    return v is None or isinstance(v, (str, int, float, bool))


def _project(value: ir.Expr | None, rest: Path) -> ir.Expr | None:
    """The part of a written value at `rest` below where it is written, when the value spells it out."""
    for step in rest:
        if not isinstance(value, ir.Construct) or step not in value.fields:
            return None
        value = value.fields[step]
    return value


def _why_undecided(touched: list[Place], effect: ir.Effect) -> str:
    if effect.op not in ("set", "insert"):
        return f"it {_OP_WORDS.get(effect.op, effect.op)} what the guard reads"
    if effect.value is None:
        return "the contract cannot say what it writes"
    if not isinstance(_project(effect.value, touched[0].path[len(effect.path):]), ir.Const):
        return "the value written is not a constant"
    if len(touched) > 1:
        return "the guard reads the field more than once"
    return "the guard does not compare the field with a literal"


_OP_WORDS = {"append": "appends to", "extend": "extends", "remove": "removes from", "sort": "sorts",
             "delete": "deletes", "delete_key": "deletes an entry of"}


def _field(effect: ir.Effect) -> str:
    if not effect.path or effect.op in ("insert", "delete"):
        return f"{effect.entity}.*"
    return f"{effect.entity}.{effect.path[0]}"


def _path_text(path: Path) -> str:
    return "".join(step if step == "[]" else f".{step}" for step in path).lstrip(".")
