"""`scaleenv test` and `scaleenv info` as a user runs them, and the tests `scaleenv compile` writes."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from proctest_support import spec

from scaleenv_dsl.cli import main

FAST = ["--walks", "4", "--budget", "120"]


def test_a_clean_domain_exits_0_and_reports_every_guard(capsys):
    assert main(["test", str(spec("notes")), *FAST]) == 0
    out = capsys.readouterr().out
    assert "notes: 10 guards in 3 tools" in out and "10 both outcomes" in out and "no failures" in out


def test_a_failure_exits_1_and_writes_a_cases_file_replay_runs(tmp_path, capsys):
    failures = tmp_path / "failures.json"
    assert main(["test", str(spec("ensures_bug")), *FAST, "--failures", str(failures)]) == 1
    assert "FAILED postcondition" in capsys.readouterr().out
    [case] = json.loads(failures.read_text())["cases"]
    assert case["problem"].startswith("postcondition:") and len(case["actions"]) == 1
    replayed = tmp_path / "replayed.json"
    assert main(["replay", str(spec("ensures_bug")), "--cases", str(failures), "--out", str(replayed)]) == 0
    [step] = json.loads(replayed.read_text())["cases"][0]["expect"]["steps"]
    assert not step["ok"] and "postcondition failed" in step["error"]  # the failure, reproduced by replay


def test_the_json_report_and_the_cases_file(tmp_path, capsys):
    cases = tmp_path / "cases.json"
    assert main(["test", str(spec("notes")), *FAST, "--format", "json", "--cases", str(cases)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] and report["summary"]["guards"] == 10 and report["mutants"] is None
    assert {g["outcome"] for g in report["guards"]} == {"both outcomes"}
    written = json.loads(cases.read_text())["cases"]
    assert len(written) == report["summary"]["cases"] and all("expect" in c for c in written)


def test_mutants_are_scored_on_request(capsys):
    assert main(["test", str(spec("notes")), *FAST, "--mutants", "--format", "json"]) == 0
    mutants = json.loads(capsys.readouterr().out)["mutants"]
    assert mutants["mutants"] >= 8
    assert mutants["killed"] + mutants["survived"] + mutants["invalid"] == mutants["mutants"]
    assert mutants["score"] == mutants["killed"] / (mutants["killed"] + mutants["survived"])


def test_usage_and_io_problems_exit_2(tmp_path, capsys):
    assert main(["test", str(tmp_path / "missing.sedl")]) == 2
    blocked = tmp_path / "file"
    blocked.write_text("")
    assert main(["test", str(spec("notes")), *FAST, "--cases", str(blocked / "cases.json")]) == 2
    done = subprocess.run([sys.executable, "-m", "scaleenv_dsl", "test", "library", "--walks", "-1"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "Traceback" not in done.stderr


def test_a_spec_with_errors_exits_1(tmp_path, capsys):
    bad = tmp_path / "bad.sedl"
    bad.write_text('domain bad {}\ntool t() -> int { return "x" }\n')
    assert main(["test", str(bad)]) == 1
    assert "error" in capsys.readouterr().err


def test_compile_writes_procedural_tests_that_pass_and_catch_a_changed_module(tmp_path):
    out = tmp_path / "out"
    assert main(["compile", str(spec("notes")), "-o", str(out)]) == 0
    [test_file] = out.glob("test_*_proctest.py")
    pytest = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(test_file)]
    passed = subprocess.run(pytest, capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert passed.returncode == 0, passed.stdout[-2000:]
    module = out / "notes_env.py"
    module.write_text(module.read_text().replace("if not (len(v_label) > 0):", "if not (len(v_label) > 1):"))
    failed = subprocess.run(pytest, capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert failed.returncode == 1 and "tag" in failed.stdout


def test_info_json_lists_tools_with_name_writes_and_params(capsys):
    assert main(["info", "library", "--format", "json"]) == 0
    info = json.loads(capsys.readouterr().out)
    tools = {t["name"]: t for t in info["tools"]}
    assert tools["renew_loan"]["writes"] == ["Loan"] and tools["get_member_details"]["writes"] == []
    assert tools["pay_fine"]["params"][0] == {"name": "member_id", "type": "ref Member", "optional": False,
                                              "source": "keys", "entity": "Member"}
    assert {e["name"]: e["rows"] for e in info["entities"]} == {"Member": 3, "Book": 4, "Loan": 4, "Hold": 1}
    assert [g["id"] for g in tools["renew_loan"]["guards"]][:2] == ["renew_loan#1", "renew_loan#2"]
    graph = info["graph"]
    assert graph["nodes"] == 13 and graph["edges"] == sum(graph["edges_by_kind"].values())
    assert (graph["data_edges"], graph["state_edges"]) == (graph["edges_by_kind"]["data"],
                                                          graph["edges_by_kind"]["state"])
    assert len(info["tasks"]) == 6


def test_info_text_and_its_exit_codes(tmp_path, capsys):
    assert main(["info", "retail"]) == 0
    out = capsys.readouterr().out
    assert "Order in orders, key order_id: 1000 rows" in out and "tools (16, 7 write, inferred):" in out
    assert "  cancel_pending_order(order_id: ref Order, reason: str) -> Order" in out
    assert main(["info", str(tmp_path / "none.sedl")]) == 2
    bad = tmp_path / "bad.sedl"
    bad.write_text('domain bad {}\ntool t() -> int { return "x" }\n')
    assert main(["info", str(bad)]) == 1


def test_a_domain_without_tools_has_nothing_to_test_and_no_failure(tmp_path, capsys):
    empty = tmp_path / "empty.sedl"
    empty.write_text('domain empty {\n  description "Nothing to call."\n}\n\nentity Thing in things key thing_id '
                     'else "Thing not found" {\n  "A thing."\n  thing_id: str "The id."\n}\n')
    failures = tmp_path / "failures.json"
    assert main(["test", str(empty), "--failures", str(failures)]) == 0
    assert "empty: 0 guards in 0 tools, 0 procedural tests" in capsys.readouterr().out
    assert json.loads(failures.read_text())["cases"] == []


def test_the_tests_do_not_depend_on_the_hash_seed(tmp_path):
    written = []
    for hash_seed in ("1", "2"):
        cases = tmp_path / f"cases_{hash_seed}.json"
        done = subprocess.run([sys.executable, "-m", "scaleenv_dsl", "test", "library", *FAST,
                               "--cases", str(cases)], capture_output=True, text=True, timeout=300,
                              env={**os.environ, "PYTHONHASHSEED": hash_seed})
        assert done.returncode == 0, done.stderr
        written.append(cases.read_text())
    assert written[0] == written[1]
