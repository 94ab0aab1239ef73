"""Orchestration: candidates in index order, each from its own seeded rng, until `n` are proved.

Rejected candidates are counted by reason; a chain+targets already emitted is rejected as a
duplicate, so no two tasks share both. A candidate depends only on (seed, index), never on the
candidates before it, so `workers` can make index ranges apart (`candidates`) and the merge in
index order (`collect`) gives the same bytes as one process.
"""

from __future__ import annotations

import json
import re
import statistics
from collections import Counter
from dataclasses import dataclass

from ..prove import Prover
from ..prove.model import DomainModel
from .chains import candidate_rng, seed_tool
from .emit_json import task_json
from .ground import GroundFailure, Grounder
from .instruction import user_scenario, write_instruction
from .knows import choice_facts, identity_facts, used_facts
from .proofs import prove_candidate


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


class Maker:
    """What every candidate shares: one prover (so one compiled environment) and one grounder."""

    def __init__(self, compiled):
        self.prover = Prover(compiled)
        self.model = self.prover.model
        self.grounder = Grounder(self.model, compiled.initial_data(), self.prover.env)


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
    for candidate in stream:
        index = candidate.index + 1
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
    return {"domain": compiled.name, "seed": options.seed, "tasks": tasks,
            "summary": _summary(tasks, rejected, index, model)}


def candidates(maker: Maker, seed: int, start: int, stop: int):
    """Candidates `start` to `stop - 1` of the index space, each proved or rejected on its own."""
    model, grounder, prover = maker.model, maker.grounder, maker.prover
    for index in range(start, stop):
        tool = seed_tool(model, seed, index)
        rng = candidate_rng(seed, index, "ground")
        try:
            grounded = grounder.ground(tool, rng)
        except GroundFailure as failure:
            yield Candidate(index, None, _short(failure.reason), None)
            continue
        choices = choice_facts(model, grounded)
        knows = {**identity_facts(model, grounded, rng, choices), **choices}
        name = "synth_?"   # the proof does not depend on the name; `collect` numbers the kept ones
        proof, knows = prove_candidate(prover, name, grounded, knows)
        if not proof.proved:
            yield Candidate(index, None, f"{proof.status}: {proof.reason.code if proof.reason else 'no reason'}", None)
            continue
        key = json.dumps([[s.call.tool, s.call.arguments] for s in proof.witness.steps], sort_keys=True)
        knows = used_facts(knows, proof.witness.steps)
        scenario = user_scenario(model.tools[tool], knows)
        yield Candidate(index, task_json(name, write_instruction(scenario), scenario, knows, grounded, proof), None, key)


def _short(reason: str) -> str:
    # a guard's message names the rows it failed on; the count is per kind of failure
    if not reason.startswith("guard-fails"):
        return reason
    return "guard-fails: " + re.sub(r"#?\w*\d{3,}\w*", "<id>", reason.split(": ", 1)[1])[:80]


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
