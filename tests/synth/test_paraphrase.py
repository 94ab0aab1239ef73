"""`scaleenv synth --paraphrase` against a local Messages API server on 127.0.0.1: a rewrite is
kept only when every known fact survives verbatim; otherwise the template stays and is counted."""

from __future__ import annotations

import json
import re
import subprocess
import sys

from author_fakes import REPO, api_error, clean_env, message

from scaleenv_dsl.synth.paraphrase import fact_texts


def _synth(tmp_path, *extra: str, env: dict):
    out = tmp_path / "tasks.json"
    done = subprocess.run([sys.executable, "-m", "scaleenv_dsl", "synth", "retail", "--n", "14", "--seed", "7",
                           "--out", str(out), *extra], cwd=REPO, capture_output=True, text=True, env=env, timeout=120)
    return done, (json.loads(out.read_text()) if out.exists() else None)


def _original(body: dict) -> str:
    return re.search(r"<instructions>\n(.*)\n</instructions>", body["messages"][-1]["content"], re.S).group(1)


def _reply(body: dict) -> dict:
    """Rewords by a greeting; a cancellation loses its facts; an address change is refused by the API."""
    text = _original(body)
    if "cancel" in text:
        return message("You want to cancel an order. Tell the agent who you are.")
    if "address" in text.split("\n")[1]:
        return api_error(400, "invalid_request_error", "refused by the test")
    return message("Hello! Here is what you want.\n" + text.replace("Reason for call:", "Why you call:"))


def test_rewrites_keep_every_fact_or_the_template_stays(tmp_path, api):
    api.respond = _reply
    plain, template = _synth(tmp_path, env=clean_env())
    assert plain.returncode == 0, plain.stderr
    done, document = _synth(tmp_path, "--paraphrase", "--base-url", api.url, "--model", "claude-test",
                            env=clean_env(ANTHROPIC_API_KEY="test-key"))
    assert done.returncode == 0, done.stderr
    assert len(api.requests) == 14
    assert all(r["body"]["model"] == "claude-test" for r in api.requests)
    counts = {"facts lost": 0, "api error": 0}
    for before, task in zip(template["tasks"], document["tasks"]):
        reason = before["instruction"].split("\n")[1]
        if "cancel" in before["instruction"]:
            counts["facts lost"] += 1
        elif "address" in reason:
            counts["api error"] += 1
        else:
            assert task["paraphrased"] is True
            assert task["instruction"].startswith("Hello! Here is what you want.\nWhy you call:")
            for fact in fact_texts(task["knows"]):
                assert fact in task["instruction"]
            continue
        assert task["paraphrased"] is False
        assert task["instruction"] == before["instruction"]
    assert counts["facts lost"] and counts["api error"]   # the seed covers both ways of keeping the template
    summary = document["summary"]["paraphrase"]
    assert summary == {"model": "claude-test", "rewritten": 14 - sum(counts.values()), "kept_template": counts}
    assert "refused by the test" in done.stderr
    # every request named the facts that must survive
    for request in api.requests:
        assert "must appear exactly as written" in request["body"]["messages"][-1]["content"]


def test_without_an_api_key_it_is_a_usage_error(tmp_path):
    done, document = _synth(tmp_path, "--paraphrase", env=clean_env())
    assert done.returncode == 2
    assert "--paraphrase: no API key" in done.stderr
    assert document is None and "Traceback" not in done.stderr


def test_a_base_url_that_is_not_http_is_a_usage_error(tmp_path):
    done, _ = _synth(tmp_path, "--paraphrase", "--base-url", "ftp://127.0.0.1", env=clean_env(ANTHROPIC_API_KEY="k"))
    assert done.returncode == 2
    assert "--base-url must start with http" in done.stderr
