"""`--format sedl`: a tasks file that includes the domain's spec, so `scaleenv check` accepts it
and `scaleenv prove DOMAIN --tasks FILE` proves its tasks again.

The include is the spec's path relative to the tasks file: the language requires that it lie in
the tasks file's folder or below, so the file goes next to the spec (or in a copy of its folder).
"""

from __future__ import annotations

import json
import os
from pathlib import Path


def render(document: dict, spec: Path, out: Path) -> str:
    include = Path(os.path.relpath(spec.resolve(), out.resolve().parent)).as_posix()
    lines = [f"# {len(document['tasks'])} tasks synthesized and proved by `scaleenv synth "
             f"{document['domain']} --seed {document['seed']}`.", f"include {_literal(include)}", ""]
    for task in document["tasks"]:
        lines.append(f"task {task['name']} {{")
        lines.append(f"  instruction {_literal(task['instruction'])}")
        if task["initial"]:
            lines.append(f"  initial {_literal(task['initial'])}")
        for name, value in task["knows"].items():
            lines.append(f"  knows {name} = {_literal(value)}")
        for action in task["actions"]:
            args = ", ".join(f"{k}={_literal(v)}" for k, v in action["arguments"].items())
            lines.append(f"  action {action['tool']}({args})")
        for condition in task["goals"]:
            lines.append(f"  goal {condition}")
        for text in task["communicate"]:
            lines.append(f"  communicate {_literal(text)}")
        lines.append("  reward " + ", ".join(task["reward"]))
        lines.append("}")
        lines.append("")
    return "\n".join(lines)


def _literal(value) -> str:
    # the spec language's string, number, list and map literals are JSON's
    return json.dumps(value, ensure_ascii=False)
