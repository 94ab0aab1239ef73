#!/usr/bin/env python3
"""Benchmark of `scaleenv prove`: proofs of tau2's 114 retail tasks, and a goal-only search.

    .venv/bin/python benchmarks/prove_bench.py [--repeats 7] [--out benchmarks/results/prove.json]

Figures (medians over the repeats, each run in one process on one prover):
- `median_task_ms`: the median proof time of a retail task (budget: < 20 ms);
- `all_114_s`: the 114 proofs one after the other (budget: < 3 s);
- `search_cancel_four_ms`: the planner's benchmark, a goal-only task on retail: a user with 13
  orders, four of them pending, must have all four cancelled (budget: < 50 ms). The user and
  orders are made for it from the retail data, in a temporary copy of the domain.

Each wall-clock figure has a CPU-time twin (`..._cpu_...`): on a shared machine the wall clock
also counts the time other processes hold the cores. No test asserts a time: this script only
measures and records.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from scaleenv_dsl.api import load_domain  # noqa: E402
from scaleenv_dsl.prove import Prover  # noqa: E402

RETAIL = REPO / "stdlib_domains" / "retail"
USER = "yusuf_rossi_9620"
PENDING = 4
ORDERS = 13


def search_domain(folder: Path) -> tuple[Path, list[str]]:
    """A copy of retail whose user USER has ORDERS orders, PENDING of them pending, and one task:
    cancel every pending order, given only the user's name and zip code."""
    data = json.loads((RETAIL / "db.json").read_text(encoding="utf-8"))
    user = data["users"][USER]
    method = next(iter(user["payment_methods"]))
    donors = [o for o in data["orders"].values() if o["user_id"] != USER][:ORDERS]
    ids = []
    for n, donor in enumerate(donors):
        order_id = f"#W90000{n:02d}"
        order = json.loads(json.dumps(donor))
        order.update(order_id=order_id, user_id=USER, status="pending" if n % 3 == 0 and len(ids) < PENDING
                     else "delivered")
        for payment in order["payment_history"]:
            payment["payment_method_id"] = method
        data["orders"][order_id] = order
        if order["status"] == "pending":
            ids.append(order_id)
    user["orders"] = [f"#W90000{n:02d}" for n in range(len(donors))]
    shutil.copy(RETAIL / "retail.sedl", folder / "retail.sedl")
    (folder / "db.json").write_text(json.dumps(data), encoding="utf-8")
    goals = "\n".join(f'  goal orders["{i}"].status == "cancelled"' for i in ids)
    first, last = user["name"]["first_name"], user["name"]["last_name"]
    (folder / "tasks.sedl").write_text(f"""task cancel_all_pending {{
  "Cancel every pending order of a user with {ORDERS} orders: a goal-only task, proved by search."
  knows first_name = "{first}"
  knows last_name = "{last}"
  knows zip = "{user['address']['zip']}"
{goals}
  reward goal
}}
""", encoding="utf-8")
    return folder / "retail.sedl", ids


def measure_retail(repeats: int) -> dict:
    domain = load_domain("retail")
    medians, totals, cpu, statuses = [], [], [], None
    for _ in range(repeats):
        prover = Prover(domain)
        started, started_cpu = time.perf_counter(), time.process_time()
        result = prover.prove_all()
        totals.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
        medians.append(statistics.median(p.time_ms for p in result.proofs))
        statuses = {s: sum(1 for p in result.proofs if p.status == s) for s in ("proved", "trivial", "unsolvable",
                                                                                 "unknown")}
    return {"median_task_ms": round(statistics.median(medians), 3), "all_114_s": round(statistics.median(totals), 3),
            "all_114_cpu_s": round(statistics.median(cpu), 3), "all_114_s_runs": [round(t, 3) for t in totals],
            "statuses": statuses}


def measure_search(repeats: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        spec, pending = search_domain(Path(tmp))
        domain = load_domain(spec)
        task = domain.task("cancel_all_pending")
        prover = Prover(domain)
        prover.prove(task)   # the first proof copies the initial data once for the relaxed task
        runs, cpu, proof = [], [], None
        for _ in range(repeats):
            started, started_cpu = time.perf_counter(), time.process_time()
            proof = prover.prove(task)
            runs.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
    return {"search_cancel_four_ms": round(statistics.median(runs), 3),
            "search_cancel_four_cpu_ms": round(statistics.median(cpu), 3), "runs_ms": [round(r, 3) for r in runs],
            "status": proof.status, "pending_orders": pending,
            "witness": [f"{s.origin} {s.call.tool}({json.dumps(s.call.arguments)})" for s in proof.witness.steps],
            "expanded": proof.search.expanded, "generated": proof.search.generated}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--out", default=str(REPO / "benchmarks" / "results" / "prove.json"))
    args = parser.parse_args()
    results = {
        "python": platform.python_version(), "cpus": os.cpu_count(),
        "load_average_before": round(os.getloadavg()[0], 2), "repeats": args.repeats,
        "budgets": {"median_task_ms": 20, "all_114_s": 3, "search_cancel_four_ms": 50},
        "retail": measure_retail(args.repeats), "search": measure_search(args.repeats),
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(json.dumps({k: results[k] for k in ("retail", "search")}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
