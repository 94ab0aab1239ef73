"""Prove each candidate with `scaleenv prove`'s prover, on one compiled environment reused for
every candidate (a reset is a journal rollback, not a reload).

A candidate is the grounded write as the gold action with `reward state`. The witness builder
inserts the reads that reveal each argument; a value no read reveals is added to `knows` and the
candidate proved again, up to a few rounds — so `knows` holds exactly the facts the witness needs
beyond what the user starts with.
"""

from __future__ import annotations

from typing import Any

from .. import ir
from ..prove import Prover
from ..prove.prover import TaskProof

ROUNDS = 4


def prove_candidate(prover: Prover, name: str, grounded, knows: dict[str, Any],
                    initial: dict | None = None) -> tuple[TaskProof, dict]:
    knows = dict(knows)
    action = ir.ActionCall(tool=grounded.tool, arguments=dict(grounded.arguments))
    proof = None
    for _ in range(ROUNDS):
        task = ir.TaskDef(name=name, knows=dict(knows), initial=initial or {}, actions=(action,), reward=("state",))
        proof = prover.prove(task)
        missing = proof.witness.missing
        if proof.proved or not missing:
            break
        added = False
        for _number, label, value in missing:
            root = label.split("[")[0].split(".")[0]
            if root not in knows:
                knows[root] = grounded.arguments.get(root, value)
                added = True
        if not added:
            break
    return proof, knows
