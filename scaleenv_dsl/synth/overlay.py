"""Synthesized rows: a target the shared data lacks (a second pending order of a user), made from
an existing row and put in the task's `initial` overlay, never in the shared data.

The recipe, for a write whose target row must pass guards such as `order.status == "pending"`:
1. `guard_needs` reads the field values the tool's guards demand of its target row from the IR:
   a `require` (not under a branch) that is, or is an `and` of, `row.field == literal`,
   `row.field in [literals]` (the first) or `"literal" in row.field` (the literal itself).
2. The template is a row of the same entity near the chain (the user's own order, so that every
   key it names, such as the user and their payment methods, is still right).
   A near row that already meets the needs at the task's start (an order the chain's first
   write cancels) is the template of choice: its list memberships are already the right ones.
3. The copy gets a key that collides with no row: the template key's letters with fresh digits.
   The needed values are set, and each field that is empty in every row of the data that meets
   the needs is emptied (a pending order has no fulfilments yet).
4. Each row that lists the template's key in a `list[ref Entity]` field (the user's `orders`, a
   book's `holds`) lists the new key too, after it.
5. The overlay must fit the schema (`check_initial`) and keep the invariants of every row it
   makes or changes; the runtime checks invariants only on the rows a call reaches.
"""

from __future__ import annotations

import random
from typing import Any

from .. import ir
from ..prove.model import DomainModel
from ..runtime.values import deep_copy
from .ground import walk_path

Path = tuple[str, ...]
KEY_TRIES = 20


class OverlayFailure(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def guard_needs(tool: ir.ToolDef, param: str) -> dict[Path, Any]:
    """The field values the guards of `tool` require of the row its parameter `param` keys."""
    needs: dict[Path, Any] = {}
    for guard in tool.contract.guards if tool.contract else ():
        if guard.kind != "require" or guard.when or guard.in_loop or guard.condition is None:
            continue
        for test in _conjuncts(guard.condition):
            found = _need(test, param)
            if found is not None:
                needs.setdefault(found[0], found[1])
    return needs


def _conjuncts(e: ir.Expr):
    if isinstance(e, ir.Binary) and e.op == "and":
        yield from _conjuncts(e.left)
        yield from _conjuncts(e.right)
    else:
        yield e


def _need(e: ir.Expr, param: str) -> tuple[Path, Any] | None:
    if not isinstance(e, ir.Binary):
        return None
    left, right = _row_path(e.left, param), _row_path(e.right, param)
    if e.op == "==" and left and isinstance(e.right, ir.Const):
        return left, e.right.value
    if e.op == "==" and right and isinstance(e.left, ir.Const):
        return right, e.left.value
    if e.op == "in" and right and isinstance(e.left, ir.Const) and isinstance(e.left.value, str):
        return right, e.left.value           # a substring test: the literal itself contains it
    if e.op == "in" and left and isinstance(e.right, ir.ListExpr) and e.right.items \
            and isinstance(e.right.items[0], ir.Const):
        return left, e.right.items[0].value
    return None


def _row_path(e: ir.Expr, param: str) -> Path | None:
    """The field path when `e` is `entity[param].a.b`, else None."""
    path: list[str] = []
    while isinstance(e, ir.GetField):
        path.insert(0, e.name)
        e = e.obj
    if path and isinstance(e, ir.Lookup) and isinstance(e.key, ir.Var) and e.key.name == param:
        return tuple(path)
    return None


def meets(row: dict, needs: dict[Path, Any]) -> bool:
    return all(walk_path(row, path) == value for path, value in needs.items())


class RowMaker:
    """Makes synthesized rows for one domain's data; remembers which fields to empty per need."""

    def __init__(self, compiled, model: DomainModel, data: dict):
        self.compiled = compiled
        self.model = model
        self.data = data
        self._emptied: dict[tuple[str, str], list[tuple[str, Any]]] = {}
        self._lists: dict[str, list[tuple[str, str]]] = {}

    def synthesize(self, entity: str, template: str, needs: dict[Path, Any], initial: dict,
                   rng: random.Random) -> tuple[str, dict]:
        """A copy of row `template` of `entity` meeting `needs` under a new key, and the overlay
        `initial` with it added and listed where the template is. Raises OverlayFailure when the
        overlay would not fit the schema or the invariants."""
        collection = self.model.collection(entity)
        row = deep_copy(self.row_at_start(initial, collection, template))
        key = self._fresh_key(collection, template, initial, rng)
        row[self.model.key_field(entity)] = key
        for path, value in needs.items():
            _set(row, path, value)
        for name, empty in self._empties(entity, collection, needs):
            row[name] = deep_copy(empty)
        overlay = {c: dict(rows) for c, rows in initial.items()}
        overlay.setdefault(collection, {})[key] = row
        for holder, field_name in self._lists_of(entity):
            for holder_key in self._listing(holder, field_name, template, initial):
                self._list_in(overlay, holder, holder_key, field_name, key)
        self._check(overlay)
        return key, overlay

    def row_at_start(self, initial: dict, collection: str, key: str) -> dict | None:
        """The row as a task with overlay `initial` starts: the shared data's, the overlay merged in."""
        row = self.data.get(collection, {}).get(key)
        patch = initial.get(collection, {}).get(key)
        if patch is None:
            return row
        return _merged(row, patch) if row is not None else patch

    def _fresh_key(self, collection: str, template: str, initial: dict, rng: random.Random) -> str:
        taken = self.data.get(collection, {}).keys() | initial.get(collection, {}).keys()
        head = template.rstrip("0123456789")
        digits = len(template) - len(head)
        low = 10 ** (digits - 1) if digits > 1 else 0   # as many digits as the template, no leading zero
        for _ in range(KEY_TRIES):
            key = head + str(rng.randrange(low, 10 ** digits)) if digits else f"{template}_{rng.randrange(10 ** 6)}"
            if key not in taken:
                return key
        raise OverlayFailure("no-fresh-key")

    def _empties(self, entity: str, collection: str, needs: dict[Path, Any]) -> list[tuple[str, Any]]:
        """Fields empty (an empty list or map, or none, or left out) in every row of the data that
        meets `needs`, with their empty value."""
        cache = (entity, repr(sorted(needs.items())))
        if cache not in self._emptied:
            rows = [r for r in self.data.get(collection, {}).values() if meets(r, needs)]
            names = sorted({n for r in rows for n in r})
            found = [(n, [r[n] for r in rows if n in r]) for n in names]
            # an optional field left out of some rows counts as empty there
            self._emptied[cache] = [(n, values[0]) for n, values in found
                                    if all(v in ([], {}, None) and v == values[0] for v in values)]
        return self._emptied[cache]

    def _lists_of(self, entity: str) -> list[tuple[str, str]]:
        """(entity, field) of every top-level `list[ref entity]` field."""
        if entity not in self._lists:
            self._lists[entity] = [(e.name, f.name) for e in self.model.ir.entities for f in e.fields
                                   if f.type.kind == "list" and f.type.args[0].kind == "ref"
                                   and f.type.args[0].name == entity and not f.type.args[0].path]
        return self._lists[entity]

    def _listing(self, holder: str, field_name: str, template: str, initial: dict) -> list[str]:
        collection = self.model.collection(holder)
        keys = set(self.data.get(collection, {})) | set(initial.get(collection, {}))
        return sorted(k for k in keys if template in ((self.row_at_start(initial, collection, k) or {}).get(field_name) or ()))

    def _list_in(self, overlay: dict, entity: str, key: str, field_name: str, new: str) -> None:
        collection = self.model.collection(entity)
        listed = list(self.row_at_start(overlay, collection, key)[field_name])
        # an overlay replaces a list whole; the patch is copied, so the earlier overlay stays as it was
        rows = overlay.setdefault(collection, {})
        rows[key] = {**rows.get(key, {}), field_name: listed + [new]}

    def _check(self, overlay: dict) -> None:
        try:
            self.compiled.check_initial(overlay)
        except ValueError as err:
            raise OverlayFailure(f"overlay-misfits-schema: {err}") from None
        view = dict(self.data)
        full = {c: {k: self.row_at_start(overlay, c, k) for k in rows} for c, rows in overlay.items()}
        for collection, rows in full.items():
            view[collection] = {**self.data.get(collection, {}), **rows}
        invariants = self.compiled.module.invariants
        for collection, rows in sorted(full.items()):
            check = invariants.get(collection)
            for row in (rows.values() if check is not None else ()):
                try:
                    check(row, view)
                except Exception as err:   # the runtime's ToolError, or a Python error on a bad row
                    raise OverlayFailure(f"overlay-breaks-invariant: {err}") from None


def _set(row: dict, path: Path, value: Any) -> None:
    for step in path[:-1]:
        row = row.setdefault(step, {})
    row[path[-1]] = value


def _merged(row: dict, patch: dict) -> dict:
    """The overlay's merge: nested objects field by field, anything else replaced."""
    out = dict(row)
    for name, value in patch.items():
        out[name] = _merged(out[name], value) if isinstance(out.get(name), dict) and isinstance(value, dict) else value
    return out
