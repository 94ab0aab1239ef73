"""The undo journal: rolling back, and stepping back for `old(e)`."""

from __future__ import annotations

import copy
import random

from scaleenv_dsl.runtime import journal


def _random_changes(rng, data, log, steps):
    for _ in range(steps):
        row = rng.choice(list(data.values()))
        op = rng.randrange(7)
        items = row["items"]
        if op == 0:
            journal.set_key(log, row, rng.choice("abc"), rng.random())
        elif op == 1:
            journal.append(log, items, rng.randrange(10))
        elif op == 2:
            journal.extend(log, items, [rng.randrange(10) for _ in range(rng.randrange(3))])
        elif op == 3 and items:
            journal.remove(log, items, rng.choice(items))
        elif op == 4:
            journal.sort(log, items)
        elif op == 5 and items:
            journal.set_index(log, items, rng.randrange(len(items)), -1)
        elif op == 6 and "a" in row:
            journal.delete_key(log, row, "a")


def test_rollback_restores_exactly():
    rng = random.Random(7)
    for _ in range(50):
        data = {k: {"items": [3, 1, 2], "a": 1} for k in "xyz"}
        before = copy.deepcopy(data)
        log: list = []
        _random_changes(rng, data, log, 40)
        mark = len(log)
        middle = copy.deepcopy(data)
        _random_changes(rng, data, log, 40)
        journal.rollback(log, mark)
        assert data == middle
        journal.rollback(log, 0)
        assert data == before and log == []
        assert [list(row) for row in data.values()] == [list(row) for row in before.values()]  # key order too


def test_undoing_a_delete_restores_the_key_order():
    for key in "abcd":
        data = {k: k.upper() for k in "abcd"}
        log: list = []
        journal.delete_key(log, data, key)
        journal.set_key(log, data, "e", "E")
        assert journal.value_at(log, 0, lambda: list(data), list) == list("abcd")
        assert list(data) == [k for k in "abcde" if k != key]
        journal.rollback(log, 0)
        assert list(data.items()) == [(k, k.upper()) for k in "abcd"]


def test_value_at_reads_the_past_and_leaves_the_present():
    rng = random.Random(3)
    for _ in range(50):
        data = {k: {"items": [1, 2], "a": 0} for k in "xy"}
        log: list = []
        _random_changes(rng, data, log, 10)
        mark = len(log)
        past = copy.deepcopy(data)
        _random_changes(rng, data, log, 30)
        present, entries = copy.deepcopy(data), list(log)
        assert journal.value_at(log, mark, lambda: data, copy.deepcopy) == past
        assert data == present and log == entries
        journal.rollback(log, mark)  # the journal still undoes correctly afterwards
        assert data == past
