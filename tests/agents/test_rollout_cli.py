"""`scaleenv rollout` end to end: the real anthropic SDK against a local Messages API that plays the
agent's and the user's turns by script, on the library domain's `return_late_senior` task."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from author_fakes import REPO, api_error, clean_env
from rollout_fakes import OPENING, RETURN_BOOK, THANKS, Conversation, agent_requests, reply, text, tool_use, \
    user_requests

from scaleenv_dsl import load_domain
from scaleenv_dsl.cli import main
from scaleenv_dsl.rollout.users import STOP_TOKEN

TASK = "return_late_senior"


@pytest.fixture
def rollout(api, tmp_path, monkeypatch, capsys):
    """`rollout(*flags)`: run `scaleenv rollout library` in-process; returns (code, records, stdout, stderr)."""
    for name in list(os.environ):
        monkeypatch.delenv(name)
    for name, value in clean_env().items():
        monkeypatch.setenv(name, value)
    out = tmp_path / "runs.jsonl"

    def run(*flags: str, tasks: str = TASK, settings: tuple = ("--api-key", "test-key", "--base-url", api.url,
                                                              "--agent-model", "agent-test", "--user-model", "user-test")):
        code = main(["rollout", "library", "--tasks", tasks, "--out", str(out), *settings, *flags])
        captured = capsys.readouterr()
        records = [json.loads(line) for line in out.read_text().splitlines()] if out.exists() else []
        return code, records, captured.out, captured.err

    return run


def test_a_successful_episode_earns_1_and_records_the_whole_conversation(api, rollout):
    api.respond = Conversation(RETURN_BOOK, [OPENING, THANKS])

    code, [record], stdout, _ = rollout()

    assert code == 0
    assert (record["task"], record["trial"], record["reward"], record["ending"], record["turns"]) == (
        TASK, 0, 1.0, "user_stop", 3)
    assert record["reward_parts"]["checked"] == ["state", "communicate"]
    assert [event["role"] for event in record["messages"]] == ["user", "tool", "tool", "agent", "user"]
    assert record["messages"][1] == {"role": "tool", "tool": "find_member_by_email",
                                     "arguments": {"email": "grace@example.org"}, "ok": True, "result": "m_002"}
    assert record["messages"][-1] == {"role": "user", "text": "Thanks, that's all."}
    assert record["usage"]["agent"]["input_tokens"] == 300 and record["usage"]["user"]["output_tokens"] == 10
    assert (record["agent_model"], record["user_model"], record["error"]) == ("agent-test", "user-test", None)
    assert "1 passed, pass rate 1.000" in stdout and "pass^1 1.000" in stdout


def test_the_agent_gets_the_tools_and_policy_and_the_user_the_task(api, rollout):
    api.respond = Conversation(RETURN_BOOK, [OPENING, THANKS])
    rollout()
    library = load_domain("library")
    first, second, last = agent_requests(api)

    assert first["tools"] == library.anthropic_tools() and first["model"] == "agent-test"
    assert library.ir.policy.strip() in first["system"][0]["text"]
    assert first["messages"] == [{"role": "user", "content": OPENING}]
    [result] = second["messages"][-1]["content"]
    assert result["tool_use_id"] == "toolu_a" and json.loads(result["content"]) == {"ok": True, "result": "m_002"}
    # the text beside a tool call stays in the agent's history, but only a reply without calls reaches the user
    user_first, user_second = user_requests(api)
    task = library.task(TASK)
    assert task.instruction in user_first["system"] and "grace@example.org" in user_first["system"]
    assert "Never invent facts" in user_first["system"] and STOP_TOKEN in user_first["system"]
    assert user_second["messages"][-1] == {"role": "user", "content": "Your book is returned. You owe 0.2 in late fees."}
    assert user_second["model"] == "user-test" and "Let me return it." not in json.dumps(user_second["messages"])


def test_a_wrong_action_earns_0_with_the_difference_named(api, rollout):
    wrong = [RETURN_BOOK[0], reply(tool_use("return_book", {"loan_id": "l_002", "today": 120}, "toolu_b")),
             RETURN_BOOK[2]]
    api.respond = Conversation(wrong, [OPENING, THANKS])

    code, [record], stdout, _ = rollout()

    assert code == 0 and record["reward"] == 0.0 and record["ending"] == "user_stop"
    fields = {(d["collection"], d["key"], d["field"]) for d in record["reward_parts"]["differences"]}
    assert ("loans", "l_002", "returned_day") in fields
    assert record["reward_parts"]["missing_communicate"] == []   # it said 0.2: the state alone failed
    assert "0 passed, pass rate 0.000" in stdout


def test_an_agent_that_only_talks_earns_0(api, rollout):
    talk = [reply(text("Which book would you like to return?")), reply(text("Done! You owe 0.2."))]
    api.respond = Conversation(talk, [OPENING, "The Left Hand of Darkness.", THANKS])

    code, [record], _, _ = rollout()

    assert code == 0 and record["reward"] == 0.0 and record["turns"] == 2
    assert [event["role"] for event in record["messages"]] == ["user", "agent", "user", "agent", "user"]
    assert record["reward_parts"]["differences"] and record["reward_parts"]["missing_communicate"] == []


def test_an_api_error_is_retried_and_the_trial_goes_on(api, rollout):
    api.script = [api_error(529, "overloaded_error", "Overloaded")]
    api.respond = Conversation(RETURN_BOOK, [OPENING, THANKS])

    code, [record], _, _ = rollout()

    assert code == 0 and record["reward"] == 1.0 and record["error"] is None
    assert len(api.requests) == 6  # the five turns, and the first one twice
    assert api.requests[0]["body"] == api.requests[1]["body"]


def test_an_api_failure_that_outlasts_the_retries_ends_the_trial_with_exit_3(api, rollout):
    api.respond = lambda body: api_error(500, "api_error", "Internal server error")

    code, [record], _, stderr = rollout()

    assert code == 3
    assert (record["ending"], record["reward"], record["turns"]) == ("error", 0.0, 0)
    assert "500" in record["error"] and "Internal server error" in record["error"]
    assert len(api.requests) == 5  # the SDK's four retries
    assert "ended with an API failure" in stderr and "Traceback" not in stderr


def test_a_server_that_does_not_answer_like_the_messages_api_ends_the_trial(api, rollout):
    api.respond = lambda body: {"status": 200, "headers": {}, "body": {"hello": "world"}}

    code, [record], _, _ = rollout()

    assert code == 3 and record["ending"] == "error"
    assert "did not answer like the Messages API" in record["error"]


def test_the_turn_limit_cuts_the_episode_and_earns_0(api, rollout):
    loop = [reply(tool_use("get_member_details", {"member_id": "m_002"}))]
    api.respond = Conversation(loop, [OPENING], agent_loops=True)

    code, [record], stdout, _ = rollout("--max-turns", "3")

    assert code == 0 and (record["ending"], record["turns"], record["reward"]) == ("max_turns", 3, 0.0)
    assert len(agent_requests(api)) == 3 and len(user_requests(api)) == 1
    assert "endings: max_turns 1" in stdout


def test_trials_run_concurrently_each_on_its_own_env(api, rollout, tmp_path):
    api.respond = Conversation(RETURN_BOOK, [OPENING, THANKS])
    summary = tmp_path / "summary.json"

    code, records, _, stderr = rollout("--trials", "3", "--workers", "3", "--summary", str(summary))

    # each trial returned the same book: on a shared env the second return would fail
    assert code == 0 and sorted(r["trial"] for r in records) == [0, 1, 2]
    assert all(r["reward"] == 1.0 and r["messages"][2]["ok"] for r in records)
    written = json.loads(summary.read_text())
    assert (written["trials"], written["passed"], written["pass^k"]) == (3, 3, {"1": 1.0, "2": 1.0, "3": 1.0})
    assert stderr.count(f"{TASK} trial") == 3


def test_tasks_come_from_a_file_and_unknown_ones_are_refused_before_any_request(api, rollout, tmp_path):
    names = tmp_path / "tasks.txt"
    names.write_text(f"# the late return\n{TASK}\n{TASK}\n")
    api.respond = Conversation(RETURN_BOOK, [OPENING, THANKS])
    code, records, _, _ = rollout(tasks=str(names))
    assert code == 0 and len(records) == 1  # a name listed twice runs once per trial

    api.requests.clear()
    code, _, _, stderr = rollout(tasks=f"{TASK},no_such_task")
    assert code == 2 and "has no task 'no_such_task'" in stderr and api.requests == []


def run_subprocess(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "scaleenv_dsl", "rollout", *args], cwd=REPO, capture_output=True,
                          text=True, env=env, timeout=120)


def test_without_a_key_it_exits_2_with_a_clear_message(tmp_path):
    done = run_subprocess("library", "--tasks", TASK, "--out", str(tmp_path / "runs.jsonl"), env=clean_env())
    assert done.returncode == 2
    assert done.stderr.strip() == "scaleenv rollout: no API key: set ANTHROPIC_API_KEY or pass --api-key."
    assert not (tmp_path / "runs.jsonl").exists()


def test_the_key_url_and_models_can_come_from_the_environment(api, rollout, monkeypatch):
    api.respond = Conversation(RETURN_BOOK, [OPENING, THANKS])
    for name, value in {"ANTHROPIC_API_KEY": "test-key", "ANTHROPIC_BASE_URL": api.url,
                        "SCALEENV_AGENT_MODEL": "agent-env", "SCALEENV_USER_MODEL": "user-env"}.items():
        monkeypatch.setenv(name, value)

    code, [record], _, _ = rollout(settings=())

    assert code == 0 and record["reward"] == 1.0
    assert {r["body"]["model"] for r in api.requests} == {"agent-env", "user-env"}


def test_a_spec_with_errors_exits_1_with_its_diagnostics(api, rollout, tmp_path):
    broken = tmp_path / "broken.sedl"
    broken.write_text('domain d {\n  description "x"\n}\ntool t() -> int {\n  return nope\n}\n')
    code = main(["rollout", str(broken), "--tasks", "t", "--out", str(tmp_path / "runs.jsonl"),
                 "--api-key", "k", "--base-url", api.url])
    assert code == 1 and api.requests == []
