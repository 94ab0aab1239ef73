"""The pure parts of the loop, and the Python API against the local Messages API."""

from __future__ import annotations

import anthropic

from author_fakes import BROKEN_SPEC, GOOD_SPEC, fenced, message
from scaleenv_dsl.author import author_domain, author_many, decide, extract_spec, review_draft
from scaleenv_dsl.author.prompt import OUTPUT_RULES, example_domains, first_turn, language_reference, system_prompt


def conversation(reply: str) -> list[dict]:
    return [{"role": "user", "content": "write it"}, {"role": "assistant", "content": reply}]


def review(draft: str):
    return review_draft(draft, "domain.sedl")


def test_extract_prefers_the_sedl_block_and_the_longest():
    reply = ("```python\nprint('no')\n```\nfirst a piece:\n```sedl\ndomain x {}\n```\nthen all:\n"
             f"```sedl\n{GOOD_SPEC}```\n```\nuntagged\n```\n")
    assert extract_spec(reply) == GOOD_SPEC


def test_extract_falls_back_to_an_untagged_block_and_ignores_other_languages():
    assert extract_spec(f"````\n{GOOD_SPEC}````") == GOOD_SPEC
    assert extract_spec("```json\n{}\n```") is None
    assert extract_spec("```sedl\ndomain x {\n") is None     # cut off before the closing fence


def test_decide_done_when_clean():
    decision = decide(conversation(fenced(GOOD_SPEC)), review)
    assert decision.done and decision.draft == GOOD_SPEC and decision.review.ok


def test_decide_feeds_back_errors_in_both_forms():
    decision = decide(conversation(fenced(BROKEN_SPEC)), review)
    assert not decision.done and decision.draft == BROKEN_SPEC
    assert "error[unclosed-brace]" in decision.feedback and '"code": "unclosed-brace"' in decision.feedback
    assert "whole corrected spec" in decision.feedback


def test_decide_missing_block_mentions_truncation_only_when_cut_off():
    assert "cut off" not in decide(conversation("no code here"), review).feedback
    assert "cut off" in decide(conversation("```sedl\ndomain x {"), review, truncated=True).feedback


def test_include_is_refused_so_no_local_file_reaches_the_model(tmp_path):
    secret = tmp_path / "secret.sedl"
    secret.write_text("SECRET-TOKEN-123")
    spec = f'include "{secret}"\n{GOOD_SPEC}'
    decision = decide(conversation(fenced(spec)), review)
    assert [d.code for d in decision.review.diagnostics] == ["include-unavailable"]
    assert "SECRET-TOKEN-123" not in decision.feedback


def test_prompt_carries_reference_examples_description_and_rules():
    examples = example_domains()
    assert len(examples) <= 2 and sum(len(text.encode()) for _, text in examples) <= 40_000
    assert all('include "' not in text for _, text in examples)   # the model is told not to use include
    system = system_prompt(language_reference(), examples)
    assert language_reference() in system and OUTPUT_RULES in system
    assert "a bookshop" in first_turn("a bookshop") and "```sedl" in first_turn("a bookshop")


def test_author_domain_returns_the_conversation_and_usage(api):
    api.script = [message(fenced(BROKEN_SPEC), input_tokens=10, output_tokens=5),
                  message(fenced(GOOD_SPEC), input_tokens=20, output_tokens=6)]
    client = anthropic.Anthropic(api_key="k", base_url=api.url, max_retries=0)

    result = author_domain("notes", client=client, model="m")

    assert result.ok and result.spec == GOOD_SPEC and result.rounds == 2 and result.error is None
    assert (result.usage.input_tokens, result.usage.output_tokens) == (30, 11)
    assert [m["role"] for m in result.messages] == ["user", "assistant", "user", "assistant"]


def test_author_many_keeps_input_order_and_reports_api_errors(api, tmp_path):
    api.script = [message(fenced(GOOD_SPEC)), message(fenced(GOOD_SPEC))]
    client = anthropic.Anthropic(api_key="k", base_url=api.url, max_retries=0)

    results = author_many(["alpha notes", "beta notes", "gamma notes"], client=client, max_workers=3,
                          transcript_dir=tmp_path)

    assert [r.messages[0]["content"].count(name) for r, name in zip(results, ["alpha", "beta", "gamma"])] == [1, 1, 1]
    assert sorted(r.ok for r in results) == [False, True, True]   # the script has two replies for three jobs
    failed = next(r for r in results if not r.ok)
    assert "400" in failed.error and "invalid_request_error" in failed.error
    assert sorted(p.name for p in tmp_path.iterdir()) == ["00000.jsonl", "00001.jsonl", "00002.jsonl"]


def test_later_stages_run_after_a_clean_check_and_their_errors_block():
    from scaleenv_dsl.author import StageHook

    missing = StageHook("compiler", "scaleenv_dsl.no_such_stage", "compile_domain")
    crashing = StageHook("procedure tests", "author_fakes", "crash")
    linter = StageHook("linter", "author_fakes", "lint_every_tool")

    assert review_draft(GOOD_SPEC, "domain.sedl", stages=(missing,)).ok
    crashed = review_draft(GOOD_SPEC, "domain.sedl", stages=(crashing,))
    assert crashed.ok and [d.code for d in crashed.diagnostics] == ["stage-crashed"]
    linted = review_draft(GOOD_SPEC, "domain.sedl", stages=(missing, crashing, linter))
    assert not linted.ok and linted.stage == "linter" and linted.diagnostics[0].code == "invalid-example"
    assert "The linter found 1 error" in decide(conversation(fenced(GOOD_SPEC)), lambda d: linted).feedback
    assert review_draft(BROKEN_SPEC, "domain.sedl", stages=(linter,)).stage == "checker"


def test_extract_reads_crlf_and_lone_cr_line_ends():
    assert extract_spec(fenced(GOOD_SPEC).replace("\n", "\r\n")) == GOOD_SPEC
    assert extract_spec(fenced(GOOD_SPEC).replace("\n", "\r")) == GOOD_SPEC


def test_extract_does_not_take_a_closing_fence_for_an_opening():
    # The json block's closing fence used to open an "untagged block" that swallowed the real one.
    reply = f"The data:\n```json\n{{}}\n```\nThe spec:\n```\n{GOOD_SPEC}```\n"
    assert extract_spec(reply) == GOOD_SPEC


def test_extract_honours_fence_lengths_and_info_strings():
    nested = f"````sedl\n{GOOD_SPEC}```\nnot the end\n```\n````\n"
    assert extract_spec(nested) == GOOD_SPEC + "```\nnot the end\n```\n"
    assert extract_spec(f"```sedl\n{GOOD_SPEC}`````\n") == GOOD_SPEC          # a longer closing fence
    assert extract_spec(f"```SEDL notes.sedl\n{GOOD_SPEC}```\n") == GOOD_SPEC  # the tag is the first word
    assert extract_spec(f"```sedl\n{GOOD_SPEC}```sedl\n") is None             # a fence line with a tag never closes


def test_extract_takes_linear_time_on_a_hostile_reply():
    import time

    started = time.perf_counter()
    assert extract_spec("```sedl\n" * 100_000) is None
    assert extract_spec("```" + " " * 1_000_000 + "`") is None
    assert time.perf_counter() - started < 2
