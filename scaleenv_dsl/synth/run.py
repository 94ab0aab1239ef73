"""Orchestration: candidates in index order, each from its own seeded rng, until `n` are proved.

Rejected candidates are counted by reason; a chain+targets already emitted is rejected as a
duplicate, so no two tasks share both.
"""

from __future__ import annotations

import json
import re
import statistics
from collections import Counter
from dataclasses import dataclass

from .. import ir
from ..prove import Prover
from ..prove.reads import comparable
from .chains import candidate_rng, seed_tool
from . import distractors
from .describe import Ambiguous, Describer, fact_name, merged
from .emit_json import task_json
from .goals import goals
from .ground import GroundFailure, Grounder
from .instruction import user_scenario, write_instruction
from .knows import choice_facts, identity_facts, used_facts
from .proofs import prove_candidate
from .questions import ask_text, question


@dataclass
class SynthOptions:
    n: int
    seed: int = 1
    max_candidates_factor: int = 20


def synthesize(compiled, options: SynthOptions) -> dict:
    prover = Prover(compiled)
    model = prover.model
    data = compiled.initial_data()
    grounder = Grounder(model, data, prover.env)
    describer = Describer(model, data)
    tasks, rejected, seen = [], Counter(), set()
    limit = options.n * options.max_candidates_factor
    index = 0
    while len(tasks) < options.n and index < limit:
        tool = seed_tool(model, options.seed, index)
        rng = candidate_rng(options.seed, index, "ground")
        said_rng = candidate_rng(options.seed, index, "describe")
        index += 1
        try:
            grounded = grounder.ground(tool, rng)
        except GroundFailure as failure:
            rejected[_short(failure.reason)] += 1
            continue
        choices = choice_facts(model, grounded)
        identity, owner = identity_facts(model, grounded, rng, choices)
        knows = {**identity, **choices}
        initial = distractors.overlay(model, describer, data, grounded, owner, said_rng)
        start = merged(data, initial)
        try:
            described = describer.describe(start, grounded, owner, knows, said_rng)
        except Ambiguous as unclear:
            rejected[unclear.reason] += 1
            continue
        name = f"synth_{len(tasks)}"
        proof, knows = prove_candidate(prover, name, grounded, {**knows, **described}, initial)
        if not proof.proved:
            rejected[f"{proof.status}: {proof.reason.code if proof.reason else 'no reason'}"] += 1
            continue
        key = json.dumps([[s.call.tool, s.call.arguments] for s in proof.witness.steps], sort_keys=True)
        if key in seen:
            rejected["duplicate chain and targets"] += 1
            continue
        seen.add(key)
        # a description stays unless the key it describes had to be given after all
        given = {fact_name(p) for p in grounded.arguments if p in knows and p not in described}
        knows = {**used_facts(knows, proof.witness.steps),
                 **{k: v for k, v in described.items() if k in knows and k not in given}}
        scenario = user_scenario(model.tools[tool], knows, set(described) - set(grounded.arguments))
        proof, asked = _ask(prover, model, describer, start, grounded, owner, proof, said_rng)
        if asked is not None:
            knows[asked["fact"]] = asked["about"]
            scenario["reason_for_call"] += " " + ask_text(asked)
        near = distractors.count(model, describer, start, grounded, owner)
        predicates = goals(model, prover.env, proof.task, proof.witness.steps, start)
        tasks.append(task_json(name, write_instruction(scenario), scenario, knows, grounded, proof, initial, near,
                               predicates))
    return {"domain": compiled.name, "seed": options.seed, "tasks": tasks,
            "summary": _summary(tasks, rejected, index, model)}


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
        "with_overlay": sum(1 for t in tasks if t["initial"]),
        "with_question": sum(1 for t in tasks if t["communicate"]),
        "entities": dict(sorted(Counter(t["target"]["entity"] for t in tasks).items())),
    }
