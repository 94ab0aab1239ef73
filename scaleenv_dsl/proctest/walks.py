"""Random walks: sequences of calls with arguments drawn from the known values, and what must hold.

A walk is made in two passes. The first chooses each call from the state the previous ones left
(it tries a few candidates from a savepoint and keeps the first that succeeds, most of the time,
so that walks get past the first rejection). The second, `first_failure`, replays the calls on a
fresh environment and checks, after every call:

- no postcondition or invariant is broken (the runtime reports either as the call's error);
- a failed call leaves `env.dump()` exactly as it was (atomicity; checked on ATOMICITY_PER_WALK
  failed writes of each walk, chosen at random, since a dump of a large state is costly);

and at the end:

- every row of the final state meets its invariants, checked whole, not only the rows a call reached;
- the same calls on another fresh environment give identical results and changes (determinism);
- `reset()` returns exactly to the start state.

The spec language itself has no source of nondeterminism: no clock, no randomness, no sets, and
maps iterate in insertion order, which the journal keeps on rollback. A determinism failure is a
defect of the generated module or the runtime, and the check is there to catch one.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass

from .. import ir
from .cases import Action, Failure, broken_rows, spec_bug
from .data import Pools, View
from .inputs import InputMaker

WALK_LENGTH = 12
TRIES_PER_STEP = 4    # candidates tried from a savepoint when a step seeks a success
SEEK_SUCCESS = 0.75   # share of steps that do
ATOMICITY_PER_WALK = 1  # failed writes per walk whose atomicity is checked with a dump before and after


@dataclass
class WalkResult:
    walks: list[list[Action]]
    failures: list[Failure]
    calls: int
    failed_calls: int


def random_walks(compiled, rng: random.Random, count: int, length: int = WALK_LENGTH,
                 view: View | None = None, pools: Pools | None = None) -> WalkResult:
    env = compiled.env()
    if view is None:
        view = View.of(env)
    pools = pools or Pools(view)
    walks, failures, failed = [], [], 0
    env.reset()
    start = env.dump(indent=None)
    broken_at_start = broken_rows(compiled, json.loads(start))
    writes = {t.name for t in compiled.ir.tools if t.is_write}
    for _ in range(count if compiled.ir.tools else 0):  # a domain without tools has nothing to walk
        actions, failing = make_walk(env, compiled.ir, rng, length, view, pools)
        # a dump of a large state is the dearest thing here: a tool inferred read-only reaches no
        # journaled write, so atomicity is checked on a few failed writes per walk
        writes_failed = sorted(i for i in failing if actions[i][0] in writes)
        dumped = set(rng.sample(writes_failed, min(ATOMICITY_PER_WALK, len(writes_failed))))
        failure = first_failure(compiled, actions, failing=dumped, start_dump=start, broken_at_start=broken_at_start)
        if failure is not None:
            failures.append(failure)
        walks.append(actions)
        failed += len(failing)
    return WalkResult(walks, failures, sum(len(w) for w in walks), failed)


def make_walk(env, domain: ir.Domain, rng: random.Random, length: int, view: View,
              pools: Pools) -> tuple[list[Action], set[int]]:
    """Choose and make `length` calls on `env` from its initial data: the calls, and which failed."""
    env.reset()
    tools = [t for t in domain.tools for _ in range(2 if t.is_write else 1)]  # writes move the state on
    actions: list[Action] = []
    failing: set[int] = set()
    current, recent = view, None
    for index in range(length):
        tool = rng.choice(tools)
        maker = InputMaker(domain, tool, current, pools, rng, recent)
        action, ok = _step(env, tool.name, maker, rng)
        actions.append(action)
        if not ok:
            failing.add(index)
        changes = env.changes()
        if changes["changed"] or changes["removed"]:
            current = view.after(changes)
            recent = Pools.near(current, changes["changed"])
    return actions, failing


def _step(env, tool: str, maker: InputMaker, rng: random.Random) -> tuple[Action, bool]:
    tries = TRIES_PER_STEP if rng.random() < SEEK_SUCCESS else 1
    mark = env.savepoint()
    for attempt in range(tries):
        arguments = maker.call()
        ok = env.call(tool, arguments).ok
        if ok or attempt == tries - 1:
            return (tool, arguments), ok
        env.rollback(mark)
    raise AssertionError("unreachable: the last attempt always returns")


# ---------------------------------------------------------------- the checks

def first_failure(compiled, actions: list[Action], initial: dict | None = None, *,
                  failing: set[int] | None = None, start_dump: str | None = None,
                  broken_at_start: set | None = None) -> Failure | None:
    """The first thing that does not hold when `actions` run from the start state, or None.

    Atomicity needs the state before each failed call: with `failing` (the calls known to fail
    whose atomicity is to be checked), it is dumped before those only, not before every call.
    `start_dump` and `broken_at_start` save recomputing what every walk from one start shares. The
    calls run on a fresh environment: one a previous run has used would carry what a broken
    reset left behind into this run's verdicts.
    """
    env = compiled.env().reset(initial=initial)
    start = start_dump if start_dump is not None else env.dump(indent=None)
    if broken_at_start is None:
        broken_at_start = broken_rows(compiled, json.loads(start))
    steps, before = [], start
    for index, (tool, arguments) in enumerate(actions):
        if before is None and (failing is None or index in failing):
            before = env.dump(indent=None)
        result = env.call(tool, arguments)
        steps.append(json.dumps(result.to_json(), sort_keys=True))
        made = actions[:index + 1]
        bug = spec_bug(result)
        if bug is not None:
            return Failure(result.error.kind, f"{tool}: {bug}", made, initial, len(actions))
        if not result.ok and before is not None and env.dump(indent=None) != before:
            return Failure("atomicity", f"{tool} failed ({result.error.message}) but changed the state",
                           made, initial, len(actions))
        before = before if not result.ok else None
    final = env.dump(indent=None)
    for failure in (_invariant_failure(compiled, final, broken_at_start, actions, initial),
                    _determinism_failure(compiled, actions, initial, steps, env.changes()),
                    _reset_failure(env, initial, start, actions)):
        if failure is not None:
            return failure
    return None


def _invariant_failure(compiled, final: str, broken_at_start: set, actions, initial) -> Failure | None:
    new = sorted(broken_rows(compiled, json.loads(final)) - broken_at_start)
    if not new:
        return None
    collection, key, message = new[0]
    return Failure("invariant", f"{collection}/{key} breaks an invariant after the calls: {message}",
                   list(actions), initial, len(actions), at_end=True)


def _determinism_failure(compiled, actions, initial, steps: list[str], changes: dict) -> Failure | None:
    """The calls again on another fresh env: the same results, and the same changes. (Changes, not
    a dump of the whole state: a second dump costs as much as the rest of a walk's checks.)"""
    again = compiled.env().reset(initial=initial)
    for index, (tool, arguments) in enumerate(actions):
        step = json.dumps(again.call(tool, arguments).to_json(), sort_keys=True)
        if step != steps[index]:
            return Failure("determinism", f"{tool} gave {_short(steps[index])} on one fresh env and "
                                          f"{_short(step)} on another", actions[:index + 1], initial, len(actions))
    if again.changes() != changes:
        return Failure("determinism", "the same calls on two fresh envs left different states",
                       list(actions), initial, len(actions), at_end=True)
    return None


def _reset_failure(env, initial, start: str, actions) -> Failure | None:
    env.reset(initial=initial)
    if env.dump(indent=None) == start:
        return None
    return Failure("reset", "reset() after the calls does not return to the start state", list(actions),
                   initial, len(actions), at_end=True)


def _short(text: str, width: int = 160) -> str:
    return text if len(text) <= width else text[:width] + "…"
