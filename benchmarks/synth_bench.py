"""Benchmark: `scaleenv synth` on retail. Proved tasks per CPU-second on one core (the floor is
100/s, the aim 1,000/s), the rate by chain length, and the wall time of 10,000 tasks with
`--workers 2` (budget: under 60 s on a 2-core machine). Medians of several runs.

- in-process runs: `synthesize(retail, n, seed)` after one warm-up, timed in CPU seconds of this
  process; each candidate is timed on its own, so the rate by chain length divides the proved
  tasks of a length by the CPU time their candidates took (rejected candidates are reported apart).
- the 10,000-task run: `python -m scaleenv_dsl synth retail --n 10000 --workers 2` in a fresh
  interpreter, wall time from outside (domain load and process start-up included), and the CPU
  seconds of it and its workers.

Results go to benchmarks/results/synth.json. Run from the repository root:

    .venv/bin/python benchmarks/synth_bench.py [--runs 5] [--n 1000] [--big-runs 3] [--big-n 10000]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "synth.json"


def in_process_run(compiled, n: int, seed: int) -> dict:
    """One `synthesize`-equivalent run, each candidate timed: the stream `collect` would consume."""
    from scaleenv_dsl.synth.run import Maker, SynthOptions, candidates, collect

    started = time.process_time()
    maker = Maker(compiled)
    setup = time.process_time() - started
    by_length: dict[int, list[float]] = defaultdict(list)
    rejected_cpu = [0.0]

    def timed(stream):
        while True:
            before = time.process_time()
            candidate = next(stream, None)
            spent = time.process_time() - before
            if candidate is None:
                return
            if candidate.task is None:
                rejected_cpu[0] += spent
            else:
                by_length[len(candidate.task["actions"])].append(spent)
            yield candidate

    document = collect(compiled, SynthOptions(n=n, seed=seed), timed(candidates(maker, seed, 0, n * 20)))
    total = time.process_time() - started
    summary = document["summary"]
    assert summary["tasks"] == n and all(t["proof"]["status"] == "proved" for t in document["tasks"])
    return {"cpu_s": total, "setup_cpu_s": setup, "tasks": n, "candidates": summary["candidates"],
            "rejected_cpu_s": rejected_cpu[0],
            "by_length": {k: {"tasks": len(v), "cpu_s": sum(v)} for k, v in sorted(by_length.items())}}


def big_run(n: int, workers: int, seed: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "tasks.json"
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "scaleenv_dsl", "synth", "retail", "--n", str(n),
                               "--seed", str(seed), "--workers", str(workers), "--out", str(out)],
                              cwd=ROOT, capture_output=True, text=True)
        wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if done.returncode != 0:
            raise SystemExit(f"synth failed ({done.returncode}): {done.stderr}")
        tasks = json.loads(out.read_text())["summary"]["tasks"]
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall_s": wall, "cpu_s": cpu, "tasks": tasks}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="in-process runs (default 5)")
    parser.add_argument("--n", type=int, default=1000, help="tasks per in-process run (default 1000)")
    parser.add_argument("--big-runs", type=int, default=3, help="runs of the 10,000-task command (default 3)")
    parser.add_argument("--big-n", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from scaleenv_dsl import load_domain

    retail = load_domain("retail")
    in_process_run(retail, 50, 99)   # warm-up: the generated module's first calls, the scratch env
    runs = [in_process_run(retail, args.n, seed) for seed in range(1, args.runs + 1)]
    lengths = sorted({k for r in runs for k in r["by_length"]})
    by_length = {}
    for k in lengths:
        rates = [r["by_length"][k]["tasks"] / r["by_length"][k]["cpu_s"] for r in runs
                 if k in r["by_length"] and r["by_length"][k]["cpu_s"] > 0]
        by_length[str(k)] = {"proved_per_cpu_s_median": round(statistics.median(rates), 1),
                             "tasks_median": statistics.median(r["by_length"].get(k, {"tasks": 0})["tasks"] for r in runs)}
    big = [big_run(args.big_n, args.workers, 1) for _ in range(args.big_runs)]
    result = {
        "benchmark": "scaleenv synth retail",
        "python": platform.python_version(), "cpus": os.cpu_count(),
        "load_average_1min": round(os.getloadavg()[0], 2),
        "in_process": {
            "runs": args.runs, "tasks_per_run": args.n, "seeds": list(range(1, args.runs + 1)),
            "proved_per_cpu_s_median": round(statistics.median(r["tasks"] / r["cpu_s"] for r in runs), 1),
            "proved_per_cpu_s_runs": [round(r["tasks"] / r["cpu_s"], 1) for r in runs],
            "setup_cpu_s_median": round(statistics.median(r["setup_cpu_s"] for r in runs), 4),
            "candidates_median": statistics.median(r["candidates"] for r in runs),
            "rejected_share_of_cpu_median": round(statistics.median(r["rejected_cpu_s"] / r["cpu_s"] for r in runs), 3),
            "by_chain_length": by_length,
        },
        "workers_run": {
            "command": f"scaleenv synth retail --n {args.big_n} --seed 1 --workers {args.workers}",
            "runs": args.big_runs, "budget_wall_s": 60,
            "wall_s_median": round(statistics.median(b["wall_s"] for b in big), 2),
            "wall_s_runs": [round(b["wall_s"], 2) for b in big],
            "cpu_s_median": round(statistics.median(b["cpu_s"] for b in big), 2),
            "tasks": big[0]["tasks"],
        },
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
