"""scripts/tau2_crosscheck.py without tau2: our side of the run on a real export, and the comparison.

tau2's side needs a tau2-bench checkout and Python 3.12, which the tests do not have (docs/synth.md
records the last run). What can be checked here: every exported witness replays on our side with
its overlay, our outputs hold every answer, and the comparison reports each kind of difference.
"""
from __future__ import annotations

import copy
import importlib.util
import json
from pathlib import Path

import pytest

from scaleenv_dsl import load_domain
from scaleenv_dsl.synth.emit_tau2 import render
from scaleenv_dsl.synth.run import SynthOptions, synthesize

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "tau2_crosscheck.py"


@pytest.fixture(scope="module")
def crosscheck():
    spec = importlib.util.spec_from_file_location("tau2_crosscheck", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def export():
    document = synthesize(load_domain("retail"), SynthOptions(n=40, seed=1))
    return json.loads(render(document))


def test_every_exported_witness_replays_on_our_side_with_its_overlay(crosscheck, export):
    start, ours = crosscheck.our_side(export)
    assert start["orders"] and start["users"]
    assert any(crosscheck.agent_data(task) for task in export)   # overlays are exercised
    for task, mine in zip(export, ours):
        assert all(outcome is True for outcome in mine["outcomes"]), (task["id"], mine["outcomes"])
        assert mine["changed"], task["id"]
        for key in (crosscheck.agent_data(task) or {}).get("orders", {}):
            assert key in mine["changed"]["orders"]   # a synthesized row counts as changed, as on tau2's side


def test_our_outputs_hold_every_answer(crosscheck, export):
    _, ours = crosscheck.our_side(export)
    asked = [task for task in export if task["evaluation_criteria"]["communicate_info"]]
    assert asked
    for task, mine in zip(export, ours):
        assert crosscheck.unanswered(task, mine["outputs"]) == [], task["id"]


def _agreeing_pair():
    task = {"evaluation_criteria": {"actions": [{}, {}], "communicate_info": ["shipped"]}}
    mine = {"id": "t", "outcomes": [True, True], "outputs": [{"status": "shipped"}, "ok"],
            "changed": {"orders": {"#W1": {"status": "shipped"}}}}
    tau2 = {**copy.deepcopy(mine), "invalid": None}
    return task, mine, tau2


def test_an_agreeing_pair_has_no_disagreement(crosscheck):
    assert crosscheck.disagreement(*_agreeing_pair()) is None


@pytest.mark.parametrize("difference, field", [
    (lambda tau2: tau2.update(invalid="1 validation error for Task"), "invalid_in_tau2"),
    (lambda tau2: tau2["outcomes"].__setitem__(1, "ValueError: nope"), "steps"),
    (lambda tau2: tau2["outputs"].__setitem__(0, {"status": "pending"}), "outputs"),
    (lambda tau2: tau2["changed"]["orders"].__setitem__("#W1", {"status": "pending"}), "rows"),
])
def test_each_kind_of_difference_is_reported(crosscheck, difference, field):
    task, mine, tau2 = _agreeing_pair()
    difference(tau2)
    found = crosscheck.disagreement(task, mine, tau2)
    assert found is not None and found[field]


def test_an_answer_missing_from_tau2s_outputs_is_reported(crosscheck):
    task, mine, tau2 = _agreeing_pair()
    task["evaluation_criteria"]["communicate_info"] = ["cancelled"]
    assert crosscheck.disagreement(task, mine, tau2)["answers_not_in_tau2_outputs"] == ["cancelled"]
