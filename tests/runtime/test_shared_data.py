"""Cheap episodes: every env reads one shared copy of the initial data and copies a row only when a
tool first writes it. Envs stay independent: nothing an agent or a caller does to one env, or to a
value it handed out, reaches another env or the shared data."""

from __future__ import annotations

import json
import sys
import threading

import pytest

from scaleenv_dsl.api import load_domain
from scaleenv_dsl.resources import conformance_cases
from scaleenv_dsl.runtime.env import Env, World

from conftest import data_file, shared_data

ADDRESS = {"address1": "1 Main St", "address2": "", "city": "Austin", "state": "TX", "country": "USA",
           "zip": "78701"}


@pytest.fixture(scope="module")
def retail():
    return load_domain("retail")


@pytest.fixture(scope="module")
def cases():
    return json.loads(conformance_cases("retail").read_text(encoding="utf-8"))["cases"]


@pytest.fixture(autouse=True)
def retail_data_is_never_written(retail):
    yield
    assert shared_data(retail) == data_file(retail), "an env wrote into retail's shared data"


def scramble(value) -> None:
    """Change every container inside `value`, as a careless caller of an env might."""
    if isinstance(value, dict):
        for key in list(value):
            scramble(value[key])
            value[key] = "scrambled"
        value["scrambled"] = True
    elif isinstance(value, list):
        for item in value:
            scramble(item)
        value.append("scrambled")


def run(env, actions) -> list:
    return [env.call(action["name"], action["arguments"]) for action in actions]


def a_user_and_an_order(env) -> tuple[str, str]:
    order_id, order = next(iter(env.state()["orders"].items()))
    return order["user_id"], order_id


# ---------------------------------------------------------------- copy on write

def test_a_new_env_shares_every_row_until_a_tool_writes_one(retail):
    env = retail.env()
    base = env._world.base
    user_id, order_id = a_user_and_an_order(env)
    assert all(env._state.data[c] is base[c] for c in base)
    assert env.call("get_user_details", {"user_id": user_id}).ok
    assert env._state.data["users"] is base["users"], "a read copied the users"

    assert env.call("modify_user_address", {"user_id": user_id, **ADDRESS}).ok
    users = env._state.data["users"]
    assert users[user_id] is not base["users"][user_id]
    assert [k for k in users if users[k] is not base["users"][k]] == [user_id], "only the written row is copied"
    assert env._state.data["orders"] is base["orders"], "an untouched collection is still shared"
    assert base["users"][user_id]["address"] != ADDRESS
    assert env.state()["users"][user_id]["address"] == ADDRESS


def test_reset_keeps_the_copies_equal_to_the_shared_rows_and_leaves_them_unchanged(retail, cases):
    env = retail.env()
    base = env._world.base
    pristine = data_file(retail)
    for case in cases[:20]:
        env.reset()
        run(env, case["actions"])
    env.reset()
    copies = [(c, k) for c, rows in env._state.data.items() for k, row in rows.items() if row is not base[c][k]]
    assert copies, "the tasks wrote rows, so the env holds copies of them"
    assert all(env._state.data[c][k] == base[c][k] for c, k in copies)
    assert [list(rows) for rows in env._state.data.values()] == [list(rows) for rows in base.values()]
    assert env.changes() == {"changed": {}, "removed": {}}
    assert base == pristine, "the shared data was written"


def test_a_kept_copy_is_not_copied_again(retail, cases):
    env = retail.env()
    case = next(case for case in cases if case["actions"] and any(a["name"].startswith("cancel") for a in case["actions"]))
    run(env, case["actions"])
    env.reset()
    copies = {(c, k): row for c, rows in env._state.data.items() for k, row in rows.items()
              if row is not env._world.base[c][k]}
    assert copies
    run(env, case["actions"])
    assert env.reward(case["expect"]).reward == 1.0
    assert all(env._state.data[c][k] is row for (c, k), row in copies.items()), "a second episode re-copied a row"


def test_an_overlay_is_merged_into_copies(retail):
    env, other = retail.env(), retail.env()
    user_id, order_id = a_user_and_an_order(env)
    env.reset(initial={"users": {user_id: {"address": {"zip": "00000"}}}, "orders": {order_id: None}})
    assert env.state()["users"][user_id]["address"]["zip"] == "00000"
    assert order_id not in env.state()["orders"]
    assert other.state() == data_file(retail)
    env.reset()
    assert env.state() == data_file(retail)


def test_a_rollback_in_one_env_leaves_the_others_alone(retail):
    env, other = retail.env(), retail.env()
    user_id, _ = a_user_and_an_order(env)
    mark = env.savepoint()
    assert env.call("modify_user_address", {"user_id": user_id, **ADDRESS}).ok
    assert other.call("modify_user_address", {"user_id": user_id, **ADDRESS, "zip": "11111"}).ok
    env.rollback(mark)
    assert env.state() == data_file(retail)
    assert other.state()["users"][user_id]["address"]["zip"] == "11111"


# ---------------------------------------------------------------- values handed out

def test_changing_every_returned_value_changes_no_env(retail, cases):
    """Tool results, state(), changes() and reward differences are copies, on every gold call."""
    env, witness = retail.env(), retail.env()
    for number, case in enumerate(cases):
        env.reset()
        for result in run(env, case["actions"]):
            scramble(result.value)
        if number % 25 == 0:  # a copy of the whole database: a few suffice
            scramble(env.state())
        scramble(env.changes())
        assert env.reward(case["expect"]).reward == 1.0, case["id"]
        scramble(env.reward({"changed": {}, "removed": {}}).differences)
        assert env.reward(case["expect"]).reward == 1.0, case["id"]
    assert witness.state() == data_file(retail)


# ---------------------------------------------------------------- threads

@pytest.fixture
def switch_often():
    """Switch threads every microsecond, so that envs driven at once really interleave."""
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(interval)


def drive(threads: int, work) -> list[str]:
    """Run work(index) on several threads at once; the failures they report."""
    failures: list[str] = []
    start = threading.Barrier(threads)

    def worker(index: int) -> None:
        start.wait()
        try:
            failures.extend(work(index))
        except Exception as err:  # reported, not lost in the thread
            failures.append(f"thread {index}: {type(err).__name__}: {err}")

    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return failures


def test_threads_each_driving_their_own_env_do_not_cross_talk(retail, cases, switch_often):
    """Every thread replays all 114 recorded cases, each from another starting case, on its own env:
    each final state is tau2's, and each step's outcome is what one env alone gives."""
    alone = retail.env()
    outcomes = {}
    for case in cases:
        alone.reset()
        outcomes[case["id"]] = [r.as_step() for r in run(alone, case["actions"])]

    def replay(index: int) -> list[str]:
        env, failures = retail.env(), []
        for case in cases[index * 14:] + cases[:index * 14]:
            env.reset()
            if [r.as_step() for r in run(env, case["actions"])] != outcomes[case["id"]]:
                failures.append(f"thread {index}, {case['id']}: the steps differ")
            if env.reward(case["expect"]).reward != 1.0:
                failures.append(f"thread {index}, {case['id']}: the final state differs")
        return failures

    assert drive(8, replay) == []


def test_threads_share_one_world_and_its_goal_states(retail, switch_often):
    """Envs of one fresh world, on several threads, reach each task's goal state, which the world
    computes on its one scratch env the first time a task is scored, and caches for all of them."""
    world = World(retail, retail.initial_data(), None)
    tasks = retail.tasks

    def play(index: int) -> list[str]:
        env, failures = Env(retail, world), []
        for task in tasks[index * 19:] + tasks[:index * 19]:
            env.reset(task)
            for action in task.actions:
                env.call(action.tool, action.arguments)
            if env.reward(task).reward != 1.0:
                failures.append(f"thread {index}, {task.name}: {env.reward(task).differences[:1]}")
        return failures

    assert drive(6, play) == []
    assert world.base == retail.initial_data()
