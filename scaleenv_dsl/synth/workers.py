"""`--workers W`: candidates made in index ranges by W processes, merged in index order.

Each worker builds one `Maker` (one compiled environment and prover) and proves whole chunks of
the index space; the parent keeps a bounded window of chunks in flight and hands them to
`run.collect` in index order, which applies the duplicate rule and the names exactly as one
process would. So the output is byte-identical to `--workers 1`: a candidate depends only on
(seed, index). A forked worker inherits the compiled domain; a spawned one loads it once.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from concurrent.futures import ProcessPoolExecutor

CHUNK = 50          # candidates per job: large enough that pickling the results is noise
AHEAD = 3           # chunks in flight per worker: the workers never wait on the parent

_maker = None       # the worker's Maker, built once by `_start`
_inherited = None   # the parent's compiled domain, seen by forked workers only


def parallel_candidates(compiled, options, limit: int, method: str | None = None):
    """Candidates 0 to `limit - 1` in index order, made by `options.workers` processes; the pool is
    shut down (pending chunks cancelled) as soon as the consumer stops asking. `method` is the start
    method: fork where the platform has it, else spawn."""
    global _inherited
    method = method or ("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
    if method == "spawn" and options.domain is None:
        raise ValueError("a spawned worker needs SynthOptions.domain to load the domain")
    _inherited = compiled
    starts = iter(range(0, limit, CHUNK))
    pool = ProcessPoolExecutor(options.workers, mp_context=multiprocessing.get_context(method),
                               initializer=_start, initargs=(options.domain if method == "spawn" else None,))
    try:
        pending = deque()
        for _ in range(options.workers * AHEAD):
            _submit(pool, pending, starts, options.seed, limit)
        while pending:
            chunk = pending.popleft().result()
            _submit(pool, pending, starts, options.seed, limit)
            yield from chunk
    finally:
        _inherited = None
        pool.shutdown(wait=True, cancel_futures=True)


def _submit(pool, pending: deque, starts, seed: int, limit: int) -> None:
    start = next(starts, None)
    if start is not None:
        pending.append(pool.submit(_chunk, seed, start, min(start + CHUNK, limit)))


def _start(domain: str | None) -> None:
    global _maker
    from ..api import load_domain
    from .run import Maker
    _maker = Maker(_inherited if domain is None else load_domain(domain))


def _chunk(seed: int, start: int, stop: int) -> list:
    from .run import candidates
    return list(candidates(_maker, seed, start, stop))
