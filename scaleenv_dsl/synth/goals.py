"""Goal predicates: the fields the witness changed, each as a condition of the spec language over
the final state (`orders["#W1"].status == "cancelled"`), so that the reward explains itself.

Each row changed at the witness's end is compared with the row it started as (overlay included). A changed scalar gives `PATH == VALUE`; a list that grew or shrank
gives `len(PATH) == N` and then its new elements' fields; a list of scalars is compared whole.
Paths follow the declared types: `.field` into records and rows, `[i]` into lists, and a map's
entry through `.get(k)` (a scalar) or a comprehension that narrows it (`any(v.balance == 5 for k, v
in m.items() if k == "gift_card_1" and v is gift_card)`), as the language requires of map lookups.
"""

from __future__ import annotations

import json
from typing import Any

from .. import ir
from ..prove.model import DomainModel

MAX_GOALS = 12   # per changed row: the fields a reader needs to see; `state` checks the rest


def goals(model: DomainModel, changes: dict, start: dict) -> list[str]:
    """The predicates of the rows `changes` (the witness's end, `Prover.end_changes`) changed from
    how they were at the task's `start`."""
    found: list[str] = []
    for collection, rows in sorted(changes["changed"].items()):
        entity = next(e for e in model.ir.entities if e.collection == collection)
        row_type = ir.TypeRef(kind="entity", name=entity.name)
        for key, row in sorted(rows.items()):
            before = start.get(collection, {}).get(key)
            of_row: list[str] = []   # capped per row, so a chain's later rows keep theirs
            _diff(model, f"{collection}[{_literal(key)}]", row_type, before, row, of_row)
            found += of_row[:MAX_GOALS]
    return found


def _diff(model: DomainModel, path: str, t: ir.TypeRef, before: Any, after: Any, out: list[str]) -> None:
    if before == after:
        return
    if t.kind == "optional" and t.args:
        if after is None or before is None and not isinstance(after, (dict, list)):
            out.append(f"{path} == {_literal(after)}")
            return
        t = t.args[0]
    if isinstance(after, dict) and t.kind in ("record", "entity", "union"):
        fields = model.fields_of(t, after)
        for name, value in sorted(after.items()):
            if name in fields and name.isidentifier():
                _diff(model, f"{path}.{name}", fields[name], (before or {}).get(name), value, out)
    elif isinstance(after, dict) and t.kind == "map" and t.args:
        for key, value in sorted(after.items()):
            _entry(model, path, key, t.args[0], (before or {}).get(key), value, out)
    elif isinstance(after, list) and t.kind == "list" and t.args and any(isinstance(v, dict) for v in after):
        old = before if isinstance(before, list) else []
        if len(old) != len(after):
            out.append(f"len({path}) == {len(after)}")
        for index, value in enumerate(after):
            _diff(model, f"{path}[{index}]", t.args[0], old[index] if index < len(old) else None, value, out)
    elif not isinstance(after, dict):
        out.append(f"{path} == {_literal(after)}")


def _entry(model, path, key, t: ir.TypeRef, before, after, out) -> None:
    if before == after:
        return
    if not isinstance(after, (dict, list)):
        out.append(f"{path}.get({_literal(key)}) == {_literal(after)}")
        return
    if t.kind not in ("record", "union") or not isinstance(after, dict):
        return   # a list inside a map: `state` checks it
    narrow = f" and v is {after[model.ir.type_def(t.name).tag]}" if t.kind == "union" else ""
    inner: list[str] = []
    _diff(model, "v", t, before, after, inner)
    for condition in inner:
        out.append(f"any({condition} for k, v in {path}.items() if k == {_literal(key)}{narrow})")


def _literal(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value, ensure_ascii=False)
