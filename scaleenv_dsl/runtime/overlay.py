"""Task overlays: rows merged into the initial data, through the journal.

An existing row is merged field by field, nested objects recursively, lists
replaced; a new row is added; a row given as `null` is removed. Like a tool
call, the merge writes into rows the env copied from the shared initial data
(which it never changes), and journals what it does.
"""

from __future__ import annotations

from ..ir import keyed_row
from .journal import delete_key, set_key
from .state import State, own_row, writable_rows
from .values import jcopy


class OverlayError(ValueError):
    pass


def check_overlay(overlay) -> dict:
    if overlay is None:
        return {}
    if not isinstance(overlay, dict) or not all(isinstance(rows, dict) for rows in overlay.values()):
        raise OverlayError("an initial overlay is {collection: {key: row}}")
    for collection, rows in overlay.items():
        for key, row in rows.items():
            if not isinstance(key, str) or not (row is None or isinstance(row, dict)):
                raise OverlayError(f"the overlay row {collection}[{key!r}] must be an object or null")
    return overlay


def apply_overlay(state: State, overlay: dict, keyless: dict[str, str] | None = None) -> None:
    """Merge `overlay` into the state. `keyless` (collection -> key field) names the collections
    stored without their key field: a new row of one is given its key, as loaded rows are."""
    journal = state.journal
    keyless = keyless or {}
    for collection, rows in check_overlay(overlay).items():
        if collection in state.data:
            table = writable_rows(state, collection)  # the shared initial data is never written
        else:
            table = {}
            set_key(journal, state.data, collection, table)
        for key, row in rows.items():
            current = table.get(key)
            if row is None:
                if current is not None:
                    delete_key(journal, table, key)
            elif isinstance(current, dict):
                _merge(journal, own_row(state, collection, key, current), row)
            elif collection in keyless:
                set_key(journal, table, key, jcopy(keyed_row(keyless[collection], key, row)))
            else:
                set_key(journal, table, key, jcopy(row))
            state.touched.add((collection, key))


def _merge(journal: list, target: dict, patch: dict) -> None:
    for field, value in patch.items():
        current = target.get(field)
        if isinstance(current, dict) and isinstance(value, dict):
            _merge(journal, current, value)
        else:
            set_key(journal, target, field, jcopy(value))
