"""Evaluate checked IR expressions over JSON data, without generating or running any code.

The checker uses it to hold the initial data to its invariants, and analyses over the IR use
it to decide conditions whose inputs they know. It follows the generated module's semantics
(Python's operators and built-ins over JSON values) for the pure part of the language, and
declines everything else: `old(…)`, `arithmetic`, `to_json`, a name it was not given.

Two outcomes other than a value:
- `Undecided`: the expression needs what static evaluation does not have (an unbound name,
  a construct it does not evaluate, or more steps than its budget). Never a guess.
- `Failed`: evaluating it at run time would fail too: a missing row or key, a bad operand.

A spec is untrusted, so evaluation is bounded: a step budget, and no operation whose cost a
spec controls beyond it (repeating a string or list, a computed rounding precision).
"""

from __future__ import annotations

import operator
from typing import Any, Callable

from .. import dates, ir

DEFAULT_BUDGET = 2_000_000
MAX_REPEAT = 100_000   # the longest string or list `*` may build
MAX_PRECISION = 400    # |ndigits| beyond which `round` is not evaluated


class Undecided(Exception):
    """Static evaluation cannot tell the value."""


class Failed(Exception):
    """Evaluating the expression fails, as it would at run time."""


_BINARY: dict[str, Callable[[Any, Any], Any]] = {
    "+": operator.add, "-": operator.sub, "/": operator.truediv, "//": operator.floordiv,
    "%": operator.mod, "==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le,
    ">": operator.gt, ">=": operator.ge,
    "in": lambda a, b: a in b, "not in": lambda a, b: a not in b,
}

_FUNCTIONS: dict[str, Callable] = {
    "len": len, "abs": abs, "min": min, "max": max, "sum": sum, "any": any, "all": all,
    "sorted": sorted, "str": str, "int": int, "float": float,
    "slice": lambda xs, start, stop: xs[start:stop],
    "replace": lambda value, changes: {**value, **changes},
}

_METHODS: dict[str, Callable] = {
    "str.lower": str.lower, "str.upper": str.upper, "str.strip": str.strip,
    "str.startswith": str.startswith, "str.endswith": str.endswith, "str.replace": str.replace,
    "str.split": str.split, "str.join": str.join, "list.count": list.count, "list.index": list.index,
    "map.get": lambda m, k: m.get(k), "map.keys": lambda m: list(m), "map.values": lambda m: list(m.values()),
    "map.items": lambda m: list(m.items()),
    "zip": lambda *xs: list(zip(*xs)), "enumerate": lambda xs: list(enumerate(xs)),
}


_ORDERING = ("==", "!=", "<", "<=", ">", ">=")
# the date built-ins (check/dates.py) by the kind of their first argument (None: any); `now()` and
# `today()` are absent: in goals they are constants, in tools the clock is not known here
_DATES: dict[str, dict[str | None, Callable]] = {
    "date": {"str": dates.date_of_text, "datetime": dates.day_of},
    "datetime": {"str": dates.datetime_of_text, "date": dates.midnight_of},
    "days_between": {None: dates.days_between}, "minutes_between": {None: dates.minutes_between},
    "add_days": {"date": dates.add_days, "datetime": dates.add_days_datetime},
    "add_hours": {None: dates.add_hours}, "add_minutes": {None: dates.add_minutes},
}


def _kind(t: ir.TypeRef) -> str:
    while t.kind == "optional":
        t = t.args[0]
    return t.kind


class Evaluator:
    """Evaluates expressions of one domain over its data (`{collection: {key: row}}`), or with
    `data` None over no state at all: then reading a row or a collection is Undecided.

    `known` maps expressions to values the caller has decided (an analysis substituting
    each value an enum can take); a node found there is not evaluated further.
    """

    def __init__(self, domain: ir.Domain, data: dict | None, budget: int = DEFAULT_BUDGET):
        self.domain = domain
        self.data = data
        self.steps_left = budget

    def value(self, e: ir.Expr, env: dict[str, Any] | None = None, known: dict | None = None) -> Any:
        return _Run(self, env or {}, known or {}).eval(e)

    def holds(self, e: ir.Expr, env: dict[str, Any] | None = None, known: dict | None = None) -> bool:
        return bool(self.value(e, env, known))


class _Run:
    """One evaluation: the names in scope and the caller's decided values."""

    def __init__(self, owner: Evaluator, env: dict[str, Any], known: dict):
        self.owner = owner
        self.env = env
        self.known = known

    def eval(self, e: ir.Expr) -> Any:
        self.owner.steps_left -= 1
        if self.owner.steps_left < 0:
            raise Undecided("the evaluation budget is spent")
        if self.known and e in self.known:
            return self.known[e]
        method = getattr(self, "_" + getattr(e, "kind", "unknown"), None)
        if method is None:
            raise Undecided(f"`{getattr(e, 'kind', e)}` is not evaluated statically")
        try:
            return method(e)
        except (Undecided, Failed):
            raise
        except (TypeError, ValueError, KeyError, IndexError, ZeroDivisionError, AttributeError,
                OverflowError, RecursionError) as err:
            raise Failed(f"{type(err).__name__}: {err}") from None

    # ------------------------------------------------------------ leaves and access
    def _const(self, e: ir.Const) -> Any:
        return e.value

    def _var(self, e: ir.Var) -> Any:
        if e.name not in self.env:
            raise Undecided(f"`{e.name}` has no known value")
        return self.env[e.name]

    def _collection(self, e: ir.CollectionRef) -> dict:
        return self._rows(e.entity)

    def _rows(self, entity: str) -> dict:
        if self.owner.data is None:
            raise Undecided("the state is not known")
        rows = self.owner.data.get(self.owner.domain.entity(entity).collection, {})
        if not isinstance(rows, dict):
            raise Failed(f"the collection of {entity} is not an object")
        return rows

    def _lookup(self, e: ir.Lookup) -> Any:
        key = self.eval(e.key)
        row = self._rows(e.entity).get(key)
        if row is None:
            raise Failed(f"there is no {e.entity} {key!r}")
        return row

    def _field(self, e: ir.GetField) -> Any:
        obj = self.eval(e.obj)
        if not isinstance(obj, dict):
            raise Failed(f"`.{e.name}` of a value that is not a row or record")
        if e.type.kind in ("optional", "none", "any"):
            return obj.get(e.name)
        return obj[e.name]

    def _map_get(self, e: ir.MapGet) -> Any:
        return self.eval(e.obj)[self.eval(e.key)]

    def _list_index(self, e: ir.ListIndex) -> Any:
        return self.eval(e.obj)[self.eval(e.index)]

    # ------------------------------------------------------------ operators
    def _unary(self, e: ir.Unary) -> Any:
        value = self.eval(e.operand)
        return (not value) if e.op == "not" else -value

    def _binary(self, e: ir.Binary) -> Any:
        left = self.eval(e.left)
        if e.op == "and":
            return left and self.eval(e.right)
        if e.op == "or":
            return left or self.eval(e.right)
        right = self.eval(e.right)
        if e.op == "*":
            return _repeat_bounded(left, right)
        if e.op in _ORDERING and "datetime" in (_kind(e.left.type), _kind(e.right.type)):
            left, right = dates.datetime_key(left), dates.datetime_key(right)  # `09:00` is `09:00:00`
        return _BINARY[e.op](left, right)

    def _is(self, e: ir.IsVariant) -> bool:
        value = self.eval(e.value)
        if e.variant is None:
            found = value is None
        else:
            found = type(value) is dict and value.get(self._tag(e.value.type)) == e.variant
        return found != e.negated

    def _tag(self, t: ir.TypeRef) -> str:
        while t.kind == "optional":
            t = t.args[0]
        union = self.owner.domain.type_def(t.name or "")
        if not isinstance(union, ir.UnionDef):
            raise Undecided(f"`is` on a value of type {t}")
        return union.tag

    def _conditional(self, e: ir.Conditional) -> Any:
        return self.eval(e.then) if self.eval(e.condition) else self.eval(e.otherwise)

    # ------------------------------------------------------------ displays and calls
    def _list(self, e: ir.ListExpr) -> list:
        return [self.eval(item) for item in e.items]

    def _dict(self, e: ir.DictExpr) -> dict:
        return {self.eval(k): self.eval(v) for k, v in zip(e.keys, e.values)}

    def _construct(self, e: ir.Construct) -> dict:
        fields = {name: self.eval(value) for name, value in e.fields.items()}
        if e.variant is not None:
            fields[self._tag(e.type)] = e.variant
        return fields

    def _builtin(self, e: ir.Builtin) -> Any:
        args = [self.eval(a) for a in e.args]
        if e.name == "round":
            return _round_bounded(*args)
        if e.name in _DATES:  # by the type of the first argument, as the generated code picks its helper
            by_kind = _DATES[e.name]
            function = by_kind.get(_kind(e.args[0].type), by_kind.get(None)) if e.args else None
            if function is None:
                raise Undecided(f"`{e.name}` is not evaluated statically")
            return function(*args)
        function = _FUNCTIONS.get(e.name) or _METHODS.get(e.name)
        if function is None:
            raise Undecided(f"`{e.name}` is not evaluated statically")
        return function(*args)

    def _comprehension(self, e: ir.Comprehension) -> Any:
        scopes = self._bindings(e.loops, 0, dict(self.env))
        if e.form == "list":
            return [self._in(scope, e.element) for scope in scopes]
        if e.form == "dict":
            return {self._in(scope, e.key): self._in(scope, e.element) for scope in scopes}
        if e.form == "find":
            return next((self._in(scope, e.element) for scope in scopes), None)
        if e.form == "count":
            values = (self._in(scope, e.element) for scope in scopes)
            return sum(1 for v in values if v) if e.element.type.kind == "bool" else sum(1 for _ in values)
        aggregate = {"sum": sum, "any": any, "all": all, "min": min, "max": max}[e.form]
        return aggregate(self._in(scope, e.element) for scope in scopes)

    def _bindings(self, loops: tuple[ir.Loop, ...], i: int, scope: dict):
        """Each scope the loops bind, lazily: `any` and `find` stop at the first they need."""
        if i == len(loops):
            yield scope
            return
        loop = loops[i]
        for item in _iterate(self._in(scope, loop.iterable)):
            inner = dict(scope)
            inner.update(_unpack(loop.names, item))
            if loop.condition is None or self._in(inner, loop.condition):
                yield from self._bindings(loops, i + 1, inner)

    def _in(self, scope: dict, e: ir.Expr) -> Any:
        return _Run(self.owner, scope, self.known).eval(e)


def _iterate(value) -> list:
    if isinstance(value, dict):
        return list(value)
    if isinstance(value, (list, str)):
        return list(value)
    raise Failed("iteration over a value that is not a list")


def _unpack(names: tuple[str, ...], item) -> dict[str, Any]:
    if len(names) == 1:
        return {names[0]: item}
    if not isinstance(item, (list, tuple)) or len(item) != len(names):
        raise Failed(f"cannot unpack into {len(names)} names")
    return dict(zip(names, item))


def _repeat_bounded(left, right):
    for sequence, count in ((left, right), (right, left)):
        if isinstance(sequence, (str, list)) and isinstance(count, int) and len(sequence) * count > MAX_REPEAT:
            raise Undecided("a repetition too large to build statically")
    return left * right


def _round_bounded(x, ndigits=None):
    if ndigits is not None and isinstance(ndigits, int) and abs(ndigits) > MAX_PRECISION:
        raise Undecided("a rounding precision too large to evaluate statically")
    return round(x) if ndigits is None else round(x, ndigits)
