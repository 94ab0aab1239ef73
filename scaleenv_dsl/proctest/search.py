"""Both outcomes of every guard: a call where it fails, with its id, and one that passes it.

The search starts from the initial data; then from each task's `initial` overlay; then from
overlays that set rows' fields to the values conditions compare them with (see `overlays`), for
the boundaries the data lacks; then from the states a successful write leaves (one and two calls
deep), for the guards still missing an outcome that such a write could change ("renewed twice"
needs two renewals first). From each start it tries random calls, then the one-argument
variations of every call that succeeded.

A call that fails names its guard; a call that succeeds passes every guard it reached (traced,
see `trace`). Calls worth replaying are kept as cases: up to FAILS_KEPT failing calls per guard,
and each successful call that ran a statement no earlier one had, plus a few more, so that a later
run of the cases (against a mutant, or the module `scaleenv compile` wrote) sees every branch's
effects; each overlay adds a few of its own. A call that breaks a postcondition or an invariant is
a finding, not an outcome (except from an overlay, whose state need not be reachable).
"""

from __future__ import annotations

import json
import random
from collections import deque
from dataclasses import dataclass, field

from .. import ir
from ..runtime.errors import INVALID_ARGUMENTS
from .cases import Action, Failure, actions_of, broken_rows, make_case, spec_bug
from .data import Pools, View
from .inputs import InputMaker
from .overlays import boundary_overlays
from .trace import StatementTracer, guard_places

BUDGET = 500          # calls per tool from the initial data; a quarter of it from each later start
FAILS_KEPT = 3        # failing calls kept per guard: a boundary is often told apart by the second one
SUCCESSES_KEPT = 8    # successful calls kept per tool beyond those that reached new statements
SEEDS_PER_DEPTH = 12  # later starts tried per depth
SEED_DEPTH = 2
SEEDS_PER_TOOL = 3
SUCCESSES_PER_START = 2  # kept past the quota from each overlay start, and one failing call per guard
OVERLAY_STARTS = 24
TASK_STARTS = 8
STALE = 150           # calls in a row that taught nothing, after which a tool's search from a start stops


@dataclass
class GuardOutcome:
    """What the search found for one guard: the cases where it fails, and one where it passes."""
    guard: ir.Guard
    tool: str
    fails: list[str] = field(default_factory=list)
    passes: str | None = None

    @property
    def status(self) -> str:
        if self.fails and self.passes:
            return "both outcomes"
        if self.passes:
            return "never fails"
        if self.fails:
            return "never passes"
        return "never reached"


@dataclass
class SearchResult:
    outcomes: list[GuardOutcome]
    cases: list[dict]
    findings: list[Failure]
    calls: int
    unguarded: dict[str, list[str]]  # tool -> messages of failures no guard names (Python's own errors)
    successes: dict[str, int]        # tool -> successful calls seen


@dataclass
class Start:
    """Where calls are tried from: the initial data, an overlay on it, and calls already made."""
    prefix: tuple[Action, ...] = ()
    initial: dict | None = None
    label: str = "the initial data"
    # an overlay made up by the search: its state need not be reachable, so a broken invariant
    # there shows nothing about the spec (a hold ready for pickup with no copy on the shelf)
    made_up: bool = False


class GuardSearch:
    def __init__(self, compiled, rng: random.Random, budget: int = BUDGET):
        self.compiled = compiled
        self.domain: ir.Domain = compiled.ir
        self.rng = rng
        self.budget = budget
        self.env = compiled.env()
        self.tracer = StatementTracer(compiled.module)
        self.places = {t.name: guard_places(t, self.domain) for t in self.domain.tools}
        self.outcomes = {g.id: GuardOutcome(g, t.name) for t in self.domain.tools
                         for g in (t.contract.guards if t.contract else ())}
        self.cases: list[dict] = []
        self.findings: dict[tuple, Failure] = {}
        self.covered: dict[str, set] = {t.name: set() for t in self.domain.tools}
        self.kept_successes: dict[str, list[dict]] = {t.name: [] for t in self.domain.tools}
        self.seedable: dict[str, list[dict]] = {t.name: [] for t in self.domain.tools}  # new coverage
        self.successes = {t.name: 0 for t in self.domain.tools}
        self.unguarded: dict[str, list[str]] = {}
        self.calls = 0
        # what was kept beyond the quotas for the tool and start being searched
        self.kept_here, self.failed_here = 0, set()
        self._seen: set[str] = set()
        self.env.reset()
        self.base_view = View.of(self.env)
        self.base_pools = Pools(self.base_view)

    def run(self) -> SearchResult:
        self.explore(Start(), self.domain.tools, self.budget)
        for start in self._task_starts():
            self.explore(start, self._unfinished(), self.budget // 4)
        for start in self._overlay_starts():
            self.explore(start, self._reading(start.initial), self.budget // 8, eager=True)
        seeds = self._seeds(Start())
        for _ in range(SEED_DEPTH):
            later = []
            for seed in seeds:
                tools = [t for t in self._unfinished() if self._may_change(seed, t)]
                if tools:
                    self.explore(seed, tools, self.budget // 4)
                later += self._seeds(seed)
            seeds = later[:SEEDS_PER_DEPTH]
        return SearchResult(list(self.outcomes.values()), self.cases, list(self.findings.values()), self.calls,
                            self.unguarded, self.successes)

    # ------------------------------------------------------------ starts
    def explore(self, start: Start, tools, budget: int, eager: bool = False) -> None:
        """Search from `start`. `eager` searches a tool even when its guards all have both outcomes:
        an overlay's boundaries are worth cases for every tool that reads the rows it sets."""
        env = self.env
        env.reset(initial=start.initial)
        for tool, arguments in start.prefix:
            env.call(tool, arguments)
        changes = env.changes()
        view = self.base_view.after(changes)
        recent = Pools.near(view, changes["changed"]) if changes["changed"] else None
        mark = env.savepoint()
        for tool in tools:
            maker = InputMaker(self.domain, tool, view, self.base_pools, self.rng, recent)
            self.kept_here, self.failed_here = 0, set()
            self._explore_tool(tool, start, maker, mark, budget, eager)

    def _explore_tool(self, tool: ir.ToolDef, start: Start, maker: InputMaker, mark: int, budget: int,
                      eager: bool) -> None:
        if not start.prefix and start.initial is None:
            for _, arguments in maker.wrong_types():
                self._try(tool, start, arguments, mark)
        pending: deque = deque()
        stale = 0
        for _ in range(budget):
            done = not eager and self._finished(tool) and self.successes[tool.name] > SUCCESSES_KEPT
            if not pending and (stale > STALE or done):
                break
            arguments = pending.popleft() if pending and self.rng.random() < 0.75 else maker.call()
            kept_before = len(self.cases)
            outcome = self._try(tool, start, arguments, mark)
            if outcome == "new":
                pending.extend(maker.variations(arguments))
            stale = 0 if len(self.cases) > kept_before else stale + 1

    def _overlay_starts(self) -> list[Start]:
        """Starts with rows set to the values conditions compare them with, when the state they
        make meets every invariant (see `overlays`)."""
        starts = []
        for overlay in boundary_overlays(self.domain, self.base_view, self.rng, OVERLAY_STARTS):
            try:
                self.env.reset(initial=overlay)
            except ValueError:  # an overlay that does not fit the schema (OverlayError)
                continue
            changes = self.env.changes()
            # the collections it changed, and those whose invariants read them, are all that can break
            reached = set(changes["changed"])
            reached |= {d for c in reached for d in self.compiled.invariant_dependents.get(c, ())}
            before = broken_rows(self.compiled, self.base_view.data, reached)
            if broken_rows(self.compiled, self.base_view.after(changes).data, reached) <= before:
                starts.append(Start((), overlay, "an overlay " + json.dumps(overlay, ensure_ascii=False), True))
        return starts

    def _reading(self, overlay: dict) -> list[ir.ToolDef]:
        """The tools that read a field `overlay` sets."""
        fields = {f"{self.domain.entity_of_collection(c).name}.{name}" for c, rows in overlay.items()
                  for row in rows.values() for name in row}
        return [t for t in self.domain.tools if fields & set(t.read_fields)]

    def _task_starts(self) -> list[Start]:
        overlays = {json.dumps(t.initial, sort_keys=True): t for t in self.domain.tasks if t.initial}
        return [Start((), t.initial, f"the initial data of task {t.name}") for t in overlays.values()][:TASK_STARTS]

    def _seeds(self, start: Start) -> list[Start]:
        """Starts one successful write later than `start`, from the cases kept there: those that
        reached new statements first, then the others (a second renewal reaches nothing new, and
        is what a third needs)."""
        seeds = []
        for tool in self.domain.tools:
            if not tool.is_write:
                continue
            kept = self.seedable[tool.name] + [c for c in self.kept_successes[tool.name]
                                               if c not in self.seedable[tool.name]]
            extending = [c for c in kept if tuple(actions_of(c))[:-1] == start.prefix
                         and c.get("initial") == start.initial]
            seeds += [Start(tuple(actions_of(c)), start.initial, f"after {tool.name}")
                      for c in extending[:SEEDS_PER_TOOL]]
        self.rng.shuffle(seeds)
        return seeds[:SEEDS_PER_DEPTH]

    def _may_change(self, seed: Start, tool: ir.ToolDef) -> bool:
        """Whether the last call of `seed` writes a field `tool` reads (or rows it inserts or deletes)."""
        writer = self.domain.tool(seed.prefix[-1][0])
        read = set(tool.read_fields) | {f"{e}.*" for e in tool.reads}
        written = set(writer.write_fields)
        entities = {f.split(".")[0] for f in written}
        return bool(read & written) or any(f.split(".")[0] in entities for f in read if f.endswith(".*")) \
            or any(w.endswith(".*") and w.split(".")[0] in tool.reads for w in written)

    def _unfinished(self) -> list[ir.ToolDef]:
        return [t for t in self.domain.tools if not self._finished(t)]

    def _finished(self, tool: ir.ToolDef) -> bool:
        guards = tool.contract.guards if tool.contract else ()
        return all(self.outcomes[g.id].status == "both outcomes" for g in guards) and self.successes[tool.name] > 0

    # ------------------------------------------------------------ one call
    def _try(self, tool: ir.ToolDef, start: Start, arguments: dict, mark: int) -> str:
        """Make the call from `start` and learn from it: "new" when it succeeded and was kept."""
        self.calls += 1
        env = self.env
        result = env.call(tool.name, arguments)
        executed: set = set()
        if result.ok:  # traced only when it succeeds: a failure names its guard itself
            env.rollback(mark)
            result, executed = self.tracer.run(lambda: env.call(tool.name, arguments))
        env.rollback(mark)
        actions = list(start.prefix) + [(tool.name, arguments)]
        bug = spec_bug(result)
        if bug is not None:
            if not start.made_up:
                self._finding(result.error.kind, f"{tool.name}: {bug}", actions, start)
            return "bug"
        if result.ok:
            return self._success(tool, start, actions, executed)
        self._failure(tool, start, actions, result.error)
        return "failed"

    def _success(self, tool: ir.ToolDef, start: Start, actions: list, executed: set) -> str:
        self.successes[tool.name] += 1
        guards = tool.contract.guards if tool.contract else ()
        places = self.places[tool.name]
        reached = [g.id for g in guards if g.kind == "argument" or places.get(g.id) in executed]
        fresh = [g for g in reached if self.outcomes[g].passes is None]
        new_statements = executed - self.covered[tool.name]
        kept = self.kept_successes[tool.name]
        # beyond new coverage, a few from each overlay: the boundary its rows were set to is its own
        quota = len(kept) < SUCCESSES_KEPT or (start.made_up and self.kept_here < SUCCESSES_PER_START)
        if not (fresh or new_statements or quota) or not self._unseen(actions, start):
            return "seen"
        self.kept_here += 1
        case = self._keep(f"{tool.name} succeeds ({len(kept) + 1})", actions, start, {"passes": reached})
        kept.append(case)
        for guard_id in fresh:
            self.outcomes[guard_id].passes = case["id"]
        self.covered[tool.name] |= executed
        if fresh or new_statements:
            self.seedable[tool.name].append(case)
            return "new"
        return "new" if len(kept) <= 2 else "kept"

    def _failure(self, tool: ir.ToolDef, start: Start, actions: list, error) -> None:
        guard_id = error.guard or _argument_guard(tool, error)
        outcome = self.outcomes.get(guard_id) if guard_id else None
        if outcome is None:
            messages = self.unguarded.setdefault(tool.name, [])
            if error.message not in messages:
                messages.append(error.message)
            return
        if outcome.guard.message is not None and error.guard and error.message != outcome.guard.message:
            self._finding("contract", f"{guard_id} failed with {error.message!r}, but its message is "
                                      f"{outcome.guard.message!r}", actions, start)
        # past the quota, one more from each overlay: its rows are where the boundary lies
        quota = len(outcome.fails) < FAILS_KEPT or (start.made_up and guard_id not in self.failed_here)
        if quota and self._unseen(actions, start):
            self.failed_here.add(guard_id)
            case = self._keep(f"{guard_id} fails ({len(outcome.fails) + 1})", actions, start, {"fails": guard_id})
            outcome.fails.append(case["id"])

    def _keep(self, case_id: str, actions: list, start: Start, checks: dict) -> dict:
        case = make_case(case_id, actions, start.initial, checks={**checks, "from": start.label})
        self.cases.append(case)
        return case

    def _unseen(self, actions: list, start: Start) -> bool:
        key = json.dumps([start.initial, actions], sort_keys=True, default=str)
        if key in self._seen:
            return False
        self._seen.add(key)
        return True

    def _finding(self, check: str, message: str, actions: list, start: Start) -> None:
        key = (check, message)
        if key not in self.findings:
            self.findings[key] = Failure(check, message, actions, start.initial, len(actions))


def _argument_guard(tool: ir.ToolDef, error) -> str | None:
    """The argument guard an invalid-arguments error is about, by the parameter its message names."""
    if error.kind != INVALID_ARGUMENTS or tool.contract is None:
        return None
    for guard, param in zip(tool.contract.guards, tool.params):
        if f"argument '{param.name}'" in error.message:
            return guard.id
    return None
