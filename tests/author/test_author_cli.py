"""`scaleenv author` end to end: the real anthropic SDK against a local Messages API."""

from __future__ import annotations

import json

import pytest

from author_fakes import BOTH_WAYS, BROKEN_SPEC, GOOD_SPEC, api_error, clean_env, fenced, message
from scaleenv_dsl.author import DEFAULT_MODEL
from scaleenv_dsl.author.review import review_draft


def test_broken_spec_is_repaired_with_the_checkers_diagnostics(api, cli, tmp_path):
    api.script = [message(fenced(BROKEN_SPEC), input_tokens=1000, output_tokens=200),
                  message(fenced(GOOD_SPEC), input_tokens=1500, output_tokens=210)]
    out = tmp_path / "notes.sedl"

    done = cli(["A tiny notes store.", "--out", str(out), "--base-url", api.url], clean_env(ANTHROPIC_API_KEY="k"))

    assert done.code == 0, done.stderr
    assert out.read_text() == GOOD_SPEC
    first = api.requests[0]["body"]
    assert "A tiny notes store." in first["messages"][0]["content"]
    assert "```sedl" in first["system"][0]["text"] and first["model"] == DEFAULT_MODEL
    feedback = api.last_user_turn(1)
    expected = [d for d in review_draft(BROKEN_SPEC, "notes.sedl").diagnostics if d.is_error]
    assert expected and expected[0].code == "unclosed-brace"
    for diagnostic in expected:
        assert f"error[{diagnostic.code}]: {diagnostic.message}" in feedback       # text form
        assert f'"code": "{diagnostic.code}"' in feedback                         # JSON form
    assert "--> notes.sedl:" in feedback and "^" in feedback
    assert [m["role"] for m in api.requests[1]["body"]["messages"]] == ["user", "assistant", "user"]
    assert "2 rounds" in done.stdout and "2500 input and 410 output tokens" in done.stdout


@BOTH_WAYS
def test_never_fixed_keeps_out_untouched_and_leaves_a_draft(api, cli, tmp_path):
    api.script = [message(fenced(BROKEN_SPEC)) for _ in range(2)]
    out = tmp_path / "domain.sedl"

    done = cli(["notes", "--out", str(out), "--max-rounds", "2", "--base-url", api.url],
               clean_env(ANTHROPIC_API_KEY="k"))

    assert done.code == 1
    assert "Traceback" not in done.stderr
    assert len(api.requests) == 2
    assert not out.exists()
    draft = tmp_path / "domain.sedl.draft"
    assert draft.read_text() == BROKEN_SPEC
    assert "error[unclosed-brace]" in done.stderr and str(draft) in done.stderr


def test_a_last_reply_without_a_block_keeps_the_earlier_draft(api, cli, tmp_path):
    api.script = [message(fenced(BROKEN_SPEC)), message("I give up.")]
    out = tmp_path / "domain.sedl"

    done = cli(["notes", "--out", str(out), "--max-rounds", "2", "--base-url", api.url],
               clean_env(ANTHROPIC_API_KEY="k"))

    assert done.code == 1
    assert (tmp_path / "domain.sedl.draft").read_text() == BROKEN_SPEC
    assert "error[unclosed-brace]" in done.stderr


def test_reply_without_a_block_is_asked_again(api, cli, tmp_path):
    api.script = [message("Sure! A notes domain has notes."), message(fenced(GOOD_SPEC, tag=""))]
    out = tmp_path / "domain.sedl"

    # The base URL comes from the SDK's own environment variable this time.
    done = cli(["notes", "--out", str(out)], clean_env(ANTHROPIC_API_KEY="k", ANTHROPIC_BASE_URL=api.url))

    assert done.code == 0, done.stderr
    assert "no ```sedl code block" in api.last_user_turn(1)
    assert out.read_text() == GOOD_SPEC


def test_overload_is_retried_by_the_sdk(api, cli, tmp_path):
    api.script = [api_error(529, "overloaded_error", "Overloaded"), message(fenced(GOOD_SPEC))]
    out = tmp_path / "domain.sedl"

    done = cli(["notes", "--out", str(out), "--base-url", api.url], clean_env(ANTHROPIC_API_KEY="k"))

    assert done.code == 0, done.stderr
    assert len(api.requests) == 2
    assert out.read_text() == GOOD_SPEC


def test_persistent_overload_is_one_clear_line(api, cli, tmp_path):
    api.script = [api_error(529, "overloaded_error", "Overloaded") for _ in range(5)]
    out = tmp_path / "domain.sedl"

    done = cli(["notes", "--out", str(out), "--base-url", api.url], clean_env(ANTHROPIC_API_KEY="k"))

    assert done.code == 3
    assert len(api.requests) == 5                      # the first try and the SDK's 4 retries
    assert done.stderr.strip().count("\n") == 0 and "Traceback" not in done.stderr
    assert "529" in done.stderr and "overloaded_error" in done.stderr
    assert not out.exists()


@BOTH_WAYS
def test_missing_key_is_one_sentence(api, cli, tmp_path):
    done = cli(["notes", "--out", str(tmp_path / "d.sedl"), "--base-url", api.url], clean_env())

    assert done.code == 2
    line = done.stderr.strip()
    assert "\n" not in line and "Traceback" not in line and "ANTHROPIC_API_KEY" in line
    assert api.requests == []


def test_transcript_records_requests_replies_and_checks(api, cli, tmp_path):
    api.script = [message(fenced(BROKEN_SPEC), input_tokens=7, output_tokens=3), message(fenced(GOOD_SPEC))]
    log = tmp_path / "run.jsonl"

    done = cli(["notes", "--out", str(tmp_path / "d.sedl"), "--transcript", str(log), "--base-url", api.url,
                "--model", "claude-test-model"], clean_env(ANTHROPIC_API_KEY="k"))

    assert done.code == 0, done.stderr
    records = [json.loads(line) for line in log.read_text().splitlines()]
    assert [r["type"] for r in records] == ["request", "reply", "check", "request", "reply", "check", "outcome"]
    request, reply, check = records[:3]
    assert request["params"]["model"] == "claude-test-model"
    assert request["params"] == api.requests[0]["body"]               # the full request, as sent
    assert reply["usage"] == {"input_tokens": 7, "output_tokens": 3} and reply["stop_reason"] == "end_turn"
    assert reply["content"][0]["text"] == fenced(BROKEN_SPEC)
    assert check["ok"] is False and check["diagnostics"][0]["code"] == "unclosed-brace"
    assert records[5]["ok"] is True and records[6]["rounds"] == 2


def test_no_transcript_unless_asked(api, cli, tmp_path):
    api.script = [message(fenced(GOOD_SPEC))]

    done = cli(["notes", "--out", str(tmp_path / "d.sedl"), "--base-url", api.url], clean_env(ANTHROPIC_API_KEY="k"))

    assert done.code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d.sedl"]


def one_clear_line(stderr: str) -> str:
    line = stderr.strip()
    assert "\n" not in line and "Traceback" not in line, stderr
    return line


def test_a_bad_key_is_one_line_and_not_retried(api, cli, tmp_path):
    api.script = [api_error(401, "authentication_error", "invalid x-api-key")]

    done = cli(["notes", "--out", str(tmp_path / "d.sedl"), "--base-url", api.url], clean_env(ANTHROPIC_API_KEY="k"))

    assert done.code == 3 and len(api.requests) == 1
    line = one_clear_line(done.stderr)
    assert "401" in line and "invalid x-api-key" in line and "check the API key" in line


def test_a_bad_request_is_one_line_and_not_retried(api, cli, tmp_path):
    api.script = [api_error(400, "invalid_request_error", "max_tokens: 16000 > 8192")]

    done = cli(["notes", "--out", str(tmp_path / "d.sedl"), "--base-url", api.url], clean_env(ANTHROPIC_API_KEY="k"))

    assert done.code == 3 and len(api.requests) == 1
    assert "400 (invalid_request_error: max_tokens: 16000 > 8192)" in one_clear_line(done.stderr)
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_an_unreachable_server_is_one_line_naming_it(cli, tmp_path, monkeypatch):
    import socket

    from scaleenv_dsl.author import session
    monkeypatch.setattr(session, "MAX_RETRIES", 0)   # the SDK's backoff would take seconds
    with socket.socket() as probe:                   # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{probe.getsockname()[1]}"

    done = cli(["notes", "--out", str(tmp_path / "d.sedl"), "--base-url", url], clean_env(ANTHROPIC_API_KEY="k"))

    assert done.code == 3
    assert f"could not reach the API at {url}/v1/messages" in one_clear_line(done.stderr)


def test_a_base_url_that_is_not_http_is_a_usage_error(api, cli, tmp_path):
    done = cli(["notes", "--out", str(tmp_path / "d.sedl"), "--base-url", "api.example.com"],
               clean_env(ANTHROPIC_API_KEY="k"))

    assert done.code == 2 and "--base-url" in one_clear_line(done.stderr)


@pytest.mark.parametrize("body", ["<html>a login page</html>", {"unexpected": True},
                                  {"type": "message", "content": None, "usage": {"input_tokens": 1}}])
def test_a_server_that_is_not_the_messages_api_is_one_line(api, cli, tmp_path, body):
    api.script = [{"status": 200, "headers": {}, "body": body}]

    done = cli(["notes", "--out", str(tmp_path / "d.sedl"), "--base-url", api.url], clean_env(ANTHROPIC_API_KEY="k"))

    assert done.code == 3
    assert f"the server at {api.url} did not answer like the Messages API" in one_clear_line(done.stderr)


def test_a_reply_cut_off_at_max_tokens_is_asked_to_be_compact(api, cli, tmp_path):
    cut = "```sedl\n" + GOOD_SPEC[:80]
    api.script = [message(cut, stop_reason="max_tokens"), message(cut, stop_reason="max_tokens")]
    out = tmp_path / "d.sedl"

    done = cli(["notes", "--out", str(out), "--max-rounds", "2", "--base-url", api.url],
               clean_env(ANTHROPIC_API_KEY="k"))

    assert done.code == 1 and not out.exists()
    assert "cut off at the output limit" in api.last_user_turn(1)
    assert (tmp_path / "d.sedl.draft").read_text() == cut     # no block at all: the raw reply is kept


def test_replies_without_text_are_sent_back_as_a_placeholder(api, cli, tmp_path):
    empty, tool_only = message(""), message("")
    empty["body"]["content"] = []
    tool_only["body"]["content"] = [{"type": "tool_use", "id": "t1", "name": "write", "input": {}}]
    thinking = message(fenced(GOOD_SPEC))
    thinking["body"]["content"].insert(0, {"type": "thinking", "thinking": "hmm", "signature": "s"})
    api.script = [empty, tool_only, thinking]
    out = tmp_path / "d.sedl"

    done = cli(["notes", "--out", str(out), "--base-url", api.url], clean_env(ANTHROPIC_API_KEY="k"))

    assert done.code == 0, done.stderr
    assert out.read_text() == GOOD_SPEC
    sent = api.requests[2]["body"]["messages"]
    assert [m["content"] for m in sent if m["role"] == "assistant"] == ["(empty reply)", "(empty reply)"]


def test_a_crlf_reply_is_read(api, cli, tmp_path):
    api.script = [message(fenced(GOOD_SPEC).replace("\n", "\r\n"))]
    out = tmp_path / "d.sedl"

    done = cli(["notes", "--out", str(out), "--base-url", api.url], clean_env(ANTHROPIC_API_KEY="k"))

    assert done.code == 0, done.stderr
    assert out.read_text() == GOOD_SPEC


def test_the_transcript_holds_every_request_as_sent_and_the_error_that_ended_it(api, cli, tmp_path):
    api.script = [message(fenced(BROKEN_SPEC)), message("no block"),
                  api_error(400, "invalid_request_error", "too long")]
    log = tmp_path / "run.jsonl"

    done = cli(["notes", "--out", str(tmp_path / "d.sedl"), "--transcript", str(log), "--base-url", api.url],
               clean_env(ANTHROPIC_API_KEY="k"))

    assert done.code == 3
    records = [json.loads(line) for line in log.read_text().splitlines()]
    assert [r["type"] for r in records] == ["request", "reply", "check"] * 2 + ["request", "error", "outcome"]
    assert [r["params"] for r in records if r["type"] == "request"] == [r["body"] for r in api.requests]
    assert [r["round"] for r in records if "round" in r] == [1, 1, 1, 2, 2, 2, 3, 3]
    assert records[-1] == {**records[-1], "ok": False, "rounds": 3, "error": records[-2]["message"]}
    assert (tmp_path / "d.sedl.draft").read_text() == BROKEN_SPEC    # the last draft, not the blockless reply


def test_a_draft_that_cannot_be_saved_does_not_hide_the_outcome(api, cli, tmp_path):
    api.script = [message(fenced(BROKEN_SPEC))]
    (tmp_path / "d.sedl.draft").mkdir()

    done = cli(["notes", "--out", str(tmp_path / "d.sedl"), "--max-rounds", "1", "--base-url", api.url],
               clean_env(ANTHROPIC_API_KEY="k"))

    assert done.code == 1
    assert "no clean spec after 1 round" in done.stderr and "could not be saved" in done.stderr


def test_bad_flags_exit_2_with_a_plain_message(capsys):
    from scaleenv_dsl.cli import main

    with pytest.raises(SystemExit) as exit_:
        main(["author", "notes", "--out", "d.sedl", "--max-rounds", "many"])

    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "--max-rounds: must be a whole number, not 'many'" in err and "_positive_int" not in err


def test_the_summary_counts_cached_prompt_tokens_as_input(api, cli, tmp_path):
    reply = message(fenced(GOOD_SPEC), input_tokens=100, output_tokens=50)
    reply["body"]["usage"].update(cache_creation_input_tokens=9000, cache_read_input_tokens=0)
    api.script = [reply]

    done = cli(["notes", "--out", str(tmp_path / "d.sedl"), "--base-url", api.url], clean_env(ANTHROPIC_API_KEY="k"))

    assert done.code == 0, done.stderr
    assert "9100 input (0 read from the cache, 9000 written to it) and 50 output tokens" in done.stdout
