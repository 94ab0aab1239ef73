"""The bar: the retail port replays tau2-bench's own recorded behaviour exactly.

Every case in stdlib_domains/retail/conformance/cases.json (tau2-bench's 114
retail tasks' gold actions, run through tau2's Python code) is replayed on
stdlib_domains/retail and compared under the rules of that folder's README:
every step's result or error text, and every case's final state (changed rows
and removed keys). `scaleenv demo` prints the same comparison as its headline.
"""

from __future__ import annotations

import json

import pytest

from scaleenv_dsl.api import load_domain
from scaleenv_dsl.replay import compare_cases, conformance
from scaleenv_dsl.resources import conformance_cases

CASES = conformance_cases("retail")


@pytest.fixture(scope="module")
def report():
    return conformance(load_domain("retail"), json.loads(CASES.read_text(encoding="utf-8")))


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
    rendered = report.render()
    assert "case " + str(case["id"]) in rendered
    assert 'differs in status\n    status: expected "' in rendered and ', actual "lost"' in rendered


def test_every_retail_task_rewards_its_gold_actions():
    domain = load_domain("retail")
    env = domain.env()
    for task in domain.tasks:
        env.reset(task)
        for action in task.actions:
            env.call(action.tool, action.arguments)
        result = env.reward(task)
        assert result.reward == 1.0, (task.name, result.differences[:3])
