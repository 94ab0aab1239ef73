"""Live state of one environment, and the row access helpers generated code calls.

`State.data` is `{collection: {key: row}}` in the data file's shape. Rows are
plain dicts, changed in place through `journal` helpers. A tool that writes
an entity records every row of it that it reaches in `call_touched`; the
environment folds that into `touched`, which `changes()` reads, so finding
what changed costs O(rows reached), not O(database).
"""

from __future__ import annotations

from .errors import CONFLICT, NOT_FOUND, ToolError
from .journal import MISSING, delete_key, set_key


class State:
    __slots__ = ("data", "journal", "call_touched", "call_touched_all", "touched", "touched_all")

    def __init__(self, data: dict):
        self.data = data
        self.journal: list = []
        self.call_touched: list = []          # (collection, key) reached by the running call
        self.call_touched_all: set = set()    # collections the running call handled whole
        self.touched: set = set()             # (collection, key) reached since the last reset
        self.touched_all: set = set()         # collections handed out whole to a writing tool since then


def _message(message) -> str:
    # Messages built from expressions are passed as zero-argument functions, so
    # they are only evaluated on the failure path.
    return message() if callable(message) else message


def lookup(rows: dict, key, message, guard=None):
    """`coll[key]` in a tool that does not write the entity."""
    row = rows.get(key)
    if row is None:
        raise ToolError(_message(message), NOT_FOUND, guard)
    return row


def lookup_touch(state: State, collection: str, key, message, guard=None):
    """`coll[key]` in a tool that may change the row."""
    row = state.data[collection].get(key)
    if row is None:
        raise ToolError(_message(message), NOT_FOUND, guard)
    state.call_touched.append((collection, key))
    return row


def map_get(mapping: dict, key, message, guard=None):
    """`m[key]` on a map; fails with `message`, or Python's KeyError text."""
    value = mapping.get(key, MISSING)
    if value is MISSING:
        raise ToolError(_message(message) if message is not None else repr(key), NOT_FOUND, guard)
    return value


def get_touch(state: State, collection: str, key):
    """`coll.get(key)` in a tool that may change the row."""
    row = state.data[collection].get(key)
    if row is not None:
        state.call_touched.append((collection, key))
    return row


def values_touch(state: State, collection: str):
    """`coll.values()` iterated by a tool that may change the rows."""
    touched = state.call_touched
    for key, row in state.data[collection].items():
        touched.append((collection, key))
        yield row


def items_touch(state: State, collection: str):
    touched = state.call_touched
    for key, row in state.data[collection].items():
        touched.append((collection, key))
        yield key, row


def touch_all(state: State, collection: str) -> dict:
    """A whole collection used as a value by a writing tool: every row may change."""
    state.call_touched_all.add(collection)
    return state.data[collection]


def insert(state: State, collection: str, key_field: str, row: dict, entity: str, message, guard=None) -> None:
    rows = state.data[collection]
    key = row[key_field]
    if key in rows:
        raise ToolError(_message(message) if message is not None else f"{entity} {key} already exists", CONFLICT,
                        guard)
    set_key(state.journal, rows, key, row)
    state.call_touched.append((collection, key))


def delete(state: State, collection: str, key, message, guard=None) -> None:
    rows = state.data[collection]
    if rows.get(key) is None:
        raise ToolError(_message(message), NOT_FOUND, guard)
    delete_key(state.journal, rows, key)
    state.call_touched.append((collection, key))


def require_present(value, message, guard=None):
    """`let x = e else "msg"` when `e` is none."""
    if value is None:
        raise ToolError(_message(message), NOT_FOUND, guard)
    return value


def is_variant(value, tag: str, variant: str) -> bool:
    return type(value) is dict and value.get(tag) == variant
