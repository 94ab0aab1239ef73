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

from .model import Budget, Call
from .prover import CHECKS, STATUSES, DomainProof, Prover, Reason, TaskProof

__all__ = ["Budget", "CHECKS", "Call", "DomainProof", "Prover", "Reason", "STATUSES", "TaskProof"]
