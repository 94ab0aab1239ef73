"""Comparing rows under the spec's per-field policies, for rewards.

`RowComparer` is built once per domain. For each collection it walks the
entity's declared fields, applying each field's policy (exact, ignore,
unordered, tolerance, normalized) and descending into records, unions,
lists and maps with the policies of their own fields. Equal rows cost one
`==`; only rows that differ are walked, to name the fields that differ.
"""

from __future__ import annotations

import json
import re
from typing import Callable

from .. import ir
from .values import json_equal

# (expected, actual, path, out): appends to `out` the path (a tuple of keys and indexes) of each difference
Diff = Callable[[object, object, tuple, list], None]
EXACT = ir.ComparePolicy()
_SPACES = re.compile(r"\s+")


def normalize_text(text: str) -> str:
    return _SPACES.sub(" ", text.strip().lower())


def _canonical(value) -> str:
    """A sort key for unordered comparison: JSON with sorted keys and nulls dropped."""
    return json.dumps(_drop_nulls(value), sort_keys=True, default=str)


def _drop_nulls(value):
    if isinstance(value, dict):
        return {k: _drop_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, (list, tuple)):
        return [_drop_nulls(v) for v in value]
    return value


class RowComparer:
    def __init__(self, domain: ir.Domain):
        self.records = {r.name: r.fields for r in domain.records}
        self.entities = {e.name: e.fields for e in domain.entities}
        self.unions = {u.name: u for u in domain.unions}
        self._by_collection = {e.collection: self._fields_diff(e.fields) for e in domain.entities}
        self._named: dict[str, Diff] = {}

    def diff_rows(self, collection: str, expected, actual) -> list[tuple]:
        """The paths of the fields that differ ([] when the rows are equal under the policies);
        the empty path () when one of the rows does not exist."""
        out: list[tuple] = []
        if expected == actual:
            return out
        if expected is None or actual is None:
            return [()]
        diff = self._by_collection.get(collection, _exact)
        diff(expected, actual, (), out)
        return out

    # ------------------------------------------------------------ builders
    def _build(self, t: ir.TypeRef, policy: ir.ComparePolicy) -> Diff:
        mode = policy.mode
        if mode == "ignore":
            return _ignore
        if mode == "unordered" and t.kind in ("list", "optional"):
            return _unordered
        if mode == "tolerance":
            return _tolerance(policy.tolerance)
        if mode == "normalized":
            return _normalized
        if t.kind == "optional":
            return self._build(t.args[0], policy)
        if t.kind == "list":
            return _list_diff(self._build(t.args[0], EXACT))
        if t.kind == "map":
            return _map_diff(self._build(t.args[0], EXACT))
        if t.kind in ("record", "entity", "union") and self._has_policies(t.name, set()):
            return self._named_diff(t.name)
        return _exact

    def _named_diff(self, name: str) -> Diff:
        # resolved on first use, so that recursive types build lazily
        def diff(expected, actual, path, out):
            fn = self._named.get(name)
            if fn is None:
                fn = self._named[name] = self._make_named(name)
            fn(expected, actual, path, out)
        return diff

    def _make_named(self, name: str) -> Diff:
        if name in self.unions:
            union = self.unions[name]
            variants = {v.name: self._fields_diff(v.fields) for v in union.variants}

            def diff_union(expected, actual, path, out):
                if not (isinstance(expected, dict) and isinstance(actual, dict)) or \
                        expected.get(union.tag) != actual.get(union.tag):
                    return _exact(expected, actual, path, out)
                variants.get(expected.get(union.tag), _exact)(expected, actual, path, out)
            return diff_union
        return self._fields_diff(self.records.get(name) or self.entities.get(name) or [])

    def _fields_diff(self, fields: list[ir.FieldDef]) -> Diff:
        checks = [(f.name, self._build(f.type, f.compare)) for f in fields]
        declared = {f.name for f in fields}

        def diff_fields(expected, actual, path, out):
            if expected == actual:
                return
            if not (isinstance(expected, dict) and isinstance(actual, dict)):
                return _exact(expected, actual, path, out)
            for name, check in checks:
                a, b = expected.get(name), actual.get(name)
                if a != b:
                    check(a, b, _join(path, name), out)
            for name in sorted((expected.keys() | actual.keys()) - declared):  # sorted: reproducible output
                _exact(expected.get(name), actual.get(name), _join(path, name), out)
        return diff_fields

    def _has_policies(self, name: str, seen: set) -> bool:
        """Does the type hold any field compared other than exactly?"""
        if name in seen:
            return False
        seen.add(name)
        if name in self.unions:
            fields = [f for v in self.unions[name].variants for f in v.fields]
        else:
            fields = self.records.get(name) or self.entities.get(name) or []
        for f in fields:
            if f.compare.mode != "exact" or self._type_has_policies(f.type, seen):
                return True
        return False

    def _type_has_policies(self, t: ir.TypeRef, seen: set) -> bool:
        if t.kind in ("record", "entity", "union"):
            return self._has_policies(t.name, seen)
        return any(self._type_has_policies(a, seen) for a in t.args)


def _join(path: tuple, step) -> tuple:
    return (*path, step)


def _exact(expected, actual, path, out):
    if not json_equal(expected, actual):
        out.append(path)


def _ignore(expected, actual, path, out):
    pass


def _unordered(expected, actual, path, out):
    if isinstance(expected, list) and isinstance(actual, list):
        if sorted(map(_canonical, expected)) != sorted(map(_canonical, actual)):
            out.append(path)
    else:
        _exact(expected, actual, path, out)


def _tolerance(tolerance: float) -> Diff:
    def diff(expected, actual, path, out):
        if not json_equal(expected, actual, tolerance):
            out.append(path)
    return diff


def _normalized(expected, actual, path, out):
    if not json_equal(_normalize_all(expected), _normalize_all(actual)):
        out.append(path)


def _normalize_all(value):
    if isinstance(value, str):
        return normalize_text(value)
    if isinstance(value, list):
        return [_normalize_all(v) for v in value]
    if isinstance(value, dict):
        return {k: _normalize_all(v) for k, v in value.items()}
    return value


def _list_diff(item: Diff) -> Diff:
    if item is _exact:
        return _exact

    def diff(expected, actual, path, out):
        if not (isinstance(expected, list) and isinstance(actual, list)) or len(expected) != len(actual):
            return _exact(expected, actual, path, out)
        for i, (a, b) in enumerate(zip(expected, actual)):
            if a != b:
                item(a, b, _join(path, i), out)
    return diff


def _map_diff(value: Diff) -> Diff:
    if value is _exact:
        return _exact

    def diff(expected, actual, path, out):
        if not (isinstance(expected, dict) and isinstance(actual, dict)):
            return _exact(expected, actual, path, out)
        for key in sorted(expected.keys() | actual.keys()):  # sorted: reproducible output
            a, b = expected.get(key), actual.get(key)
            if a != b:
                if a is None or b is None:
                    out.append(_join(path, key))
                else:
                    value(a, b, _join(path, key), out)
    return diff


def path_text(path: tuple) -> str:
    """`address.city`, `items[0].price`, `variants["1.5L"]` for a path of steps."""
    text = ""
    for step in path:
        if isinstance(step, int):
            text += f"[{step}]"
        elif step.isidentifier():
            text += f".{step}" if text else step
        else:
            text += "[" + json.dumps(step) + "]"
    return text


def value_at_path(value, path: tuple):
    """The value at a path of steps, or None where it does not exist."""
    for step in path:
        if isinstance(step, int):
            value = value[step] if isinstance(value, list) and -len(value) <= step < len(value) else None
        else:
            value = value.get(step) if isinstance(value, dict) else None
    return value
