"""Procedural test cases in the cases format that `scaleenv replay` reads.

A case is `{"id", "initial"?, "actions": [{"name", "arguments"}], "expect": {"steps", "changed",
"removed"}}`, as in the conformance files. Fields are added that `scaleenv replay` ignores: a
failed step's `kind` and `guard` (the id of the guard it must fail at) in `expect.steps`; `checks`,
which says what the case shows (`{"fails": "tool#3"}`, `{"passes": [...]}`, a walk) and whether a
failed call's atomicity is checked with a dump of the whole state (`"atomic": true`); and, in the
case of a failure, `problem`, what does not hold.
`expect` is recorded from the compiled spec itself: what the contracts say holds is checked when
the case is found; what a call returns and changes is then the reference for any later run.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from ..replay import compare_cases
from ..runtime.errors import INTERNAL, INVARIANT, POSTCONDITION, ToolError

# error kinds that are never the caller's fault: the spec (or scaleenv_dsl) is wrong
SPEC_BUGS = (POSTCONDITION, INVARIANT, INTERNAL)

Action = tuple[str, dict]


@dataclass
class Failure:
    """Something that must hold and does not, with the calls that show it from the start."""
    check: str      # postcondition, invariant, internal, contract, atomicity, determinism, reset
    message: str
    actions: list[Action]
    initial: dict | None = None
    shrunk_from: int = 0  # how many calls the sequence had when found
    at_end: bool = False  # found after the last call (the state, reset), not at one call

    def to_case(self, case_id: str) -> dict:
        return make_case(case_id, self.actions, self.initial, problem=f"{self.check}: {self.message}")


def make_case(case_id: str, actions: list[Action], initial: dict | None = None, **extra) -> dict:
    case: dict = {"id": case_id}
    if initial:
        case["initial"] = initial
    case["actions"] = [{"name": tool, "arguments": arguments} for tool, arguments in actions]
    case.update(extra)
    return case


def actions_of(case: dict) -> list[Action]:
    return [(a["name"], a.get("arguments", {})) for a in case["actions"]]


def step_of(result) -> dict:
    """A call's outcome in the cases format, with a failure's kind and the guard it names."""
    step = result.as_step()
    if not result.ok:
        step["kind"] = result.error.kind
        if result.error.guard is not None:
            step["guard"] = result.error.guard
    return step


def run_case(env, case: dict) -> tuple[list, dict]:
    """Reset `env` to the case's start, make its calls: (the CallResults, env.changes())."""
    env.reset(initial=case.get("initial") or None)
    results = [env.call(tool, arguments) for tool, arguments in actions_of(case)]
    return results, env.changes()


def record(env, case: dict) -> dict:
    """The case with `expect` filled in from a run on `env`."""
    results, changes = run_case(env, case)
    return {**case, "expect": {"steps": [step_of(r) for r in results], "changed": changes["changed"],
                               "removed": changes["removed"]}}


def spec_bug(result) -> str | None:
    """Why a call's outcome is a bug in the spec (a postcondition or invariant broken), or None."""
    if result.ok or result.error.kind not in SPEC_BUGS:
        return None
    return f"{result.error.kind} error: {result.error.message}"


def check_case(env, case: dict, *, atomicity: bool | None = None, initial_dump: str | None = None) -> list[str]:
    """What differs between a run of `case` on `env` and its `expect`, as sentences (empty: it holds).

    Each step must have the recorded outcome (result or error, and the guard it fails at), the
    final changes must be the recorded ones, no call may break a postcondition or an invariant,
    and, with `atomicity` (by default, when the case is marked atomic), a failed call must leave
    `env.dump()` as it was. `initial_dump`, the dump of the domain's initial data, saves one dump
    for a case that starts there.
    """
    if atomicity is None:
        atomicity = case.get("checks", {}).get("atomic", False)
    env.reset(initial=case.get("initial") or None)
    wanted = case.get("expect", {}).get("steps", [])
    problems, results = [], []
    before = None if case.get("initial") else initial_dump
    for index, (tool, arguments) in enumerate(actions_of(case)):
        want = wanted[index] if index < len(wanted) else {}
        if atomicity and not want.get("ok", True) and before is None:
            before = env.dump(indent=None)
        result = env.call(tool, arguments)
        results.append(result)
        where = f"step {index} ({tool})"
        problems += _step_problems(where, want, result)
        if atomicity and not result.ok and before is not None and env.dump(indent=None) != before:
            problems.append(f"{where}: the call failed but changed the state")
        if result.ok:
            before = None
    changes = env.changes()
    actual = {**case, "expect": {"steps": [step_of(r) for r in results], "changed": changes["changed"],
                                 "removed": changes["removed"]}}
    report = compare_cases({"cases": [case]}, {"cases": [actual]})
    return problems + [m.describe() for m in report.mismatches]


def _step_problems(where: str, want: dict, result) -> list[str]:
    problems = []
    bug = spec_bug(result)
    if bug is not None:
        problems.append(f"{where}: {bug}")
    if not want.get("ok", True) and not result.ok and want.get("guard") != result.error.guard:
        problems.append(f"{where}: expected a failure at guard {want.get('guard') or 'none'}, "
                        f"got one at {result.error.guard or 'none'}")
    return problems


def broken_rows(compiled, data: dict, collections: set[str] | None = None) -> set[tuple[str, str, str]]:
    """(collection, key, message) of each row that breaks an invariant: every row checked, or
    every row of `collections`."""
    broken = set()
    for collection, check in compiled.module.invariants.items():
        if collections is not None and collection not in collections:
            continue
        for key, row in data.get(collection, {}).items():
            try:
                check(row, data)
            except ToolError as err:
                broken.add((collection, key, err.message))
            except Exception as err:  # an invariant that cannot even be evaluated on this row
                broken.add((collection, key, f"{type(err).__name__}: {err}"))
    return broken


# ---------------------------------------------------------------- files

def write_cases(path: str | Path, domain: str, cases: list[dict], reference: str) -> Path:
    path = Path(path)
    document = {"domain": domain, "reference": reference, "cases": cases}
    path.write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def read_cases(path: str | Path) -> list[dict]:
    return json.loads(Path(path).read_text(encoding="utf-8"))["cases"]


def load_compiled(ir_file: str | Path, module_file: str | Path):
    """The CompiledDomain of what `scaleenv compile` wrote: its IR and its module, as written."""
    from .. import ir
    from ..api import CompiledDomain
    from ..codegen import digest_of, module_from_source

    domain = ir.Domain.model_validate_json(Path(ir_file).read_text(encoding="utf-8"))
    source = Path(module_file).read_text(encoding="utf-8")
    return CompiledDomain(domain, module_from_source(domain.name, source, digest_of(domain)))
