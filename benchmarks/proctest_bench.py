"""Procedural tests benchmark: `scaleenv test` on the stdlib domains, and their mutation scores.

    .venv/bin/python benchmarks/proctest_bench.py [--repeats 3] [--out benchmarks/results/proctest.json]

Budget: `scaleenv test retail` under 60 s on this machine. It is timed as a user runs it, in a
fresh interpreter (loading and checking the spec included), the median of the repeats, in wall
and CPU time. Then, once per domain, in process: the time of each phase and the mutation score
over every mutant (`scaleenv test DOMAIN --mutants`). Nothing here asserts a time.
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
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scaleenv_dsl.api import load_domain  # noqa: E402
from scaleenv_dsl.proctest.report import to_json  # noqa: E402
from scaleenv_dsl.proctest.runner import Options, run_procedural_tests  # noqa: E402

DEFAULT_OUT = ROOT / "benchmarks" / "results" / "proctest.json"
BUDGET_S = 60.0


def time_the_command(domain: str, repeats: int) -> dict:
    """`python -m scaleenv_dsl test DOMAIN` in a fresh interpreter: wall and CPU seconds, medians."""
    walls, cpus = [], []
    for _ in range(repeats):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "scaleenv_dsl", "test", domain], cwd=ROOT,
                              capture_output=True, text=True)
        walls.append(time.perf_counter() - started)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        if done.returncode != 0:
            raise SystemExit(f"scaleenv test {domain} exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
    return {"command": f"scaleenv test {domain}", "wall_median_s": round(statistics.median(walls), 2),
            "wall_max_s": round(max(walls), 2), "cpu_median_s": round(statistics.median(cpus), 2),
            "within_budget": statistics.median(walls) < BUDGET_S}


def measure_in_process(domain: str) -> dict:
    """The phases of one run with every mutant, and what it found."""
    compiled = load_domain(domain)
    started = time.perf_counter()
    report = run_procedural_tests(compiled, Options(mutants=True))
    elapsed = time.perf_counter() - started
    data = to_json(report)
    mutants = data["mutants"]
    return {"ok": data["ok"], "seconds": data["seconds"], "total_s": round(elapsed, 2),
            "guards": data["summary"], "walks": data["walks"], "search_calls": report.search.calls,
            "mutation_score": round(mutants["score"], 4), "mutants": {k: v for k, v in mutants.items()
                                                                       if k != "survivors"},
            "survivors": [s["id"] for s in mutants["survivors"]]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    load_before = os.getloadavg()[0]
    results = {"retail_command": time_the_command("retail", args.repeats),
               "library_command": time_the_command("library", args.repeats),
               "retail": measure_in_process("retail"),
               "library": measure_in_process("library")}
    report = {
        "benchmark": "scaleenv test on the stdlib domains",
        "budget": {"scaleenv test retail": f"< {BUDGET_S:.0f} s", "mutation score": ">= 0.8 on both"},
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform(),
                    "load_average_before": round(load_before, 2),
                    "load_average_after": round(os.getloadavg()[0], 2)},
        "results": results,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(json.dumps({k: {n: v for n, v in r.items() if n != "survivors"} for k, r in results.items()}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
