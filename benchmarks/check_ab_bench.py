"""Benchmark: the cold check of the ~1,000-line spec, this checkout against another, interleaved.

On a shared, loaded machine two figures taken minutes apart are not comparable; runs that
alternate between the two trees are. Each run is `python -m scaleenv_dsl check SPEC` with the
tree as working directory (so `-m` imports that tree's package), timed in CPU seconds of the
child. Results go to benchmarks/results/check_ab.json. Run from the repository root:

    .venv/bin/python benchmarks/check_ab_bench.py --base /work/main [--runs 9]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from check_bench import write_spec  # noqa: E402  (the same generated spec as check_bench.py)

RESULTS = ROOT / "benchmarks" / "results" / "check_ab.json"


def cold_cpu(tree: Path, spec: Path) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([sys.executable, "-m", "scaleenv_dsl", "check", str(spec)], cwd=tree, check=True,
                   capture_output=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True, help="the other checkout, e.g. main's worktree")
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    trees = {"base": Path(args.base).resolve(), "this": ROOT}
    with tempfile.TemporaryDirectory() as tmp:
        spec = write_spec(Path(tmp))
        for tree in trees.values():  # each tree's grammar cache is built once, as on any machine
            cold_cpu(tree, spec)
        runs: dict[str, list[float]] = {name: [] for name in trees}
        for i in range(args.runs):
            order = list(trees.items()) if i % 2 == 0 else list(trees.items())[::-1]
            for name, tree in order:
                runs[name].append(cold_cpu(tree, spec))
        lines = spec.read_text().count("\n")
    result = {"benchmark": "cold check, interleaved", "spec_lines": lines, "runs": args.runs,
              "base": str(trees["base"]), "load_average_1min": round(os.getloadavg()[0], 2),
              **{f"{name}_cold_cpu_median_s": round(statistics.median(v), 4) for name, v in runs.items()}}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
