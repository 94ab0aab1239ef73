"""Many trials at once: each on its own env and user simulator, written as JSON lines as they end.

A trial is a pure function of its task, its index and the models; the trials share only the
client (thread-safe) and the compiled domain (read-only). So the map could move to a
distributed engine as it stands.
"""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, Sequence, TextIO

import anthropic

from .. import ir
from ..api import CompiledDomain
from .llm import run_trial


def run_rollout(domain: CompiledDomain, tasks: Sequence[ir.TaskDef], *, client: anthropic.Anthropic,
                agent_model: str, user_model: str, trials: int, workers: int, max_turns: int,
                out: TextIO, progress: Callable[[dict], None] = lambda record: None) -> list[dict]:
    """Run every task `trials` times, at most `workers` at once; return the records in run order.

    Each record goes to `out` as one JSON line (flushed) when its trial ends, so an interrupted
    rollout keeps the trials it finished. Lines are in the order trials end; each names its
    task and trial.
    """
    jobs = [(task, trial) for trial in range(trials) for task in tasks]  # trial-major, as tau-bench runs
    _warm_goal_states(domain, tasks)
    lock = threading.Lock()

    def job(task: ir.TaskDef, trial: int) -> dict:
        record = run_trial(domain, task, client=client, agent_model=agent_model, user_model=user_model,
                           max_turns=max_turns, trial=trial)
        with lock:
            out.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")
            out.flush()
            progress(record)
        return record

    pool = ThreadPoolExecutor(max_workers=workers)
    try:
        records = [future.result() for future in [pool.submit(job, task, trial) for task, trial in jobs]]
    except BaseException:  # an interrupt: start no more trials (those running still finish)
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()
    return records


def _warm_goal_states(domain: CompiledDomain, tasks: Sequence[ir.TaskDef]) -> None:
    """Score each task once, here, before the threads start.

    The first reward of a task replays its gold actions on a scratch env that all envs of the
    domain share, and caches the goal state; two trials ending at once must not race on it.
    """
    env = domain.env()
    for task in tasks:
        env.reset(task).reward(task)
