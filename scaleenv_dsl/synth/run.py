"""Orchestration: candidates in index order, each from its own seeded rng, until `n` are proved.

Rejected candidates are counted by reason; a chain+targets already emitted is rejected as a
duplicate, so no two tasks share both.
"""

from __future__ import annotations

import json
import statistics
from collections import Counter
from dataclasses import dataclass

from ..prove import Prover
from .chains import candidate_rng, chain_scenario, chain_writes, reason_kind, seed_tool
from .emit_json import task_json
from .ground import GroundFailure, Grounder
from .grow import Chain, Grower, chain_knows
from .instruction import write_instruction
from .knows import used_facts
from .proofs import prove_chain


@dataclass
class SynthOptions:
    n: int
    seed: int = 1
    max_candidates_factor: int = 20


def synthesize(compiled, options: SynthOptions) -> dict:
    prover = Prover(compiled)
    model = prover.model
    grounder = Grounder(model, compiled.initial_data(), prover.env)
    grower = Grower(compiled, model, grounder)
    tasks, rejected, seen = [], Counter(), set()
    limit = options.n * options.max_candidates_factor
    index = 0
    while len(tasks) < options.n and index < limit:
        tool = seed_tool(model, options.seed, index)
        rng = candidate_rng(options.seed, index, "ground")
        index += 1
        try:
            grounded = grounder.ground(tool, rng)
        except GroundFailure as failure:
            rejected[reason_kind(failure.reason)] += 1
            continue
        chain = grower.grow(Chain([grounded]), chain_writes(options.seed, index - 1), rng)
        name = f"synth_{len(tasks)}"
        proof, knows, chain = prove_chain(prover, name, chain, lambda steps: chain_knows(model, steps, rng),
                                          grower.dropped)
        if not proof.proved:
            rejected[f"{proof.status}: {proof.reason.code if proof.reason else 'no reason'}"] += 1
            continue
        key = json.dumps([[s.call.tool, s.call.arguments] for s in proof.witness.steps], sort_keys=True)
        if key in seen:
            rejected["duplicate chain and targets"] += 1
            continue
        seen.add(key)
        knows = used_facts(knows, proof.witness.steps)
        scenario = chain_scenario(model, chain.steps, knows)
        tasks.append(task_json(name, write_instruction(scenario), scenario, knows, grounded, proof))
        tasks[-1].update(initial=chain.initial, chain=chain.links)   # synthesized rows, growth links (grow)
    return {"domain": compiled.name, "seed": options.seed, "tasks": tasks,
            "summary": {**_summary(tasks, rejected, index, model), **grower.summary(tasks)}}


def _summary(tasks: list[dict], rejected: Counter, candidates: int, model) -> dict:
    lengths = [len(t["actions"]) for t in tasks]
    writes = Counter(a["tool"] for t in tasks for a in t["actions"] if model.is_write(a["tool"]))
    return {
        "tasks": len(tasks),
        "candidates": candidates,
        "rejected": dict(sorted(rejected.items())),
        "write_tools": dict(sorted(writes.items())),
        "unused_write_tools": sorted(t.name for t in model.write_tools if t.name not in writes),
        "chain_lengths": {str(k): v for k, v in sorted(Counter(lengths).items())},
        "median_chain_length": statistics.median(lengths) if lengths else 0,
        "distractors": {str(k): v for k, v in sorted(Counter(t["distractors"] for t in tasks).items())},
        "entities": dict(sorted(Counter(t["target"]["entity"] for t in tasks).items())),
    }
