"""Enabling and disabling edges: an effect's constant decides a guard's comparison, or may affect it."""

import json

import pytest

from scaleenv_dsl.check import check_paths, check_source
from scaleenv_dsl.graph import build_graph, graph_to_json, guard_edges
from scaleenv_dsl.resources import stdlib_root

GUARD_KINDS = {"enables", "disables", "may-affect"}


def stdlib(name):
    result = check_paths([str(stdlib_root() / name / f"{name}.sedl")], validate_data=False)
    assert result.ok
    return result.domain


@pytest.fixture(scope="module")
def retail():
    return stdlib("retail")


@pytest.fixture(scope="module")
def retail_edges(retail):
    return guard_edges(retail)


def relations(edges, kind):
    """{(writer, guard id)} of one kind."""
    return {(e.writer, e.guard) for e in edges if e.kind == kind}


def guard_id(domain, tool, message):
    [guard] = [g for g in domain.tool(tool).contract.guards if g.message == message]
    return guard.id


def test_cancelling_disables_the_pending_guards_of_cancel_and_modify(retail, retail_edges):
    disabled = relations(retail_edges, "disables")
    for tool, message in [("cancel_pending_order", "Non-pending order cannot be cancelled"),
                          ("modify_pending_order_items", "Non-pending order cannot be modified"),
                          ("modify_pending_order_address", "Non-pending order cannot be modified"),
                          ("modify_pending_order_payment", "Non-pending order cannot be modified")]:
        assert ("cancel_pending_order", guard_id(retail, tool, message)) in disabled, tool
    [edge] = [e for e in retail_edges if e.writer == "cancel_pending_order"
              and e.guard == guard_id(retail, "modify_pending_order_items", "Non-pending order cannot be modified")]
    assert (edge.kind, edge.field, edge.path, edge.value, edge.constant, edge.test) == \
        ("disables", "Order.status", "status", "cancelled", True, 'Order.status == "pending"')


def test_modifying_items_disables_later_item_changes_but_not_the_substring_guards(retail, retail_edges):
    # "pending (item modified)" fails `status == "pending"` but passes tau2's `"pending" in status`
    items_guard = guard_id(retail, "modify_pending_order_items", "Non-pending order cannot be modified")
    address_guard = guard_id(retail, "modify_pending_order_address", "Non-pending order cannot be modified")
    payment_guard = guard_id(retail, "modify_pending_order_payment", "Non-pending order cannot be modified")
    assert ("modify_pending_order_items", items_guard) in relations(retail_edges, "disables")
    assert ("modify_pending_order_items", guard_id(retail, "cancel_pending_order",
                                                   "Non-pending order cannot be cancelled")) in relations(retail_edges, "disables")
    enabled = relations(retail_edges, "enables")
    assert enabled == {("modify_pending_order_items", address_guard), ("modify_pending_order_items", payment_guard)}


def test_no_retail_tool_can_make_an_order_delivered(retail, retail_edges):
    delivered = {guard_id(retail, "return_delivered_order_items", "Non-delivered order cannot be returned"),
                 guard_id(retail, "exchange_delivered_order_items", "Non-delivered order cannot be exchanged")}
    touching = {(e.writer, e.kind) for e in retail_edges if e.guard in delivered}
    assert touching and all(kind == "disables" for _, kind in touching)
    assert {writer for writer, _ in touching} == {"cancel_pending_order", "modify_pending_order_items",
                                                  "return_delivered_order_items", "exchange_delivered_order_items"}


def test_a_computed_value_may_affect_a_guard_that_compares_the_field(retail, retail_edges):
    # a refund to a gift card changes its balance by an amount: the graph cannot say which way the test goes
    balance_guard = guard_id(retail, "modify_pending_order_payment", "Insufficient gift card balance to pay for the order")
    [edge] = [e for e in retail_edges if e.writer == "cancel_pending_order" and e.guard == balance_guard
              and e.field == "User.payment_methods"]
    assert (edge.kind, edge.path, edge.constant) == ("may-affect", "payment_methods[].balance", False)
    assert edge.reason == "the value written is not a constant"


def test_changing_an_entry_of_a_map_does_not_touch_a_membership_test_on_the_map(retail, retail_edges):
    # refunding a gift card sets payment_methods[pm].balance: `pm in payment_methods` cannot change
    lookup = [g.id for g in retail.tool("modify_pending_order_payment").contract.guards
              if g.kind == "lookup" and "payment_methods" in repr(g.condition)]
    assert lookup
    assert not [e for e in retail_edges if e.guard in lookup and e.field == "User.payment_methods"]
    # while the balance test in the same tool is touched by the same effect
    assert [e for e in retail_edges if e.guard.startswith("modify_pending_order_payment#")
            and e.field == "User.payment_methods" and e.writer == "cancel_pending_order"]


def test_only_writers_have_guard_edges_and_every_edge_names_a_real_guard(retail, retail_edges):
    guards = {g.id for t in retail.tools for g in t.contract.guards}
    assert retail_edges and all(e.guard in guards for e in retail_edges)
    assert all(retail.tool(e.writer).is_write for e in retail_edges)
    assert len(set(retail_edges)) == len(retail_edges)


def test_the_json_has_the_new_edge_kinds_with_their_details(retail):
    data = json.loads(graph_to_json(build_graph(retail)))
    kinds = {e["kind"] for e in data["edges"]}
    assert kinds == {"data", "state"} | GUARD_KINDS
    for edge in (e for e in data["edges"] if e["kind"] in GUARD_KINDS):
        assert {"source", "target", "guard", "field", "path", "op", "value", "constant"} <= set(edge)
        assert ("test" in edge) == (edge["kind"] != "may-affect") == ("reason" not in edge)
    assert {"source": "cancel_pending_order", "target": "modify_pending_order_items", "kind": "disables",
            "field": "Order.status", "path": "status", "op": "set", "value": "cancelled", "constant": True,
            "guard": "modify_pending_order_items#6", "test": 'Order.status == "pending"'} in data["edges"]


def test_library_loans_and_holds(retail):
    edges = guard_edges(stdlib("library"))
    library = stdlib("library")
    enabled, disabled = relations(edges, "enables"), relations(edges, "disables")
    active = {t: guard_id(library, t, "Loan is not active") for t in ("return_book", "renew_loan")
              if any(g.message == "Loan is not active" for g in library.tool(t).contract.guards)}
    assert active, "the library's loan tools require an active loan"
    for guard in active.values():
        assert ("checkout_book", guard) in enabled       # a new loan is inserted "active"
        assert ("return_book", guard) in disabled        # a returned loan is not
    # inserting a hold makes `hold_id not in holds` false for the same id; deleting one makes it true
    [unique] = [g.id for g in library.tool("place_hold").contract.guards if g.kind == "unique"]
    assert ("place_hold", unique) in disabled and ("cancel_hold", unique) in enabled


TICKETS = '''
domain tickets {
  description "Tickets."
}
enum Status { "open", "closed", "archived" }
entity Ticket in tickets key ticket_id else "Ticket not found" {
  ticket_id: str
  status: Status
  priority: int
  tags: list[str]
  urgent: bool
}
tool open_ticket(ticket_id: str "The id.", priority: int "Its priority.") -> str "Done." {
  "Open a ticket."
  insert Ticket(ticket_id=ticket_id, status="open", priority=priority, tags=[], urgent=false)
  return "opened"
}
tool close_ticket(ticket_id: ref Ticket "The ticket.") -> str "Done." {
  "Close an open ticket."
  let t = tickets[ticket_id]
  require t.status == "open" else "Not open"
  t.status = "closed"
  return "closed"
}
tool archive_ticket(ticket_id: ref Ticket "The ticket.") -> str "Done." {
  "Archive a ticket that is no longer open."
  let t = tickets[ticket_id]
  require not (t.status == "open") else "Close it first"
  t.status = "archived"
  return "archived"
}
tool bump(ticket_id: ref Ticket "The ticket.", by: int "How much.") -> str "Done." {
  "Raise a ticket's priority."
  let t = tickets[ticket_id]
  require t.priority < 5 else "Too high"
  t.priority = t.priority + by
  t.urgent = true
  return "bumped"
}
tool escalate(ticket_id: ref Ticket "The ticket.") -> str "Done." {
  "Escalate an urgent ticket."
  let t = tickets[ticket_id]
  if t.status == "open" {
    require t.urgent else "Not urgent"
  }
  return "escalated"
}
tool tag(ticket_id: ref Ticket "The ticket.", label: str "The tag.") -> str "Done." {
  "Tag a ticket that no tag freezes."
  let t = tickets[ticket_id]
  require all(x != "frozen" for x in t.tags) else "Frozen"
  t.tags.append(label)
  return "tagged"
}
tool triage() -> str "Done." {
  "Start triage when no open ticket is urgent."
  require all(not t.urgent for t in tickets.values() if t.status == "open") else "An open ticket is urgent"
  return "triaged"
}
tool audit() -> str "Done." {
  "Audit when nothing is archived."
  require find(t for t in tickets.values() if t.status == "archived") is none else "Something is archived"
  return "audited"
}
tool forget(ticket_id: ref Ticket "The ticket.") -> str "Done." {
  "Delete a ticket."
  delete tickets[ticket_id]
  return "deleted"
}
'''


@pytest.fixture(scope="module")
def tickets():
    result = check_source(TICKETS, "tickets.sedl")
    assert result.ok, [d.message for d in result.diagnostics]
    return result.domain


def edges_to(domain, tool, message):
    guard = guard_id(domain, tool, message)
    return {(e.writer, e.kind) for e in guard_edges(domain) if e.guard == guard}


def test_a_constant_decides_an_equality_and_not_flips_it(tickets):
    assert edges_to(tickets, "close_ticket", "Not open") == {
        ("open_ticket", "enables"),       # inserted with status "open"
        ("close_ticket", "disables"), ("archive_ticket", "disables")}
    assert edges_to(tickets, "archive_ticket", "Close it first") == {
        ("open_ticket", "disables"), ("close_ticket", "enables"), ("archive_ticket", "enables")}


def test_a_computed_value_may_affect_and_a_constant_bool_enables(tickets):
    assert edges_to(tickets, "bump", "Too high") == {("open_ticket", "may-affect"), ("bump", "may-affect")}
    # `urgent = true` enables `require t.urgent`; `status` in the branch condition only may affect it
    assert edges_to(tickets, "escalate", "Not urgent") == {
        ("bump", "enables"), ("open_ticket", "disables"), ("open_ticket", "may-affect"),
        ("close_ticket", "may-affect"), ("archive_ticket", "may-affect")}
    reasons = {e.reason for e in guard_edges(tickets) if e.guard == guard_id(tickets, "escalate", "Not urgent")
               and e.writer == "close_ticket"}
    assert reasons == {"it changes a condition that decides whether the guard is checked"}


def test_the_filter_of_an_all_pulls_against_the_guard(tickets):
    # all(not urgent for open tickets): closing one takes it out of the test, opening one adds it
    assert edges_to(tickets, "triage", "An open ticket is urgent") == {
        ("close_ticket", "enables"), ("archive_ticket", "enables"),
        ("open_ticket", "disables"),            # a new ticket is open...
        ("open_ticket", "enables"),             # ...and not urgent
        ("open_ticket", "may-affect"),          # ...and one more row to scan
        ("bump", "disables"),                   # urgent = true
        ("forget", "may-affect")}               # a deleted row leaves the scan


def test_a_find_is_none_pulls_against_its_filter(tickets):
    assert edges_to(tickets, "audit", "Something is archived") == {
        ("archive_ticket", "disables"), ("close_ticket", "enables"),
        ("open_ticket", "enables"), ("open_ticket", "may-affect"), ("forget", "may-affect")}


def test_a_list_change_may_affect_an_all_over_it(tickets):
    assert edges_to(tickets, "tag", "Frozen") == {("tag", "may-affect"), ("open_ticket", "may-affect")}


def test_inserting_and_deleting_rows_decide_lookups(tickets):
    lookup = next(g.id for g in tickets.tool("close_ticket").contract.guards if g.kind == "lookup")
    found = {(e.writer, e.kind) for e in guard_edges(tickets) if e.guard == lookup}
    assert found == {("open_ticket", "enables"), ("forget", "disables")}
    [unique] = [g.id for g in tickets.tool("open_ticket").contract.guards if g.kind == "unique"]
    found = {(e.writer, e.kind, e.test) for e in guard_edges(tickets) if e.guard == unique}
    assert found == {("open_ticket", "disables", "not in tickets"), ("forget", "enables", "not in tickets")}


def test_a_read_only_domain_has_no_guard_edges():
    result = check_source(TICKETS.split("tool open_ticket")[0] + '''
tool look(ticket_id: ref Ticket "The ticket.") -> str "Its status." {
  "Read a ticket's status."
  require tickets[ticket_id].status != "archived" else "Archived"
  return tickets[ticket_id].status
}
''', "look.sedl")
    assert result.ok, [d.message for d in result.diagnostics]
    assert guard_edges(result.domain) == []
