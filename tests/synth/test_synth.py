"""`scaleenv synth`: every emitted task proved again from its own JSON, deterministic output,
distinct chain+targets, and a summary that accounts for every candidate."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from scaleenv_dsl import ir, load_domain
from scaleenv_dsl.prove import Prover
from scaleenv_dsl.synth import SynthOptions, synthesize
from scaleenv_dsl.synth.describe import fact_name


@pytest.fixture(scope="module")
def retail():
    return load_domain("retail")


@pytest.fixture(scope="module")
def retail_tasks(retail):
    return synthesize(retail, SynthOptions(n=28, seed=3))


def test_every_task_is_proved_again_from_its_json(retail, retail_tasks):
    prover = Prover(retail)
    assert len(retail_tasks["tasks"]) == 28
    for task in retail_tasks["tasks"]:
        assert task["proof"]["status"] == "proved"
        actions = tuple(ir.ActionCall(tool=a["tool"], arguments=a["arguments"]) for a in task["actions"])
        again = prover.prove(ir.TaskDef(name=task["name"], knows=task["knows"], initial=task["initial"],
                                        actions=actions, reward=("state",)))
        assert again.status == "proved", (task["name"], again.reason)


def test_knows_are_root_facts_never_tool_outputs(retail_tasks):
    for task in retail_tasks["tasks"]:
        assert task["knows"], task["name"]
        for said, value in task["knows"].items():
            # each fact is an argument the witness passes (a lookup's or a write's) under its name,
            # or the description of a keyed argument (`order` for `order_id`) or of a row asked about;
            # a later write's facts are named after its place (`second_order`)
            name = re.sub(r"^(second|third)_", "", said)
            described = name.startswith("other_") or any(fact_name(p) == name != p
                                                         for a in task["actions"] for p in a["arguments"])
            assert described or any(a["arguments"].get(name) == value for a in task["actions"]), (said, task["name"])


def test_all_write_tools_used_and_summary_accounts_for_candidates(retail, retail_tasks):
    summary = retail_tasks["summary"]
    assert set(summary["write_tools"]) == {t.name for t in retail.ir.tools if t.is_write}
    assert summary["unused_write_tools"] == []
    assert summary["tasks"] + sum(summary["rejected"].values()) == summary["candidates"]
    assert sum(summary["chain_lengths"].values()) == summary["tasks"]


def test_no_two_tasks_share_chain_and_targets(retail_tasks):
    keys = [json.dumps(t["actions"], sort_keys=True) for t in retail_tasks["tasks"]]
    assert len(set(keys)) == len(keys)


def test_same_seed_is_byte_identical_across_processes(tmp_path):
    outs = []
    for run in range(2):
        out = tmp_path / f"run{run}.json"
        done = subprocess.run([sys.executable, "-m", "scaleenv_dsl", "synth", "library", "--n", "6", "--seed", "5",
                               "--out", str(out)], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]
    assert json.loads(outs[0])["domain"] == "library"


def test_another_seed_gives_other_tasks(retail, retail_tasks):
    other = synthesize(retail, SynthOptions(n=28, seed=4))
    assert [t["actions"] for t in other["tasks"]] != [t["actions"] for t in retail_tasks["tasks"]]


def test_sedl_export_checks_and_proves_again(tmp_path):
    import shutil
    from pathlib import Path

    import scaleenv_dsl
    folder = tmp_path / "retail"
    shutil.copytree(Path(scaleenv_dsl.__file__).resolve().parent.parent / "stdlib_domains" / "retail", folder)
    out = folder / "synth.sedl"
    cli = [sys.executable, "-m", "scaleenv_dsl"]
    made = subprocess.run(cli + ["synth", str(folder / "retail.sedl"), "--n", "8", "--seed", "2", "--format", "sedl",
                                 "--out", str(out)], capture_output=True, text=True)
    assert made.returncode == 0, made.stderr
    assert out.read_text().count("\ntask synth_") == 8
    checked = subprocess.run(cli + ["check", str(out)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    proved = subprocess.run(cli + ["prove", str(folder / "retail.sedl"), "--tasks", str(out)],
                            capture_output=True, text=True)
    assert proved.returncode == 0, proved.stdout + proved.stderr
    assert "8 tasks: 8 proved" in proved.stdout


def test_sedl_without_out_is_a_usage_error():
    done = subprocess.run([sys.executable, "-m", "scaleenv_dsl", "synth", "retail", "--format", "sedl"],
                          capture_output=True, text=True)
    assert done.returncode == 2
    assert "--format sedl needs --out" in done.stderr


def test_tau2_export_validates_against_tau2s_task_schema(tmp_path):
    from pathlib import Path

    import jsonschema

    import scaleenv_dsl
    schema_path = Path(scaleenv_dsl.__file__).parent / "synth" / "schemas" / "tau2_task.schema.json"
    schema = json.loads(schema_path.read_text())
    out, tau2 = tmp_path / "tasks.json", tmp_path / "tau2.json"
    done = subprocess.run([sys.executable, "-m", "scaleenv_dsl", "synth", "retail", "--n", "14", "--seed", "7",
                           "--out", str(out), "--tau2", str(tau2)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    ours, theirs = json.loads(out.read_text())["tasks"], json.loads(tau2.read_text())
    assert len(theirs) == len(ours) == 14
    validator = jsonschema.Draft202012Validator(schema)
    for task, exported in zip(ours, theirs):
        errors = sorted(validator.iter_errors(exported), key=lambda e: list(e.path))
        assert not errors, [e.message for e in errors]
        criteria = exported["evaluation_criteria"]
        assert criteria["reward_basis"] == (["DB", "COMMUNICATE"] if task["communicate"] else ["DB"])
        assert criteria["communicate_info"] == task["communicate"]
        assert [(a["name"], a["arguments"]) for a in criteria["actions"]] == \
            [(a["tool"], a["arguments"]) for a in task["actions"]]
        assert exported["user_scenario"]["instructions"]["known_info"] in task["instruction"]


def test_schema_rejects_a_broken_export():
    # the validator is live: a task without its required user_scenario fails
    from pathlib import Path

    import jsonschema

    import scaleenv_dsl
    schema = json.loads((Path(scaleenv_dsl.__file__).parent / "synth" / "schemas" / "tau2_task.schema.json").read_text())
    assert list(jsonschema.Draft202012Validator(schema).iter_errors({"id": "x"}))


def test_library_free_values_come_from_near_rows_and_every_write_is_used():
    library = load_domain("library")
    document = synthesize(library, SynthOptions(n=60, seed=1))
    summary = document["summary"]
    assert summary["tasks"] == 60
    assert summary["unused_write_tools"] == []
    assert all(t["proof"]["status"] == "proved" for t in document["tasks"])


def test_date_parameters_are_drawn_after_the_rows_days_and_proved():
    agenda = load_domain(Path(__file__).parent / "specs" / "agenda.sedl")
    out = synthesize(agenda, SynthOptions(n=5, seed=1))
    assert out["tasks"], out["summary"]["rejected"]
    for task in out["tasks"]:
        [move] = [a for a in task["actions"] if a["tool"] == "move"]
        day = move["arguments"]["day"]
        assert "2024-03-03" <= day <= "2024-03-16", day  # 1 to 14 days after the meeting's day
        assert task["proof"]["status"] == "proved"
