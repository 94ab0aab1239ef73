"""The JSON output: `{"domain", "seed", "tasks": [...], "summary"}`, keys sorted, for byte-identical runs."""

from __future__ import annotations

import json


def task_json(name, instruction, scenario, knows, grounded, proof, initial=None, distractors=0, goals=()) -> dict:
    witness = proof.witness
    return {
        "name": name,
        "instruction": instruction,
        "user_scenario": scenario,
        "knows": knows,
        "initial": initial or {},
        "actions": [s.call.to_json() for s in witness.steps],
        "goals": list(goals),
        "communicate": list(proof.task.communicate),
        "reward": ["state"] + (["goal"] if goals else []) + (["communicate"] if proof.task.communicate else []),
        "distractors": distractors,
        "target": {"entity": grounded.target[0], "key": grounded.target[1]},
        "proof": {"status": proof.status, "checks": proof.checks,
                  "steps": [{"tool": s.call.tool, "origin": s.origin} for s in witness.steps]},
    }


def render(document: dict) -> str:
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
