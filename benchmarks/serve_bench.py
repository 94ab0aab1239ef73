"""Serving benchmark on retail: what an episode costs in-process, and `scaleenv serve` over HTTP.

    .venv/bin/python benchmarks/serve_bench.py [--calls 550] [--episodes 128] [--out benchmarks/results/serve.json]

In-process (the budgets of issue 13): a new env, a reset, the bytes an env holds beyond the
shared data, and the resident memory of 1,000 live envs. Over HTTP: a real `scaleenv serve`
process on 127.0.0.1, driven by the MCP SDK's client: per-call latency (median, p99) and the
throughput of 1 to 64 concurrent clients. Figures are medians; nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scaleenv_dsl.api import load_domain  # noqa: E402

DEFAULT_OUT = ROOT / "benchmarks" / "results" / "serve.json"
BUDGETS = {"new_env_us": 100, "reset_us": 100, "idle_env_bytes": 100 * 1024, "thousand_envs_rss_mb": 300}
TOKEN = "bench-token"


def _median_us(samples: list[int]) -> float:
    return round(statistics.median(samples) / 1000, 2)


def _timed(action) -> int:
    started = time.perf_counter_ns()
    action()
    return time.perf_counter_ns() - started


def play(env, task) -> None:
    for action in task.actions:
        env.call(action.tool, action.arguments)


# ---------------------------------------------------------------- in-process

def measure_envs(domain) -> dict:
    tasks = [t for t in domain.tasks if t.actions]
    domain.env()  # the world: the data file is read and shared once
    new = [_timed(domain.env) for _ in range(2000)]
    env = domain.env()
    clean = [_timed(env.reset) for _ in range(2000)]
    after, fresh, reused = [], [], []
    for task in tasks * 3:
        play(env, task)
        after.append(_timed(env.reset))
        fresh.append(_timed(lambda: play(domain.env().reset(task), task)))
        reused.append(_timed(lambda: play(env.reset(task), task)))
    return {"new_env_us": _median_us(new), "new_env_max_us": round(max(new) / 1000, 2),
            "reset_clean_us": _median_us(clean), "reset_after_a_task_us": _median_us(after),
            "reset_after_a_task_max_us": round(max(after) / 1000, 2),
            "episode_on_a_new_env_us": _median_us(fresh), "episode_on_a_reset_env_us": _median_us(reused)}


def measure_env_bytes(domain) -> dict:
    """Bytes allocated per env (tracemalloc), beyond the shared data, averaged over 200 envs."""
    tasks = [t for t in domain.tasks if t.actions]
    domain.env()
    tracemalloc.start()
    before = tracemalloc.take_snapshot()

    def grown() -> float:
        diff = tracemalloc.take_snapshot().compare_to(before, "filename")
        return round(sum(d.size_diff for d in diff) / 200)

    envs = [domain.env() for _ in range(200)]
    idle = grown()
    for env, task in zip(envs, tasks * 2):
        play(env.reset(task), task)
    playing = grown()
    for env in envs:
        env.reset()
    reset = grown()
    tracemalloc.stop()
    return {"idle_env_bytes": idle, "env_after_a_task_bytes": playing, "env_after_a_task_and_reset_bytes": reset}


THOUSAND = """
import json, resource, sys
sys.path.insert(0, {root!r})
def rss_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
from scaleenv_dsl.api import load_domain
started = rss_mb()
domain = load_domain("retail")
domain.env()
loaded = rss_mb()
tasks = [t for t in domain.tasks if t.actions]
envs = [domain.env() for _ in range(1000)]
idle = rss_mb()
for env, task in zip(envs, tasks * 9):
    env.reset(task)
    for action in task.actions:
        env.call(action.tool, action.arguments)
    assert env.reward(task).reward == 1.0
print(json.dumps({{"python_and_imports_rss_mb": started, "domain_loaded_rss_mb": loaded,
                  "thousand_idle_envs_rss_mb": idle, "thousand_envs_rss_mb": rss_mb()}}))
"""


def measure_thousand_envs() -> dict:
    """Resident memory of a fresh process holding 1,000 live envs, each after a task's gold actions."""
    out = subprocess.run([sys.executable, "-c", THOUSAND.format(root=str(ROOT))], capture_output=True, text=True,
                         check=True)
    return json.loads(out.stdout)


# ---------------------------------------------------------------- over HTTP

class ServerProcess:
    def __init__(self):
        self.log = Path(os.environ.get("TMPDIR", "/tmp")) / f"serve-bench-{os.getpid()}.err"

    def __enter__(self) -> str:
        with self.log.open("w") as err:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "scaleenv_dsl", "serve", "retail", "--transport", "http", "--port", "0",
                 "--control-token", TOKEN, "--max-episodes", "4096"],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err, cwd=ROOT)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            found = re.search(r"on (http://\S+)/mcp", self.log.read_text())
            if found:
                return found.group(1)
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        raise RuntimeError(f"the server did not start: {self.log.read_text()}")

    def __exit__(self, *exc) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)
        self.log.unlink(missing_ok=True)


async def _episode(control, agent, task, latencies: list[float] | None) -> int:
    started = await control.call_tool("start_episode", {"control_token": TOKEN, "task": task.name})
    episode = started.structured_content["episode_id"]
    for action in task.actions:
        began = time.perf_counter()
        await agent.call_tool(action.tool, {"episode_id": episode, **action.arguments})
        if latencies is not None:
            latencies.append(time.perf_counter() - began)
    scored = await control.call_tool("episode_reward", {"control_token": TOKEN, "episode_id": episode})
    assert scored.structured_content["reward"] == 1.0, task.name
    await control.call_tool("end_episode", {"control_token": TOKEN, "episode_id": episode})
    return len(task.actions)


async def measure_latency(url: str, tasks, calls: int) -> dict:
    from mcp import Client

    latencies: list[float] = []
    async with Client(f"{url}/control") as control, Client(f"{url}/mcp") as agent:
        for task in tasks[:5]:  # warm up
            await _episode(control, agent, task, None)
        turn = 0
        while len(latencies) < calls:
            await _episode(control, agent, tasks[turn % len(tasks)], latencies)
            turn += 1
    latencies.sort()
    return {"calls": len(latencies), "median_ms": round(statistics.median(latencies) * 1000, 2),
            "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1] * 1000, 2)}


async def measure_throughput(url: str, tasks, clients: int, episodes: int) -> dict:
    """Agent calls per second with `clients` agents at once, sharing `episodes` played back to back.

    The work is fixed and the time measured (not the other way round), so that with many clients
    the episodes still in flight at a deadline are not lost from the count.
    """
    from mcp import Client

    made = [0]
    queue = list(range(episodes))

    async def agent_loop() -> None:
        async with Client(f"{url}/control") as control, Client(f"{url}/mcp") as agent:
            while queue:
                calls = await _episode(control, agent, tasks[queue.pop() % len(tasks)], None)
                made[0] += calls  # not `made[0] += await ...`: that reads made[0] before the await

    started = time.perf_counter()
    await asyncio.gather(*(agent_loop() for _ in range(clients)))
    elapsed = time.perf_counter() - started
    return {"clients": clients, "episodes": episodes, "agent_calls": made[0], "seconds": round(elapsed, 2),
            "agent_calls_per_s": round(made[0] / elapsed, 1),
            "requests_per_s": round((made[0] + 3 * episodes) / elapsed, 1)}  # with start, reward and end


def measure_http(domain, calls: int, episodes: int) -> dict:
    tasks = [t for t in domain.tasks if t.actions]
    with ServerProcess() as url:
        latency = asyncio.run(measure_latency(url, tasks, calls))
        throughput = [asyncio.run(measure_throughput(url, tasks, clients, episodes)) for clients in (1, 4, 16, 64)]
    return {"http_latency": latency, "http_throughput": throughput}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=550, help="calls timed one at a time for the latency")
    parser.add_argument("--episodes", type=int, default=128, help="episodes played for each throughput figure")
    parser.add_argument("--out", default=str(DEFAULT_OUT))
    args = parser.parse_args(argv)

    load_before = os.getloadavg()[0]
    domain = load_domain("retail")
    results = {**measure_envs(domain), **measure_env_bytes(domain), **measure_thousand_envs(),
               **measure_http(domain, args.calls, args.episodes)}
    report = {
        "benchmark": "retail serving (scaleenv_dsl): cheap episodes and scaleenv serve over HTTP",
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform(),
                    "load_average_before": round(load_before, 2),
                    "load_average_after": round(os.getloadavg()[0], 2)},
        "results": results,
        "budgets": BUDGETS,
        "within_budget": {"new_env": results["new_env_us"] <= BUDGETS["new_env_us"],
                          "reset": results["reset_after_a_task_us"] <= BUDGETS["reset_us"],
                          "idle_env": results["idle_env_bytes"] <= BUDGETS["idle_env_bytes"],
                          "thousand_envs": results["thousand_envs_rss_mb"] < BUDGETS["thousand_envs_rss_mb"]},
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(report["results"], indent=2))
    print("within budget:", json.dumps(report["within_budget"]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
