"""Proofs as JSON, as text (one line per task, rustc-style detail for the failures), and as
diagnostics (for the authoring loop, which feeds them back to the model like checker errors)."""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path

from .. import ir
from ..diagnostics import NO_SPAN, Diagnostic, Severity, Span, render_text
from .prover import STATUSES, DomainProof, Prover, Reason, TaskProof

HELP = {
    "goal-true-at-start": "make doing nothing earn 0: the task's `initial` or its goal must leave something to do",
    "no-relaxed-solution": "add a tool whose effects can make it true, or change the goal",
    "argument-unknown": "give the value to the agent: a `knows` fact if the user tells it, or a read tool "
                        "that shows it",
    "step-fails": "the gold actions must succeed from the task's start: fix the arguments, the order or `initial`",
    "goal-not-reached": "the witness must earn reward 1: fix the gold actions or the goal",
    "budget-exhausted": "raise --max-depth or --max-nodes, or give the task gold `action`s",
    "search-exhausted": "every argument of a plan must be knowable: add `knows` facts, or gold `action`s",
    "redundant-step": "drop the writes the goal does not need",
    "dropped-reads": "nothing to fix: the witness skips gold reads that no later step needs",
    "task-proved": "nothing to fix: the task is solvable as written",
}


# ---------------------------------------------------------------- JSON

def proof_json(proof: TaskProof) -> dict:
    steps = proof.witness.steps
    return {
        "task": proof.task.name,
        "status": proof.status,
        "checks": dict(proof.checks),
        "witness": [{"tool": s.call.tool, "arguments": s.call.arguments, "sources": s.sources} for s in steps],
        "inserted_reads": [{"step": n, "tool": s.call.tool, "arguments": s.call.arguments, "needed_by": s.needed_by}
                           for n, s in proof.witness.inserted],
        "reason": reason_json(proof.reason),
        "time_ms": round(proof.time_ms, 3),
    }


def reason_json(reason: Reason | None) -> dict | None:
    if reason is None:
        return None
    return {"code": reason.code, "message": reason.message, "notes": list(reason.notes)}


def summary(result: DomainProof) -> dict:
    counts = Counter(p.status for p in result.proofs)
    return {"tasks": len(result.proofs), **{s: counts.get(s, 0) for s in STATUSES},
            "with_inserted_reads": sum(1 for p in result.proofs if p.witness.inserted),
            "time_ms": round(result.time_ms, 3)}


def to_json(result: DomainProof) -> dict:
    return {"domain": result.domain, "tasks": [proof_json(p) for p in result.proofs], "summary": summary(result)}


def render_json(result: DomainProof) -> str:
    return json.dumps(to_json(result), indent=2, ensure_ascii=False)


# ---------------------------------------------------------------- text

def render(result: DomainProof) -> str:
    width = max((len(p.task.name) for p in result.proofs), default=4)
    sources = _SourceFiles()
    out = []
    for proof in result.proofs:
        out.append(f"{proof.status:<10}  {proof.task.name:<{width}}  {_line(proof)}  ({proof.time_ms:.1f} ms)")
        if not proof.proved:
            out.append(_detail(proof, sources))
    out.append(summary_line(result))
    return "\n".join(out)


def summary_line(result: DomainProof) -> str:
    s = summary(result)
    counts = ", ".join(f"{s[status]} {status}" for status in STATUSES)
    return (f"{result.domain}: {s['tasks']} task{'s' if s['tasks'] != 1 else ''}: {counts}; "
            f"{s['with_inserted_reads']} with inserted reads; {s['time_ms'] / 1000:.2f} s")


def _line(proof: TaskProof) -> str:
    if not proof.proved:
        return proof.reason.message if proof.reason else ""
    inserted = len(proof.witness.inserted)
    text = f"{len(proof.witness.steps)} step{'s' if len(proof.witness.steps) != 1 else ''}"
    if inserted:
        text += f", {inserted} inserted read{'s' if inserted != 1 else ''}"
    if proof.reason is not None:
        text += f"; {proof.reason.message}"
    return text


def _detail(proof: TaskProof, sources: "_SourceFiles") -> str:
    found = diagnostic(proof)
    rendered = render_text([found], sources.for_spans([found.span])).rstrip("\n")
    notes = list(proof.reason.notes) if proof.reason else []
    failed = [name for name, held in proof.checks.items() if held is False]
    if failed:
        notes.append("checks that fail: " + ", ".join(failed))
    return "\n".join([_indent(rendered)] + [_indent(f"  = note: {note}") for note in notes])


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in text.split("\n"))


class _SourceFiles:
    """Spec texts read on demand, for the source lines under a diagnostic."""

    def __init__(self):
        self.texts: dict[str, str] = {}

    def for_spans(self, spans) -> dict[str, str]:
        for span in spans:
            if span.file not in self.texts:
                try:
                    self.texts[span.file] = Path(span.file).read_text(encoding="utf-8")
                except OSError:
                    self.texts[span.file] = ""
        return self.texts


# ---------------------------------------------------------------- diagnostics

def diagnostic(proof: TaskProof, *, relative: bool = True) -> Diagnostic:
    """A task's verdict as a diagnostic: an error unless it is proved (then a warning, for a remark)."""
    reason = proof.reason or Reason("task-proved", "proved")
    loc = reason.loc or proof.task.loc
    span = NO_SPAN if loc is None else Span(_shown_path(loc.file) if relative else loc.file, loc.line,
                                            loc.column, loc.end_line, loc.end_column)
    severity = Severity.WARNING if proof.proved else Severity.ERROR
    what = f"task `{proof.task.name}`" + ("" if proof.proved else f" is {proof.status}")
    return Diagnostic(reason.code, f"{what}: {reason.message}", span, HELP[reason.code], severity)


def diagnostics(result: DomainProof) -> list[Diagnostic]:
    """One diagnostic per task that is not cleanly proved; the notes (chains, closest states) go in the
    help. A search that ran out of budget is only a warning: the task may well be solvable."""
    found = []
    for proof in result.proofs:
        if proof.reason is None or proof.reason.code == "dropped-reads":
            continue
        d = diagnostic(proof, relative=False)
        notes = "; ".join(proof.reason.notes)
        severity = Severity.WARNING if proof.reason.code == "budget-exhausted" else d.severity
        found.append(Diagnostic(d.code, d.message, d.span, f"{d.help} ({notes})" if notes else d.help, severity))
    return found


def _shown_path(file: str) -> str:
    """A spec path relative to the working folder when it lies below it, as `scaleenv check` shows them."""
    try:
        relative = os.path.relpath(file)
    except ValueError:
        return file
    return relative if not relative.startswith("..") else file


def proof_diagnostics(domain: ir.Domain) -> list[Diagnostic]:
    """The authoring loop's stage after the compiler: prove a clean draft's tasks, each failure an
    error (a search out of budget only warns). The draft is compiled and its tools run, in the
    generated module's sandbox; no file is read."""
    if not domain.tasks:
        return []
    from ..api import compile_domain

    return diagnostics(Prover(compile_domain(domain), sources={}).prove_all())
