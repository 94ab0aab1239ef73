"""Orchestration: candidates in index order, each from its own seeded rng, until `n` are proved.

Rejected candidates are counted by reason; a chain+targets already emitted is rejected as a
duplicate, so no two tasks share both. A candidate depends only on (seed, index), never on the
candidates before it, so `workers` can make index ranges apart (`candidates`) and the merge in
index order (`collect`) gives the same bytes as one process.
"""

from __future__ import annotations

import json
import statistics
from collections import Counter
from dataclasses import dataclass, field

from ..prove import Prover
from ..prove.model import DomainModel
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
    workers: int = 1
    domain: str | None = None   # how a spawned worker loads the domain (a forked one inherits it)


@dataclass
class Candidate:
    index: int
    task: dict | None      # None when rejected; named `synth_?` until `collect` numbers it
    reason: str | None     # why it was rejected
    key: str | None        # the witness's chain and arguments, for the duplicate rule
    growths_tried: int = 0
    growths_dropped: Counter = field(default_factory=Counter)   # by reason: the candidate is kept shorter


class Maker:
    """What every candidate shares: one prover (so one compiled environment), one grounder, one grower."""

    def __init__(self, compiled):
        self.prover = Prover(compiled)
        self.model = self.prover.model
        self.grounder = Grounder(self.model, compiled.initial_data(), self.prover.env)
        self.grower = Grower(compiled, self.model, self.grounder)


def synthesize(compiled, options: SynthOptions) -> dict:
    limit = options.n * options.max_candidates_factor
    if options.workers > 1:
        from .workers import parallel_candidates
        stream = parallel_candidates(compiled, options, limit)
    else:
        stream = candidates(Maker(compiled), options.seed, 0, limit)
    return collect(compiled, options, stream)


def collect(compiled, options: SynthOptions, stream) -> dict:
    """The first `n` proved candidates not already seen, numbered in index order."""
    tasks, rejected, seen, index = [], Counter(), set(), 0
    tried, dropped = 0, Counter()
    for candidate in stream:
        index = candidate.index + 1
        tried += candidate.growths_tried
        dropped += candidate.growths_dropped
        if candidate.task is None:
            rejected[candidate.reason] += 1
        elif candidate.key in seen:
            rejected["duplicate chain and targets"] += 1
        else:
            seen.add(candidate.key)
            tasks.append({**candidate.task, "name": f"synth_{len(tasks)}"})
            if len(tasks) == options.n:
                break   # before the stream makes another candidate
    model = DomainModel(compiled.ir)
    summary = {**_summary(tasks, rejected, index, model), **_growth_summary(tasks, model, tried, dropped)}
    return {"domain": compiled.name, "seed": options.seed, "tasks": tasks, "summary": summary}


def candidates(maker: Maker, seed: int, start: int, stop: int):
    """Candidates `start` to `stop - 1` of the index space, each proved or rejected on its own."""
    for index in range(start, stop):
        maker.grower.tried, maker.grower.dropped = 0, Counter()
        candidate = _candidate(maker, seed, index)
        candidate.growths_tried, candidate.growths_dropped = maker.grower.tried, maker.grower.dropped
        yield candidate


def _candidate(maker: Maker, seed: int, index: int) -> Candidate:
    model, prover, grower = maker.model, maker.prover, maker.grower
    rng = candidate_rng(seed, index, "ground")
    try:
        grounded = maker.grounder.ground(seed_tool(model, seed, index), rng)
    except GroundFailure as failure:
        return Candidate(index, None, reason_kind(failure.reason), None)
    chain = grower.grow(Chain([grounded]), chain_writes(seed, index), rng)
    name = "synth_?"   # the proof does not depend on the name; `collect` numbers the kept ones
    proof, knows, chain = prove_chain(prover, name, chain, lambda steps: chain_knows(model, steps, rng), grower.dropped)
    if not proof.proved:
        return Candidate(index, None, f"{proof.status}: {proof.reason.code if proof.reason else 'no reason'}", None)
    key = json.dumps([[s.call.tool, s.call.arguments] for s in proof.witness.steps], sort_keys=True)
    knows = used_facts(knows, proof.witness.steps)
    scenario = chain_scenario(model, chain.steps, knows)
    task = task_json(name, write_instruction(scenario), scenario, knows, grounded, proof)
    task.update(initial=chain.initial, chain=chain.links)   # synthesized rows, growth links (grow)
    return Candidate(index, task, None, key)


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


def _growth_summary(tasks: list[dict], model: DomainModel, tried: int, dropped: Counter) -> dict:
    writes = Counter(sum(1 for a in t["actions"] if model.is_write(a["tool"])) for t in tasks)
    return {
        "writes_per_task": {str(k): v for k, v in sorted(writes.items())},
        "synthesized_row_tasks": sum(1 for t in tasks if t["initial"]),
        "growth": {"tried": tried, "dropped": dict(sorted(dropped.items()))},
    }
