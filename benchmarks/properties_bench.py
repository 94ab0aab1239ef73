#!/usr/bin/env python3
"""The property-based suite's long profile: many more examples than CI runs, with fresh randomness.

    .venv/bin/python benchmarks/properties_bench.py [--out benchmarks/results/properties.json]

Runs `tests/properties` with SCALEENV_HYPOTHESIS_PROFILE=long (hundreds of mutated specs and data
files, thousands of hostile call sequences; the counts are in the test module) and records, per
property, the outcome and the examples hypothesis ran, plus the wall time of the whole run. A
failing property makes this script exit 1, with hypothesis's shrunk example in the pytest output.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
_STATS = re.compile(r"^tests/properties/\S+::(?P<test>\w+):\s*$")
_PASSING = re.compile(r"(?P<count>\d+) passing, (?P<failing>\d+) failing")
_OUTCOME = re.compile(r"^tests/properties/\S+::(?P<test>\w+) (?P<outcome>PASSED|FAILED)", re.MULTILINE)


def run() -> tuple[dict, str, int]:
    env = dict(os.environ, SCALEENV_HYPOTHESIS_PROFILE="long", PYTHONPATH=str(REPO))
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "pytest", "-o", "addopts=", "-v", "-p", "no:cacheprovider",
                           "--hypothesis-show-statistics", "tests/properties"],
                          cwd=REPO, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    properties: dict[str, dict] = {m["test"]: {"outcome": m["outcome"]} for m in _OUTCOME.finditer(done.stdout)}
    current = None
    for line in done.stdout.splitlines():
        found = _STATS.match(line.strip())
        if found:
            current = found["test"]
        elif current and (count := _PASSING.search(line)):
            entry = properties.setdefault(current, {})
            entry["passing_examples"] = entry.get("passing_examples", 0) + int(count["count"])
            entry["failing_examples"] = entry.get("failing_examples", 0) + int(count["failing"])
    return {"properties": properties, "wall_s": round(seconds, 1)}, done.stdout + done.stderr, done.returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(REPO / "benchmarks" / "results" / "properties.json"))
    args = parser.parse_args()
    figures, output, code = run()
    figures.update({"profile": "long", "python": platform.python_version(), "machine": platform.machine(),
                    "cpus": os.cpu_count(), "exit_code": code})
    Path(args.out).write_text(json.dumps(figures, indent=2) + "\n")
    print(json.dumps(figures, indent=2))
    if code != 0:
        print(output[-4000:], file=sys.stderr)
    return 0 if code == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
