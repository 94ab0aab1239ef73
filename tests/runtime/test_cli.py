"""`scaleenv compile` and `scaleenv replay`, called through their run_* functions."""

from __future__ import annotations

import argparse
import json

import pytest

from conftest import SPECS
from scaleenv_dsl import ir
from scaleenv_dsl.compile_cmd import add_compile_parser, add_replay_parser, run_compile, run_replay


@pytest.fixture(scope="module")
def parser():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers()
    add_compile_parser(sub)
    add_replay_parser(sub)
    return p


def test_compile_writes_every_artifact(parser, tmp_path, capsys):
    assert run_compile(parser.parse_args(["compile", str(SPECS / "shop.sedl"), "-o", str(tmp_path)])) == 0
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["domain.ir.json", "graph.json", "graph.svg", "proctest_cases.json", "shop_env.py",
                     "test_shop_env_proctest.py", "tools.anthropic.json", "tools.mcp.json", "tools.openai.json"]
    domain = ir.Domain.model_validate_json((tmp_path / "domain.ir.json").read_text())
    assert domain.name == "shop"
    graph = json.loads((tmp_path / "graph.json").read_text())
    assert sorted(n["id"] for n in graph["nodes"]) == sorted(t.name for t in domain.tools)
    tools = json.loads((tmp_path / "tools.openai.json").read_text())
    assert tools[0]["type"] == "function"
    assert str(tmp_path / "shop_env.py") in capsys.readouterr().out


def test_compile_reports_spec_errors_with_exit_1(parser, tmp_path, capsys):
    bad = tmp_path / "bad.sedl"
    bad.write_text('domain bad {}\ntool t() -> int { return "x" }\n')
    assert run_compile(parser.parse_args(["compile", str(bad), "-o", str(tmp_path / "out")])) == 1
    err = capsys.readouterr().err
    assert "error[" in err and "bad.sedl:2" in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_compile_io_problems_exit_2(parser, tmp_path, capsys):
    assert run_compile(parser.parse_args(["compile", str(tmp_path / "none.sedl"), "-o", str(tmp_path)])) == 2
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert run_compile(parser.parse_args(["compile", str(SPECS / "shop.sedl"), "-o", str(blocker)])) == 2
    assert "Traceback" not in capsys.readouterr().err


def test_replay_fills_in_expectations(parser, tmp_path, capsys):
    cases = {"domain": "shop", "cases": [
        {"id": "a", "actions": [{"name": "pay", "arguments": {"order_id": "o1", "wallet_id": "w_card"}},
                                {"name": "pay", "arguments": {"order_id": "o1", "wallet_id": "w_card"}}]},
        {"id": "b", "initial": {"orders": {"o2": {"status": "open"}}},
         "actions": [{"name": "drop_order", "arguments": {"order_id": "o1"}}]},
    ]}
    (tmp_path / "cases.json").write_text(json.dumps(cases))
    args = ["replay", str(SPECS / "shop.sedl"), "--cases", str(tmp_path / "cases.json"), "--out", str(tmp_path / "out.json")]
    assert run_replay(parser.parse_args(args)) == 0
    out = json.loads((tmp_path / "out.json").read_text())
    first, second = out["cases"]
    assert first["expect"]["steps"][0]["ok"] is True
    assert first["expect"]["steps"][1] == {"ok": False, "error": "Order o1 is not open"}
    assert first["expect"]["changed"]["orders"]["o1"]["status"] == "paid"
    assert set(second["expect"]["changed"]["orders"]) == {"o2"}  # rows from `initial` count as changed
    assert second["expect"]["removed"] == {"orders": ["o1"]}
    assert second["initial"] == cases["cases"][1]["initial"]
    assert "replayed 2 cases, 3 actions (1 rejected)" in capsys.readouterr().out


PAY_TWICE = [{"name": "pay", "arguments": {"order_id": "o1", "wallet_id": "w_card"}}] * 2


def _replay_recorded(parser, tmp_path, cases: dict) -> int:
    (tmp_path / "cases.json").write_text(json.dumps(cases))
    args = ["replay", str(SPECS / "shop.sedl"), "--cases", str(tmp_path / "cases.json"), "--out", str(tmp_path / "out.json")]
    return run_replay(parser.parse_args(args))


def test_replay_of_cases_whose_expectations_hold_exits_0(parser, tmp_path, capsys):
    assert _replay_recorded(parser, tmp_path, {"cases": [{"id": "a", "actions": PAY_TWICE}]}) == 0
    recorded = json.loads((tmp_path / "out.json").read_text())
    # the replay's own record, replayed again, with a case that records nothing, which is only run
    recorded["cases"].append({"id": "b", "actions": PAY_TWICE})
    capsys.readouterr()
    assert _replay_recorded(parser, tmp_path, recorded) == 0
    assert "against the file's own expectations: final states 1/1, step outcomes 2/2" in capsys.readouterr().out


def test_replay_exits_1_on_a_mismatch_and_reports_it(parser, tmp_path, capsys):
    assert _replay_recorded(parser, tmp_path, {"cases": [{"id": "a", "actions": PAY_TWICE}]}) == 0
    recorded = json.loads((tmp_path / "out.json").read_text())
    recorded["cases"][0]["expect"]["steps"][1] = {"ok": True, "result": None}
    recorded["cases"][0]["expect"]["changed"]["orders"]["o1"]["status"] = "open"
    capsys.readouterr()
    assert _replay_recorded(parser, tmp_path, recorded) == 1
    out = capsys.readouterr().out
    assert "final states 0/1, step outcomes 1/2" in out
    assert "case a: step 1 (pay)" in out
    assert 'case a: changed orders/o1 differs in status\n    status: expected "open", actual "paid"' in out
    written = json.loads((tmp_path / "out.json").read_text())  # what happened is still recorded
    assert written["cases"][0]["expect"]["changed"]["orders"]["o1"]["status"] == "paid"


def test_replay_with_replacement_data(parser, tmp_path):
    (tmp_path / "cases.json").write_text(json.dumps(
        {"cases": [{"id": "1", "actions": [{"name": "get_order", "arguments": {"order_id": "o1"}}]}]}))
    (tmp_path / "db.json").write_text(json.dumps({"orders": {}, "customers": {}}))
    args = ["replay", str(SPECS / "shop.sedl"), "--cases", str(tmp_path / "cases.json"),
            "--out", str(tmp_path / "out.json"), "--db", str(tmp_path / "db.json")]
    assert run_replay(parser.parse_args(args)) == 0
    steps = json.loads((tmp_path / "out.json").read_text())["cases"][0]["expect"]["steps"]
    assert steps == [{"ok": False, "error": "Order not found"}]


@pytest.mark.parametrize("cases_text, db_text", [("{not json", None), ("missing", None)])
def test_replay_bad_inputs_exit_2(parser, tmp_path, capsys, cases_text, db_text):
    cases = tmp_path / "cases.json"
    if cases_text != "missing":
        cases.write_text(cases_text)
    args = ["replay", str(SPECS / "shop.sedl"), "--cases", str(cases), "--out", str(tmp_path / "out.json")]
    if db_text is not None:
        (tmp_path / "db.json").write_text(db_text)
        args += ["--db", str(tmp_path / "db.json")]
    assert run_replay(parser.parse_args(args)) == 2
    assert "Traceback" not in capsys.readouterr().err


GOOD_ACTION = {"name": "get_order", "arguments": {"order_id": "o1"}}


@pytest.mark.parametrize("cases, problem", [
    ({"cases": [{"id": "a", "actions": ["get_order"]}]},
     'cases[0].actions[0]: expected an object with "name" and "arguments", got a string'),
    ({"cases": [{"id": "a", "actions": 3}]}, "cases[0].actions: expected a list of actions, got an integer"),
    ({"cases": [{"id": "a", "actions": [GOOD_ACTION]}, 3]},
     'cases[1]: expected an object with "actions", got an integer'),
    ({"cases": 3}, "cases: expected a list of cases, got an integer"),
    ([], 'the file: expected an object with "cases", got a list'),
    ({"cases": [{"actions": [{"name": 7}]}]}, "cases[0].actions[0].name: expected a tool name (a string), got an integer"),
    ({"cases": [{"id": "a", "actions": [{"tool": "get_order", "arguments": {}}]}]},
     'cases[0].actions[0]: the tool is named by the key "name", not "tool"'),
    ({"cases": [{"actions": [{"name": "get_order", "arguments": [1]}]}]},
     "cases[0].actions[0].arguments: expected an object, got a list"),
    ({"cases": [{"actions": [], "initial": {"orders": []}}]},
     'cases[0].initial["orders"]: expected an object of rows by key, got a list'),
    ({"cases": [{"actions": [], "expect": {"steps": 3}}]},
     "cases[0].expect.steps: expected a list of outcomes, got an integer"),
    ({"cases": [{"actions": [], "expect": {"removed": {"orders": [1]}}}]},
     'cases[0].expect.removed["orders"]: expected a list of keys (strings), got a list holding an integer'),
    ({"cases": [{"id": "a", "actions": []}, {"id": "a", "actions": []}]},
     'cases[1].id: "a" is also the id of cases[0]'),
])
def test_a_malformed_cases_file_is_refused_with_the_path_of_the_problem(parser, tmp_path, capsys, cases, problem):
    (tmp_path / "cases.json").write_text(json.dumps(cases))
    args = ["replay", str(SPECS / "shop.sedl"), "--cases", str(tmp_path / "cases.json"), "--out", str(tmp_path / "o.json")]
    assert run_replay(parser.parse_args(args)) == 1
    assert capsys.readouterr().err == f"error: {tmp_path / 'cases.json'}: {problem}\n"
    assert not (tmp_path / "o.json").exists()  # the file is checked whole before anything runs


def test_every_problem_of_a_cases_file_is_reported_at_once(parser, tmp_path, capsys):
    cases = {"cases": [{"actions": [GOOD_ACTION, "x", {"name": "get_order", "arguments": 2}]}, 5, {"actions": {}}]}
    (tmp_path / "cases.json").write_text(json.dumps(cases))
    args = ["replay", str(SPECS / "shop.sedl"), "--cases", str(tmp_path / "cases.json"), "--out", str(tmp_path / "o.json")]
    assert run_replay(parser.parse_args(args)) == 1
    paths = [line.split(": ")[2] for line in capsys.readouterr().err.splitlines()]
    assert paths == ["cases[0].actions[1]", "cases[0].actions[2].arguments", "cases[1]", "cases[2].actions"]


def test_replay_of_an_unknown_domain_exits_2(parser, tmp_path, capsys):
    args = ["replay", "no_such_domain", "--cases", str(tmp_path / "c.json"), "--out", str(tmp_path / "o.json")]
    assert run_replay(parser.parse_args(args)) == 2
    assert capsys.readouterr().err.startswith("error: ")


def test_the_scaleenv_command_runs_compile(tmp_path):
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "scaleenv_dsl", "compile", str(SPECS / "shop.sedl"),
                           "-o", str(tmp_path)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "shop_env.py").exists()
