"""The Gymnasium env with the scripted user: the API contract, episodes, rewards and seeding."""

from __future__ import annotations

import json
import warnings

import gymnasium
import pytest
from gymnasium.error import ResetNeeded
from gymnasium.utils.env_checker import check_env

from author_fakes import GOOD_SPEC
from scaleenv_dsl.gym import ENV_ID, AgentEnv, AnyText, parse_action

TASK = "return_late_senior"  # reward state, communicate "0.2"


def call(tool: str, **arguments) -> str:
    return json.dumps({"name": tool, "arguments": arguments})


RETURN_BOOK = [call("find_member_by_email", email="grace@example.org"), call("return_book", loan_id="l_002", today=112)]

# the author tests' notes domain, with a tool that writes and a task that checks the actions
NOTES_SPEC = GOOD_SPEC + '''
tool rename(note_id: ref Note "The note id.", text: str "The new text.") -> Note "The note." {
  "Change a note's text."
  let note = notes[note_id]
  note.text = text
  return note
}

task read_then_rename {
  "Read a note, then rename it."
  instruction "Your note n1 should say hello. Ask the agent to check it and change it."
  knows note_id = "n1"
  initial {"notes": {"n1": {"note_id": "n1", "text": "old"}}}
  action get_note(note_id="n1")
  action rename(note_id="n1", text="hello")
  reward state, actions
}
'''


@pytest.fixture
def env():
    return AgentEnv("library", task=TASK)


def play(env: AgentEnv, actions: list[str]):
    """Step through `actions`; the last step's 5-tuple."""
    for action in actions:
        outcome = env.step(action)
    return outcome


def test_gymnasiums_checker_passes_with_its_warnings_as_errors(env):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        check_env(env, skip_render_check=True)
        made = gymnasium.make(ENV_ID, domain="library")  # every task, picked by the seed
        check_env(made.unwrapped)                         # with a spec: seeded resets compared too


def test_the_gold_conversation_earns_1_at_the_end(env):
    observation, info = env.reset(seed=1)
    assert observation == f"user: {env.domain.task(TASK).instruction}"
    assert info["task"] == TASK and info["tools"] == env.domain.openai_tools() and "library" in info["policy"]

    observation, reward, terminated, truncated, info = env.step(RETURN_BOOK[0])
    assert observation == 'tool: {"ok": true, "result": "m_002"}'
    assert (reward, terminated, truncated, info) == (0.0, False, False, {"turn": 1, "action": "tool"})

    observation, reward, terminated, truncated, _ = play(env, RETURN_BOOK[1:] + ["Your book is back; you owe 0.2."])
    assert observation == "user: Thank you, that is all I needed."
    assert (reward, terminated, truncated) == (1.0, True, False)


def test_the_messages_are_passed_to_the_reward_so_communicate_is_checked(env):
    env.reset(seed=1)
    observation, reward, terminated, _, info = play(env, RETURN_BOOK + ["Your book is back."])
    assert terminated and reward == 0.0
    assert info["ending"] == "user_stop"
    assert info["reward_info"]["missing_communicate"] == ["0.2"] and info["reward_info"]["differences"] == []


def test_the_calls_are_passed_to_the_reward_so_actions_are_checked(tmp_path):
    (tmp_path / "notes.sedl").write_text(NOTES_SPEC)
    env = AgentEnv(str(tmp_path / "notes.sedl"))
    env.reset(seed=0)
    renamed = call("rename", note_id="n1", text="hello")

    *_, reward, terminated, _, info = play(env, [renamed, "Done."])
    assert terminated and reward == 0.0
    assert info["reward_info"]["missing_actions"] == [{"index": 0, "tool": "get_note", "arguments": {"note_id": "n1"}}]

    env.reset(seed=0)
    *_, reward, _, _, info = play(env, [call("get_note", note_id="n1"), renamed, "Done."])
    assert reward == 1.0 and info["reward_info"]["checked"] == ["state", "actions"]


def test_the_scripted_user_answers_from_the_tasks_facts_and_confirms_questions(env):
    env.reset(seed=1)
    assert env.step("Could you give me your email address?")[0] == "user: Email: grace@example.org."
    assert env.step("And what day is it today?")[0] == "user: Today: 112."
    assert env.step("Shall I return the book now?")[0] == "user: Yes, please go ahead."


def test_the_turn_limit_truncates_and_a_cut_episode_earns_0():
    env = AgentEnv("library", task=TASK, max_turns=3)
    env.reset(seed=1)
    *_, reward, terminated, truncated, info = play(env, RETURN_BOOK + [call("get_member_details", member_id="m_002")])
    assert (reward, terminated, truncated, info["ending"]) == (0.0, False, True, "max_turns")
    with pytest.raises(ResetNeeded):
        env.step("hello?")


def test_a_cut_episode_earns_0_even_when_its_state_is_already_right():
    env = AgentEnv("library", task="hold_unavailable_book", max_turns=1)  # reward state
    env.reset(seed=0)
    *_, reward, _, truncated, info = env.step(
        call("place_hold", member_id="m_003", book_id="b_002", hold_id="h_100", today=115))
    assert truncated and reward == 0.0
    assert info["reward_info"]["reward"] == 1.0 and info["reward_info"]["differences"] == []


def test_the_agent_may_end_the_episode_itself_with_the_stop_token(env):
    env.reset(seed=1)
    observation, reward, terminated, truncated, info = play(env, RETURN_BOOK + ["You owe 0.2. ###STOP###"])
    assert (observation, reward, terminated, truncated, info["ending"]) == ("", 1.0, True, False, "agent_stop")


def test_bad_actions_get_clear_errors_and_use_a_turn(env):
    env.reset(seed=1)
    observation, _, _, _, info = env.step("   ")
    assert observation.startswith("error: the action is empty") and info == {"turn": 1, "action": "invalid"}
    observation, _, _, _, info = env.step("a" * 100_001)
    assert observation == "error: the action is longer than 100000 characters" and info["turn"] == 2
    observation, *_ = env.step(call("no_such_tool"))
    assert json.loads(observation.removeprefix("tool: "))["kind"] == "unknown_tool"
    observation, *_ = env.step(json.dumps({"name": "return_book", "arguments": {"loan_id": 7, "today": 112}}))
    assert json.loads(observation.removeprefix("tool: "))["kind"] == "invalid_arguments"
    with pytest.raises(TypeError, match="an action is a string"):
        env.step({"name": "return_book"})


def test_step_before_reset_and_unknown_options_are_refused(env):
    with pytest.raises(ResetNeeded):
        env.step("hello")
    with pytest.raises(ValueError, match="options take only `task`"):
        env.reset(options={"tsak": TASK})
    with pytest.raises(KeyError, match="no task 'nope'"):
        env.reset(options={"task": "nope"})


@pytest.mark.parametrize("action, parsed", [
    ('{"name": "get_note", "arguments": {"note_id": "n1"}}', ("get_note", {"note_id": "n1"})),
    ('  {"name": "list_all_product_types", "id": "call_1"} ', ("list_all_product_types", {})),
    ('{"name": "get_note", "arguments": {}, "note": "extra key"}', None),   # not a call: a message
    ('{"tool": "get_note"}', None),
    ('{"name": 3}', None),
    ('{"name": "get_note", ', None),
    ("Hello, how can I help?", None),
])
def test_an_action_is_a_tool_call_only_when_it_is_exactly_one(action, parsed):
    assert parse_action(action) == parsed


def test_a_seed_picks_the_task_so_the_same_seed_gives_the_same_episode():
    env = AgentEnv("library")
    picked = {seed: env.reset(seed=seed)[1]["task"] for seed in range(12)}
    assert len(set(picked.values())) > 1
    for seed, task in picked.items():
        assert env.reset(seed=seed)[1]["task"] == task
    assert env.reset(seed=3, options={"task": TASK})[1]["task"] == TASK


def test_each_reset_starts_from_the_initial_state(env):
    for _ in range(2):
        env.reset(seed=1)
        *_, reward, _, _, _ = play(env, RETURN_BOOK + ["You owe 0.2."])
        assert reward == 1.0  # a second return of the same loan would fail on a stale state


def test_observations_longer_than_the_space_are_cut_to_fit():
    env = AgentEnv("library", task=TASK, max_observation_chars=200)
    env.reset(seed=1)
    observation, *_ = env.step(call("get_member_details", member_id="m_002"))  # 361 characters in full
    assert len(observation) == 200 and observation in env.observation_space
    assert observation.startswith('tool: {"ok": true, "result": {"member_id": "m_002"')
    assert observation.endswith("[cut: the observation was longer than 200 characters]")


def test_the_text_spaces_hold_any_script_and_sample_printable_ascii():
    space = AnyText(20)
    assert "Grüße, 東京\n{}" in space and "" in space and "x" * 21 not in space and 5 not in space
    space.seed(0)
    assert all(32 <= ord(c) < 127 for c in space.sample())


def test_every_retail_task_earns_1_through_the_gym_with_its_gold_actions_and_0_idle():
    env = AgentEnv("retail")
    earned, idle = {}, {}
    for task in env.tasks:
        env.reset(options={"task": task.name})
        for action in task.actions:
            env.step(json.dumps({"name": action.tool, "arguments": action.arguments}))
        earned[task.name] = env.step("Done.")[1]
        env.reset(options={"task": task.name})
        idle[task.name] = env.step("Done.")[1]
    assert len(earned) == 114 and set(earned.values()) == {1.0}
    changing = {t.name for t in env.tasks if _gold_changes(env.domain, t)}
    assert len(changing) > 100 and all(idle[name] == 0.0 for name in changing)


def _gold_changes(domain, task) -> dict:
    plain = domain.env().reset(task)
    for action in task.actions:
        plain.call(action.tool, action.arguments)
    return plain.changes()["changed"] or plain.changes()["removed"]
