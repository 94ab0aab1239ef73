"""Cross-check a `scaleenv synth --tau2` export in tau2-bench's own retail code.

Each task's `evaluation_criteria.actions` (the witness) is run twice from the untouched data, with
the task's `initial_state.initialization_data.agent_data` applied first when it has one:
- in our compiled retail environment (`load_domain("retail")`), and
- in tau2's `RetailTools` on tau2's `RetailDB` (its db.json), in a child interpreter that has
  tau2's dependencies (tau2 needs Python 3.12+ and pydantic; give it a throwaway venv).
A task agrees when tau2's `Task` model accepts it, the same steps succeed, each succeeding step
returns the same value (a read's answer as the agent would see it), the final databases are equal
(compared as the rows that differ from the start, after checking that both starts are equal), and
every `communicate_info` string is in what tau2's tools returned (tau2 rewards an answer found in
an agent message; the agent can only say what a tool told it).

From a clean checkout, with this project installed (`pip install -e .`):

    git clone https://github.com/sierra-research/tau2-bench /tmp/tau2
    python3.12 -m venv /tmp/tau2venv
    /tmp/tau2venv/bin/pip install pydantic deepdiff python-dotenv loguru docstring-parser PyYAML toml addict
    scaleenv synth retail --n 1000 --seed 1 --out /tmp/synth.json --tau2 /tmp/synth_tau2.json
    python scripts/tau2_crosscheck.py /tmp/synth_tau2.json --tau2 /tmp/tau2 --tau2-python /tmp/tau2venv/bin/python

`--tau2` is a tau2-bench checkout (its `src/` and `data/tau2/domains/retail/`). Only tau2's
retail tools, data model, task model and toolkit are imported: the package's `__init__` (the
runner, which needs pandas and litellm) is skipped by registering `tau2` as a bare namespace.
Nothing of tau2 is copied here. Prints a JSON summary (the first 10 disagreements in full).
Exit 0 when every task agrees, 1 otherwise, 2 when tau2's code cannot be run.
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
    from tau2.data_model.tasks import Task
    from tau2.domains.retail.data_model import RetailDB
    from tau2.domains.retail.tools import RetailTools
    from tau2.domains.retail.utils import RETAIL_DB_PATH

    start = RetailDB.load(RETAIL_DB_PATH)
    start_dump = without_nulls(start.model_dump())
    writes = sorted(name for name in RetailTools(start).tools if RetailTools(start).tool_type(name) == "write")
    results = {"start": start_dump, "write_tools": writes, "tasks": []}
    for task in json.loads(Path(tasks_path).read_text()):
        try:
            Task.model_validate(task)   # what tau2's runner does when it loads a tasks file
            invalid = None
        except ValueError as err:
            invalid = str(err)
        tools = RetailTools(copy.deepcopy(start))
        if agent_data(task):
            tools.update_db(agent_data(task))   # as tau2's Environment.set_state applies it
        outcomes, outputs = [], []
        for action in task["evaluation_criteria"]["actions"]:
            try:
                outputs.append(without_nulls(dumped(tools.use_tool(action["name"], **action["arguments"]))))
                outcomes.append(True)
            except Exception as err:   # tau2's tools raise on a failed guard
                outcomes.append(f"{type(err).__name__}: {err}")
                outputs.append(None)
        results["tasks"].append({"id": task["id"], "invalid": invalid, "outcomes": outcomes, "outputs": outputs,
                                 "changed": changed_rows(start_dump, without_nulls(tools.db.model_dump()))})
    Path(out_path).write_text(json.dumps(results))


def dumped(value):
    """A tool's return as plain JSON values, as tau2's `Environment.to_json_str` dumps it for the
    agent (pydantic models by `model_dump`)."""
    if hasattr(value, "model_dump"):
        return value.model_dump()
    if isinstance(value, list):
        return [dumped(v) for v in value]
    if isinstance(value, dict):
        return {k: dumped(v) for k, v in value.items()}
    return value


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

    env = load_domain("retail").env()
    start = without_nulls(json.loads(env.reset().dump()))
    return start, [our_run(env, task) for task in tasks]


def our_run(env, task: dict) -> dict:
    try:
        env.reset(initial=agent_data(task) or None)
    except ValueError as err:   # an overlay that does not fit our schema: every step counts as failed
        steps = len(task["evaluation_criteria"]["actions"])
        return {"id": task["id"], "outcomes": [f"overlay rejected: {err}"] * steps, "outputs": [None] * steps,
                "changed": {}}
    outcomes, outputs = [], []
    for action in task["evaluation_criteria"]["actions"]:
        result = env.call(action["name"], action["arguments"])
        outcomes.append(True if result.ok else f"{result.error.kind}: {result.error.message}")
        outputs.append(without_nulls(result.value) if result.ok else None)
    changes = env.changes()   # the rows that differ from the initial data, which is tau2's db.json
    changed = {c: without_nulls(dict(rows)) for c, rows in changes["changed"].items()}
    for collection, keys in changes["removed"].items():
        changed.setdefault(collection, {}).update(dict.fromkeys(keys))
    return {"id": task["id"], "outcomes": outcomes, "outputs": outputs,
            "changed": {c: dict(sorted(rows.items())) for c, rows in sorted(changed.items())}}


# ---------------------------------------------------------------- the comparison

def agent_data(task: dict) -> dict | None:
    return ((task.get("initial_state") or {}).get("initialization_data") or {}).get("agent_data")


def writes(task: dict, write_tools: list[str]) -> int:
    return sum(1 for action in task["evaluation_criteria"]["actions"] if action["name"] in write_tools)


def unanswered(task: dict, outputs: list) -> list[str]:
    """The task's `communicate_info` strings that no step's output holds. tau2 rewards an answer
    when the string is in an agent message (ignoring case), and the agent can only say what a
    tool told it."""
    said = " ".join(json.dumps(o) for o in outputs if o is not None).lower()
    return [info for info in task["evaluation_criteria"].get("communicate_info") or [] if info.lower() not in said]


def disagreement(task: dict, mine: dict, tau2: dict) -> dict | None:
    """What differs between our run of the task and tau2's: which steps succeed, what each
    succeeding step returns, the changed rows, and answers tau2's outputs do not hold."""
    steps = [i for i, (a, b) in enumerate(zip(mine["outcomes"], tau2["outcomes"])) if (a is True) != (b is True)]
    outputs = [i for i, (a, b) in enumerate(zip(mine["outputs"], tau2["outputs"])) if a != b and i not in steps]
    rows = sorted({f"{c}/{k}" for side in (mine, tau2) for c, changed in side["changed"].items() for k in changed
                   if mine["changed"].get(c, {}).get(k) != tau2["changed"].get(c, {}).get(k)})
    answers = unanswered(task, tau2["outputs"])
    if not (tau2["invalid"] or steps or outputs or rows or answers):
        return None
    found = {"id": mine["id"], "invalid_in_tau2": tau2["invalid"], "steps": steps, "outputs": outputs, "rows": rows,
             "answers_not_in_tau2_outputs": answers}
    found.update({f"{name}_at_{i}": {"ours": mine[name][i], "tau2": tau2[name][i]}
                  for name, where in (("outcomes", steps), ("outputs", outputs)) for i in where[:1]})
    return found


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
    disagree = [d for d in (disagreement(task, mine, tau2) for task, mine, tau2 in zip(tasks, ours, theirs["tasks"])) if d]
    print(json.dumps({"tasks": len(ours), "agree": len(ours) - len(disagree),
                      "tasks_that_change_the_db": sum(1 for t in ours if t["changed"]),
                      "steps": sum(len(t["outcomes"]) for t in ours),
                      "with_agent_data": sum(1 for t in tasks if agent_data(t)),
                      "with_several_writes": sum(1 for t in tasks if writes(t, theirs["write_tools"]) > 1),
                      "answers_checked": sum(len(t["evaluation_criteria"].get("communicate_info") or []) for t in tasks),
                      "disagree": disagree[:10]}, indent=2))
    return 0 if not disagree else 1


if __name__ == "__main__":
    sys.exit(main())
