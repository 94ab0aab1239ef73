"""The reward of each basis on an agent's trajectory, the trajectory forms, and savepoints."""

from __future__ import annotations

import pytest

from scaleenv_dsl import Trajectory
from scaleenv_dsl.api import CallError, CallResult, load_domain

from conftest import SPECS, full_changes


@pytest.fixture(scope="module")
def desk():
    return load_domain(SPECS / "desk.sedl")


@pytest.fixture
def env(desk):
    return desk.env()


def run_gold_actions(env, task: str) -> None:
    env.reset(task)
    for action in env.domain.task(task).actions:
        env.call(action.tool, action.arguments)


# ---------------------------------------------------------------- actions

def test_an_idle_agent_on_an_actions_task_gets_zero_and_every_gold_action_is_missing(env):
    result = env.reset("close_after_lookup").reward()
    assert (result.reward, result.checked, result.incomplete) == (0.0, ["actions"], [])
    assert result.missing_actions == [
        {"index": 0, "tool": "get_ticket", "arguments": {"ticket_id": "t1"}},
        {"index": 1, "tool": "close_ticket", "arguments": {"ticket_id": "t1", "note": "fixed"}},
    ]


def test_the_gold_calls_made_through_the_env_earn_one(env):
    run_gold_actions(env, "close_after_lookup")
    result = env.reward()
    assert (result.reward, result.ok, result.missing_actions) == (1.0, True, [])


def test_a_wrong_argument_gets_zero_and_names_the_action_it_missed(env):
    env.reset("close_after_lookup")
    env.call("get_ticket", {"ticket_id": "t1"})
    assert env.call("close_ticket", {"ticket_id": "t1", "note": "no longer needed"}).ok
    result = env.reward()
    assert result.reward == 0.0
    assert result.missing_actions == [{"index": 1, "tool": "close_ticket",
                                       "arguments": {"ticket_id": "t1", "note": "fixed"}}]


def test_a_missing_read_only_gold_call_also_fails_as_in_tau2(env):
    # tau2's ActionEvaluator requires every gold action; read/write only splits its partial scores
    env.reset("close_after_lookup")
    env.call("close_ticket", {"ticket_id": "t1", "note": "fixed"})
    result = env.reward()
    assert result.reward == 0.0
    assert [m["tool"] for m in result.missing_actions] == ["get_ticket"]


def test_calls_match_in_any_order_after_binding_and_extra_calls_do_not_hurt(env):
    env.reset("close_after_lookup")
    env.call("set_priority", {"ticket_id": "t2", "priority": 1})
    env.call("close_ticket", '{"note": "fixed", "ticket_id": "t1"}')  # JSON text, keys in another order
    env.call("get_ticket", {"ticket_id": "t1"})
    assert env.reward().ok


def test_an_omitted_optional_argument_equals_an_explicit_null_and_floats_bind_to_ints(desk):
    gold = desk.task("everything")
    env = desk.env().reset(gold)
    trajectory = {"calls": [{"tool": "close_ticket", "arguments": {"ticket_id": "t1", "note": "fixed"}},
                            {"tool": "set_priority", "arguments": {"ticket_id": "t2", "priority": 1.0}}],
                  "messages": ["closed"]}
    assert env.reward(trajectory=trajectory).missing_actions == []
    trajectory["calls"][0]["arguments"] = {"ticket_id": "t1"}  # note left out: none, not "fixed"
    assert [m["index"] for m in env.reward(trajectory=trajectory).missing_actions] == [0]


def test_a_failed_call_still_counts_as_made_but_a_refused_one_does_not(env):
    env.reset("close_after_lookup", initial={"tickets": {"t1": {"status": "closed"}}})
    env.call("get_ticket", {"ticket_id": "t1"})
    refused = env.call("close_ticket", {"ticket_id": "t1", "note": "fixed", "force": True})
    assert refused.error.kind == "invalid_arguments"
    assert env.reward().reward == 0.0
    failed = env.call("close_ticket", {"ticket_id": "t1", "note": "fixed"})
    assert failed.error.kind == "require"
    assert env.reward().ok  # tau2 counts every call the agent made; the state basis would not


def test_reset_forgets_the_calls(env):
    run_gold_actions(env, "close_after_lookup")
    assert env.reward().ok
    assert env.reset("close_after_lookup").reward().reward == 0.0


# ---------------------------------------------------------------- communicate

def test_communicate_matches_up_to_case_and_commas(env):
    env.reset("tell_the_code")
    said = ["Hello!", "Your reference is ref-42.", "You have 1250 Points left."]
    result = env.reward(trajectory={"messages": said})
    assert (result.reward, result.checked, result.missing_communicate) == (1.0, ["communicate"], [])
    assert env.reward(trajectory={"messages": ["REF-42, and 1,250 POINTS"]}).ok


def test_a_string_never_said_fails_and_is_named(env):
    env.reset("tell_the_code")
    result = env.reward(trajectory=Trajectory(messages=["Your reference is REF-42.", "1 250 points"]))
    assert (result.reward, result.missing_communicate) == (0.0, ["1,250 points"])


def test_without_messages_communicate_is_incomplete_not_one(env):
    env.reset("tell_the_code")
    result = env.reward()
    assert (result.reward, result.ok, result.checked, result.incomplete) == (None, False, [], ["communicate"])
    assert env.reward(trajectory={"calls": []}).reward is None


def test_an_empty_message_list_is_an_agent_that_said_nothing(env):
    result = env.reset("tell_the_code").reward(trajectory={"messages": []})
    assert (result.reward, result.missing_communicate) == (0.0, ["REF-42", "1,250 points"])


# ---------------------------------------------------------------- all bases together

def test_the_gold_trajectory_earns_one_on_every_basis(env):
    run_gold_actions(env, "everything")
    result = env.reward(trajectory={"messages": ["Ticket t1 is Closed."]})
    assert (result.reward, result.checked) == (1.0, ["state", "goal", "actions", "communicate"])


def test_a_known_failure_wins_over_an_incomplete_basis(env):
    run_gold_actions(env, "everything")
    assert env.reward().reward is None       # all that could be checked held
    env.reset("everything")
    result = env.reward()                    # idle, and no messages
    assert (result.reward, result.incomplete) == (0.0, ["communicate"])
    assert result.differences and result.failed_goals == [0, 1] and len(result.missing_actions) == 2


def test_failed_goals_zero_the_reward_even_when_the_state_matches(env):
    run_gold_actions(env, "nothing_to_do")
    result = env.reward()
    assert (result.reward, result.differences, result.failed_goals) == (0.0, [], [0])


def test_expected_changes_as_a_dict_still_score_the_state_alone(env):
    env.call("set_priority", {"ticket_id": "t2", "priority": 1})
    assert env.reward(env.changes()).ok
    result = env.reward({"changed": {}, "removed": {}})
    assert (result.reward, result.checked, [d["field"] for d in result.differences]) == (0.0, ["state"], ["priority"])


# ---------------------------------------------------------------- trajectory forms

def test_a_json_trajectory_replaces_the_recorded_calls(env):
    env.reset("close_after_lookup")
    env.call("get_ticket", {"ticket_id": "t1"})  # recorded, but the trajectory given says otherwise
    trajectory = {"calls": [{"name": "get_ticket", "arguments": '{"ticket_id": "t1"}', "id": "call_1"},
                            {"tool": "close_ticket", "arguments": {"ticket_id": "t1", "note": "fixed"}}]}
    assert env.reward(trajectory=trajectory).ok
    assert env.reward(trajectory={"calls": [{"tool": "get_ticket", "arguments": {"ticket_id": "t1"}}]}) \
        .missing_actions[0]["tool"] == "close_ticket"


def test_a_trajectory_dataclass_takes_pairs(env):
    env.reset("close_after_lookup")
    trajectory = Trajectory(calls=[("get_ticket", {"ticket_id": "t1"}),
                                   ("close_ticket", {"ticket_id": "t1", "note": "fixed"})])
    assert env.reward(trajectory=trajectory).ok


def test_calls_the_tool_would_refuse_are_well_formed_and_match_nothing(env):
    env.reset("close_after_lookup")
    trajectory = {"calls": [{"tool": "no_such_tool", "arguments": {}},
                            {"tool": "get_ticket", "arguments": "{not json"},
                            {"tool": "get_ticket", "arguments": {"ticket_id": 1}},
                            {"tool": "close_ticket", "arguments": {"ticket_id": "t1", "note": "fixed"}}]}
    assert [m["tool"] for m in env.reward(trajectory=trajectory).missing_actions] == ["get_ticket"]


@pytest.mark.parametrize("trajectory, message", [
    ([], "a trajectory is a Trajectory or"),
    ({"calls": 3}, "trajectory calls must be a list, got an integer"),
    ({"calls": [3]}, r"trajectory calls\[0\] must be a \(tool, arguments\) pair"),
    ({"calls": [("a", {}, 1)]}, r"calls\[0\] must be a \(tool, arguments\) pair or .*, got a tuple"),
    ({"calls": [{"arguments": {}}]}, r"calls\[0\] needs exactly one of `tool` and `name`"),
    ({"calls": [{"tool": "a", "name": "a"}]}, "needs exactly one of `tool` and `name`"),
    ({"calls": [{"tool": None}]}, "the tool name must be a string, got null"),
    ({"calls": [{}, {"tool": "get_ticket", "arguments": [1]}]}, r"calls\[0\] needs exactly one"),
    ({"calls": [{"tool": "get_ticket", "arguments": [1]}]}, "arguments must be an object or JSON text, got a list"),
    ({"calls": [{"tool": "get_ticket", "args": {}}]}, "unknown key 'args'"),
    ({"messages": "hello"}, "messages must be a list of strings, got a string"),
    ({"messages": ["hi", {"role": "assistant"}]}, r"messages\[1\] must be a string, got an object"),
    ({"message": ["hi"]}, "a trajectory has `calls` and `messages`, not 'message'"),
    (Trajectory(calls=[{"tool": 5}]), "the tool name must be a string, got an integer"),
])
def test_a_malformed_trajectory_raises_a_value_error_saying_what_is_wrong(env, trajectory, message):
    env.reset("close_after_lookup")
    with pytest.raises(ValueError, match=message):
        env.reward(trajectory=trajectory)


# ---------------------------------------------------------------- savepoints

def test_rollback_restores_the_state_changes_and_reward(env):
    env.reset("everything")
    env.call("close_ticket", {"ticket_id": "t1", "note": "fixed"})
    before = (env.state(), env.changes())
    mark = env.savepoint()
    env.call("set_priority", {"ticket_id": "t2", "priority": 1})
    env.call("tag_ticket", {"ticket_id": "t1", "tags": ["oops"]})
    assert env.reward(trajectory={"messages": ["closed"]}).ok is False  # the tag is not in the goal state
    env.rollback(mark)
    assert (env.state(), env.changes()) == before
    assert env.changes() == full_changes(env)
    missed = env.reward(trajectory={"messages": ["closed"]})
    assert [m["tool"] for m in missed.missing_actions] == ["set_priority"]  # the undone call is forgotten
    env.call("set_priority", {"ticket_id": "t2", "priority": 1})
    assert env.reward(trajectory={"messages": ["closed"]}).ok


def test_a_mark_can_be_rolled_back_to_again_and_later_marks_are_dropped(env):
    first = env.savepoint()
    env.call("set_priority", {"ticket_id": "t2", "priority": 9})
    second = env.savepoint()
    env.call("set_priority", {"ticket_id": "t1", "priority": 9})
    env.rollback(second)
    assert set(env.changes()["changed"]["tickets"]) == {"t2"}
    env.rollback(first)
    assert env.changes() == {"changed": {}, "removed": {}}
    env.call("close_ticket", {"ticket_id": "t1"})
    env.rollback(first)
    assert env.changes() == {"changed": {}, "removed": {}}
    with pytest.raises(ValueError, match="not a savepoint"):
        env.rollback(second)


def test_reset_drops_every_savepoint_and_bad_marks_are_refused(env):
    mark = env.savepoint()
    env.reset()
    for bad in (mark, -1, True, "0", None):
        with pytest.raises(ValueError, match="not a savepoint"):
            env.rollback(bad)


# ---------------------------------------------------------------- call errors

def test_a_failed_call_names_the_guard_that_fired_and_where_it_stands(env, desk):
    env.call("close_ticket", {"ticket_id": "t1"})
    result = env.call("close_ticket", {"ticket_id": "t1"})
    guard = desk.ir.tool("close_ticket").contract.guard(result.error.guard)
    assert (guard.kind, guard.loc.line) == ("require", 28)
    assert result.error == CallError("require", "Ticket t1 is not open", guard.id, "desk.sedl:28:3")
    assert result.to_json() == {"ok": False, "error": "Ticket t1 is not open", "kind": "require",
                                "guard": guard.id, "loc": "desk.sedl:28:3"}
    assert result.as_step() == {"ok": False, "error": "Ticket t1 is not open"}
    missing = env.call("close_ticket", {"ticket_id": "t404"})
    lookup = desk.ir.tool("close_ticket").contract.guard(missing.error.guard)
    assert (lookup.kind, missing.error.loc) == ("lookup", "desk.sedl:27:16")


def test_an_error_no_guard_raised_has_no_guard_fields(env):
    result = env.call("close_ticket", {"ticket_id": 7})
    assert (result.error.kind, result.error.guard, result.error.loc) == ("invalid_arguments", None, None)
    assert set(result.to_json()) == {"ok", "error", "kind"}
    assert CallResult(True, 1).to_json() == {"ok": True, "result": 1}
