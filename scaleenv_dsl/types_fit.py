"""Does a JSON value fit a type? The one answer the checker and the runtime share.

`FitBuilder` turns an IR `TypeRef` into a closure, built once and called many
times: it returns a checked copy of a value that fits (so a caller holding on
to a list it passed cannot later change a row that stored it), or raises a
`Mismatch` that says why and where the value does not fit. Closures rather
than a walker that dispatches on the type at every node, because the runtime
checks every tool call's arguments this way and its budget is tight.

The rules, for every user: bools are not ints; an int fits a float; numbers
stay within ±(2^53 − 1), where JSON holds integers exactly; enums take their
declared strings; records and entity rows take their declared fields and no
others (an optional field may be missing or null); a tagged union's tag names
one of its variants; map keys are strings; a `ref` is a string key.

What differs between users is policy, fixed when the builder is made:
- `integral_floats`: tool arguments come from JSON encoders that may write
  3 as 3.0, so an integral float is accepted (and copied) as an int;
- `payload_limits`: an agent's payloads are bounded in depth, items and
  string length;
- `collect`: the data validator reports every mismatch, not the first;
- `partial`: task overlays give only some fields of a row, and name a
  union's variant only when they change it;
- `rows`: the data's rows by entity, so a `ref` must name one of them.

The mismatch is structured (a reason, the type expected, the value found), so
that each user words it as its own messages always have.
"""

from __future__ import annotations

import json
import math
import sys
from typing import Callable, Iterable

from . import dates, ir

MAX_DEPTH = 32
MAX_NODES = 10_000
MAX_STRING = 100_000
MAX_INTEGER = 2 ** 53 - 1  # the language's bound on numbers: beyond it JSON does not hold an integer exactly

MISSING = object()

Fit = Callable[[object], object]

# Why a value does not fit. The first group is worded by each user; the rest carry their text.
WRONG_KIND = "wrong-kind"          # not a value of the expected kind at all: a string for an int
NOT_IN_ENUM = "not-in-enum"
MISSING_FIELD = "missing-field"    # `field` names it; `variant` is set inside a union
UNKNOWN_FIELD = "unknown-field"
BAD_TAG = "bad-tag"                # the union's tag names none of its variants
NO_VARIANT = "no-variant"          # partial: no variant has all the fields given
DANGLING_REF = "dangling-ref"      # the key names no row of the entity
OUT_OF_RANGE = "out-of-range"
BAD_KEY = "bad-key"                # a map key that is not a string (no JSON decoder makes one)
TOO_LARGE = "too-large"            # over a payload limit
BAD_DATE = "bad-date"              # a date or datetime whose text is not ISO 8601 or names no day


class Mismatch(Exception):
    """Why a value does not fit a type. `path` leads from the value checked to the part that does not fit."""

    def __init__(self, reason: str, expected: ir.TypeRef | None = None, value=None, *,
                 field: str | None = None, variant: str | None = None, text: str = ""):
        super().__init__(reason)
        self.reason = reason
        self.expected = expected
        self.value = value
        self.field = field
        self.variant = variant
        self.text = text
        self.path: tuple = ()

    def at(self, step) -> "Mismatch":
        self.path = (step, *self.path)
        return self

    def each(self) -> list["Mismatch"]:
        return [self]


class Mismatches(Mismatch):
    """Several mismatches inside one value, when the builder collects them all."""

    def __init__(self, found: list[Mismatch]):
        super().__init__("several")
        self.found = found

    def at(self, step) -> "Mismatch":
        for m in self.found:
            m.at(step)
        return self

    def each(self) -> list[Mismatch]:
        return self.found


class TypeTable:
    """The named types of one domain, as the fit closures and the messages about them need them."""

    def __init__(self, enums: Iterable[ir.EnumDef] = (), records: Iterable[ir.RecordDef] = (),
                 entities: Iterable[ir.EntityDef] = (), unions: Iterable[ir.UnionDef] = ()):
        self.entities = list(entities)
        self.enums = {e.name: tuple(e.values) for e in enums}  # in declared order, as messages list them
        self.fields = {d.name: d.fields for d in [*records, *self.entities]}
        self.unions = {u.name: u for u in unions}

    @classmethod
    def of(cls, domain) -> "TypeTable":
        """The table of an `ir.Domain`, of a dict of its four lists of definitions, or the table itself."""
        if isinstance(domain, TypeTable):
            return domain
        if isinstance(domain, dict):
            return cls(domain["enums"], domain["records"], domain["entities"], domain["unions"])
        return cls(domain.enums, domain.records, domain.entities, domain.unions)


def measure(value, depth: int = 0, budget: list | None = None) -> None:
    """Reject values nested deeper than MAX_DEPTH or holding more than MAX_NODES items."""
    budget = budget if budget is not None else [MAX_NODES]
    budget[0] -= 1
    if budget[0] < 0:
        raise Mismatch(TOO_LARGE, text=f"the value holds more than {MAX_NODES} items")
    if depth > MAX_DEPTH:
        raise Mismatch(TOO_LARGE, text=f"the value nests deeper than {MAX_DEPTH} levels")
    t = type(value)
    if t is dict:
        for v in value.values():
            measure(v, depth + 1, budget)
    elif t is list or t is tuple:
        for v in value:
            measure(v, depth + 1, budget)
    elif t is str and len(value) > MAX_STRING:
        raise Mismatch(TOO_LARGE, text=f"a string is longer than {MAX_STRING} characters")


def jcopy(value):
    """A deep copy of a JSON-shaped value; tuples (from zip/enumerate/items) become lists."""
    t = type(value)
    if t is dict:
        return {k: (jcopy(v) if type(v) in _CONTAINERS else v) for k, v in value.items()}
    if t is list or t is tuple:
        return [jcopy(v) if type(v) in _CONTAINERS else v for v in value]
    return value


_CONTAINERS = (dict, list, tuple)
STR, INT, FLOAT, BOOL = ir.STR, ir.INT, ir.FLOAT, ir.BOOL


# ---------------------------------------------------------------- scalars, which need no builder state

def check_float(v):
    t = type(v)
    if t is float:
        if not math.isfinite(v):
            raise Mismatch(OUT_OF_RANGE, FLOAT, v, text="expected a finite number")
        return v
    if t is not int:
        raise Mismatch(WRONG_KIND, FLOAT, v)
    if not -MAX_INTEGER <= v <= MAX_INTEGER:  # 1e20 written without a point: a float, as a float would be
        try:
            return float(v)
        except OverflowError:
            raise Mismatch(OUT_OF_RANGE, FLOAT, v, text="expected a finite number") from None
    return v


def check_bool(v):
    if type(v) is not bool:
        raise Mismatch(WRONG_KIND, BOOL, v)
    return v


def _int_checker(integral_floats: bool) -> Fit:
    def check_int(v):
        if type(v) is not int:
            if not integral_floats or type(v) is not float or not v.is_integer():
                raise Mismatch(WRONG_KIND, INT, v)
            v = int(v)  # 3.0 from a JSON encoder that writes every number as a float
        if not -MAX_INTEGER <= v <= MAX_INTEGER:
            raise Mismatch(OUT_OF_RANGE, INT, v, text=f"expected an integer within ±{MAX_INTEGER}")
        return v
    return check_int


def _str_checker(t: ir.TypeRef, max_string: int) -> Fit:
    def check_str(v):
        if type(v) is not str:
            raise Mismatch(WRONG_KIND, t, v)
        if len(v) > max_string:
            raise Mismatch(TOO_LARGE, t, v, text=f"the string is longer than {max_string} characters")
        return v
    check_str.max_string = max_string  # marks a plain string check: a list of them has a faster path
    return check_str


def _date_checker(t: ir.TypeRef, parse, form: str) -> Fit:
    """A date is text that names a day; it is kept as written, so the data dumps back unchanged."""
    def check_date(v):
        if type(v) is not str:
            raise Mismatch(WRONG_KIND, t, v)
        if parse(v) is None:
            shown = json.dumps(v[:40] + "…" if len(v) > 40 else v)
            raise Mismatch(BAD_DATE, t, v, text=f"{shown} is not a {t.kind}: write it as {form}")
        return v
    return check_date


def _measured_copy(v):
    measure(v)
    return jcopy(v)


def _is_scalar(t: ir.TypeRef) -> bool:
    return t.kind in ("str", "ref", "int", "float", "bool", "enum", "date", "datetime")


# ---------------------------------------------------------------- builder

class FitBuilder:
    """Builds fit closures for the types of one domain, under one policy (see the module's doc)."""

    def __init__(self, table: TypeTable, *, integral_floats: bool = False, payload_limits: bool = False,
                 collect: bool = False, partial: bool = False, rows: dict[str, dict | None] | None = None):
        self.table = table
        self.collect = collect
        self.partial = partial
        self.rows = rows
        self.payload_limits = payload_limits
        self.max_items = MAX_NODES if payload_limits else sys.maxsize
        self.max_string = MAX_STRING if payload_limits else sys.maxsize
        self.check_str = _str_checker(STR, self.max_string)
        self._scalars = {"int": _int_checker(integral_floats), "float": check_float, "bool": check_bool,
                         "date": _date_checker(ir.DATE, dates.parse_date, dates.DATE_FORMAT),
                         "datetime": _date_checker(ir.DATETIME, dates.parse_datetime, dates.DATETIME_FORMAT)}
        self._any = _measured_copy if payload_limits else jcopy
        self._named: dict[str, Fit] = {}

    def first_mismatch(self, value, t: ir.TypeRef) -> Mismatch | None:
        """The verdict on one value, with the reason and path of the (first) mismatch."""
        try:
            self.build(t)(value)
        except Mismatch as err:
            return err
        return None

    def build(self, t: ir.TypeRef) -> Fit:
        kind = t.kind
        if kind == "str":
            return self.check_str
        if kind == "ref":
            return self._ref(t) if self.rows is not None and not t.path else _str_checker(t, self.max_string)
        if kind in self._scalars:
            return self._scalars[kind]
        if kind == "enum":
            return self._enum(t)
        if kind == "optional":
            return _optional(self.build(t.args[0]))
        if kind in ("list", "map"):
            item = self.build(t.args[0])
            check = self._list_of(item) if kind == "list" else self._map_of(item)
            # a list or map of scalars cannot nest: its length check bounds it
            return check if _is_scalar(t.args[0]) else self._bounded(check)
        if kind in ("record", "entity", "union") and (t.name in self.table.fields or t.name in self.table.unions):
            return self._bounded(self._named_fit(t))
        return self._any  # `any`, and a name an erroneous spec left unresolved

    def _bounded(self, check: Fit) -> Fit:
        """Measure a container argument once, at its top, before walking it."""
        if not self.payload_limits:
            return check

        def check_bounded(v):
            measure(v)
            return check(v)
        check_bounded.inner = check
        return check_bounded

    def _ref(self, t: ir.TypeRef) -> Fit:
        rows = self.rows.get(t.name)  # None when the collection is not an object of rows: reported there
        check_str = _str_checker(t, self.max_string)

        def check_ref(v):
            check_str(v)
            if rows is not None and v not in rows:
                raise Mismatch(DANGLING_REF, t, v)
            return v
        return check_ref

    def _enum(self, t: ir.TypeRef) -> Fit:
        values = frozenset(self.table.enums.get(t.name, ()))

        def check_enum(v):
            if type(v) is not str:
                raise Mismatch(WRONG_KIND, t, v)
            if v not in values:
                raise Mismatch(NOT_IN_ENUM, t, v)
            return v
        return check_enum

    def _named_fit(self, t: ir.TypeRef) -> Fit:
        # resolved lazily so that recursive types do not recurse while building
        name = t.name

        def check_named(v):
            fn = self._named.get(name)
            if fn is None:
                fn = self._named[name] = self._make_named(t)
            return fn(v)
        return check_named

    def _make_named(self, t: ir.TypeRef) -> Fit:
        union = self.table.unions.get(t.name)
        if union is not None:
            return self._union(t, union)
        return self._record(t, self.table.fields[t.name])

    def _field_checks(self, fields: list[ir.FieldDef]) -> list[tuple[str, Fit, bool]]:
        return [(f.name, _inner(self.build(f.type)), f.type.kind == "optional") for f in fields]

    def _union(self, t: ir.TypeRef, union: ir.UnionDef) -> Fit:
        tag = union.tag
        variants = {v.name: self._record(t, v.fields, tag=tag, variant=v.name) for v in union.variants}
        untagged = self._untagged_variants(t, union) if self.partial else None

        def check_union(v):
            if type(v) is not dict:
                raise Mismatch(WRONG_KIND, t, v)
            name = v.get(tag)
            variant = variants.get(name) if type(name) is str else None
            if variant is not None:
                return variant(v)
            if untagged is not None and tag not in v:
                return untagged(v)
            raise Mismatch(BAD_TAG, t, v, field=tag)
        return check_union

    def _untagged_variants(self, t: ir.TypeRef, union: ir.UnionDef) -> Fit:
        """An overlay that leaves out the tag is merged into a stored value whose variant is known then:
        it fits if one variant has every field it gives, and is checked as the first such."""
        variants = [({f.name for f in v.fields}, self._record(t, v.fields, variant=v.name)) for v in union.variants]

        def check_untagged(v):
            for names, check in variants:
                if names.issuperset(v):
                    return check(v)
            raise Mismatch(NO_VARIANT, t, v, field=union.tag)
        return check_untagged

    def _record(self, t: ir.TypeRef, fields: list[ir.FieldDef], tag: str | None = None,
                variant: str | None = None) -> Fit:
        known = {f.name for f in fields} | ({tag} if tag else set())
        checks = self._field_checks(fields)
        collect, partial = self.collect, self.partial

        def check_record(v):
            if type(v) is not dict:
                raise Mismatch(WRONG_KIND, t, v)
            extra = [k for k in v if k not in known]
            if extra and not collect:
                raise Mismatch(UNKNOWN_FIELD, t, v, field=extra[0], variant=variant)
            out = {tag: v[tag]} if tag else {}
            problems = None
            for field, check, optional in checks:
                x = v.get(field, MISSING)
                if x is MISSING or (x is None and optional):
                    if not optional and not partial:
                        if not collect:
                            raise Mismatch(MISSING_FIELD, t, v, field=field, variant=variant)
                        problems = problems or []
                        problems.append(Mismatch(MISSING_FIELD, t, v, field=field, variant=variant))
                    continue
                try:
                    out[field] = check(x)
                except Mismatch as err:
                    if not collect:
                        raise err.at(field) from None
                    problems = problems or []
                    problems += err.at(field).each()
            if problems or extra:
                raise Mismatches([*(problems or ()),
                                  *(Mismatch(UNKNOWN_FIELD, t, v, field=k, variant=variant) for k in extra)])
            return out
        return check_record

    def _list_of(self, item: Fit) -> Fit:
        item = _inner(item)
        if hasattr(item, "max_string") and not self.collect:
            return self._list_of_str(item)
        max_items, collect = self.max_items, self.collect

        def check_list(v):
            if type(v) is not list:
                raise Mismatch(WRONG_KIND, _LIST, v)
            if len(v) > max_items:
                raise Mismatch(TOO_LARGE, _LIST, v, text=f"the list holds more than {max_items} items")
            out, problems = [], None
            for i, x in enumerate(v):
                try:
                    out.append(item(x))
                except Mismatch as err:
                    if not collect:
                        raise err.at(i) from None
                    problems = problems or []
                    problems += err.at(i).each()
            if problems:
                raise Mismatches(problems)
            return out
        return check_list

    def _list_of_str(self, check_str: Fit) -> Fit:
        """list[str], the commonest container argument, checked without a call per item."""
        max_items, max_string = self.max_items, check_str.max_string

        def check_list_of_str(v):
            if type(v) is not list:
                raise Mismatch(WRONG_KIND, _LIST, v)
            if len(v) > max_items:
                raise Mismatch(TOO_LARGE, _LIST, v, text=f"the list holds more than {max_items} items")
            for i, x in enumerate(v):
                if type(x) is not str or len(x) > max_string:
                    try:
                        check_str(x)
                    except Mismatch as err:
                        raise err.at(i) from None
            return v[:]
        return check_list_of_str

    def _map_of(self, value: Fit) -> Fit:
        value = _inner(value)
        max_items, collect = self.max_items, self.collect

        def check_map(v):
            if type(v) is not dict:
                raise Mismatch(WRONG_KIND, _MAP, v)
            if len(v) > max_items:
                raise Mismatch(TOO_LARGE, _MAP, v, text=f"the object holds more than {max_items} items")
            out, problems = {}, None
            for k, x in v.items():
                if type(k) is not str:
                    raise Mismatch(BAD_KEY, _MAP, v, text="object keys must be strings")
                try:
                    out[k] = value(x)
                except Mismatch as err:
                    if not collect:
                        raise err.at(k) from None
                    problems = problems or []
                    problems += err.at(k).each()
            if problems:
                raise Mismatches(problems)
            return out
        return check_map


_LIST = ir.TypeRef(kind="list", args=(ir.ANY,))
_MAP = ir.TypeRef(kind="map", args=(ir.ANY,))


def _inner(check: Fit) -> Fit:
    """A nested value is measured by its outermost container: strip the measuring of inner ones."""
    return getattr(check, "inner", check)


def _optional(check: Fit) -> Fit:
    def check_optional(v):
        return None if v is None else check(v)
    return check_optional
