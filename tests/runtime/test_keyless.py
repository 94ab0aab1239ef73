"""Rows that do not store their own key (`entity User in users key user_id from map`).

The fixture domain tests/runtime/specs/keyless stores users and items under their ids without
the id in the row, and orders as usual. It must check clean, its tools must read the key as a
field, an insert must store its row without the key, its hand-written cases must replay, and the
untouched data must dump back byte for byte.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from scaleenv_dsl.api import DomainLoadError, load_domain
from scaleenv_dsl.check import check_paths
from scaleenv_dsl.replay import conformance, replay_cases

FOLDER = Path(__file__).parent / "specs" / "keyless"
SPEC = FOLDER / "keyless.sedl"
DATA = FOLDER / "keyless.json"
CASES = FOLDER / "cases.json"


@pytest.fixture(scope="module")
def shop():
    """Named as the conftest's `shop`, which it replaces here: after each test that uses it, the
    conftest checks that no env wrote into its shared data (less the keys loading added)."""
    return load_domain(SPEC)


def test_the_domain_checks_clean():
    result = check_paths([str(SPEC)])
    assert result.ok and result.diagnostics == []


def test_the_ir_says_which_entities_take_their_key_from_the_map(shop):
    assert {e.name: e.key_from_map for e in shop.ir.entities} == {"User": True, "Item": True, "Order": False}
    assert shop.keyless == {"users": "user_id", "items": "item_id"}


def test_the_untouched_data_dumps_back_byte_for_byte(shop):
    text = DATA.read_text(encoding="utf-8")
    dumped = shop.env().dump()
    assert dumped + "\n" == text
    # the same keys in the same order at every level, not only equal as JSON
    assert list(json.loads(dumped)["users"]["ana_lee_1042"]) == ["name", "email", "orders"]


def test_tools_read_the_key_as_a_field(shop):
    env = shop.env()
    user = env.call("get_user", {"user_id": "ana_lee_1042"})
    assert user.ok and user.value == {"user_id": "ana_lee_1042", "name": "Ana Lee", "email": "ana@example.com",
                                      "orders": ["o1"]}
    assert env.call("find_user_by_email", {"email": "bo@example.com"}).value == "bo_ng_77"
    assert env.call("list_item_ids", {"max_price": 5}).value == ["pen", "tea"]
    missing = env.call("get_user", {"user_id": "zed"})
    assert (missing.ok, missing.error.message) == (False, "User zed not found")


def test_an_insert_stores_the_row_without_its_key(shop):
    env = shop.env()
    added = env.call("add_item", {"item_id": "lamp", "title": "Desk lamp", "price": 30.0})
    assert added.ok and added.value["item_id"] == "lamp"
    stored = json.loads(env.dump())["items"]["lamp"]
    assert stored == {"title": "Desk lamp", "price": 30.0, "stock": 0}
    # changes() gives rows as tools see them, the key field included
    assert env.changes()["changed"]["items"]["lamp"]["item_id"] == "lamp"
    again = env.call("add_item", {"item_id": "lamp", "title": "Lamp", "price": 1.0})
    assert (again.ok, again.error.message) == (False, "Item lamp exists")


def test_a_parameter_named_like_a_collection_reads_both(shop):
    env = shop.env()
    order = env.call("place_order", {"user_id": "ana_lee_1042", "items": ["mug", "tea"], "order_id": "o9"})
    assert order.ok, order.error
    assert order.value == {"order_id": "o9", "user_id": "ana_lee_1042", "item_ids": ["mug", "tea"], "total": 12.5}
    state = env.state()  # in the data file's shape, as dump() is
    assert state["items"]["mug"] == {"title": "Mug", "price": 8.5, "stock": 2}
    assert state["orders"]["o9"]["order_id"] == "o9"  # an entity that stores its key keeps it
    schema = next(t for t in shop.openai_tools() if t["function"]["name"] == "place_order")
    assert list(schema["function"]["parameters"]["properties"]) == ["user_id", "items", "order_id"]


def test_a_failed_call_and_a_reset_leave_the_dump_as_it_was(shop):
    env = shop.env()
    before = env.dump()
    failed = env.call("place_order", {"user_id": "bo_ng_77", "items": ["tea", "pen"], "order_id": "o10"})
    assert (failed.ok, failed.error.message) == (False, "Item pen is out of stock")
    assert env.dump() == before
    env.call("rename_user", {"user_id": "bo_ng_77", "name": "Bo"})
    assert env.dump() != before
    assert env.reset().dump() == before


def test_an_overlay_row_gets_its_key(shop):
    env = shop.env().reset(initial={"users": {"kim_9": {"name": "Kim", "email": "kim@example.com", "orders": []}}})
    assert env.call("get_user", {"user_id": "kim_9"}).value["user_id"] == "kim_9"
    assert env.call("find_user_by_email", {"email": "kim@example.com"}).value == "kim_9"
    assert "user_id" not in json.loads(env.dump())["users"]["kim_9"]


def test_an_overlay_that_stores_the_key_is_refused(shop):
    with pytest.raises(ValueError, match="takes its key from the map"):
        shop.env().reset(initial={"users": {"kim_9": {"user_id": "kim_9", "name": "Kim", "email": "k@x",
                                                      "orders": []}}})


def test_given_data_loads_as_it_is_and_is_not_changed(shop):
    data = json.loads(DATA.read_text(encoding="utf-8"))
    original = json.loads(DATA.read_text(encoding="utf-8"))
    env = shop.env(data)
    assert env.call("get_user", {"user_id": "bo_ng_77"}).value["user_id"] == "bo_ng_77"
    assert data == original
    assert json.loads(env.dump()) == original


def test_given_data_that_stores_a_keyless_key_is_refused(shop):
    data = json.loads(DATA.read_text(encoding="utf-8"))
    data["users"]["bo_ng_77"]["user_id"] = "bo_ng_77"
    with pytest.raises(DomainLoadError) as raised:
        shop.env(data)
    assert [d.code for d in raised.value.diagnostics] == ["invalid-data"]
    assert "users[\"bo_ng_77\"].user_id: the row stores `user_id`" in raised.value.diagnostics[0].message


@pytest.mark.parametrize("task", ["order_a_mug", "stock_a_lamp"])
def test_tasks_reward_their_gold_actions_and_not_doing_nothing(shop, task):
    env = shop.env()
    assert env.reset(task).reward().reward == 0.0
    for action in shop.task(task).actions:
        assert env.call(action.tool, action.arguments).ok
    result = env.reward()
    assert (result.reward, result.failed_goals, result.differences) == (1.0, [], [])


def test_a_state_that_differs_is_located_on_the_row(shop):
    env = shop.env().reset("order_a_mug")
    env.call("place_order", {"user_id": "ana_lee_1042", "items": ["tea"], "order_id": "o9"})
    fields = {(d["collection"], d["key"], d["field"]) for d in env.reward().differences}
    assert ("items", "mug", "stock") in fields and ("items", "tea", "stock") in fields


def test_the_cases_replay_with_rows_as_the_data_stores_them(shop):
    reference = json.loads(CASES.read_text(encoding="utf-8"))
    report = conformance(shop, reference)
    assert report.ok, report.render()
    assert (report.cases, report.steps) == (3, 9)
    replayed = replay_cases(shop, reference)
    assert replayed["cases"][0]["expect"]["changed"]["users"]["ana_lee_1042"] == {
        "name": "Ana Lee", "email": "ana@example.com", "orders": ["o1", "o9"]}


def test_a_case_recording_the_key_in_a_keyless_row_mismatches(shop):
    reference = json.loads(CASES.read_text(encoding="utf-8"))
    reference["cases"][0]["expect"]["changed"]["items"]["mug"]["item_id"] = "mug"
    report = conformance(shop, reference)
    assert not report.ok
    assert [m.where for m in report.mismatches] == ["changed items/mug"]


def test_scaleenv_replay_runs_the_cases(tmp_path):
    out = tmp_path / "replayed.json"
    done = subprocess.run([sys.executable, "-m", "scaleenv_dsl", "replay", str(SPEC), "--cases", str(CASES),
                           "--out", str(out)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "final states 3/3, step outcomes 9/9" in done.stdout
    written = json.loads(out.read_text(encoding="utf-8"))
    assert "item_id" not in written["cases"][2]["expect"]["changed"]["items"]["lamp"]


def test_the_prover_proves_the_tasks_over_keyless_rows():
    done = subprocess.run([sys.executable, "-m", "scaleenv_dsl", "prove", str(SPEC)], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "2 tasks: 2 proved" in done.stdout


def test_synth_grounds_tasks_in_keyless_rows(tmp_path):
    out = tmp_path / "tasks.json"
    done = subprocess.run([sys.executable, "-m", "scaleenv_dsl", "synth", str(SPEC), "--n", "2", "--out", str(out)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr + done.stdout
    tasks = json.loads(out.read_text(encoding="utf-8"))["tasks"]
    assert len(tasks) == 2
    # a user is found by the email its row stores, and then named by the key it is stored under
    assert {t["target"]["key"] for t in tasks} <= {"ana_lee_1042", "bo_ng_77"}
    assert all(t["proof"]["status"] == "proved" for t in tasks)


def test_expected_changes_in_the_data_files_shape_reward_as_changes_do(shop):
    reference = json.loads(CASES.read_text(encoding="utf-8"))["cases"][0]
    env = shop.env()
    for action in reference["actions"]:
        env.call(action["name"], action["arguments"])
    stored = {"changed": reference["expect"]["changed"], "removed": {}}  # rows without their key
    assert env.reward(stored).reward == 1.0
    assert env.reward(env.changes()).reward == 1.0
    env.call("rename_user", {"user_id": "bo_ng_77", "name": "Bo"})
    assert env.reward(stored).reward == 0.0
