"""Read/write inference: every change a tool can make to a row is found.

The runtime tracks changes (and checks invariants) only for the entities a
tool is inferred to write, so a missed write is a change nobody sees. Values
are shared as in Python: a change through any alias of part of a row writes
that row, however the alias was made.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from scaleenv_dsl.check import check_source

SCHEMA = '''
domain shop { description "Aliases of rows." }

record Item {
  sku: str
  price: float
  tags: list[str]
}

union Method by source {
  card { id: str }
  gift { id: str  balance: float }
}

entity User in users key user_id else "User not found" {
  user_id: str
  name: str
  items: list[Item]
  tags: list[str]
  methods: map[str, Method]
}
'''


def tool_effects(body: str, params: str = "user_id: ref User"):
    result = check_source(SCHEMA + f"tool t({params}) {{\n  let u = users[user_id]\n{body}\n}}\n")
    assert result.ok, [(d.code, d.message) for d in result.diagnostics]
    tool = result.domain.tool("t")
    return list(tool.writes), list(tool.write_fields)


WRITES = {
    "a list joined with +": """
  let both = u.items + []
  for item in both {
    item.price = 0
  }""",
    "a list display": """
  let xs = [u.items[0]]
  xs[0].price = 0""",
    "a map display": """
  let d = {"first": u.items[0]}
  for item in d.values() {
    item.price = 0
  }""",
    "a dict comprehension": """
  let d = {k: m for k, m in u.methods.items()}
  for m in d.values() {
    if m is gift {
      m.balance = 0
    }
  }""",
    "a record built from a row's list": """
  let copy = Item(sku="x", price=1, tags=u.items[0].tags)
  copy.tags.append("new")""",
    "a local assigned after its let": """
  let item = Item(sku="x", price=1, tags=[])
  item = u.items[0]
  item.price = 0""",
    "a local assigned in a branch": """
  let item = Item(sku="x", price=1, tags=[])
  if u.name == "" {
    item = u.items[0]
  }
  item.price = 0""",
    "a local assigned later in a loop": """
  let item = Item(sku="x", price=1, tags=[])
  for other in u.items {
    item.price = 0
    item = other
  }""",
}


@pytest.mark.parametrize("body", WRITES.values(), ids=WRITES.keys())
def test_a_change_through_an_alias_writes_the_row(body: str) -> None:
    writes, fields = tool_effects(body)
    assert writes == ["User"], fields
    assert fields and all(f.startswith("User.") for f in fields)


NO_WRITES = {
    "a sorted copy": """
  let s = sorted(u.tags)
  s.append("x")""",
    "a comprehension of numbers": """
  let prices = [i.price for i in u.items]
  prices.append(1.0)""",
    "a list of strings joined with +": """
  let tags = u.tags + ["x"]
  tags.append("y")""",
    "a record built from a row's numbers": """
  let item = Item(sku=u.name, price=u.items[0].price, tags=[])
  item.price = 2""",
}


@pytest.mark.parametrize("body", NO_WRITES.values(), ids=NO_WRITES.keys())
def test_a_change_to_a_new_value_writes_nothing(body: str) -> None:
    assert tool_effects(body) == ([], [])


def test_a_record_built_from_a_parameter_can_change() -> None:
    # the new record is a local value: changing its fields is not a write through the parameter
    body = """
  let item = Item(sku="x", price=1, tags=extra)
  item.price = 2"""
    assert tool_effects(body, params="user_id: ref User, extra: list[str]") == ([], [])


def test_a_missed_write_would_escape_the_invariants(tmp_path: Path) -> None:
    """End to end: the change is seen, so the row's invariant is checked and the call undone."""
    from scaleenv_dsl import load_domain

    (tmp_path / "d.sedl").write_text('''
domain d { description "x" data "d.json" }
record Item { price: float }
entity User in users key user_id else "User not found" {
  user_id: str
  items: list[Item]
  invariant all(i.price >= 0 for i in self.items) else "prices are never negative"
}
tool zero(user_id: ref User) {
  let u = users[user_id]
  for item in u.items + [] {
    item.price = -1
  }
}
''')
    (tmp_path / "d.json").write_text('{"users": {"u1": {"user_id": "u1", "items": [{"price": 1}]}}}')
    env = load_domain(str(tmp_path / "d.sedl")).env()
    result = env.call("zero", {"user_id": "u1"})
    assert not result.ok and result.error.message == "prices are never negative"
    assert env.state()["users"]["u1"]["items"] == [{"price": 1}]


def test_a_local_bound_afresh_on_each_pass_does_not_alias() -> None:
    # each pass of the outer loop binds `best` again before changing it: no row is written
    body = """
  for first in u.items {
    let best = Item(sku="x", price=1, tags=[])
    best.price = 0
    for other in u.items {
      best = other
    }
  }"""
    assert tool_effects(body) == ([], [])


def test_a_chain_of_assignments_in_a_loop_is_followed_to_the_end() -> None:
    body = """
  let a = Item(sku="a", price=1, tags=[])
  let b = Item(sku="b", price=1, tags=[])
  for item in u.items {
    a.price = 0
    a = b
    b = item
  }"""
    assert tool_effects(body) == (["User"], ["User.items"])
