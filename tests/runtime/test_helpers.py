"""Helpers and constants, compiled and called: a helper's `fail` is the tool's, a row it returns is
the row, its guards are the calling tool's, its loops spend the call's fuel, and the analyses that
read the IR (read sets, contracts, the graph) see through the call."""

from __future__ import annotations

import json

from scaleenv_dsl import ir
from scaleenv_dsl.api import load_domain
from scaleenv_dsl.codegen.generator import generate_source
from scaleenv_dsl.graph import build_graph

SPEC = '''
const MAX_TOTAL = 100
const OPEN = "pending"

entity User in users key user_id else "User not found" {
  user_id: str
  name: str
  points: int
}

entity Order in orders key order_id else "Order not found" {
  order_id: str
  user_id: ref User
  status: str
  total: int
  lines: list[int]
}

def owner_of(order: Order) -> User {
  return users[order.user_id]
}

def pending_order(order_id: str) -> Order {
  let order = orders[order_id]
  if order.status != OPEN {
    fail "Order " + order_id + " is " + order.status
  }
  return order
}

def line_sum(order: Order) -> int {
  return sum(x for x in order.lines)
}

def eligible(order: Order) -> bool {
  return line_sum(order) <= MAX_TOTAL and owner_of(order).points >= 0
}

tool cancel(order_id: str) -> Order {
  let order = pending_order(order_id)
  require eligible(order) else "Order too large"
  order.status = "cancelled"
  return order
}

tool reward_owner(order_id: str) -> int {
  let user = owner_of(orders[order_id])
  user.points += 10
  let order = pending_order(order_id)
  return user.points
}

tool owner_name(order_id: str) -> str {
  return owner_of(orders[order_id]).name
}
'''

DATA = {
    "users": {"u1": {"user_id": "u1", "name": "Ana", "points": 5}},
    "orders": {
        "o1": {"order_id": "o1", "user_id": "u1", "status": "pending", "total": 3, "lines": [1, 2]},
        "o2": {"order_id": "o2", "user_id": "u1", "status": "delivered", "total": 3, "lines": [3]},
        "o3": {"order_id": "o3", "user_id": "u1", "status": "pending", "total": 300, "lines": [200, 100]},
    },
}


def test_a_row_a_helper_returns_is_the_row_the_tool_changes(make_domain):
    env = make_domain(SPEC, DATA).env()
    result = env.call("cancel", {"order_id": "o1"})
    assert result.ok, result.error
    assert result.value["status"] == "cancelled"
    assert env.state()["orders"]["o1"]["status"] == "cancelled"
    assert env.changes()["changed"] == {"orders": {"o1": env.state()["orders"]["o1"]}}


def test_a_fail_inside_a_helper_fails_the_tool_and_undoes_its_changes(make_domain):
    env = make_domain(SPEC, DATA).env()
    result = env.call("reward_owner", {"order_id": "o2"})
    assert not result.ok
    assert (result.error.kind, result.error.message) == ("require", "Order o2 is delivered")
    assert env.state()["users"]["u1"]["points"] == 5  # the `+= 10` before the helper's fail is undone
    assert env.changes() == {"changed": {}, "removed": {}}


def test_a_helper_guard_is_named_by_the_calling_tool(make_domain):
    domain = make_domain(SPEC, DATA)
    env = domain.env()
    by_cancel = env.call("cancel", {"order_id": "o2"}).error
    by_reward = env.call("reward_owner", {"order_id": "o2"}).error
    missing = env.call("cancel", {"order_id": "nope"}).error
    assert by_cancel.guard.startswith("cancel#") and by_reward.guard.startswith("reward_owner#")
    assert domain.ir.tool("cancel").contract.guard(by_cancel.guard).message_expr is not None
    assert (missing.kind, missing.message, missing.guard.split("#")[0]) == ("not_found", "Order not found", "cancel")
    fail_line = _line_of(SPEC, 'fail "Order')
    assert by_cancel.loc.endswith(f":{fail_line}:5")
    too_large = env.call("cancel", {"order_id": "o3"}).error
    guard = domain.ir.tool("cancel").contract.guard(too_large.guard)
    assert (guard.kind, guard.message) == ("require", "Order too large")


def _line_of(text: str, needle: str) -> int:
    # the probe header adds 4 lines before the spec text
    return 4 + next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_read_sets_and_contracts_see_through_helpers(make_domain):
    domain = make_domain(SPEC, DATA).ir
    cancel = domain.tool("cancel")
    assert set(cancel.reads) == {"Order", "User"}
    assert {"Order.status", "Order.lines", "Order.user_id", "User.points"} <= set(cancel.read_fields)
    assert cancel.write_fields == ("Order.status",)
    assert "Order too large" in cancel.errors
    # the helper's lookup is a guard of the tool, keyed by the tool's own parameter
    lookups = [g for g in cancel.contract.guards if g.kind == "lookup"]
    assert any(isinstance(g.condition, ir.Binary) and isinstance(g.condition.left, ir.Var)
               and g.condition.left.name == "order_id" for g in lookups)
    # the effect is on the row the helper returned: `orders[order_id]`
    (effect,) = cancel.contract.effects
    assert (effect.entity, effect.path, effect.opaque) == ("Order", ("status",), False)
    assert isinstance(effect.key, ir.Var) and effect.key.name == "order_id"
    # `reward_owner` writes the row `owner_of` returned
    assert domain.tool("reward_owner").write_fields == ("User.points",)
    assert not any(isinstance(n, ir.HelperCall) for g in cancel.contract.guards for n in ir.walk(g.condition or []))


def test_the_graph_sees_through_helpers(make_domain):
    graph = build_graph(make_domain(SPEC, DATA).ir)
    state = {(a, b) for a, b, data in graph.edges(data=True) if data.get("kind") == "state"}
    assert ("reward_owner", "cancel") in state  # `cancel` reads User.points only inside `eligible` -> `owner_of`
    assert ("cancel", "reward_owner") in state  # Order.status is read inside `pending_order`
    assert ("reward_owner", "owner_name") not in state  # it reads User.name, which nothing writes


def test_a_helper_loop_spends_the_calls_fuel(tmp_path):
    data = {"users": DATA["users"], "orders": {"o1": {"order_id": "o1", "user_id": "u1", "status": "pending",
                                                      "total": 0, "lines": list(range(50))}}}
    spec = SPEC.replace("const MAX_TOTAL = 100", "const MAX_TOTAL = 100000")

    def compiled(limit: int):
        folder = tmp_path / f"limit{limit}"
        folder.mkdir()
        header = f'domain fuel {{\n  description "Fuel."\n  data "fuel.json"\n  step_limit {limit}\n}}\n'
        (folder / "fuel.sedl").write_text(header + spec, encoding="utf-8")
        (folder / "fuel.json").write_text(json.dumps(data), encoding="utf-8")
        return load_domain(folder / "fuel.sedl")

    assert compiled(1000).env().call("cancel", {"order_id": "o1"}).ok
    result = compiled(20).env().call("cancel", {"order_id": "o1"})  # the 50 lines summed in `line_sum`
    assert (result.ok, result.error.kind) == (False, "limit")


def test_helpers_compile_to_plain_functions_and_constants_to_literals(make_domain):
    source = generate_source(make_domain(SPEC, DATA).ir)
    assert "def helper_pending_order(_S, _G, v_order_id):" in source
    assert "eval(" not in source and "exec(" not in source
    assert "MAX_TOTAL" not in source and "<= 100)" in source
    # a read-only caller reaches rows without copying them; a writer through the copy-on-write path
    assert "def helper_owner_of(" in source and "def helper_owner_of_1(" in source


def test_the_ir_with_helpers_survives_json(make_domain):
    domain = make_domain(SPEC, DATA).ir
    again = ir.Domain.model_validate_json(domain.model_dump_json())
    assert again == domain and [h.name for h in again.helpers] == [h.name for h in domain.helpers]
    assert generate_source(again) == generate_source(domain)


def test_info_lists_helpers_with_their_reads_and_callers(make_domain):
    from scaleenv_dsl.info import domain_info, render_text_info
    info = domain_info(make_domain(SPEC, DATA).ir)
    eligible = next(h for h in info["helpers"] if h["name"] == "eligible")
    assert (eligible["calls"], eligible["callers"], eligible["reads"]) == (["line_sum", "owner_of"], ["cancel"], ["User"])
    owner = next(h for h in info["helpers"] if h["name"] == "owner_of")
    assert owner["callers"] == ["reward_owner", "owner_name"]
    assert "  pending_order(order_id: str) -> Order: reads Order; called by cancel, reward_owner" in \
        render_text_info(info).splitlines()
