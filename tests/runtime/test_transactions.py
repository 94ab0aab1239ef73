"""Every call is a transaction: any failure leaves the state exactly as it was."""

from __future__ import annotations

import pytest


def _fails(env, tool, arguments, kind, message=None):
    before = env.state()
    result = env.call(tool, arguments)
    assert not result.ok, result.value
    assert result.error.kind == kind
    if message is not None:
        assert result.error.message == message
    assert env.state() == before
    return result


def test_a_late_failure_undoes_changes_to_several_rows(env):
    _fails(env, "fail_late", {"order_id": "o1", "sku": "nope"}, "not_found", "No line nope")
    assert env.changes() == {"changed": {}, "removed": {}}


def test_require_message_is_computed_from_the_spec(env):
    _fails(env, "pay", {"order_id": "o2", "wallet_id": "w_bad"}, "require", "Order o2 is not open")
    _fails(env, "pay", {"order_id": "o9", "wallet_id": "w_bad"}, "not_found", "Order not found")


def test_entity_invariant_rolls_back(env):
    _fails(env, "break_total", {"order_id": "o1"}, "invariant", "an order total is never negative")


def test_record_invariant_inside_a_list_rolls_back(env):
    _fails(env, "add_line", {"order_id": "o1", "sku": "x", "qty": 0, "price": 1.0},
           "invariant", "a line has a positive quantity")


def test_variant_invariant_inside_a_map_rolls_back(env):
    env.reset(initial={"customers": {"c1": {"wallets": {"w_credit": {"balance": 10.0}}}}})
    _fails(env, "pay", {"order_id": "o1", "wallet_id": "w_credit"}, "invariant", "credit cannot go negative")


def test_failed_ensures_is_reported_as_a_spec_bug(env):
    result = _fails(env, "lie", {"order_id": "o1"}, "postcondition")
    assert result.error.message.startswith("postcondition failed at shop.sedl:")
    assert "the total is negative" in result.error.message
    assert "bug in the spec" in result.error.message


@pytest.mark.parametrize("a, b, message", [(1.0, 0.0, "float division by zero"), (1, 0, "division by zero")])
def test_division_by_zero_has_pythons_text(env, a, b, message):
    _fails(env, "divide", {"a": a, "b": b}, "runtime", message)


def test_list_index_follows_python(env):
    _fails(env, "nth_line", {"order_id": "o1", "index": 2}, "runtime", "list index out of range")
    assert env.call("nth_line", {"order_id": "o1", "index": -1}).value["sku"] == "pear"


def test_state_after_failures_still_accepts_calls_and_resets(env):
    initial = env.state()
    assert env.call("add_line", {"order_id": "o1", "sku": "a", "qty": 1, "price": 1.0}).ok
    env.call("fail_late", {"order_id": "o1", "sku": "zz"})
    assert env.call("add_line", {"order_id": "o1", "sku": "b", "qty": 1, "price": 1.0}).ok
    lines = env.call("get_order", {"order_id": "o1"}).value["lines"]
    assert [l["sku"] for l in lines] == ["apple", "pear", "a", "b"]
    env.reset()
    assert env.state() == initial


def test_a_rolled_back_delete_puts_the_row_back_in_its_place(env):
    # iteration order is observable (`find`, `keys()`), so undoing a delete must not move the row to the end
    order = list(env.state()["orders"])
    dump = env.dump()
    assert env.call("drop_order", {"order_id": order[0]}).ok
    env.reset()
    assert list(env.state()["orders"]) == order and env.dump() == dump
    env.reset(initial={"orders": {order[0]: None}})
    env.reset()
    assert env.dump() == dump


def test_a_failed_call_after_a_delete_keeps_the_row_order(make_domain):
    domain = make_domain('''
entity Box in boxes key box_id else "Box not found" {
  box_id: str
}
tool drop_then_fail(box_id: ref Box) {
  "Delete a box, then fail."
  delete boxes[box_id]
  require false else "no"
}
tool first() -> str {
  "The first box."
  let box = find(b for b in boxes.values()) else "empty"
  return box.box_id
}
''', {"boxes": {k: {"box_id": k} for k in ("a", "b", "c")}})
    env = domain.env()
    dump = env.dump()
    assert env.call("drop_then_fail", {"box_id": "a"}).error.message == "no"
    assert env.dump() == dump
    assert env.call("first").value == "a"


CROSS_ROW = '''
entity User in users key user_id else "User not found" {
  user_id: str
}
entity Order in orders key order_id else "Order not found" {
  order_id: str
  user_id: ref User
  invariant self.user_id in users else "an order's user exists"
}
tool drop_user(user_id: ref User) {
  "Delete a user."
  delete users[user_id]
}
tool add_order(order_id: str, user_id: str) {
  "Add an order."
  insert Order(order_id=order_id, user_id=user_id)
}
'''


def test_an_invariant_reading_other_rows_is_checked_when_those_rows_change(make_domain):
    domain = make_domain(CROSS_ROW, {"users": {"u1": {"user_id": "u1"}, "u2": {"user_id": "u2"}},
                                     "orders": {"o1": {"order_id": "o1", "user_id": "u1"}}})
    env = domain.env()
    before = env.state()
    result = env.call("drop_user", {"user_id": "u1"})
    assert (result.ok, result.error and result.error.kind) == (False, "invariant")
    assert result.error.message == "an order's user exists"
    assert env.state() == before
    assert env.call("drop_user", {"user_id": "u2"}).ok  # no order refers to u2
    assert env.call("add_order", {"order_id": "o2", "user_id": "u9"}).error.kind == "invariant"
    assert env.call("add_order", {"order_id": "o2", "user_id": "u1"}).ok


def test_an_interrupt_mid_call_is_re_raised_after_undoing_the_call(shop, monkeypatch):
    env = shop.env()
    before = env.state()
    namespace = shop.module.tools["fail_late"].__globals__

    def interrupted(*args):
        raise KeyboardInterrupt

    monkeypatch.setitem(namespace, "_require_present", interrupted)  # after several rows have changed
    with pytest.raises(KeyboardInterrupt):
        env.call("fail_late", {"order_id": "o1", "sku": "apple"})
    monkeypatch.undo()
    assert env.state() == before
    assert env.changes() == {"changed": {}, "removed": {}}
    assert env.call("add_line", {"order_id": "o2", "sku": "k", "qty": 1, "price": 1.0}).error.message == "Order is not open"
    assert env.changes() == {"changed": {}, "removed": {}}
