"""Backend: solvability proofs. For each task, a witness plan replayed on the compiled backend.

    from scaleenv_dsl import load_domain
    from scaleenv_dsl.prove import Prover

    prover = Prover(load_domain("retail"))
    proof = prover.prove(prover.compiled.task("task_0"))
    proof.status          # "proved", "trivial", "unsolvable" or "unknown"
    proof.checks          # replays, reaches_goal, goal_false_at_start, arguments_known, no_wasted_step
    proof.witness.steps   # each call with its outcome and each argument's source
    proof.reason          # Reason(code, message, notes, loc) when there is something to say

The parts, in pyperplan's spirit: `model` (the task model), `knowledge` (what an agent knows and
where it learned it), `reads` (reads that add knowledge), `relaxed` (h_max / h_add and proofs of
unreachability), `search` (greedy best-first search over writes), `witness` (replay and checks),
`prover` (the verdict), `report` (JSON, text and diagnostics) and `cli` (`scaleenv prove`).
"""

from __future__ import annotations

from .. import ir
from ..diagnostics import Diagnostic
from .model import Budget, Call
from .prover import CHECKS, STATUSES, DomainProof, Prover, Reason, TaskProof

__all__ = ["Budget", "CHECKS", "Call", "DomainProof", "Prover", "Reason", "STATUSES", "TaskProof",
           "proof_diagnostics"]


def proof_diagnostics(domain: ir.Domain) -> list[Diagnostic]:
    """The authoring loop's stage after the compiler: prove a clean draft's tasks, each failure an
    error (a search out of budget only warns). The draft is compiled and its tools run, in the
    generated module's sandbox; no file is read."""
    if not domain.tasks:
        return []
    from ..api import compile_domain
    from .report import diagnostics

    return diagnostics(Prover(compile_domain(domain), sources={}).prove_all())
