"""Live state of one environment, and the row access helpers generated code calls.

`State.data` is `{collection: {key: row}}` in the data file's shape. Rows are
plain dicts, changed in place through `journal` helpers. A tool that writes
an entity records every row of it that it reaches in `call_touched`; the
environment folds that into `touched`, which `changes()` reads, so finding
what changed costs O(rows reached), not O(database).

Copy on write. Every environment made from the same data reads one shared
copy of it, `base`, which nothing may change. An env's `data` starts as a
shallow view of `base`: its collections are base's own dicts. The helpers a
writing tool reaches rows through (`lookup_touch`, `get_touch`, the scans,
`insert`, `delete`) first give the env a dict of its own for the collection
(its index: the rows in it are still base's) and a deep copy of the row. A
row is this env's own once it is not the object `base` holds under its key.

An env keeps its copies across resets: the journal brings them back equal to
base's rows, and the next episode, which is likely to write the same rows
(the same task, or a search's next node), does not pay for them again. So an
env holds at most one copy of each row it ever wrote; a new env holds none.
"""

from __future__ import annotations

from .errors import CONFLICT, NOT_FOUND, ToolError
from .journal import MISSING, delete_key, rollback, set_key
from .limits import DEFAULT_SIZE_LIMIT, DEFAULT_STEP_LIMIT, charge_steps
from .values import deep_copy

_NO_ROWS: dict = {}  # the base rows of a collection the initial data lacks; never written


class State:
    __slots__ = ("base", "copiers", "data", "journal", "call_touched", "call_touched_all", "touched", "touched_all",
                 "steps", "room", "clock")

    def __init__(self, base: dict, copiers: dict | None = None):
        self.base = base                      # the shared initial data: read, never written
        self.copiers = copiers or {}          # collection -> a deep copy of its rows; else deep_copy
        self.data = dict(base)                # this env's collections: base's dicts until it writes to one
        self.journal: list = []
        self.call_touched: list = []          # (collection, key) reached by the running call
        self.call_touched_all: set = set()    # collections the running call handled whole
        self.touched: set = set()             # (collection, key) reached since the last reset
        self.touched_all: set = set()         # collections handed out whole to a writing tool since then
        # the running call's fuel, set by the environment before each call (runtime/limits.py)
        self.steps = DEFAULT_STEP_LIMIT       # loop iterations and comprehension elements left
        self.room = DEFAULT_SIZE_LIMIT        # characters and elements it may still build
        # what `now()` reads: an ISO datetime set at reset from the task or the domain header, never the
        # machine's clock (runtime/dates.py); None when the domain has no clock, and then no tool reads it
        self.clock: str | None = None

    def restart(self) -> None:
        """Back to the initial data in O(changes): the journal is undone. The env keeps the indexes
        and row copies it made, now equal to base's again, so that its next episode does not copy
        them again (copying is most of what a first write costs)."""
        rollback(self.journal, 0)
        self.call_touched.clear()
        self.call_touched_all.clear()
        self.touched.clear()
        self.touched_all.clear()


def writable_rows(state: State, collection: str) -> dict:
    """The collection's dict of rows, this env's own, so that rows can be added, replaced and removed."""
    rows = state.data[collection]
    if rows is state.base.get(collection):
        rows = state.data[collection] = dict(rows)  # the index only: rows stay shared until written
    return rows


def own_row(state: State, collection: str, key, row: dict) -> dict:
    """`row`, the row under `key`, as this env's own copy: made the first time a writing tool reaches it."""
    if row is state.base.get(collection, _NO_ROWS).get(key):
        row = _copy_row(state, collection, key, row)
    return row  # otherwise copied earlier, inserted, or put there by an overlay


def _copy_row(state: State, collection: str, key, row: dict) -> dict:
    # not journaled: a rollback or a reset leaves the copy in place, equal to base's row again
    copy = writable_rows(state, collection)[key] = state.copiers.get(collection, deep_copy)(row)
    return copy


def own_all_rows(state: State, collection: str) -> dict:
    """Every row of the collection as this env's own: for a writing tool that holds the whole collection."""
    rows = writable_rows(state, collection)
    shared = state.base.get(collection, _NO_ROWS)
    for key, row in rows.items():
        if row is shared.get(key):
            _copy_row(state, collection, key, row)  # replacing a value while iterating is allowed
    return rows


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
    if row is state.base.get(collection, _NO_ROWS).get(key):  # own_row, inline: writing tools' hot path
        row = _copy_row(state, collection, key, row)
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
        row = own_row(state, collection, key, row)
    return row


def values_touch(state: State, collection: str):
    """`coll.values()` iterated by a tool that may change the rows."""
    for _, row in items_touch(state, collection):
        yield row


def items_touch(state: State, collection: str):
    """`coll.items()` iterated by a tool that may change the rows: each row is copied as it is reached."""
    touched = state.call_touched
    rows = writable_rows(state, collection)  # before the loop, so that an insert in it fails as in Python
    charge_steps(state, len(rows))
    shared = state.base.get(collection, _NO_ROWS)
    for key, row in rows.items():
        touched.append((collection, key))
        if row is shared.get(key):
            row = _copy_row(state, collection, key, row)
        yield key, row


def touch_all(state: State, collection: str) -> dict:
    """A whole collection used as a value by a writing tool: every row may change."""
    state.call_touched_all.add(collection)
    return own_all_rows(state, collection)


def insert(state: State, collection: str, key_field: str, row: dict, entity: str, message, guard=None) -> None:
    rows = writable_rows(state, collection)
    key = row[key_field]
    if key in rows:
        raise ToolError(_message(message) if message is not None else f"{entity} {key} already exists", CONFLICT,
                        guard)
    set_key(state.journal, rows, key, row)
    state.call_touched.append((collection, key))


def delete(state: State, collection: str, key, message, guard=None) -> None:
    rows = writable_rows(state, collection)
    if rows.get(key) is None:
        raise ToolError(_message(message), NOT_FOUND, guard)
    delete_key(state.journal, rows, key)
    state.call_touched.append((collection, key))


def delete_entry(journal: list, mapping: dict, key, message, guard=None) -> None:
    """`delete m[key]` on a map: a missing key fails with `message`, and nothing changes."""
    if key not in mapping:
        raise ToolError(_message(message), NOT_FOUND, guard)
    delete_key(journal, mapping, key)


def require_present(value, message, guard=None):
    """`let x = e else "msg"` when `e` is none."""
    if value is None:
        raise ToolError(_message(message), NOT_FOUND, guard)
    return value


def is_variant(value, tag: str, variant: str) -> bool:
    return type(value) is dict and value.get(tag) == variant
