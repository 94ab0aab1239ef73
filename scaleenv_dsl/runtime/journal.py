"""The undo journal: every change to live state goes through these helpers.

A failed call rolls back to the journal length it started at; `reset()` rolls
back to zero. Rolling back costs O(changes), never a copy of the database.

Entries are tuples whose first item says how to undo them. Undoing an entry
yields its inverse, which lets `old(e)` in an `ensures` step back to the
state at the start of the call, read, and step forward again.
"""

from __future__ import annotations

from .errors import ToolError

MISSING = object()  # "this key was absent" in a journal entry

_SET = 0        # (SET, container, key, old value or MISSING): dict entry, row, or list slot
_TRUNCATE = 1   # (TRUNCATE, list, length): undo an append/extend
_INSERT = 2     # (INSERT, list, index, value): undo a remove
_CONTENTS = 3   # (CONTENTS, list, items): undo a sort
_EXTEND = 4     # (EXTEND, list, length, items): inverse of TRUNCATE
_POP = 5        # (POP, list, index): inverse of INSERT
_RESTORE = 6    # (RESTORE, dict, key, value, index): undo a deleted entry, at its old position


# ---------------------------------------------------------------- changes, journaled

def set_key(journal: list, container: dict, key, value) -> None:
    """`obj.field = v` and `m[k] = v`."""
    journal.append((_SET, container, key, container.get(key, MISSING)))
    container[key] = value


def set_index(journal: list, items: list, index, value) -> None:
    """`xs[i] = v`; fails like Python when out of range."""
    journal.append((_SET, items, index, items[index]))
    items[index] = value


def append(journal: list, items: list, value) -> None:
    journal.append((_TRUNCATE, items, len(items)))
    items.append(value)


def extend(journal: list, items: list, values) -> None:
    journal.append((_TRUNCATE, items, len(items)))
    items.extend(values)


def remove(journal: list, items: list, value) -> None:
    try:
        index = items.index(value)
    except ValueError:
        raise ToolError("list.remove(x): x not in list", "runtime") from None
    journal.append((_INSERT, items, index, value))
    del items[index]


def sort(journal: list, items: list) -> None:
    journal.append((_CONTENTS, items, items[:]))
    items.sort()


def update(journal: list, container: dict, other: dict) -> None:
    """`m.update(other)`: each entry set as `m[k] = v` is, so a rollback undoes each."""
    for key, value in other.items():
        set_key(journal, container, key, value)


def delete_key(journal: list, container: dict, key) -> None:
    """`delete coll[key]`. Iteration order is observable (`find`, `keys()`), so the undo
    must put the entry back where it was, not at the end: its index is recorded."""
    value = container[key]
    index = len(container) - 1
    if next(reversed(container)) != key:  # deleting the last entry needs no search
        index = list(container).index(key)
    journal.append((_RESTORE, container, key, value, index))
    del container[key]


# ---------------------------------------------------------------- undo

def _undo(entry: tuple) -> tuple:
    """Undo one entry and return the entry that would redo it."""
    op = entry[0]
    if op == _SET:
        _, container, key, old = entry
        if type(container) is dict:
            current = container.get(key, MISSING)
            if old is MISSING:
                container.pop(key, None)
            else:
                container[key] = old
        else:
            current = container[key]
            container[key] = old
        return (_SET, container, key, current)
    if op == _TRUNCATE:
        _, items, length = entry
        removed = items[length:]
        del items[length:]
        return (_EXTEND, items, length, removed)
    if op == _EXTEND:
        _, items, length, values = entry
        items[length:] = values
        return (_TRUNCATE, items, length)
    if op == _INSERT:
        _, items, index, value = entry
        items.insert(index, value)
        return (_POP, items, index)
    if op == _POP:
        _, items, index = entry
        return (_INSERT, items, index, items.pop(index))
    if op == _RESTORE:
        _, container, key, value, index = entry
        _insert_entry(container, key, value, index)
        return (_SET, container, key, MISSING)
    _, items, contents = entry
    current = items[:]
    items[:] = contents
    return (_CONTENTS, items, current)


def _insert_entry(container: dict, key, value, index: int) -> None:
    if index >= len(container):
        container[key] = value
        return
    entries = list(container.items())
    entries.insert(index, (key, value))
    container.clear()  # the same dict object: other journal entries hold it
    container.update(entries)


def rollback(journal: list, mark: int) -> None:
    """Undo every change after `mark`, newest first."""
    while len(journal) > mark:
        _undo(journal.pop())


def value_at(journal: list, mark: int, read, copy):
    """The value `read()` had when the journal was at `mark`; state is left as it was.

    Used for `old(e)`: the live objects are rolled back in place, `e` is read
    (and copied, since the objects are about to change again), then every
    change is redone. The journal entries stay valid because the redone state
    is exactly the state they were recorded against.
    """
    entries = journal[mark:]
    redo = []
    while len(journal) > mark:
        redo.append(_undo(journal.pop()))
    try:
        return copy(read())
    finally:
        for entry in reversed(redo):
            _undo(entry)
        journal.extend(entries)
