"""`scaleenv prove`: text and JSON, task selection, a tasks file, and the exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scaleenv_dsl.cli import main

HELPDESK = Path(__file__).parent / "specs" / "helpdesk.sedl"

TASK_KEYS = {"task", "status", "checks", "witness", "inserted_reads", "reason", "time_ms"}


def run(capsys, *args):
    code = main(["prove", *args])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def test_a_domain_whose_tasks_all_prove_exits_0_with_one_line_each(capsys):
    code, out, _ = run(capsys, "library")
    lines = out.strip().split("\n")
    assert code == 0 and len(lines) == 7
    assert lines[0].startswith("proved      borrow_available_book")
    assert lines[-1].startswith("library: 6 tasks: 6 proved, 0 trivial, 0 unsolvable, 0 unknown")


def test_failures_exit_1_with_rustc_style_detail(capsys):
    code, out, _ = run(capsys, str(HELPDESK), "--task", "renote_closed_ticket", "--task", "close_known_ticket")
    assert code == 1
    assert out.split("\n")[0].startswith("unsolvable  renote_closed_ticket  no relaxed solution: goal 1")
    assert "error[no-relaxed-solution]: task `renote_closed_ticket` is unsolvable" in out
    assert "--> tests/prove/specs/helpdesk.sedl:" in out or "helpdesk.sedl:" in out
    assert '|   goal tickets["t2"].note == "again"' in out
    assert '= note: `tickets["t2"].status == "open"` is false, and no tool sets `Ticket.status` to "open"' in out
    assert "\nproved      close_known_ticket" in out   # in the order given


def test_json_has_the_issues_shape(capsys):
    code, out, _ = run(capsys, str(HELPDESK), "--format", "json")
    report = json.loads(out)
    assert code == 1 and set(report) == {"domain", "tasks", "summary"} and report["domain"] == "helpdesk"
    assert all(set(t) == TASK_KEYS for t in report["tasks"])
    tasks = {t["task"]: t for t in report["tasks"]}
    assert report["summary"] == {"tasks": len(tasks), "proved": 8, "trivial": 1, "unsolvable": 3, "unknown": 1,
                                 "with_inserted_reads": 2, "time_ms": report["summary"]["time_ms"]}
    lookup = tasks["close_after_lookup"]
    assert lookup["checks"] == dict.fromkeys(["replays", "reaches_goal", "goal_false_at_start", "arguments_known",
                                              "no_wasted_step"], True)
    assert lookup["witness"][2] == {"tool": "close_ticket", "arguments": {"ticket_id": "t1", "note": "done"},
                                    "sources": {"ticket_id": "step 2: $.tickets[0]", "note": "knows note"}}
    assert lookup["inserted_reads"] == [
        {"step": 1, "tool": "find_customer", "arguments": {"email": "ann@example.com"}, "needed_by": "step 3"},
        {"step": 2, "tool": "get_customer", "arguments": {"customer_id": "c1"}, "needed_by": "step 3"}]
    assert lookup["reason"] is None
    assert tasks["other_customers_ticket"]["reason"]["code"] == "argument-unknown"
    assert tasks["other_customers_ticket"]["witness"][-1]["sources"]["ticket_id"] is None


def test_budget_flags_reach_the_search(capsys):
    code, out, _ = run(capsys, str(HELPDESK), "--task", "bump_to_top", "--max-depth", "2", "--format", "json")
    assert code == 1 and json.loads(out)["tasks"][0]["reason"]["code"] == "budget-exhausted"
    code, out, _ = run(capsys, str(HELPDESK), "--task", "bump_to_top", "--heuristic", "hmax")
    assert code == 0 and out.startswith("proved      bump_to_top  4 steps")


def test_out_writes_the_report_and_prints_the_summary(capsys, tmp_path):
    target = tmp_path / "proofs.json"
    code, out, _ = run(capsys, "library", "--format", "json", "--out", str(target))
    assert code == 0 and out.startswith("library: 6 tasks: 6 proved")
    assert json.loads(target.read_text())["summary"]["proved"] == 6


def test_a_tasks_file_is_checked_with_the_domain_and_alone_proved(capsys, tmp_path):
    extra = tmp_path / "more.sedl"
    extra.write_text('task close_t3 {\n  knows ticket_id = "t3"\n  knows note = "ok"\n'
                     '  action close_ticket(ticket_id="t3", note="ok")\n  reward state\n}\n')
    code, out, _ = run(capsys, str(HELPDESK), "--tasks", str(extra))
    assert code == 0 and out.split("\n")[0].startswith("proved      close_t3  1 step")
    assert "helpdesk: 1 task: 1 proved" in out
    extra.write_text('task broken {\n  action close_ticket(ticket_id=1)\n}\n')
    code, _, err = run(capsys, str(HELPDESK), "--tasks", str(extra))
    assert code == 1 and "error[" in err and "more.sedl:2" in err


@pytest.mark.parametrize("args, message", [
    (["no_such_domain"], "no stdlib domain 'no_such_domain'"),
    (["library", "--task", "renew_loan"], "there is no task 'renew_loan'"),
    (["library", "--task", "return_late_seniors"], "did you mean `return_late_senior`?"),
    (["library", "--tasks", "missing.sedl"], "missing.sedl: no such file"),
    (["library", "--out", "/no/such/folder/out.json"], "cannot write /no/such/folder/out.json"),
])
def test_usage_and_io_problems_exit_2(capsys, args, message):
    code, _, err = run(capsys, *args)
    assert code == 2 and message in err


def test_bad_flags_are_usage_errors(capsys):
    for args in (["library", "--max-depth", "0"], ["library", "--format", "yaml"], ["library", "--max-nodes", "x"]):
        with pytest.raises(SystemExit) as exited:
            main(["prove", *args])
        assert exited.value.code == 2
    assert "is not positive" in capsys.readouterr().err
