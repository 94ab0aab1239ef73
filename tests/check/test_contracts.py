"""Tool contracts: guards, keyed effects, reads and parameter domains derived from checked bodies.

Each test reads the contract of one small tool and asserts what a planner would need from it,
in terms of parameters and rows, never in terms of the locals the body happened to use.
"""

from __future__ import annotations

import pytest

from scaleenv_dsl import ir
from scaleenv_dsl.check import check_paths, check_source
from scaleenv_dsl.graph import build_graph
from scaleenv_dsl.resources import stdlib_root

SCHEMA = '''
domain bank { description "Contracts." }

enum Tier { "basic", "gold" }

record Entry { entry_id: str  amount: float }

entity Account in accounts key account_id else "Account not found" {
  account_id: str
  owner: str
  tier: Tier
  balance: float
  wallets: map[str, float]
  entries: list[Entry]
}

entity Audit in audits key audit_id else "Audit not found" {
  audit_id: str
  note: str
  entries: list[Entry]
}
'''


def contract(body: str, params: str = "account_id: ref Account") -> ir.ToolContract:
    result = check_source(SCHEMA + f"tool t({params}) {{\n{body}\n}}\n")
    assert result.ok, [(d.code, d.message) for d in result.diagnostics]
    return result.domain.tool("t").contract


def key_name(e: ir.Expr) -> str:
    assert isinstance(e, ir.Var), e
    return e.name


def test_a_let_bound_row_is_keyed_by_the_parameter_it_was_looked_up_with():
    c = contract('''  let account = accounts[account_id]
  require account.balance > 0 else "Empty"
  account.balance = 0''')
    lookup, require = [g for g in c.guards if g.kind != "argument"]
    assert (lookup.kind, lookup.message) == ("lookup", "Account not found")
    assert require.message == "Empty"
    # the condition reads the row through the lookup, not through the local `account`
    assert isinstance(require.condition.left, ir.GetField)
    assert isinstance(require.condition.left.obj, ir.Lookup)
    (effect,) = c.effects
    assert (effect.entity, key_name(effect.key), effect.path, effect.op) == ("Account", "account_id", ("balance",), "set")
    assert effect.value.value == 0 and not effect.opaque


def test_guard_ids_are_numbered_in_order_and_keep_their_location():
    c = contract('''  let account = accounts[account_id] else "No such account"
  require account.tier == "gold" else "Gold only"''')
    assert [g.id for g in c.guards] == ["t#1", "t#2", "t#3"]
    assert [g.kind for g in c.guards] == ["argument", "lookup", "require"]
    assert c.guards[1].message == "No such account"
    assert c.guards[2].loc.line > c.guards[1].loc.line
    assert c.guards[2].loc.end_column > c.guards[2].loc.column
    assert c.guard("t#3") is c.guards[2]
    with pytest.raises(KeyError, match="t#9"):
        c.guard("t#9")


def test_a_branch_puts_its_condition_on_the_guards_and_effects_under_it():
    c = contract('''  let account = accounts[account_id]
  if account.tier == "gold" {
    account.balance += 10
  } else {
    require account.balance > 5 else "Too poor"
  }''')
    gold_bonus = c.effects[0]
    assert len(gold_bonus.when) == 1 and gold_bonus.when[0].op == "=="
    # `+=` is normalised into the value written
    assert gold_bonus.value.op == "+" and isinstance(gold_bonus.value.left, ir.GetField)
    too_poor = next(g for g in c.guards if g.message == "Too poor")
    assert too_poor.when[0].kind == "unary" and too_poor.when[0].op == "not"


def test_a_loop_marks_its_effects_and_a_key_from_a_loop_variable_is_opaque():
    c = contract('''  let account = accounts[account_id]
  for e in account.entries {
    account.wallets[e.entry_id] = e.amount
  }''')
    (effect,) = c.effects
    assert effect.in_loop and effect.opaque
    assert (effect.entity, effect.path) == ("Account", ("wallets", "[]"))
    assert any("loop" in reason for reason in c.opaque)


def test_a_map_key_from_a_parameter_is_a_keyed_path():
    c = contract('''  let account = accounts[account_id]
  let balance = account.wallets[wallet] else "No wallet"
  account.wallets[wallet] = balance - 1''', params="account_id: ref Account, wallet: ref Account.wallets")
    lookup = next(g for g in c.guards if g.message == "No wallet")
    assert lookup.condition.op == "in"
    effect = c.effects[0]
    assert effect.path == ("wallets", "[]") and [key_name(k) for k in effect.keys] == ["wallet"]
    assert not effect.opaque


def test_inserts_and_deletes_are_told_apart_and_guarded():
    result = check_source(SCHEMA + '''
tool add(audit_id: str, note: str) {
  insert Audit(audit_id=audit_id, note=note, entries=[]) else "Taken"
}
tool drop(audit_id: ref Audit) {
  delete audits[audit_id]
}
''')
    assert result.ok, [d.message for d in result.diagnostics]
    add, drop = result.domain.tool("add"), result.domain.tool("drop")
    assert (add.inserts, add.deletes, drop.inserts, drop.deletes) == (("Audit",), (), (), ("Audit",))
    (insert,) = add.contract.effects
    assert (insert.op, key_name(insert.key)) == ("insert", "audit_id")
    unique = add.contract.guards[-1]
    assert (unique.kind, unique.message, unique.condition.op) == ("unique", "Taken", "not in")
    (delete,) = drop.contract.effects
    assert (delete.op, key_name(delete.key)) == ("delete", "audit_id")
    assert drop.contract.guards[-1].message == "Audit not found"


def test_a_local_that_may_alias_two_rows_keeps_both_writes():
    result = check_source(SCHEMA + '''
tool t(a: ref Account, b: ref Audit, first: bool) {
  let x = accounts[a].entries
  if not first { x = audits[b].entries }
  x.append(Entry(entry_id="e", amount=1.0))
}
''')
    assert result.ok, [d.message for d in result.diagnostics]
    tool = result.domain.tool("t")
    append = next(s for s in tool.body if isinstance(s, ir.ListOpStmt))
    assert append.writes == ("Account.entries", "Audit.entries")
    assert tool.writes == ("Account", "Audit")
    # the local's value differs by branch: both writes are kept, their rows are not known
    assert {(e.entity, e.path, e.opaque) for e in tool.contract.effects} == {
        ("Account", ("entries",), True), ("Audit", ("entries",), True)}


def test_every_inferred_write_is_covered_by_an_effect():
    c = contract('''  let account = accounts[account_id]
  let copy = [e for e in account.entries]
  for e in copy {
    e.amount = 0
  }''')
    assert any(e.entity == "Account" and e.path == ("entries",) and e.opaque for e in c.effects)


def test_reads_are_keyed_and_a_scan_is_marked():
    result = check_source(SCHEMA + '''
tool t(account_id: ref Account) -> int {
  let account = accounts[account_id]
  return count(a for a in accounts.values() if a.balance > account.balance)
}
''')
    assert result.ok, [d.message for d in result.diagnostics]
    reads = result.domain.tool("t").contract.reads
    assert any(r.entity == "Account" and r.path == ("balance",) and not r.opaque
               and key_name(r.key) == "account_id" for r in reads)
    assert any(r.entity == "Account" and r.key is None and r.opaque for r in reads)


@pytest.mark.parametrize("params, body, expected", [
    ("account_id: ref Account", "", ("keys", "Account", ())),
    ("wallet: ref Account.wallets", "", ("map-keys", "Account", ("wallets",))),
    ("entry: ref Account.entries.entry_id", "", ("member-keys", "Account", ("entries", "entry_id"))),
    ("tier: Tier", "", ("enum", None, ())),
    ("reason: str", '  require reason in ["lost", "stolen"] else "Bad reason"', ("choices", None, ())),
    ("note: str", "", ("free", None, ())),
])
def test_parameter_domains(params, body, expected):
    c = contract(body, params=params)
    (domain,) = c.params
    assert (domain.source, domain.entity, domain.path) == expected
    if domain.source == "enum":
        assert domain.values == ("basic", "gold")
    if domain.source == "choices":
        assert domain.values == ("lost", "stolen")


def test_a_list_of_references_has_an_element_domain():
    (domain,) = contract("", params="ids: list[ref Account]").params
    assert (domain.source, domain.element) == ("keys", True)


@pytest.mark.parametrize("ref, message", [
    ("ref Account.entries", "does not end at a map or at a key"),
    ("ref Account.walets", "`walets` is not a field here"),
    ("ref Account.balance", "does not end at a map"),
])
def test_a_reference_into_a_row_must_end_at_keys(ref, message):
    result = check_source(SCHEMA + f"tool t(x: {ref}) {{\n}}\n")
    assert not result.ok
    assert any(message in d.message for d in result.diagnostics), [d.message for d in result.diagnostics]


def test_a_key_inside_a_row_is_not_a_row_key():
    result = check_source(SCHEMA + 'tool t(w: ref Account.wallets) -> str {\n  return accounts[w].owner\n}\n')
    (diagnostic,) = [d for d in result.diagnostics if d.is_error]
    assert diagnostic.code == "type-mismatch" and "wallets" in diagnostic.help


# ---------------------------------------------------------------- the IR as data

@pytest.fixture(scope="module")
def retail():
    result = check_paths([str(stdlib_root() / "retail" / "retail.sedl")], validate_data=False)
    assert result.ok
    return result.domain


def test_every_node_is_hashable_and_reached_by_the_walker(retail):
    nodes = list(ir.walk(retail))
    assert len(nodes) > 5000
    assert len({hash(n) for n in nodes}) > 1000
    kinds = {type(n).__name__ for n in nodes}
    assert {"ToolDef", "Guard", "Effect", "Lookup", "RequireStmt", "TaskDef", "Loc"} <= kinds


def test_the_domain_indexes_by_name_and_a_miss_names_what_was_missing(retail):
    assert retail.tool("cancel_pending_order").name == "cancel_pending_order"
    assert retail.entity("Order").collection == "orders"
    assert retail.entity_of_collection("users").name == "User"
    with pytest.raises(KeyError, match="no tool 'cancel_order'"):
        retail.tool("cancel_order")


def test_the_contracts_survive_a_json_round_trip(retail):
    copy = ir.Domain.model_validate_json(retail.model_dump_json())
    assert copy == retail
    assert copy.tool("cancel_pending_order").contract == retail.tool("cancel_pending_order").contract


def test_retail_payment_methods_and_item_ids_flow_from_the_tools_that_show_them(retail):
    graph = build_graph(retail)
    data = {(u, v, d["param"]) for u, v, d in graph.edges(data=True) if d["kind"] == "data"}
    for tool in ("modify_pending_order_payment", "return_delivered_order_items",
                 "exchange_delivered_order_items", "modify_pending_order_items"):
        assert ("get_user_details", tool, "payment_method_id") in data
    assert ("get_order_details", "return_delivered_order_items", "item_ids") in data
    assert ("get_product_details", "modify_pending_order_items", "new_item_ids") in data
    # a key alone shows no row: find_user_id_by_email returns a `ref User`, not its payment methods
    assert not any(u == "find_user_id_by_email" and p == "payment_method_id" for u, _, p in data)


def test_a_return_inside_a_loop_is_a_return_and_says_what_follows_the_loop_may_not_run():
    result = check_source(SCHEMA + '''
tool t(account_id: ref Account) -> str {
  let account = accounts[account_id]
  for e in account.entries {
    if e.amount < 0 {
      return e.entry_id
    }
  }
  account.balance = 0
  return ""
}
''')
    assert result.ok, [(d.code, d.message) for d in result.diagnostics]
    c = result.domain.tool("t").contract
    assert len(c.returns) == 2
    assert any("return at line" in reason and "stands in a loop" in reason for reason in c.opaque)
    (effect,) = c.effects
    assert (effect.path, effect.in_loop) == (("balance",), False)
