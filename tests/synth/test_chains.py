"""Chains of several writes, dependency-aware growth and synthesized rows (`scaleenv synth`):
multi-write tasks prove, a later write is grounded on the state the earlier ones leave, overlay
rows are the task's own (never the shared data's) and keep the invariants, and output is
deterministic."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from scaleenv_dsl import ir, load_domain
from scaleenv_dsl.prove import Prover
from scaleenv_dsl.synth import SynthOptions, synthesize
from scaleenv_dsl.synth.chains import chain_writes
from scaleenv_dsl.synth.overlay import OverlayFailure, RowMaker, guard_needs
from scaleenv_dsl.prove.model import DomainModel


@pytest.fixture(scope="module")
def retail():
    return load_domain("retail")


@pytest.fixture(scope="module")
def library():
    return load_domain("library")


@pytest.fixture(scope="module")
def retail_doc(retail):
    return synthesize(retail, SynthOptions(n=120, seed=11))


@pytest.fixture(scope="module")
def library_doc(library):
    return synthesize(library, SynthOptions(n=120, seed=2))


def _writes(model_or_compiled, task) -> list[dict]:
    tools = {t.name: t for t in model_or_compiled.ir.tools}
    return [a for a in task["actions"] if tools[a["tool"]].is_write]


def _task(task) -> ir.TaskDef:
    actions = tuple(ir.ActionCall(tool=a["tool"], arguments=a["arguments"]) for a in task["actions"])
    return ir.TaskDef(name=task["name"], knows=task["knows"], initial=task["initial"], actions=actions,
                      reward=("state",))


def test_multi_write_tasks_prove_again_with_all_their_writes_as_gold(retail, retail_doc):
    multi = [t for t in retail_doc["tasks"] if len(_writes(retail, t)) >= 2]
    assert len(multi) >= 20
    prover = Prover(retail)
    for task in multi:
        assert len(task["chain"]) == len(_writes(retail, task)) - 1
        again = prover.prove(_task(task))
        assert again.status == "proved", (task["name"], again.reason)
        # every write is a gold step of the proof, none an inserted one
        gold = [s["tool"] for s in task["proof"]["steps"] if s["origin"] == "gold"]
        assert gold == [a["tool"] for a in _writes(retail, task)]


def test_summary_counts_writes_per_task_and_growth(retail, retail_doc):
    summary = retail_doc["summary"]
    counted = {str(n): sum(1 for t in retail_doc["tasks"] if len(_writes(retail, t)) == n) for n in (1, 2, 3)}
    assert {k: v for k, v in counted.items() if v} == summary["writes_per_task"]
    assert summary["synthesized_row_tasks"] == sum(1 for t in retail_doc["tasks"] if t["synthesized_rows"])
    assert summary["with_overlay"] == sum(1 for t in retail_doc["tasks"] if t["initial"])   # distractors too
    grown = sum(len(t["chain"]) for t in retail_doc["tasks"])
    assert summary["growth"]["tried"] >= grown + sum(summary["growth"]["dropped"].values()) - \
        sum(v for k, v in summary["growth"]["dropped"].items() if k.startswith("unproved"))


def test_a_later_write_targets_a_row_near_the_chain(retail, retail_doc):
    """The second write shares the first one's user: its order is one of the user's (after the
    overlay), or it is the user, or the very order the first write changed."""
    data = retail.initial_data()
    for task in retail_doc["tasks"]:
        writes = _writes(retail, task)
        if len(writes) < 2:
            continue
        orders = {**data["orders"], **{k: v for k, v in task["initial"].get("orders", {}).items()}}
        users = [orders[w["arguments"]["order_id"]]["user_id"] if "order_id" in w["arguments"]
                 else w["arguments"]["user_id"] for w in writes]
        assert len(set(users)) == 1, (task["name"], users)


def test_a_write_enabled_by_the_first_fails_without_it(library, library_doc):
    """A write grown along an `enables` edge is grounded on the state the first write leaves:
    run from the task's start without the first write, it fails; after it, it succeeds."""
    env = library.env()
    enabled = [t for t in library_doc["tasks"] if t["chain"] and t["chain"][0].startswith("enables")]
    assert enabled, "no write grown along an enables edge"
    dependent = 0
    for task in enabled:
        first, second = _writes(library, task)[:2]
        env.reset(ir.TaskDef(name="t", initial=task["initial"]))
        alone = env.call(second["tool"], second["arguments"])
        env.reset(ir.TaskDef(name="t", initial=task["initial"]))
        assert env.call(first["tool"], first["arguments"]).ok
        assert env.call(second["tool"], second["arguments"]).ok, task["name"]
        dependent += not alone.ok
    assert dependent >= 1


def test_overlay_rows_are_the_tasks_own_and_the_task_needs_them(retail, retail_doc):
    data = retail.initial_data()
    prover = Prover(retail)
    # a distractor sibling is in `initial` too, but the task proves without it: these need theirs
    overlaid = [t for t in retail_doc["tasks"] if t["synthesized_rows"]]
    assert len(overlaid) >= 5
    for task in overlaid:
        new_orders = [k for k in task["initial"].get("orders", {}) if k not in data["orders"]]
        assert new_orders, task["name"]                       # a synthesized row, under a fresh key
        for key in new_orders:
            row = task["initial"]["orders"][key]
            assert row["order_id"] == key
            owner = row["user_id"]
            assert key in task["initial"]["users"][owner]["orders"]     # the user lists it
            assert key not in data["users"][owner]["orders"]
        assert prover.prove(_task(task)).status == "proved"
        # without its overlay the task's target does not exist: the proof fails
        bare = prover.prove(_task({**task, "initial": {}}))
        assert bare.status != "proved", task["name"]
    # the shared data is untouched by synthesis: as the data file has it
    assert data == json.loads(Path(retail.ir.data_path).read_text(encoding="utf-8"))


def test_a_synthesized_row_meets_the_guard_its_write_needs(retail, retail_doc):
    needs = {t.name: guard_needs(t, "order_id") for t in retail.ir.tools if t.is_write}
    data = retail.initial_data()
    for task in retail_doc["tasks"]:
        for write in _writes(retail, task):
            key = write["arguments"].get("order_id")
            row = task["initial"].get("orders", {}).get(key)
            if key in data["orders"] or row is None:
                continue
            for path, value in needs[write["tool"]].items():
                assert row[path[0]] == value


def test_guard_needs_reads_equalities_substrings_and_lists(retail, library):
    tools = {t.name: t for t in retail.ir.tools}
    assert guard_needs(tools["cancel_pending_order"], "order_id") == {("status",): "pending"}
    # `"pending" in order.status`: the literal itself passes
    assert guard_needs(tools["modify_pending_order_address"], "order_id") == {("status",): "pending"}
    assert guard_needs(tools["return_delivered_order_items"], "order_id") == {("status",): "delivered"}
    assert guard_needs(tools["modify_user_address"], "user_id") == {}
    renew = next(t for t in library.ir.tools if t.name == "renew_loan")
    assert guard_needs(renew, "loan_id") == {("status",): "active"}


def test_a_synthesized_row_that_breaks_an_invariant_is_refused(library):
    data = library.initial_data()
    maker = RowMaker(library, DomainModel(library.ir), data)
    template = sorted(data["members"])[0]
    key, overlay = maker.synthesize("Member", template, {("fines",): 2.5}, {}, random.Random(1))
    assert key not in data["members"] and overlay["members"][key]["fines"] == 2.5
    with pytest.raises(OverlayFailure, match="overlay-breaks-invariant"):
        maker.synthesize("Member", template, {("fines",): -5.0}, {}, random.Random(1))


def test_a_synthesized_row_that_misfits_the_schema_is_refused(library):
    data = library.initial_data()
    maker = RowMaker(library, DomainModel(library.ir), data)
    with pytest.raises(OverlayFailure, match="overlay-misfits-schema"):
        maker.synthesize("Member", sorted(data["members"])[0], {("fines",): "a lot"}, {}, random.Random(1))


def test_a_synthesized_key_collides_with_nothing(retail):
    data = retail.initial_data()
    maker = RowMaker(retail, DomainModel(retail.ir), data)
    template = sorted(data["orders"])[0]
    keys = set()
    for seed in range(30):
        key, overlay = maker.synthesize("Order", template, {("status",): "pending"}, {}, random.Random(seed))
        assert key not in data["orders"] and len(key) == len(template) and key[:2] == template[:2]
        assert overlay["orders"][key]["fulfillments"] == []     # empty in every pending order of the data
        keys.add(key)
    assert len(keys) == 30


def test_chains_are_deterministic_and_reach_both_shapes(retail, retail_doc):
    again = synthesize(retail, SynthOptions(n=120, seed=11))
    assert json.dumps(again, sort_keys=True) == json.dumps(retail_doc, sort_keys=True)
    writes = retail_doc["summary"]["writes_per_task"]
    assert set(writes) >= {"1", "2"}
    assert [chain_writes(5, i) for i in range(50)] == [chain_writes(5, i) for i in range(50)]
    assert {chain_writes(5, i) for i in range(50)} == {1, 2, 3}


def test_overlay_tasks_survive_the_sedl_and_tau2_exports(tmp_path):
    import shutil
    import subprocess
    import sys

    import jsonschema

    import scaleenv_dsl
    root = Path(scaleenv_dsl.__file__).resolve().parent
    folder = tmp_path / "retail"
    shutil.copytree(root.parent / "stdlib_domains" / "retail", folder)
    out, tau2 = folder / "synth.sedl", tmp_path / "tau2.json"
    cli = [sys.executable, "-m", "scaleenv_dsl"]
    made = subprocess.run(cli + ["synth", str(folder / "retail.sedl"), "--n", "40", "--seed", "2", "--format", "sedl",
                                 "--out", str(out), "--tau2", str(tau2)], capture_output=True, text=True)
    assert made.returncode == 0, made.stderr
    text = out.read_text()
    assert text.count("\n  initial {") >= 3
    checked = subprocess.run(cli + ["check", str(out)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    proved = subprocess.run(cli + ["prove", str(folder / "retail.sedl"), "--tasks", str(out)],
                            capture_output=True, text=True)
    assert "40 tasks: 40 proved" in proved.stdout, proved.stdout + proved.stderr
    schema = json.loads((root / "synth" / "schemas" / "tau2_task.schema.json").read_text())
    validator = jsonschema.Draft202012Validator(schema)
    exported = json.loads(tau2.read_text())
    overlaid = [t for t in exported if t["initial_state"] is not None]
    assert len(overlaid) >= 3
    for task in overlaid:
        assert not list(validator.iter_errors(task))
        assert task["initial_state"]["initialization_data"]["agent_data"]["orders"]
