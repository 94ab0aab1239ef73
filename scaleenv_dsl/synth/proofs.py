"""Prove each candidate with `scaleenv prove`'s prover, on one compiled environment reused for
every candidate (a reset is a journal rollback, not a reload).

A candidate is its chain's grounded writes as the gold actions, in order, with `reward state`
and the chain's overlay as the task's `initial`. The witness builder inserts the reads that
reveal each argument; a value no read reveals is added to `knows` and the candidate proved
again, up to a few rounds — so `knows` holds exactly the facts the witness needs beyond what the
user starts with. A chain that does not prove loses its last write and is proved again
(`prove_chain`): a grown write is kept only if the whole chain proves.
"""

from __future__ import annotations

from typing import Any, Callable

from .. import ir
from ..prove import Prover
from ..prove.prover import TaskProof

ROUNDS = 4


def prove_candidate(prover: Prover, name: str, steps: list, knows: dict[str, Any],
                    initial: dict | None = None) -> tuple[TaskProof, dict]:
    """`steps` are the grounded writes (`ground.Grounded`), in the order they are made."""
    knows = dict(knows)
    actions = tuple(ir.ActionCall(tool=g.tool, arguments=dict(g.arguments)) for g in steps)
    proof = None
    for _ in range(ROUNDS):
        task = ir.TaskDef(name=name, knows=dict(knows), initial=initial or {}, actions=actions, reward=("state",))
        proof = prover.prove(task)
        missing = proof.witness.missing
        if proof.proved or not missing:
            break
        added = False
        for number, label, value in missing:
            root = label.split("[")[0].split(".")[0]
            if root not in knows:
                knows[root] = proof.witness.steps[number - 1].call.arguments.get(root, value)
                added = True
        if not added:
            break
    return proof, knows


def prove_chain(prover: Prover, name: str, chain, knows_of: Callable[[list], dict],
                dropped) -> tuple[TaskProof, dict, Any]:
    """The longest prefix of `chain` that proves (or the one-write chain's failed proof), its knows
    and the prefix; each write dropped is counted in `dropped` by the proof's reason."""
    for length in range(len(chain.steps), 0, -1):
        prefix = chain.prefix(length)
        proof, knows = prove_candidate(prover, name, prefix.steps, knows_of(prefix.steps), prefix.initial)
        if proof.proved or length == 1:
            return proof, knows, prefix
        dropped[f"unproved chain: {proof.status}: {proof.reason.code if proof.reason else 'no reason'}"] += 1
    raise ValueError("a chain has at least one write")
