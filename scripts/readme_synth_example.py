"""Print the synthesized retail task the README shows: `scaleenv synth retail --n 1 --seed 1`'s one
task, as its instruction, knows, witness and proof. tests/test_docs.py checks the README's block
is this output, so after a change to synth, regenerate it:

    .venv/bin/python scripts/readme_synth_example.py   # and paste it over the README's block
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def example() -> str:
    from scaleenv_dsl import load_domain
    from scaleenv_dsl.synth import SynthOptions, synthesize

    [task] = synthesize(load_domain("retail"), SynthOptions(n=1, seed=1))["tasks"]
    lines = ["$ scaleenv synth retail --n 1 --seed 1", "", "instruction:", task["instruction"], "",
             "knows: " + json.dumps(task["knows"], ensure_ascii=False), "", "witness:"]
    for action, step in zip(task["actions"], task["proof"]["steps"]):
        lines.append(f"  {action['tool']}({json.dumps(action['arguments'], ensure_ascii=False)})  # {step['origin']}")
    checks = ", ".join(name for name, ok in task["proof"]["checks"].items() if ok)
    lines += ["", f"proof: {task['proof']['status']} ({checks})"]
    return "\n".join(lines).replace("\t", "    ") + "\n"


if __name__ == "__main__":
    sys.stdout.write(example())
