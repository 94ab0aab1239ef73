"""Goal predicates over the changed fields: in the JSON and the sedl export, which `scaleenv check`
accepts and `scaleenv prove` proves again under `reward state, goal`; a wrong goal fails the proof."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import scaleenv_dsl
from scaleenv_dsl import load_domain
from scaleenv_dsl.synth import SynthOptions, synthesize

CLI = [sys.executable, "-m", "scaleenv_dsl"]


def _writes(task):
    return [a for a in task["actions"] if not a["tool"].startswith(("get_", "find_"))]


def _write(task):
    return _writes(task)[-1]


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    folder = tmp_path_factory.mktemp("goals") / "retail"
    shutil.copytree(Path(scaleenv_dsl.__file__).resolve().parent.parent / "stdlib_domains" / "retail", folder)
    out, as_json = folder / "synth.sedl", folder / "synth.json"
    for target, extra in ((out, ["--format", "sedl"]), (as_json, [])):
        made = subprocess.run(CLI + ["synth", str(folder / "retail.sedl"), "--n", "21", "--seed", "1",
                                     "--out", str(target)] + extra, capture_output=True, text=True)
        assert made.returncode == 0, made.stderr
    return folder, out, json.loads(as_json.read_text())


def test_every_task_states_goals_over_what_its_witness_changed(exported):
    _, _, document = exported
    # the export proved again below holds overlays and questions too
    assert any(t["initial"] for t in document["tasks"]) and any(t["communicate"] for t in document["tasks"])
    for task in document["tasks"]:
        assert task["goals"] and task["reward"][:2] == ["state", "goal"], task["name"]
        assert (task["reward"][2:] == ["communicate"]) == bool(task["communicate"])
        # every goal is about a row some write of the chain targets
        targets = [json.dumps(w["arguments"].get("order_id") or w["arguments"].get("user_id")) for w in _writes(task)]
        assert all(any(t in g for t in targets) for g in task["goals"] if g.startswith(("orders", "users"))), task["name"]
    cancels = [(t, w) for t in document["tasks"] for w in _writes(t) if w["tool"] == "cancel_pending_order"]
    assert cancels and all(f'orders["{w["arguments"]["order_id"]}"].status == "cancelled"' in t["goals"]
                           for t, w in cancels)


def test_sedl_goals_check_and_prove_again(exported):
    folder, out, _ = exported
    assert out.read_text().count("\n  goal ") > 21
    checked = subprocess.run(CLI + ["check", str(out)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    proved = subprocess.run(CLI + ["prove", str(folder / "retail.sedl"), "--tasks", str(out)],
                            capture_output=True, text=True)
    assert "21 tasks: 21 proved" in proved.stdout, proved.stdout + proved.stderr


def test_a_wrong_goal_is_not_proved(exported):
    folder, out, _ = exported
    text = out.read_text()
    line = next(line for line in text.split("\n")
                if line.startswith('  goal orders[') and line.endswith('.status == "cancelled"'))
    broken = folder / "broken.sedl"
    broken.write_text(text.replace(line, line.replace('"cancelled"', '"delivered"'), 1))
    proved = subprocess.run(CLI + ["prove", str(folder / "retail.sedl"), "--tasks", str(broken)],
                            capture_output=True, text=True)
    assert proved.returncode != 0 and "21 tasks: 20 proved" in proved.stdout, proved.stdout


def test_library_goals_prove_again(tmp_path):
    folder = tmp_path / "library"
    shutil.copytree(Path(scaleenv_dsl.__file__).resolve().parent.parent / "stdlib_domains" / "library", folder)
    out = folder / "synth.sedl"
    made = subprocess.run(CLI + ["synth", str(folder / "library.sedl"), "--n", "14", "--seed", "1", "--format", "sedl",
                                 "--out", str(out)], capture_output=True, text=True)
    assert made.returncode == 0, made.stderr
    proved = subprocess.run(CLI + ["prove", str(folder / "library.sedl"), "--tasks", str(out)],
                            capture_output=True, text=True)
    assert "14 tasks: 14 proved" in proved.stdout, proved.stdout + proved.stderr


def test_a_question_ends_the_chain_in_a_read_whose_answer_is_communicated():
    from scaleenv_dsl import ir
    from scaleenv_dsl.prove import Prover

    retail = load_domain("retail")
    writes = {t.name for t in retail.ir.tools if t.is_write}
    document = synthesize(retail, SynthOptions(n=40, seed=1))
    asked = [t for t in document["tasks"] if t["communicate"]]
    assert asked and len(asked) < len(document["tasks"])
    prover = Prover(retail)
    data = retail.initial_data()
    for task in asked:
        assert task["reward"][-1] == "communicate" and "You also want to know the " in task["instruction"]
        last, write = task["actions"][-1], [a for a in task["actions"] if a["tool"] in writes][-1]
        assert last["tool"] == "get_order_details" and task["proof"]["steps"][-1]["origin"] == "inserted"
        other = data["orders"][last["arguments"]["order_id"]]
        assert other["order_id"] != write["arguments"].get("order_id")
        assert json.dumps(task["communicate"][0]) in json.dumps(other)            # the answer is that row's
        assert set(task["knows"]["other_order"]["with"]) <= {i["name"] for i in other["items"]}
        # the answer is live: a text no read shows cannot be proved
        wrong = ir.TaskDef(name="t", knows=task["knows"], initial=task["initial"],
                           actions=(ir.ActionCall(tool=write["tool"], arguments=write["arguments"]),),
                           communicate=("no such answer 0000",), reward=("state", "communicate"))
        assert not prover.prove(wrong).proved
