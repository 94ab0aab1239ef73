"""Replaying conformance cases, and comparing two case files.

The cases format (see the conformance README) lists, per case, an optional
`initial` overlay, the `actions` to run, and what a reference implementation
observed in `expect`: `steps` (each action's outcome), `changed` (full rows
that differ from the initial data) and `removed` (keys that no longer exist).
`replay_cases` fills `expect` from our own run; `compare_cases` checks two
files against each other under the README's rules: JSON equality with key
order irrelevant, list order significant, null equal to absent, and numbers
equal within 1e-6. `conformance` does both: it is the one comparison that
`scaleenv demo` and the conformance tests use.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from . import ir
from .runtime.values import json_equal

NUMBER_TOLERANCE = 1e-6
FIELDS_SHOWN = 3


# ---------------------------------------------------------------- replaying

def replay_cases(domain, cases_doc: dict, data: dict | None = None) -> dict:
    """Run every case on a fresh copy of the initial data (or `data`); return the cases format filled in."""
    env = domain.env(data)
    out_cases = []
    for case in cases_doc.get("cases", []):
        out_cases.append(replay_case(env, case))
    return {"domain": cases_doc.get("domain", domain.name), "cases": out_cases}


def replay_case(env, case: dict) -> dict:
    env.reset(initial=case.get("initial") or None)
    steps = [env.call(action.get("name"), action.get("arguments", {})).as_step()
             for action in case.get("actions", [])]
    changes = env.changes()
    out = {key: value for key, value in case.items() if key != "expect"}
    # rows as the data file stores them, as a reference implementation records them: a keyless
    # row (`key … from map`) without its key field
    changed = ir.stored_rows(env.domain.keyless, changes["changed"])
    out["expect"] = {"steps": steps, "changed": changed, "removed": changes["removed"]}
    return out


def conformance(domain, reference_doc: dict) -> "ComparisonReport":
    """Replay a reference implementation's recorded cases on `domain` and compare with what it recorded."""
    return compare_cases(reference_doc, replay_cases(domain, reference_doc))


# ---------------------------------------------------------------- comparing

@dataclass
class Mismatch:
    case: str
    where: str          # "step 3 (cancel_pending_order)", "changed orders/#W1", ...
    expected: Any
    actual: Any
    fields: list[str] = field(default_factory=list)  # for rows: the top-level fields that differ

    def describe(self, width: int = 300) -> str:
        text = f"case {self.case}: {self.where}"
        if not self.fields:
            return text + f"\n    expected: {_short(self.expected, width)}\n    actual:   {_short(self.actual, width)}"
        text += " differs in " + ", ".join(self.fields)
        # a row is long: show the values of its first few differing fields only
        for name in self.fields[:FIELDS_SHOWN]:
            text += (f"\n    {name}: expected {_short(self.expected.get(name), width)}, "
                     f"actual {_short(self.actual.get(name), width)}")
        return text


@dataclass
class ComparisonReport:
    cases: int = 0
    cases_matching: int = 0          # final states (changed + removed) equal
    steps: int = 0
    steps_matching: int = 0
    mismatches: list[Mismatch] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.mismatches and self.cases_matching == self.cases and self.steps_matching == self.steps

    def summary(self) -> str:
        return (f"final states {self.cases_matching}/{self.cases}, "
                f"step outcomes {self.steps_matching}/{self.steps}")

    def render(self, limit: int = 30) -> str:
        lines = [self.summary()]
        lines += [m.describe() for m in self.mismatches[:limit]]
        if len(self.mismatches) > limit:
            lines.append(f"... and {len(self.mismatches) - limit} more mismatches")
        return "\n".join(lines)


def compare_cases(expected_doc: dict, actual_doc: dict) -> ComparisonReport:
    """Compare a reference case file with a replayed one, case by case (matched by id)."""
    report = ComparisonReport()
    actual_by_id = {str(c.get("id")): c for c in actual_doc.get("cases", [])}
    for case in expected_doc.get("cases", []):
        case_id = str(case.get("id"))
        expect = case.get("expect", {})
        report.cases += 1
        report.steps += len(expect.get("steps", []))
        other = actual_by_id.get(case_id)
        if other is None:
            report.mismatches.append(Mismatch(case_id, "missing from the replay", None, None))
            continue
        _compare_steps(case_id, case, other, report)
        if _compare_state(case_id, expect, other.get("expect", {}), report):
            report.cases_matching += 1
    return report


def _compare_steps(case_id: str, case: dict, other: dict, report: ComparisonReport) -> None:
    want_steps = case.get("expect", {}).get("steps", [])
    have_steps = other.get("expect", {}).get("steps", [])
    actions = case.get("actions", [])
    for index, want in enumerate(want_steps):
        have = have_steps[index] if index < len(have_steps) else None
        if have is not None and step_equal(want, have):
            report.steps_matching += 1
            continue
        name = actions[index].get("name") if index < len(actions) else "?"
        report.mismatches.append(_step_mismatch(case_id, f"step {index} ({name})", want, have))


def _step_mismatch(case_id: str, where: str, want: dict, have: dict | None) -> Mismatch:
    """Two returned rows are long: name the fields that differ, as for final states."""
    if have is not None and want.get("ok") and have.get("ok"):
        fields = _fields(want.get("result"), have.get("result"))
        if fields:
            return Mismatch(case_id, where + " result", want.get("result"), have.get("result"), fields)
    return Mismatch(case_id, where, want, have)


def step_equal(want: dict, have: dict) -> bool:
    if bool(want.get("ok")) != bool(have.get("ok")):
        return False
    if want.get("ok"):
        return json_equal(want.get("result"), have.get("result"), NUMBER_TOLERANCE)
    return want.get("error") == have.get("error")


def _compare_state(case_id: str, want: dict, have: dict, report: ComparisonReport) -> bool:
    ok = True
    want_changed, have_changed = want.get("changed") or {}, have.get("changed") or {}
    for collection in sorted(want_changed.keys() | have_changed.keys()):
        rows_want, rows_have = want_changed.get(collection) or {}, have_changed.get(collection) or {}
        for key in sorted(rows_want.keys() | rows_have.keys()):
            a, b = rows_want.get(key), rows_have.get(key)
            if not json_equal(a, b, NUMBER_TOLERANCE):
                ok = False
                report.mismatches.append(Mismatch(case_id, f"changed {collection}/{key}", a, b, _fields(a, b)))
    want_removed, have_removed = want.get("removed") or {}, have.get("removed") or {}
    for collection in sorted(want_removed.keys() | have_removed.keys()):
        a, b = sorted(want_removed.get(collection) or []), sorted(have_removed.get(collection) or [])
        if a != b:
            ok = False
            report.mismatches.append(Mismatch(case_id, f"removed {collection}", a, b))
    return ok


def _fields(a, b) -> list[str]:
    if not (isinstance(a, dict) and isinstance(b, dict)):
        return []
    return sorted(k for k in a.keys() | b.keys() if not json_equal(a.get(k), b.get(k), NUMBER_TOLERANCE))


def _short(value, width: int) -> str:
    text = json.dumps(value, sort_keys=True, default=str, allow_nan=False)
    return text if len(text) <= width else text[:width] + "…"
