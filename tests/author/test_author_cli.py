"""`scaleenv author` end to end: the real anthropic SDK against a local Messages API."""

from __future__ import annotations

import json

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
