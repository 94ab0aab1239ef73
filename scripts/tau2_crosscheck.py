"""Cross-check a `scaleenv synth --tau2` export in tau2-bench's own retail code.

Each task's `evaluation_criteria.actions` (the witness) is run twice from the untouched data, with
the task's `initial_state.initialization_data.agent_data` applied first when it has one:
- in our compiled retail environment (`load_domain("retail")`), and
- in tau2's `RetailTools` on tau2's `RetailDB` (its db.json), in a child interpreter that has
  tau2's dependencies (tau2 needs Python 3.12+ and pydantic; give it a throwaway venv).
The outcomes must agree: the same steps succeed, and the final databases are equal (compared as
the rows that differ from the start, after checking that both starts are equal).

    python scripts/tau2_crosscheck.py TAU2_EXPORT.json --tau2 /tmp/tau2 --tau2-python /tmp/tau2venv/bin/python

`--tau2` is a tau2-bench checkout (its `src/` and `data/tau2/domains/retail/`). Only tau2's
retail tools, data model and toolkit are imported: the package's `__init__` (the runner, which
needs pandas and litellm) is skipped by registering `tau2` as a bare namespace. Nothing of tau2
is copied here. Exit 0 when every task agrees, 1 otherwise, 2 when tau2's code cannot be run.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


# ---------------------------------------------------------------- tau2's side (child interpreter)

def tau2_side(tasks_path: str, checkout: str, out_path: str) -> None:
    import copy
    import types

    package = types.ModuleType("tau2")
    package.__path__ = [str(Path(checkout) / "src" / "tau2")]
    sys.modules["tau2"] = package   # tau2/__init__ imports the runner; the tools need none of it
    from tau2.domains.retail.data_model import RetailDB
    from tau2.domains.retail.tools import RetailTools
    from tau2.domains.retail.utils import RETAIL_DB_PATH

    start = RetailDB.load(RETAIL_DB_PATH)
    start_dump = without_nulls(start.model_dump())
    results = {"start": start_dump, "tasks": []}
    for task in json.loads(Path(tasks_path).read_text()):
        tools = RetailTools(copy.deepcopy(start))
        overlay = ((task.get("initial_state") or {}).get("initialization_data") or {}).get("agent_data")
        if overlay:
            tools.update_db(overlay)
        outcomes = []
        for action in task["evaluation_criteria"]["actions"]:
            try:
                tools.use_tool(action["name"], **action["arguments"])
                outcomes.append(True)
            except Exception as err:   # tau2's tools raise on a failed guard
                outcomes.append(f"{type(err).__name__}: {err}")
        results["tasks"].append({"id": task["id"], "outcomes": outcomes,
                                 "changed": changed_rows(start_dump, without_nulls(tools.db.model_dump()))})
    Path(out_path).write_text(json.dumps(results))


def without_nulls(value):
    """tau2's pydantic models dump every optional field, unset ones as null; the data file and our
    rows leave them out. Null and absent mean the same to both, so both sides drop them."""
    if isinstance(value, dict):
        return {k: without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [without_nulls(v) for v in value]
    return value


def changed_rows(before: dict, after: dict) -> dict:
    """{collection: {key: row or None}} for each row that differs (None: removed)."""
    out: dict = {}
    for collection in sorted(set(before) | set(after)):
        old, new = before.get(collection, {}), after.get(collection, {})
        for key in sorted(set(old) | set(new)):
            if old.get(key) != new.get(key):
                out.setdefault(collection, {})[key] = new.get(key)
    return out


# ---------------------------------------------------------------- our side

def our_side(tasks: list[dict]) -> tuple[dict, list[dict]]:
    sys.path.insert(0, str(ROOT))
    from scaleenv_dsl import load_domain

    retail = load_domain("retail")
    env = retail.env()
    start = without_nulls(json.loads(env.reset().dump()))
    out = []
    for task in tasks:
        overlay = ((task.get("initial_state") or {}).get("initialization_data") or {}).get("agent_data")
        env.reset(initial=overlay or None)
        outcomes = []
        for action in task["evaluation_criteria"]["actions"]:
            result = env.call(action["name"], action["arguments"])
            outcomes.append(True if result.ok else f"{result.error.kind}: {result.error.message}")
        changes = env.changes()   # the rows that differ from the initial data, which is tau2's db.json
        changed = {c: without_nulls(dict(rows)) for c, rows in changes["changed"].items()}
        for collection, keys in changes["removed"].items():
            changed.setdefault(collection, {}).update(dict.fromkeys(keys))
        out.append({"id": task["id"], "outcomes": outcomes,
                    "changed": {c: dict(sorted(rows.items())) for c, rows in sorted(changed.items())}})
    return start, out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("export", help="the tasks file `scaleenv synth --tau2 FILE` wrote")
    parser.add_argument("--tau2", required=True, help="a tau2-bench checkout")
    parser.add_argument("--tau2-python", default=sys.executable, help="an interpreter with tau2's dependencies")
    parser.add_argument("--tau2-side", nargs=2, metavar=("CHECKOUT", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.tau2_side:
        tau2_side(args.export, *args.tau2_side)
        return 0
    tasks = json.loads(Path(args.export).read_text())
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "tau2.json"
        done = subprocess.run([args.tau2_python, __file__, args.export, "--tau2", args.tau2,
                               "--tau2-side", args.tau2, str(out)], capture_output=True, text=True)
        if done.returncode != 0:
            print(f"tau2's code could not be run:\n{done.stderr[-2000:]}", file=sys.stderr)
            return 2
        theirs = json.loads(out.read_text())
    start, ours = our_side(tasks)
    if start != theirs["start"]:
        print("the starting databases differ: ours is not tau2's db.json", file=sys.stderr)
        return 1
    disagree = []
    for mine, tau2 in zip(ours, theirs["tasks"]):
        same_steps = [o is True for o in mine["outcomes"]] == [o is True for o in tau2["outcomes"]]
        if not (same_steps and mine["changed"] == tau2["changed"]):
            disagree.append({"id": mine["id"], "ours": mine["outcomes"], "tau2": tau2["outcomes"],
                             "rows": sorted(f"{c}/{k}" for side in (mine, tau2) for c, rows in side["changed"].items()
                                            for k in rows if mine["changed"].get(c, {}).get(k) != tau2["changed"].get(c, {}).get(k))})
    changed = sum(1 for t in ours if t["changed"])
    print(json.dumps({"tasks": len(ours), "agree": len(ours) - len(disagree), "tasks_that_change_the_db": changed,
                      "steps": sum(len(t["outcomes"]) for t in ours), "disagree": disagree[:10]}, indent=2))
    return 0 if not disagree else 1


if __name__ == "__main__":
    sys.exit(main())
