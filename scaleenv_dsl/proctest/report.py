"""The report of `scaleenv test`, as text for a person and as JSON for a script."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from .analysis import constant_outcome
from .runner import Report
from .search import GuardOutcome

STATUSES = ("both outcomes", "never fails", "never passes", "never reached")
SURVIVORS_SHOWN = 15


def to_json(report: Report) -> dict:
    counts = Counter(o.status for o in report.outcomes)
    return {
        "domain": report.domain,
        "ok": report.ok,
        "seed": report.options.seed,
        "summary": {"guards": len(report.outcomes), **{s: counts.get(s, 0) for s in STATUSES},
                    "cases": len(report.cases), "failures": len(report.failures)},
        "guards": [_guard_json(o) for o in report.outcomes],
        "tools": [{"name": tool, "successes": n, "unguarded_errors": report.search.unguarded.get(tool, [])}
                  for tool, n in report.search.successes.items()],
        "walks": {"walks": len(report.walks.walks), "length": report.options.walk_length,
                  "calls": report.walks.calls, "rejected": report.walks.failed_calls},
        "failures": [_failure_json(f) for f in report.failures],
        "mutants": report.mutation.to_json() if report.mutation is not None else None,
        "seconds": report.seconds,
    }


def _guard_json(o: GuardOutcome) -> dict:
    g = o.guard
    return {"id": g.id, "tool": o.tool, "kind": g.kind, "message": g.message, "loc": _loc(g),
            "outcome": o.status, "fails": o.fails, "passes": o.passes, "static": constant_outcome(g)}


def _failure_json(f) -> dict:
    return {"check": f.check, "message": f.message, "initial": f.initial, "shrunk_from": f.shrunk_from,
            "calls": [{"name": tool, "arguments": arguments} for tool, arguments in f.actions]}


def _loc(guard) -> str:
    return f"{Path(guard.loc.file).name}:{guard.loc.line}:{guard.loc.column}"


# ---------------------------------------------------------------- text

def render_text(report: Report) -> str:
    lines = _guard_lines(report) + [_walk_line(report)]
    if report.mutation is not None:
        lines += _mutant_lines(report.mutation)
    lines += _failure_lines(report)
    return "\n".join(lines)


def _guard_lines(report: Report) -> list[str]:
    counts = Counter(o.status for o in report.outcomes)
    by_tool: dict[str, list[GuardOutcome]] = {}
    for o in report.outcomes:
        by_tool.setdefault(o.tool, []).append(o)
    lines = [f"{report.domain}: {len(report.outcomes)} guards in {len(report.search.successes)} tools, "
             f"{len(report.cases)} procedural tests (seed {report.options.seed})",
             "guards: " + (", ".join(f"{counts[s]} {s}" for s in STATUSES if counts.get(s)) + " (within the budget)"
                           if counts else "none")]
    width = max((len(t) for t in report.search.successes), default=0)
    for tool, successes in report.search.successes.items():
        tally = Counter(o.status for o in by_tool.get(tool, []))
        shown = ", ".join(f"{tally[s]} {s}" for s in STATUSES if tally.get(s)) or "no guards"
        lines.append(f"  {tool:<{width}}  {shown}; {successes} successful calls")
    for o in report.outcomes:
        if o.status != "both outcomes":
            message = f' "{o.guard.message}"' if o.guard.message else ""
            lines.append(f"  {o.status}: {o.guard.id} ({o.guard.kind}{message}) at {_loc(o.guard)}")
    return lines


def _walk_line(report: Report) -> str:
    w = report.walks
    held = "hold" if not any(f.check in ("atomicity", "determinism", "reset", "invariant")
                             for f in report.failures) else "checked"
    return (f"random walks: {len(w.walks)} of {report.options.walk_length} calls, {w.calls} calls "
            f"({w.failed_calls} rejected): invariants, atomicity, determinism and reset {held}")


def _mutant_lines(m) -> list[str]:
    if m.score is None:
        return ["mutants: none to run"]
    run = len(m.killed) + len(m.survived)
    lines = [f"mutants: {len(m.killed)} of {run} killed ({m.score:.1%})"
             + (f", {run} of {m.total} sampled" if run + len(m.invalid) < m.total else "")
             + (f", {len(m.invalid)} did not compile" if m.invalid else "")]
    lines += [f"  survived: {s.id}" for s in m.survived[:SURVIVORS_SHOWN]]
    if len(m.survived) > SURVIVORS_SHOWN:
        lines.append(f"  ... and {len(m.survived) - SURVIVORS_SHOWN} more")
    return lines


def _failure_lines(report: Report) -> list[str]:
    if not report.failures:
        return ["no failures"]
    lines = [f"{len(report.failures)} failure(s):"]
    for f in report.failures:
        found = f" (shrunk from {f.shrunk_from})" if f.shrunk_from > len(f.actions) else ""
        lines.append(f"FAILED {f.check}: {f.message}")
        lines.append(f"  reproduced by {len(f.actions)} call(s){found}"
                     + (" after the initial overlay " + json.dumps(f.initial) if f.initial else "") + ":")
        lines += [f"    {tool}({json.dumps(arguments, ensure_ascii=False)})" for tool, arguments in f.actions]
    return lines
