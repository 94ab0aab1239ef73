"""The bar: the retail port replays tau2-bench's own recorded behaviour exactly.

Every case in tau2_retail/cases.json (tau2-bench's 114 retail tasks' gold
actions, run through tau2's Python code) is replayed on stdlib_domains/retail
and compared under the conformance README's rules: every step's result or
error text, and every case's final state (changed rows and removed keys).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scaleenv_dsl.api import load_domain
from scaleenv_dsl.replay import compare_cases, replay_cases

CASES = Path(__file__).parent / "tau2_retail" / "cases.json"


@pytest.fixture(scope="module")
def report():
    expected = json.loads(CASES.read_text(encoding="utf-8"))
    replayed = replay_cases(load_domain("retail"), expected)
    return compare_cases(expected, replayed)


def test_every_step_outcome_matches(report):
    assert report.steps == 550
    assert report.steps_matching == report.steps, report.render()


def test_every_final_state_matches(report):
    assert report.cases == 114
    assert report.cases_matching == report.cases, report.render()


def test_the_comparison_would_notice_a_difference():
    expected = json.loads(CASES.read_text(encoding="utf-8"))
    tampered = json.loads(json.dumps(expected))
    case = tampered["cases"][0]
    case["expect"]["steps"][0]["result"] = "someone_else"
    row = next(iter(case["expect"]["changed"]["orders"].values()))
    row["status"] = "lost"
    case["expect"]["removed"] = {"orders": ["#W0000000"]}
    report = compare_cases(expected, tampered)
    assert (report.cases_matching, report.steps_matching) == (113, 549)
    assert "case " + str(case["id"]) in report.render()


def test_every_retail_task_rewards_its_gold_actions():
    domain = load_domain("retail")
    env = domain.env()
    for task in domain.tasks:
        env.reset(task)
        for action in task.actions:
            env.call(action.tool, action.arguments)
        result = env.reward(task)
        assert result.reward == 1.0, (task.name, result.differences[:3])
