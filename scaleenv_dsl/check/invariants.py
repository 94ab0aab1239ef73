"""The initial data against the invariants, before the first call.

The docs promise that invariants hold in the data. The runtime checks them only on the rows a
call reaches, after the call, so a row that starts broken makes the first tool touching it fail
with the invariant's message, far from the cause. This pass evaluates every invariant of every
row (entities, and the records and variants inside them) statically, with `evaluate`, and
reports the rows that break one, where they stand in the data file. Task overlays are held to
the same rule: each row a task's `initial` merges in must keep its invariants.

An invariant that cannot be evaluated statically, or whose evaluation fails, is not reported:
only a definite `false` is a finding.
"""

from __future__ import annotations

from typing import Any, Iterator

from .. import ir
from ..diagnostics import Diagnostic, Label, Span
from .data import MAX_REPORTED, json_path, locate
from .evaluate import Evaluator, Failed, Undecided

HELP = ("fix the row, or the invariant: the runtime checks invariants after each call, so the first call "
        "that reaches this row would fail with this message")

# (JSON path of the value, the type declaring the invariant, the invariant, its message)
Breach = tuple[list, str, ir.Invariant, str]


def broken_invariants(domain: ir.Domain, data: Any, file: str, text: str) -> list[Diagnostic]:
    """A diagnostic for each row of the data, and of each task's overlay, that breaks an invariant."""
    if not isinstance(data, dict) or not _types_with_checks(domain):
        return []
    rows = RowChecker(domain, data)
    found = [_in_data(breach, file, text) for breach in rows.breaches_in_data()]
    for task in domain.tasks:
        if task.initial:
            overlay = ir.keyed_rows(ir.keyless_collections(domain), task.initial)  # keyless rows as tools see them
            merged = RowChecker(domain, with_overlay(data, overlay))
            found += [_in_overlay(domain, task, breach) for breach in merged.breaches_in(task.initial)]
    if len(found) > MAX_REPORTED:  # said, so that a writer does not take the first page for all of it
        found = found[:MAX_REPORTED] + [Diagnostic(
            "data-breaks-invariant", f"… and {len(found) - MAX_REPORTED} more rows that break invariants",
            found[MAX_REPORTED - 1].span, "fix these and check again")]
    return found


def _in_data(breach: Breach, file: str, text: str) -> Diagnostic:
    path, owner, invariant, message = breach
    return Diagnostic("data-breaks-invariant", f"{json_path(path)} breaks an invariant of {owner}: {message}",
                      locate(file, text, path), HELP, labels=_label(invariant))


def _in_overlay(domain: ir.Domain, task: ir.TaskDef, breach: Breach) -> Diagnostic:
    path, owner, invariant, message = breach
    span = _span(task.loc) or Span.point(file_of(domain), 1, 1)
    return Diagnostic("data-breaks-invariant", f"task `{task.name}`: its `initial` makes {json_path(path)} break "
                      f"an invariant of {owner}: {message}", span, HELP, labels=_label(invariant))


def _label(invariant: ir.Invariant) -> tuple[Label, ...]:
    span = _span(invariant.loc)
    return (Label(span, "the invariant"),) if span else ()


def _span(loc: ir.Loc | None) -> Span | None:
    return Span(loc.file, loc.line, loc.column, loc.end_line, loc.end_column) if loc else None


def file_of(domain: ir.Domain) -> str:
    return domain.files[0] if domain.files else "<input>"


class RowChecker:
    """Walks rows by their types, evaluating each invariant met on the way."""

    def __init__(self, domain: ir.Domain, data: dict):
        self.domain = domain
        self.data = data
        self.evaluator = Evaluator(domain, data)
        self.checked = _types_with_checks(domain)

    def breaches_in_data(self) -> Iterator[Breach]:
        for entity in self.domain.entities:
            rows = self.data.get(entity.collection)
            if entity.name in self.checked and isinstance(rows, dict):
                for key in rows:
                    yield from self._first_in_row(entity, key)

    def breaches_in(self, overlay: dict) -> Iterator[Breach]:
        for collection, rows in overlay.items():
            entity = next((e for e in self.domain.entities if e.collection == collection), None)
            if entity is not None and entity.name in self.checked and isinstance(rows, dict):
                for key, row in rows.items():
                    if row is not None:
                        yield from self._first_in_row(entity, key)

    def _first_in_row(self, entity: ir.EntityDef, key: str) -> Iterator[Breach]:
        """The first invariant the row breaks, as the runtime would report only the first."""
        row = self.data[entity.collection].get(key)
        breach = next(self._walk(ir.TypeRef(kind="entity", name=entity.name), row, [entity.collection, key]), None)
        if breach is not None:
            yield breach

    def _walk(self, t: ir.TypeRef, value: Any, path: list) -> Iterator[Breach]:
        if value is None:
            return
        if t.kind == "optional":
            yield from self._walk(t.args[0], value, path)
        elif t.kind == "list" and isinstance(value, list):
            for i, item in enumerate(value):
                yield from self._walk(t.args[0], item, path + [i])
        elif t.kind == "map" and isinstance(value, dict):
            for k, item in value.items():
                yield from self._walk(t.args[0], item, path + [k])
        elif t.kind in ("entity", "record", "union") and t.name in self.checked and isinstance(value, dict):
            yield from self._shape(self.domain.type_def(t.name), value, path)

    def _shape(self, definition, value: dict, path: list) -> Iterator[Breach]:
        owner = definition.name
        if isinstance(definition, ir.UnionDef):
            owner, definition = f"{owner}.{value.get(definition.tag)}", next(
                (v for v in definition.variants if v.name == value.get(definition.tag)), None)
            if definition is None:
                return
        for invariant in definition.invariants:
            if self._breaks(invariant, value):
                yield path, owner, invariant, self._message(invariant, value)
        for f in definition.fields:
            if any(name in self.checked for name in _named_types(f.type)):
                yield from self._walk(f.type, value.get(f.name), path + [f.name])

    def _breaks(self, invariant: ir.Invariant, value: dict) -> bool:
        try:
            return not self.evaluator.holds(invariant.condition, {"self": value})
        except (Undecided, Failed):
            return False

    def _message(self, invariant: ir.Invariant, value: dict) -> str:
        """The invariant's message, as the runtime would give it, or a plain statement when it cannot be computed."""
        try:
            return f'"{self.evaluator.value(invariant.message, {"self": value})}"'
        except (Undecided, Failed):
            return "its condition is false"


def with_overlay(data: dict, overlay: dict) -> dict:
    """The data with a task's `initial` merged in (rows merged field by field, lists replaced,
    `null` removing a row), as the runtime merges it; the data itself is not changed."""
    merged = dict(data)
    for collection, rows in overlay.items():
        if not isinstance(rows, dict):
            continue
        table = dict(merged.get(collection) or {})
        for key, row in rows.items():
            if row is None:
                table.pop(key, None)
            else:
                table[key] = _merge_row(table.get(key), row)
        merged[collection] = table
    return merged


def _merge_row(current, patch):
    if not (isinstance(current, dict) and isinstance(patch, dict)):
        return patch
    out = dict(current)
    for name, value in patch.items():
        out[name] = _merge_row(current.get(name), value) if isinstance(value, dict) else value
    return out


def _types_with_checks(domain: ir.Domain) -> set[str]:
    """The types with invariants, and the types whose fields hold one, transitively."""
    fields = {d.name: d.fields for d in (*domain.records, *domain.entities)}
    fields.update({u.name: tuple(f for v in u.variants for f in v.fields) for u in domain.unions})
    needed = {d.name for d in (*domain.records, *domain.entities) if d.invariants}
    needed |= {u.name for u in domain.unions if any(v.invariants for v in u.variants)}
    grown = True
    while grown:
        grown = False
        for name, declared in fields.items():
            if name not in needed and any(n in needed for f in declared for n in _named_types(f.type)):
                needed.add(name)
                grown = True
    return needed


def _named_types(t: ir.TypeRef) -> list[str]:
    if t.kind in ("record", "entity", "union"):
        return [t.name]
    return [n for a in t.args for n in _named_types(a)]
