"""`--tau2 FILE`: the tasks in tau2-bench's Task format (schemas/tau2_task.schema.json, MIT, from
sierra-research/tau2-bench). The witness is `evaluation_criteria.actions`, replayed by tau2 to
derive the target DB; the overlay is `initial_state.initialization_data.agent_data`."""

from __future__ import annotations

import json


def tau2_task(task: dict, domain: str) -> dict:
    basis = ["DB"] + (["COMMUNICATE"] if task["communicate"] else [])
    return {
        "id": task["name"],
        "description": {"purpose": "synthesized by scaleenv synth; proof " + task["proof"]["status"],
                        "relevant_policies": None, "notes": None},
        "user_scenario": {"persona": None, "instructions": {"domain": domain, **task["user_scenario"]}},
        "initial_state": ({"initialization_data": {"agent_data": task["initial"], "user_data": None},
                           "initialization_actions": None, "message_history": None} if task["initial"] else None),
        "evaluation_criteria": {
            "actions": [{"action_id": f"{task['name']}_{i}", "name": a["tool"], "arguments": a["arguments"],
                         "info": None} for i, a in enumerate(task["actions"])],
            "communicate_info": list(task["communicate"]),
            "nl_assertions": None,
            "reward_basis": basis,
        },
    }


def render(document: dict) -> str:
    tasks = [tau2_task(t, document["domain"]) for t in document["tasks"]]
    return json.dumps(tasks, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
