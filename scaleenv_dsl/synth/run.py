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

from .. import ir
from ..prove import Prover
from ..prove.model import DomainModel
from ..prove.reads import comparable
from . import distractors
from .chains import candidate_rng, chain_scenario, chain_writes, reason_kind, seed_tool
from .describe import Ambiguous, Describer, fact_name, merged
from .emit_json import task_json
from .goals import goals
from .ground import GroundFailure, Grounder
from .grow import Chain, Grower, chain_choices
from .instruction import write_instruction
from .knows import choice_facts, identity_facts, used_facts
from .proofs import prove_chain
from .questions import ask_text, question


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
    """What every candidate shares: one prover (so one compiled environment), one grounder, one
    grower, one describer (its index of who owns which rows is built once)."""

    def __init__(self, compiled):
        self.prover = Prover(compiled)
        self.model = self.prover.model
        self.data = compiled.initial_data()
        self.grounder = Grounder(self.model, self.data, self.prover.env)
        self.grower = Grower(compiled, self.model, self.grounder)
        self.describer = Describer(self.model, self.data)


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
    """Ground the first write, grow the chain, say which rows the user means, prove, then ask a
    question, count distractors and state the goals."""
    model, prover, data, describer = maker.model, maker.prover, maker.data, maker.describer
    rng, said_rng = candidate_rng(seed, index, "ground"), candidate_rng(seed, index, "describe")
    try:
        grounded = maker.grounder.ground(seed_tool(model, seed, index), rng)
    except GroundFailure as failure:
        return Candidate(index, None, reason_kind(failure.reason), None)
    identity, owner = identity_facts(model, grounded, rng, choice_facts(model, grounded))
    # the distractor sibling is the chain's base overlay: later writes are grounded with it present
    base = distractors.overlay(model, describer, data, grounded, owner, said_rng)
    chain = maker.grower.grow(Chain([grounded], [base]), chain_writes(seed, index), rng)
    # told again with every write's choices: an identity zip must not be a new address's zip
    identity, owner = identity_facts(model, grounded, candidate_rng(seed, index, "identity"),
                                     chain_choices(model, chain.steps))
    knows = {**identity, **chain_choices(model, chain.steps)}
    try:
        by_step = _descriptions(describer, merged(data, chain.initial), chain.steps, owner, knows, said_rng)
    except Ambiguous as unclear:
        return Candidate(index, None, unclear.reason, None)

    def knows_of(steps: list) -> dict:
        return {**identity, **chain_choices(model, steps), **{k: v for d in by_step[:len(steps)] for k, v in d.items()}}

    proof, knows, chain = prove_chain(prover, "synth_?", chain, knows_of,   # `collect` numbers the kept ones
                                      maker.grower.dropped)
    if not proof.proved:
        return Candidate(index, None, f"{proof.status}: {proof.reason.code if proof.reason else 'no reason'}", None)
    key = json.dumps([[s.call.tool, s.call.arguments] for s in proof.witness.steps], sort_keys=True)
    described = {k: v for d in by_step[:len(chain.steps)] for k, v in d.items()}
    # a description stays unless the key it describes had to be given after all
    # (by value too: the proof adds a key under its parameter's name, whichever write it is for)
    given = {_said_as(i, fact_name(p)) for i, g in enumerate(chain.steps) for p, value in g.arguments.items()
             if knows.get(p) == value and p not in described}
    knows = {**used_facts(knows, proof.witness.steps),
             **{k: v for k, v in described.items() if k in knows and k not in given}}
    keys = {_said_as(i, p) for i, g in enumerate(chain.steps) for p in g.arguments}   # given, not described
    scenario = chain_scenario(model, chain.steps, knows, set(described) - keys)
    start = merged(data, chain.initial)
    proof, asked = _ask(prover, model, describer, start, grounded, owner, proof, said_rng)
    if asked is not None:
        knows[asked["fact"]] = asked["about"]
        scenario["reason_for_call"] += " " + ask_text(asked)
    near = distractors.count(model, describer, start, grounded, owner)
    predicates = goals(model, prover.end_changes(proof), start)
    task = task_json("synth_?", write_instruction(scenario), scenario, knows, grounded, proof, chain.initial,
                     near, predicates)
    task.update(chain=chain.links, synthesized_rows=chain.synthesized_rows)
    return Candidate(index, task, None, key)


LATER = ("second", "third")   # how the user tells a later write's rows from the first's


def _said_as(step: int, name: str) -> str:
    return name if step == 0 else f"{LATER[step - 1]}_{name}"


def _descriptions(describer, start: dict, steps: list, owner, knows: dict, rng) -> list[dict]:
    """Each write's rows as the user knows them (`describe`), a later write's facts named after its
    place (`second_order`, `second_items`), so that one name never holds two writes' rows."""
    return [{_said_as(i, name): value for name, value in describer.describe(start, g, owner, knows, rng).items()}
            for i, g in enumerate(steps)]


def _ask(prover, model, describer, start, grounded, owner, proof, rng):
    """The proof again with a question of the user's (`questions`) whose answer the agent must say;
    the first proof and no question when there is none or the prover cannot show its answer."""
    outputs = " ".join(comparable(m) for m in proof.witness.messages)
    asked = question(model, describer, start, grounded, owner, outputs, rng)
    if asked is None:
        return proof, None
    task = proof.task
    again = prover.prove(ir.TaskDef(name=task.name, knows={**task.knows, asked["fact"]: asked["about"]},
                                    initial=task.initial, actions=task.actions, communicate=(asked["answer"],),
                                    reward=("state", "communicate")))
    return (again, asked) if again.proved else (proof, None)


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
        "with_overlay": sum(1 for t in tasks if t["initial"]),
        "with_question": sum(1 for t in tasks if t["communicate"]),
        "entities": dict(sorted(Counter(t["target"]["entity"] for t in tasks).items())),
    }


def _growth_summary(tasks: list[dict], model: DomainModel, tried: int, dropped: Counter) -> dict:
    writes = Counter(sum(1 for a in t["actions"] if model.is_write(a["tool"])) for t in tasks)
    return {
        "writes_per_task": {str(k): v for k, v in sorted(writes.items())},
        "synthesized_row_tasks": sum(1 for t in tasks if t["synthesized_rows"]),
        "growth": {"tried": tried, "dropped": dict(sorted(dropped.items()))},
    }
