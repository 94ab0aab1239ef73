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
