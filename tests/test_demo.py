"""`scaleenv demo`: the README's first command. Its headline is the conformance figure, and it can fail.

The demo's determinism check compares the runtime with itself, so a runtime that
writes wrong values still passes it; only the comparison with tau2-bench's
recorded outcomes catches that. The tests below show both.
"""

import subprocess
import sys

import pytest

from scaleenv_dsl.api import CompiledDomain, load_domain
from scaleenv_dsl.codegen import module_from_source
from scaleenv_dsl.demo import conformance_headline, determinism_check, read_reference, report_conformance
from scaleenv_dsl.replay import conformance
from scaleenv_dsl.resources import conformance_cases

HEADLINE = ("conformance with tau2-bench's recorded outcomes: 114/114 final states, 550/550 steps "
            "(results and error texts included)")

# Every field assignment in generated code goes through `_set`; this one writes a wrong value of the right type.
SET_BINDING = "_set = _rt.set_key\n"
CORRUPTED_SET = '''def _set(journal, container, key, value):
    if type(value) is str:
        value = value + " (corrupted)"
    elif type(value) in (int, float):
        value = value + 1
    _rt.set_key(journal, container, key, value)
'''


def test_demo_runs_the_whole_pipeline(tmp_path):
    run = subprocess.run([sys.executable, "-m", "scaleenv_dsl", "demo", "--out", str(tmp_path)],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    out = run.stdout
    assert "retail     3 entities, 16 tools" in out
    assert f"   {HEADLINE}\n" in out
    assert "Determinism and reset isolation" in out
    assert "gold actions after a reset reach the state of their cached replay (reward 1): 114/114" in out
    assert "doing nothing earns 0: 103/103" in out
    assert "reference: tau2-bench's own code takes 21-30 s" in out and "benchmarks/README.md" in out
    assert "Non-pending order cannot be cancelled" in out
    assert {p.name for p in (tmp_path / "retail").iterdir()} >= {"retail_env.py", "tools.mcp.json", "graph.json"}
    assert "Traceback" not in run.stderr


@pytest.mark.parametrize("text, problem", [(None, "No such file"), ("{", "is not valid JSON"),
                                           ('{"cases": {}}', 'expected {"cases": [...]}')])
def test_an_unusable_reference_file_is_named_in_a_plain_error(tmp_path, text, problem):
    path = tmp_path / "cases.json"
    if text is not None:
        path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError) as info:
        read_reference(path)
    assert str(path) in str(info.value) and problem in str(info.value)


@pytest.fixture(scope="module")
def reference():
    return read_reference(conformance_cases("retail"))


@pytest.fixture(scope="module")
def corrupted_retail():
    retail = load_domain("retail")
    assert retail.source.count(SET_BINDING) == 1
    source = retail.source.replace(SET_BINDING, CORRUPTED_SET)
    return CompiledDomain(retail.ir, module_from_source(retail.name, source, "corrupted-set-key"))


def test_the_corruption_changes_what_tools_write(corrupted_retail):
    env = corrupted_retail.env()
    result = env.call("cancel_pending_order", {"order_id": "#W5918442", "reason": "ordered by mistake"})
    assert env.changes()["changed"]["orders"]["#W5918442"]["status"] == "cancelled (corrupted)", result


def test_a_corrupted_runtime_passes_the_determinism_check(corrupted_retail):
    report = determinism_check(corrupted_retail)
    assert report.ok
    assert (report.reproduced, report.idle_zero, report.changing) == (114, 103, 103)


def test_a_corrupted_runtime_fails_conformance(corrupted_retail, reference, capsys):
    report = conformance(corrupted_retail, reference)
    assert not report.ok
    # the corruption spares objects, so the cases that only change an address still conform
    mismatched = {m.case for m in report.mismatches}
    assert mismatched == _cases_changing_an_order_status(reference, corrupted_retail.initial_data())
    assert 0 < report.steps_matching < report.steps      # rows returned after a write differ too
    assert conformance_headline(report) != HEADLINE

    assert report_conformance(corrupted_retail, reference) is False
    out = capsys.readouterr().out
    assert f"{report.cases_matching}/114 final states, {report.steps_matching}/550 steps" in out
    first = report.mismatches[0]
    assert f"case {first.case}: {first.where}" in out
    assert "expected" in out and "(corrupted)" in out
    assert f"... and {len(report.mismatches) - 5} more mismatches" in out


def test_the_real_runtime_conforms(reference, capsys):
    assert report_conformance(load_domain("retail"), reference) is True
    assert HEADLINE in capsys.readouterr().out


def _cases_changing_an_order_status(reference: dict, data: dict) -> set[str]:
    return {case["id"] for case in reference["cases"]
            if any(row["status"] != data["orders"][key]["status"]
                   for key, row in case["expect"]["changed"].get("orders", {}).items())}

