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

import importlib

# Names are loaded on first use, so that registering `scaleenv prove` costs the CLI nothing.
_HOMES = {
    "Budget": "model", "Call": "model",
    "CHECKS": "prover", "STATUSES": "prover", "DomainProof": "prover", "Prover": "prover", "Reason": "prover",
    "TaskProof": "prover",
    "proof_diagnostics": "report",
}
__all__ = sorted(_HOMES)


def __getattr__(name: str):
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f".{_HOMES[name]}", __name__), name)
