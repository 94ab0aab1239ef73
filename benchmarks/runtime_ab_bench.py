"""The retail tool-call benchmark, this checkout against another one, run by run.

    .venv/bin/python benchmarks/runtime_ab_bench.py --base /path/to/other/checkout [--pairs 6] [--repeats 5]

Runs `benchmarks/runtime_bench.py` of each checkout in turn (base, this one, base, ...), each in a
fresh interpreter that imports its own checkout's package, and writes the medians over the runs of
`mean_tool_call_us` (wall) and `mean_tool_call_cpu_us` to benchmarks/results/runtime_ab.json.
Alternating makes a shared machine's slow spells fall on both sides alike. Nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIGURES = ("mean_tool_call_us", "mean_tool_call_cpu_us", "replay_114_cases_s")


def _run(checkout: Path, repeats: int) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "runtime.json"
        subprocess.run([sys.executable, str(checkout / "benchmarks" / "runtime_bench.py"), "--repeats", str(repeats),
                        "--out", str(out)], check=True, stdout=subprocess.DEVNULL, cwd=checkout)
        return json.loads(out.read_text())["results"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True, help="the other checkout (its benchmarks/runtime_bench.py is run)")
    parser.add_argument("--pairs", type=int, default=6)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "runtime_ab.json"))
    args = parser.parse_args()
    sides = {"base": Path(args.base).resolve(), "branch": ROOT}
    runs: dict[str, list[dict]] = {side: [] for side in sides}
    for _ in range(args.pairs):
        for side, checkout in sides.items():
            runs[side].append(_run(checkout, args.repeats))
    summary = {side: {figure: {"median": statistics.median(r[figure] for r in results),
                               "runs": [r[figure] for r in results]} for figure in FIGURES}
               for side, results in runs.items()}
    report = {"benchmark": "runtime_ab", "base": str(sides["base"]), "pairs": args.pairs, "repeats": args.repeats,
              "load_average": os.getloadavg(), "results": summary}
    Path(args.out).write_text(json.dumps(report, indent=2) + "\n")
    for side in sides:
        print(side, {figure: summary[side][figure]["median"] for figure in FIGURES})


if __name__ == "__main__":
    main()
