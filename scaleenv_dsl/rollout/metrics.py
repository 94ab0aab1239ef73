"""The summary of a rollout: average reward, pass rate and pass^k, as tau-bench reports them.

pass^k (arXiv 2406.12045) is the chance that k trials of a task, drawn from its n, all pass,
averaged over tasks: mean over tasks of C(c, k) / C(n, k), where c of the task's n trials passed.
tau-bench takes n as the number of distinct trial indexes and reports k = 1..n; so does this.
"""

from __future__ import annotations

from collections import Counter
from math import comb


def passed(reward) -> bool:
    """tau-bench's test: a reward within 1e-6 of 1."""
    return reward is not None and abs(reward - 1) <= 1e-6


def pass_hat_k(records: list[dict]) -> dict[int, float]:
    trials = len({record["trial"] for record in records})
    successes = Counter()
    for record in records:
        successes[record["task"]] += passed(record["reward"])
    return {k: sum(comb(c, k) for c in successes.values()) / comb(trials, k) / len(successes)
            for k in range(1, trials + 1)}


def summarize(records: list[dict]) -> dict:
    """Totals over trial records (as run_trial makes them); an empty rollout has no rates."""
    count = len(records)
    wins = sum(passed(record["reward"]) for record in records)
    tokens = Counter()
    for record in records:
        for usage in record["usage"].values():
            tokens.update(usage)
    return {"trials": count, "tasks": len({record["task"] for record in records}), "passed": wins,
            "pass_rate": wins / count if count else None,
            "average_reward": sum(record["reward"] for record in records) / count if count else None,
            "pass^k": {str(k): value for k, value in pass_hat_k(records).items()} if count else {},
            "errors": sum(record["error"] is not None for record in records),
            "endings": dict(sorted(Counter(record["ending"] for record in records).items())),
            "tokens": dict(tokens)}
