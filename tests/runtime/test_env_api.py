"""The environment API: reset and overlays, state, copies, bad calls, rewards."""

from __future__ import annotations

import json

import pytest

from scaleenv_dsl.api import DomainLoadError, load_domain


# ---------------------------------------------------------------- reset and overlays

def test_overlay_merges_rows_recursively_replaces_lists_and_adds_rows(env):
    env.reset(initial={
        "customers": {"c1": {"wallets": {"w_credit": {"balance": 7.0}}, "tags": ["new"]},
                      "c3": {"customer_id": "c3", "name": "Grace", "tags": [], "wallets": {}, "visits": 0}},
    })
    c1 = env.state()["customers"]["c1"]
    assert c1["wallets"]["w_credit"] == {"kind": "credit", "id": "w_credit", "balance": 7.0}
    assert c1["wallets"]["w_card"]["last_four"] == "4242"
    assert c1["tags"] == ["new"] and c1["name"] == "Ada  Lovelace"
    changed = env.changes()["changed"]["customers"]
    assert set(changed) == {"c1", "c3"}
    env.reset()
    assert env.changes() == {"changed": {}, "removed": {}}
    assert "c3" not in env.state()["customers"]


def test_reset_with_a_task_applies_its_overlay(shop, env):
    env.reset("pay_with_credit")
    assert env.state()["customers"]["c1"]["wallets"]["w_credit"]["balance"] == 100.0
    env.reset(shop.task("pay_with_credit"))
    assert env.state()["customers"]["c1"]["wallets"]["w_credit"]["balance"] == 100.0


def test_overlay_null_row_removes_it(env):
    env.reset(initial={"orders": {"o2": None}})
    assert env.changes() == {"changed": {}, "removed": {"orders": ["o2"]}}


def test_bad_overlay_is_rejected(env):
    with pytest.raises(ValueError):
        env.reset(initial={"orders": ["o1"]})


@pytest.mark.parametrize("initial", [
    {"orders": {"o1": {"status": "lost"}}},
    {"orders": {"o1": {"lines": [{"sku": "a", "qty": 1, "price": 1.0, "extra": ["x"]}]}}},
    {"orders": {"o1": {"total": "ten"}}},
    {"customers": {"c1": {"wallets": {"w": {"kind": "cash", "id": "w"}}}}},
    {"nowhere": {"k": {}}},
])
def test_an_overlay_that_does_not_fit_the_schema_is_refused_before_anything_changes(env, initial):
    env.call("add_line", {"order_id": "o1", "sku": "k", "qty": 1, "price": 1.0})
    before = env.state()
    with pytest.raises(ValueError):
        env.reset(initial=initial)
    assert env.state() == before


def test_values_read_from_an_overlay_row_are_copies(env):
    env.reset(initial={"orders": {"o1": {"lines": [{"sku": "a", "qty": 1, "price": 1.0}]}}})
    order = env.call("get_order", {"order_id": "o1"}).value
    order["lines"][0]["qty"] = 50
    assert env.state()["orders"]["o1"]["lines"][0]["qty"] == 1


# ---------------------------------------------------------------- state and copies

def test_state_and_dump_round_trip_the_data_file(shop, env):
    state = env.state()
    with open(shop.ir.data_path, encoding="utf-8") as f:
        assert state == json.load(f)
    assert json.loads(env.dump()) == state
    state["orders"]["o1"]["status"] = "cancelled"
    assert env.state()["orders"]["o1"]["status"] == "open"


def test_returned_values_cannot_change_state(env):
    order = env.call("get_order", {"order_id": "o1"}).value
    order["status"] = "paid"
    order["lines"][0]["qty"] = 100
    order["lines"].append({"sku": "x"})
    assert env.call("get_order", {"order_id": "o1"}).value == env.state()["orders"]["o1"]
    assert env.state()["orders"]["o1"]["lines"][0]["qty"] == 3


def test_arguments_are_copied_so_the_caller_cannot_change_stored_lists(env):
    entries = ["a", "b"]
    assert env.call("set_history", {"order_id": "o1", "entries": entries}).ok
    entries.append("c")
    assert env.state()["orders"]["o1"]["history"] == ["a", "b"]


def test_env_on_given_data(shop):
    env = shop.env({"customers": {}, "orders": {}})
    assert env.call("get_order", {"order_id": "o1"}).error.message == "Order not found"
    assert env.call("open_order_default_error", {"order_id": "n1", "customer_id": "c1"}).ok
    assert list(env.changes()["changed"]["orders"]) == ["n1"]


def test_given_data_is_checked_against_the_schema(shop):
    with pytest.raises(DomainLoadError) as info:
        shop.env({"orders": {"o1": {"order_id": "o1", "status": 3}}, "customers": {}})
    assert "status" in str(info.value)
    assert shop.env({"orders": {"o1": {"order_id": "o1", "status": 3}}}, validate=False)


def test_envs_are_independent(shop):
    a, b = shop.env(), shop.env()
    assert a.call("drop_order", {"order_id": "o1"}).ok
    assert b.call("get_order", {"order_id": "o1"}).ok


# ---------------------------------------------------------------- bad calls

@pytest.mark.parametrize("tool, arguments, message", [
    ("nope", {}, "unknown tool 'nope'"),
    ("get_order", {}, "missing argument 'order_id'"),
    ("get_order", {"order_id": "o1", "extra": 1}, "unexpected argument 'extra'"),
    ("get_order", {"order_id": 5}, "argument 'order_id': expected a string, got an integer"),
    ("divide", {"a": "1", "b": 2}, "argument 'a': expected a number, got a string"),
    ("divide", {"a": True, "b": 2}, "argument 'a': expected a number, got a boolean"),
    ("nth_line", {"order_id": "o1", "index": 1.5}, "argument 'index': expected an integer, got a number"),
    ("set_status", {"order_id": "o1", "status": "lost"}, "argument 'status': expected one of 'cancelled', 'open', 'paid'"),
    ("set_history", {"order_id": "o1", "entries": ["a", 1]}, "argument 'entries[1]': expected a string, got an integer"),
    ("set_history", {"order_id": "o1", "entries": "ab"}, "argument 'entries': expected a list, got a string"),
    ("set_wallet", {"customer_id": "c1", "wallet": {"kind": "cash", "id": "x"}},
     "argument 'wallet': 'kind' must be one of 'card', 'credit'"),
    ("set_wallet", {"customer_id": "c1", "wallet": {"kind": "card", "id": "x"}},
     "argument 'wallet': missing field 'last_four'"),
    ("replace_lines", {"order_id": "o1", "lines": [{"sku": "a", "qty": 1, "price": 1, "x": 2}], "weights": {}},
     "argument 'lines[0]': Line has no field 'x'"),
    ("replace_lines", {"order_id": "o1", "lines": [], "weights": {"a": "heavy"}},
     "argument 'weights['a']': expected a number, got a string"),
    ("set_wallet", {"customer_id": "c1", "wallet": {"kind": ["card"], "id": "x"}},
     "argument 'wallet': 'kind' must be one of 'card', 'credit'"),
    ("set_wallet", {"customer_id": "c1", "wallet": {"kind": {"a": 1}, "id": "x"}},
     "argument 'wallet': 'kind' must be one of 'card', 'credit'"),
    ("set_history", {"order_id": "o1", "entries": ("a", "b")}, "argument 'entries': expected a list, got a tuple"),
    ("nth_line", {"order_id": "o1", "index": 2 ** 53}, "argument 'index': expected an integer within ±9007199254740991"),
    ("nth_line", {"order_id": "o1", "index": -10 ** 5000},
     "argument 'index': expected an integer within ±9007199254740991"),
    ("add_line", {"order_id": "o1", "sku": "k", "qty": 10 ** 30, "price": 1.0},
     "argument 'qty': expected an integer within ±9007199254740991"),
    ("nth_line", {"order_id": "o1", "index": 1e300}, "argument 'index': expected an integer within ±9007199254740991"),
    ("divide", {"a": 10 ** 400, "b": 1}, "argument 'a': expected a finite number"),
])
def test_bad_arguments_are_structured_errors_and_change_nothing(env, tool, arguments, message):
    before = env.state()
    result = env.call(tool, arguments)
    assert not result.ok
    assert result.error.kind in ("invalid_arguments", "unknown_tool")
    assert result.error.message == message
    assert env.state() == before


class _Unprintable:
    def __str__(self):
        raise RuntimeError("no text")

    __repr__ = __str__


@pytest.mark.parametrize("tool, arguments", [
    (_Unprintable(), {}), ("get_order", {_Unprintable(): 1}), ("get_order", {"order_id": "o1", _Unprintable(): 1}),
    ("get_order", {"order_id": _Unprintable()}), ("set_wallet", {"customer_id": "c1", "wallet": _Unprintable()}),
    ("set_history", {"order_id": "o1", "entries": [_Unprintable()]}), ("get_order", b'{"order_id": "o1"}'),
])
def test_calls_with_odd_objects_never_raise(env, tool, arguments):
    before = env.state()
    result = env.call(tool, arguments)
    assert not result.ok and result.error.kind in ("invalid_arguments", "unknown_tool")
    assert env.state() == before


def test_optional_arguments_may_be_left_out_or_null(env):
    assert env.call("set_status", {"order_id": "o1", "status": "paid"}).value == "paid/-"
    assert env.call("set_status", {"order_id": "o1", "status": "open", "reason": None}).value == "open/-"
    assert env.call("set_status", {"order_id": "o1", "status": "open", "reason": "x"}).value == "open/x"


def test_records_and_unions_are_checked_structurally(env):
    lines = [{"sku": "a", "qty": 2, "price": 1.5}, {"sku": "b", "qty": 1, "price": 2}]
    result = env.call("replace_lines", {"order_id": "o1", "lines": lines, "weights": {"a": 2}})
    assert result.value == 2 * 1.5 * 2 + 1 * 2
    wallet = {"kind": "credit", "id": "w9", "balance": 5}
    assert env.call("set_wallet", {"customer_id": "c2", "wallet": wallet}).value["wallets"]["w9"] == wallet


@pytest.mark.parametrize("arguments", [
    {"order_id": "o1", "entries": ["x"] * 20_000},
    {"order_id": "o1", "entries": ["x" * 200_000]},
])
def test_huge_payloads_are_refused(env, arguments):
    result = env.call("set_history", arguments)
    assert result.error.kind == "invalid_arguments"


def test_deeply_nested_payloads_are_refused(env):
    nested: list = []
    for _ in range(5000):
        nested = [nested]
    for arguments in ({"order_id": "o1", "entries": nested}, {"order_id": nested}):
        assert env.call("set_history", arguments).error.kind == "invalid_arguments"
    text = '{"order_id": "o1", "entries": ' + "[" * 100_000 + "]" * 100_000 + "}"
    assert env.call("set_history", text).error.kind == "invalid_arguments"


def test_arguments_as_json_text_and_odd_inputs(env):
    assert env.call("get_order", '{"order_id": "o1"}').ok
    assert env.call("get_order", "{not json").error.kind == "invalid_arguments"
    assert env.call("get_order", ["o1"]).error.message == "arguments must be an object, got a list"
    assert env.call(None, {}).error.kind == "unknown_tool"
    assert env.call("divide", {"a": float("nan"), "b": 1}).error.kind == "invalid_arguments"
    assert env.call("transfer", object()).error.kind == "unknown_tool"
    assert env.call("get_order", object()).error.kind == "invalid_arguments"


# ---------------------------------------------------------------- rewards

def test_reward_of_a_task_after_its_gold_actions(shop, env):
    task = shop.task("pay_with_credit")
    env.reset(task)
    for action in task.actions:
        assert env.call(action.tool, action.arguments).ok
    result = env.reward(task)
    assert (result.reward, result.differences, result.failed_goals) == (1.0, [], [])
    assert result.checked == ["state", "goal"]


def test_reward_of_doing_nothing_is_zero_and_says_why(shop, env):
    env.reset("pay_with_credit")
    result = env.reward()
    assert result.reward == 0.0
    fields = {(d["collection"], d["key"], d["field"]) for d in result.differences}
    assert ("orders", "o1", "status") in fields
    assert ("customers", "c1", "visits") in fields
    status = next(d for d in result.differences if d["field"] == "status")
    assert (status["expected"], status["actual"]) == ("paid", "open")
    assert result.failed_goals == [0, 1]


def test_goal_only_reward(shop, env):
    env.reset("only_goal")
    assert env.reward().failed_goals == [0]
    assert env.call("add_line", {"order_id": "o1", "sku": "other", "qty": 3, "price": 1.0}).ok
    result = env.reward()
    assert (result.reward, result.checked, result.differences) == (1.0, ["goal"], [])


def test_a_false_goal_zeroes_the_reward_even_when_the_state_matches(make_domain):
    # No gold actions, so the state always matches; only the goal decides the reward.
    domain = make_domain('''
entity Lamp in lamps key lamp_id else "Lamp not found" {
  lamp_id: str
  on: bool
}
task lamp_is_on {
  instruction "Turn the lamp on."
  goal lamps["l1"].on == true
  reward state, goal
}
task lamp_is_off {
  instruction "Leave the lamp off."
  goal lamps["l1"].on == false
  reward state, goal
}
''', {"lamps": {"l1": {"lamp_id": "l1", "on": False}}})
    env = domain.env()
    unmet = env.reward("lamp_is_on")
    assert (unmet.reward, unmet.ok, unmet.failed_goals) == (0.0, False, [0])
    met = env.reward("lamp_is_off")
    assert (met.reward, met.ok, met.failed_goals) == (1.0, True, [])


def test_reward_differences_are_copies_not_live_or_initial_data(shop, env):
    assert env.call("drop_order", {"order_id": "o2"}).ok
    assert env.call("add_line", {"order_id": "o1", "sku": "z", "qty": 1, "price": 1.0}).ok
    result = env.reward({"changed": {"orders": {"o1": {"order_id": "o1"}}}, "removed": {}})
    for difference in result.differences:
        for value in (difference["expected"], difference["actual"]):
            if isinstance(value, dict):
                value["status"] = "tampered"
            elif isinstance(value, list):
                value.append("tampered")
    assert "tampered" not in env.dump()
    assert "tampered" not in json.dumps(shop.initial_data())
    env.reset()
    assert env.changes() == {"changed": {}, "removed": {}}
    assert "tampered" not in json.dumps(shop.env().state())


def test_reward_differences_of_a_task_do_not_reach_its_cached_goal_state(shop, env):
    env.reset("pay_with_credit")
    first = env.reward()
    for difference in first.differences:
        if isinstance(difference["expected"], list):
            difference["expected"].append("tampered")
    assert env.reward().differences == shop.env().reset("pay_with_credit").reward().differences
    assert "tampered" not in json.dumps(env.reward().differences)


def test_reward_against_expected_changes_uses_field_policies(env):
    original = env.state()["customers"]["c1"]
    expected_row = dict(original, name="  ada LOVELACE ", tags=["vip"], note="something else")
    assert env.reward({"changed": {"customers": {"c1": expected_row}}}).reward == 1.0
    wrong = dict(original, visits=99)
    result = env.reward({"changed": {"customers": {"c1": wrong}}})
    assert result.reward == 0.0
    assert [d["field"] for d in result.differences] == ["visits"]


def test_reward_tolerance_inside_records_of_a_list(env):
    order = env.state()["orders"]["o1"]
    close = json.loads(json.dumps(order))
    close["lines"][0]["price"] += 0.005
    assert env.reward({"changed": {"orders": {"o1": close}}}).reward == 1.0
    far = json.loads(json.dumps(order))
    far["lines"][0]["price"] += 0.5
    result = env.reward({"changed": {"orders": {"o1": far}}})
    assert [d["field"] for d in result.differences] == ["lines[0].price"]


def test_reward_tolerance_includes_its_boundary(make_domain):
    # 0.5 and these weights are exact in binary, so the differences are exactly 0.5 and 0.5625.
    domain = make_domain('''
entity Parcel in parcels key parcel_id else "Parcel not found" {
  parcel_id: str
  weight: float compare tolerance 0.5
}
''', {"parcels": {"p": {"parcel_id": "p", "weight": 1.0}}})
    env = domain.env()

    def reward_expecting(weight: float) -> float:
        return env.reward({"changed": {"parcels": {"p": {"parcel_id": "p", "weight": weight}}}}).reward

    assert [reward_expecting(w) for w in (1.5, 0.5)] == [1.0, 1.0]
    assert [reward_expecting(w) for w in (1.5625, 0.4375)] == [0.0, 0.0]


def test_reward_sees_unexpected_changes_and_removals(env):
    env.call("drop_order", {"order_id": "o2"})
    env.call("add_line", {"order_id": "o1", "sku": "z", "qty": 1, "price": 1.0})
    result = env.reward({"changed": {}, "removed": {}})
    assert {(d["collection"], d["key"]) for d in result.differences} == {("orders", "o1"), ("orders", "o2")}
    assert env.reward({"changed": env.changes()["changed"], "removed": {"orders": ["o2"]}}).reward == 1.0


# ---------------------------------------------------------------- loading

def test_load_domain_by_name_folder_and_file(library):
    assert load_domain("library") is library
    assert load_domain(library.ir.data_path.rsplit("/", 1)[0]) is library


def test_load_domain_errors_carry_diagnostics(tmp_path):
    bad = tmp_path / "bad.sedl"
    bad.write_text("domain bad {}\ntool t() -> int { return \"x\" }\n")
    with pytest.raises(DomainLoadError) as info:
        load_domain(bad)
    assert info.value.diagnostics and "bad.sedl" in info.value.render()
    with pytest.raises(DomainLoadError):
        load_domain("no_such_domain_anywhere")
    with pytest.raises(DomainLoadError):
        load_domain(tmp_path / "missing.sedl")


def test_reward_differences_come_in_a_reproducible_order(make_domain):
    domain = make_domain('''
record Price { amount: float compare tolerance 0.01 }
entity Shop in shops key shop_id else "Shop not found" {
  shop_id: str
  prices: map[str, Price]
}
''', {"shops": {"s": {"shop_id": "s", "prices": {}}}})
    env = domain.env()
    keys = [f"p{n}" for n in (17, 3, 25, 11, 8, 30, 14, 21, 5, 27, 19, 12, 9, 24, 6, 16, 29, 10, 22, 4)]
    row = {"shop_id": "s", "prices": {k: {"amount": 1.0} for k in keys}, "x1": 1, "x2": 2, "x3": 3, "x4": 4}
    fields = [d["field"] for d in env.reward({"changed": {"shops": {"s": row}}}).differences]
    assert fields == [f"prices.{k}" for k in sorted(keys)] + ["x1", "x2", "x3", "x4"]
