"""Benchmark: parse and check a realistic ~1,000-line spec, and throughput at size.

Budget (docs/DESIGN): parse, check and compile a 1,000-line spec, cold, in
under 1 s. This script measures the parse+check part:

- cold: `python -m scaleenv_dsl check SPEC` in a fresh interpreter, timed from
  outside, so interpreter start-up and every import count (what a user or an
  LLM authoring loop waits for); plus a breakdown measured inside a fresh
  interpreter (imports, parse, check);
- warm: `check_paths` again and again in this process, after one warm-up;
- throughput: MB/s of `parse_source`, of `check_paths` on a valid spec, and of
  `check_paths` on the same spec with 26 syntax errors spread through it, at
  10 KB, 100 KB, 1 MB and 4 MB. The specs are the same realistic group of
  declarations repeated, renamed each time, so nothing megabytes long is kept.

Each figure is the median of RUNS runs (LARGE_RUNS for 1 MB and more). Results
go to benchmarks/results/check.json. Run from the repository root:

    .venv/bin/python benchmarks/check_bench.py [--throughput-only | --cold-only]

The throughput section takes more than six minutes; `--cold-only` measures the rest (about a
minute) and keeps the file's throughput figures.
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
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "check.json"
RUNS = 7
BUDGET_COLD_S = 1.0
GROUPS = 13  # each group is an enum, a record, an entity, three tools and a task: ~85 lines
SIZES = {"10 KB": 10_000, "100 KB": 100_000, "1 MB": 1_000_000, "4 MB": 4_000_000}
LARGE_RUNS = 3
SYNTAX_ERRORS = 26  # as in the report that found recovery parsing the whole file again after each


# ---------------------------------------------------------------- a realistic spec

def header() -> str:
    return '''domain bench {
  description "A synthetic shop used to time the checker."
  policy """
  Look up the customer first. Confirm every change before making it.
  Orders that shipped cannot be changed.
  """
  data "bench.json"
}

record Money {
  "An amount in a currency."
  amount: float "The amount." compare tolerance 0.01
  currency: str "ISO code." example "USD"
  invariant self.amount >= 0 else "amounts are not negative"
}

union Contact by channel {
  "How to reach someone."
  email { address: str  verified: bool }
  phone { number: str }
}
'''


def group(i: int) -> str:
    """One entity with its enum, record, tools and task; refers to the previous group's entity."""
    prev = f"Item{i - 1}" if i > 0 else None
    parent_field = f"  parent_id: ref {prev}? \"The parent item, if any.\"\n" if prev else ""
    return f'''
enum Status{i} {{ "new", "in progress", "on hold (waiting)", "done", "cancelled" }}

record Line{i} {{
  "A line of item {i}."
  sku: str "Stock keeping unit." example "SKU-{i}"
  quantity: int "How many."
  price: Money "Unit price."
  note: str?
  invariant self.quantity > 0 else "a line has a positive quantity"
}}

entity Item{i} in items{i} key item_id else "Item{i} not found" {{
  "An item of kind {i}."
  item_id: str "The id, such as 'i{i}_001'." example "i{i}_001"
  title: str "Title." compare normalized
  status: Status{i} "Where it stands."
  lines: list[Line{i}] "Its lines." compare unordered
  tags: map[str, str] "Free-form tags."
  contacts: list[Contact] "Who to tell."
  total: float "Sum of the lines." compare tolerance 0.01
  updated: str? "Last change." compare ignore
{parent_field}  invariant self.total >= 0 else "totals are not negative"
}}

tool get_item{i}(item_id: ref Item{i} "The item id." example "i{i}_001") -> Item{i} "The item." {{
  "Read item {i}."
  return items{i}[item_id]
}}

tool add_line{i}(
  item_id: ref Item{i} "The item id." example "i{i}_001",
  sku: str "The SKU." example "SKU-{i}",
  quantity: int "How many." example 2,
  price: float "Unit price." example 9.5,
) -> Item{i} "The item after the change." {{
  "Add a line to an item and update its total."
  let item = items{i}[item_id]
  require item.status in ["new", "in progress"] else "Item cannot change in status " + item.status
  require quantity > 0 else "Quantity must be positive"
  require not any(l.sku == sku for l in item.lines) else "SKU already present"
  item.lines.append(Line{i}(sku=sku, quantity=quantity, price=Money(amount=price, currency="USD")))
  item.total = round(sum(l.quantity * l.price.amount for l in item.lines), 2)
  if len(item.lines) > 3 {{
    item.tags["size"] = "large"
  }} else if len(item.lines) > 1 {{
    item.tags["size"] = "medium"
  }} else {{
    item.tags["size"] = "small"
  }}
  for c in item.contacts {{
    if c is email {{
      require c.address.endswith(".com") or c.verified else "Unverified contact"
    }}
  }}
  ensures item.total >= old(item.total)
  return item
}}

tool close_item{i}(item_id: ref Item{i} "The item id." example "i{i}_001", reason: str "Why.") -> Item{i} "The item." {{
  "Close an item, cancelling it when it has no lines."
  let item = items{i}[item_id]
  require item.status != "done" and item.status != "cancelled" else "Item is already closed"
  let skus = [l.sku.lower() for l in item.lines if l.quantity > 0]
  item.status = ("done" if len(skus) > 0 else "cancelled")
  item.tags["reason"] = reason.strip()
  return item
}}

task close_item{i} {{
  "Close item {i}."
  instruction "You want item i{i}_001 closed because it is finished."
  knows item_id = "i{i}_001"
  action get_item{i}(item_id="i{i}_001")
  action close_item{i}(item_id="i{i}_001", reason="finished")
  goal items{i}["i{i}_001"].status == "done"
  reward state, goal
}}
'''


def data(groups: int) -> dict:
    rows = {}
    for i in range(groups):
        row = {"item_id": f"i{i}_001", "title": f"Item {i}", "status": "in progress",
               "lines": [{"sku": f"SKU-{i}", "quantity": 1, "price": {"amount": 5.0, "currency": "USD"}}],
               "tags": {}, "contacts": [{"channel": "email", "address": "a@b.com", "verified": True}],
               "total": 5.0}
        rows[f"items{i}"] = {row["item_id"]: row}
    return rows


def write_spec(folder: Path, groups: int = GROUPS) -> Path:
    spec = folder / "bench.sedl"
    spec.write_text(header() + "".join(group(i) for i in range(groups)), encoding="utf-8")
    (folder / "bench.json").write_text(json.dumps(data(groups), indent=1), encoding="utf-8")
    return spec


def groups_for(size: int) -> int:
    """How many groups make a spec of about `size` bytes (group names grow with their number)."""
    total, groups = len(header()), 0
    while total < size:
        total += len(group(groups))
        groups += 1
    return groups


def with_syntax_errors(text: str, groups: int, errors: int) -> str:
    """`text` with the parameter list of `errors` tools broken, spread evenly through the file."""
    broken = {i * groups // errors for i in range(errors)}
    for i in sorted(broken):
        text = text.replace(f"tool get_item{i}(item_id", f"tool get_item{i}(item_id ,,", 1)
    return text


# ---------------------------------------------------------------- measurements

# Inside a fresh interpreter: imports, then the first check (which also loads the
# grammar), then parsing alone once the grammar is loaded.
_BREAKDOWN = r"""
import json, sys, time
t0 = time.perf_counter()
from scaleenv_dsl.parse import parse_source
from scaleenv_dsl.check import check_paths
t1 = time.perf_counter()
result = check_paths([sys.argv[1]])
t2 = time.perf_counter()
parse_source(open(sys.argv[1], encoding="utf-8").read(), sys.argv[1])
t3 = time.perf_counter()
print(json.dumps({"import_s": t1 - t0, "parse_and_check_s": t2 - t1, "parse_s": t3 - t2,
                  "errors": sum(d.is_error for d in result.diagnostics)}))
"""


def env(bytecode_cache: str | None = None) -> dict:
    extra = {"PYTHONPYCACHEPREFIX": bytecode_cache, "PYTHONDONTWRITEBYTECODE": "1"} if bytecode_cache else {}
    return {**os.environ, "PYTHONPATH": str(ROOT), **extra}


def compile_bytecode() -> None:
    """What `pip install` does for an installed package. An editable checkout on a machine with
    PYTHONDONTWRITEBYTECODE set would otherwise compile every module from source on every run."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "scaleenv_dsl")], check=True)


def cold_cli(spec: Path, bytecode_cache: str | None = None) -> tuple[float, float]:
    """Wall time and CPU time (user + system) of one CLI run. CPU time barely moves when other
    processes share the machine, so it is the steadier figure on a busy box. With
    `bytecode_cache` (an empty folder), no compiled bytecode is found: every module is compiled."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "scaleenv_dsl", "check", str(spec)], cwd=ROOT,
                          env=env(bytecode_cache), capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"the benchmark spec does not check clean:\n{proc.stdout}{proc.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, cpu


def cold_breakdown(spec: Path) -> dict:
    proc = subprocess.run([sys.executable, "-c", _BREAKDOWN, str(spec)], cwd=ROOT, env=env(),
                          capture_output=True, text=True, check=True)
    return json.loads(proc.stdout)


def warm(spec: Path, runs: int) -> list[float]:
    sys.path.insert(0, str(ROOT))
    from scaleenv_dsl.check import check_paths
    check_paths([str(spec)])  # warm-up: imports, grammar, caches
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        check_paths([str(spec)])
        times.append(time.perf_counter() - start)
    return times


def median(values: list[float]) -> float:
    return round(statistics.median(values), 4)


# ---------------------------------------------------------------- throughput at size

def timed(run) -> tuple[float, float]:
    """Wall and CPU seconds of `run()`: CPU time is the steadier figure on a shared machine."""
    wall, cpu = time.perf_counter(), time.process_time()
    run()
    return time.perf_counter() - wall, time.process_time() - cpu


def rates(megabytes: float, timings: list[tuple[float, float]]) -> dict:
    wall, cpu = median([w for w, _ in timings]), median([c for _, c in timings])
    return {"median_s": wall, "mb_per_s": round(megabytes / wall, 3),
            "median_cpu_s": cpu, "cpu_mb_per_s": round(megabytes / cpu, 3)}


def throughput_at(folder: Path, size: int) -> dict:
    from scaleenv_dsl.check import check_paths
    from scaleenv_dsl.parse import parse_source

    groups = groups_for(size)
    spec = write_spec(folder, groups)
    text = spec.read_text(encoding="utf-8")
    errors = min(SYNTAX_ERRORS, groups)
    broken = folder / "broken.sedl"
    broken.write_text(with_syntax_errors(text, groups, errors), encoding="utf-8")
    if not check_paths([str(spec)]).ok or check_paths([str(broken)]).ok:
        raise SystemExit(f"the {size}-byte specs are not what they should be: one clean, one broken")
    runs = RUNS if size < 1_000_000 else LARGE_RUNS
    megabytes = len(text.encode("utf-8")) / 1e6
    return {
        "bytes": len(text.encode("utf-8")), "lines": text.count("\n"), "runs": runs,
        "parse": rates(megabytes, [timed(lambda: parse_source(text, str(spec))) for _ in range(runs)]),
        "check": rates(megabytes, [timed(lambda: check_paths([str(spec)])) for _ in range(runs)]),
        f"check_with_{errors}_syntax_errors": rates(
            megabytes, [timed(lambda: check_paths([str(broken)])) for _ in range(runs)]),
    }


def throughput() -> dict:
    sys.path.insert(0, str(ROOT))
    from scaleenv_dsl.parse import parser
    parser()  # the grammar is loaded once per process: not part of any size's figure
    out = {"load_average_1min": round(os.getloadavg()[0], 2), "sizes": {}}
    with tempfile.TemporaryDirectory() as tmp:
        for label, size in SIZES.items():
            folder = Path(tmp) / label.replace(" ", "")
            folder.mkdir()
            out["sizes"][label] = throughput_at(folder, size)
            print(label, json.dumps(out["sizes"][label]), flush=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description="Time the checker; write benchmarks/results/check.json.")
    parser.add_argument("--throughput-only", action="store_true",
                        help="measure only the throughput at size, keeping the file's other figures")
    parser.add_argument("--cold-only", action="store_true",
                        help="measure only the cold and warm figures, keeping the file's throughput")
    args = parser.parse_args()
    if args.throughput_only and args.cold_only:
        parser.error("--throughput-only and --cold-only leave nothing to measure together")
    kept = json.loads(RESULTS.read_text(encoding="utf-8")) if RESULTS.exists() else {}
    result = kept if args.throughput_only else cold_and_warm()
    if args.cold_only:
        if "throughput" in kept:
            result["throughput"] = kept["throughput"]
    else:
        result["throughput"] = throughput()
    write_results(result)


def write_results(result: dict) -> None:
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))


def cold_and_warm() -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        spec = write_spec(Path(tmp))
        lines = spec.read_text().count("\n")
        cold_breakdown(spec)  # builds Lark's grammar cache once, as any first run on a machine does
        compile_bytecode()
        cold = [cold_cli(spec) for _ in range(RUNS)]
        empty_cache = Path(tmp) / "no-bytecode"
        empty_cache.mkdir()
        from_source = [cold_cli(spec, str(empty_cache)) for _ in range(RUNS)]
        breakdowns = [cold_breakdown(spec) for _ in range(RUNS)]
        warm_runs = warm(spec, RUNS)
    return {
        "benchmark": "parse and check a generated spec",
        "spec_lines": lines,
        "runs": RUNS,
        "cold_cli_median_s": median([wall for wall, _ in cold]),
        "cold_cli_cpu_median_s": median([cpu for _, cpu in cold]),
        "cold_cli_compiling_every_module_median_s": median([wall for wall, _ in from_source]),
        "cold_import_median_s": median([b["import_s"] for b in breakdowns]),
        "cold_parse_and_check_median_s": median([b["parse_and_check_s"] for b in breakdowns]),
        "warm_parse_only_median_s": median([b["parse_s"] for b in breakdowns]),
        "warm_parse_and_check_median_s": median(warm_runs),
        "budget_cold_s": BUDGET_COLD_S,
        "within_budget": median([wall for wall, _ in cold]) < BUDGET_COLD_S,
        "load_average_1min": round(os.getloadavg()[0], 2),
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
    }


if __name__ == "__main__":
    main()
