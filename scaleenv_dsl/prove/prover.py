"""One verdict per task: proved, trivial, unsolvable or unknown, with every check and the witness.

    prover = Prover(load_domain("retail"))
    proof = prover.prove(domain.task("task_0"))
    proof.status, proof.checks, proof.witness.steps, proof.reason

The order of the work: the empty plan first (a task an agent that does nothing is paid for is
`trivial`); then relaxed reachability over the contracts, the only ground for `unsolvable` on a
goal; then the witness, the gold actions when the task has some and a search's plan when it has
only goals; then the checks on the replayed witness.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from time import perf_counter

from .. import ir
from .model import Budget, Call, DomainModel
from .relaxed import RelaxedTask, StateView, Unreachable
from .search import GoalSearch, SearchOutcome
from .witness import Planned, Witness, WitnessBuilder

CHECKS = ("replays", "reaches_goal", "goal_false_at_start", "arguments_known", "no_wasted_step")
STATUSES = ("proved", "trivial", "unsolvable", "unknown")


@dataclass(frozen=True)
class Reason:
    code: str
    message: str
    notes: tuple[str, ...] = ()
    loc: ir.Loc | None = None   # where in the spec the problem shows: a gold action, a goal, the task


@dataclass
class TaskProof:
    task: ir.TaskDef
    status: str
    checks: dict[str, bool | None]
    witness: Witness
    reason: Reason | None = None
    time_ms: float = 0.0
    search: SearchOutcome | None = None

    @property
    def proved(self) -> bool:
        return self.status == "proved"


@dataclass
class DomainProof:
    domain: str
    proofs: list[TaskProof] = field(default_factory=list)
    time_ms: float = 0.0   # the whole run, the environment's one-time set-up included

    @property
    def ok(self) -> bool:
        return all(p.proved for p in self.proofs)


class Prover:
    """Proves the tasks of one compiled domain, reusing one environment (a reset is a journal rollback)."""

    def __init__(self, compiled, budget: Budget | None = None, *, sources: dict[str, str] | None = None):
        """`sources` are the spec texts, to quote goals from; without them the spec files are read.
        (The authoring loop gives none and reads none: no local file's text may reach the model.)"""
        self.compiled = compiled
        self.model = DomainModel(compiled.ir)
        self.env = compiled.env()
        self.budget = budget or Budget()
        self._base: dict | None = None
        self._reads: dict = {}   # read answers on the untouched data, shared by every task (reads.ReadFinder)
        self._texts: dict[str, list[str]] = {f: t.split("\n") for f, t in (sources or {}).items()}
        self._read_files = sources is None
        self._last: TaskProof | None = None   # the proof whose witness the env ran last

    @property
    def base(self) -> dict:
        """The initial data, copied once and only for a task with goals: the relaxed task reads its rows."""
        if self._base is None:
            self._base = self.compiled.initial_data()
        return self._base

    def prove_all(self, tasks: list[ir.TaskDef] | None = None) -> DomainProof:
        started = perf_counter()
        chosen = self.compiled.tasks if tasks is None else tasks
        if chosen:
            # the first reward of a domain makes the scratch environment that replays gold actions:
            # a cost of the run, not of the first task's proof
            self.env.reset(chosen[0]).reward(chosen[0], trajectory={"messages": []})
        proofs = [self.prove(t) for t in chosen]
        return DomainProof(self.compiled.name, proofs, (perf_counter() - started) * 1000)

    def prove(self, task: ir.TaskDef) -> TaskProof:
        started = perf_counter()
        self.env.reset(task)
        at_start = self.env.reward(task, trajectory={"messages": []})
        checks: dict[str, bool | None] = dict.fromkeys(CHECKS)
        checks["goal_false_at_start"] = at_start.reward == 0.0
        relaxed = self._relaxed(task)
        unreachable = self._unreachable(task, relaxed) if checks["goal_false_at_start"] else None
        search = relaxed is not None and unreachable is None and checks["goal_false_at_start"] and not task.actions
        witness, outcome = self._witness(task, relaxed if search else None)
        checks.update(replays=all(s.ok for s in witness.steps), reaches_goal=witness.reward.reward == 1.0,
                      arguments_known=not witness.missing, no_wasted_step=witness.redundant_after is None)
        status, reason = self._verdict(task, checks, witness, at_start, unreachable, outcome)
        self._last = TaskProof(task, status, checks, witness, reason, (perf_counter() - started) * 1000, outcome)
        return self._last

    def end_changes(self, proof: TaskProof) -> dict:
        """What differs from the initial data once the proof's witness has run (`Env.changes()`,
        the task's overlay included): read off the env when it ran that witness last, else the
        witness replayed."""
        if proof is not self._last:
            self.env.reset(proof.task)
            for step in proof.witness.steps:
                self.env.call(step.call.tool, step.call.arguments)
            self._last = proof
        return self.env.changes()

    def _witness(self, task: ir.TaskDef, relaxed: RelaxedTask | None) -> tuple[Witness, SearchOutcome | None]:
        """The gold actions checked, or with `relaxed` a search's plan (the closest one when none is
        found), or else the empty plan."""
        builder = WitnessBuilder(self.model, self.env, task, self.budget.max_reads, self._reads)
        if task.actions:
            gold = [Planned(Call(a.tool, dict(a.arguments)), "gold", a.loc) for a in task.actions]
            return builder.build(gold), None
        if relaxed is None:
            return builder.build([]), None
        outcome = GoalSearch(self.model, self.env, task, relaxed, self.base, self.budget).run()
        plan = outcome.plan if outcome.plan is not None else outcome.closest.plan()
        return builder.build([Planned(c, "search") for c in plan]), outcome

    def _unreachable(self, task: ir.TaskDef, relaxed: RelaxedTask | None) -> Unreachable | None:
        if relaxed is None:
            return None
        view = StateView(self.model, self.base, self.env.changes())
        return relaxed.unreachable(view.holds, self.env.failed_goals(task))

    def _relaxed(self, task: ir.TaskDef) -> RelaxedTask | None:
        if not task.goals or "goal" not in task.reward:
            return None
        combine = max if self.budget.heuristic == "hmax" else sum
        return RelaxedTask(self.model, task.goals, combine)

    # ------------------------------------------------------------ the verdict
    def _verdict(self, task, checks, witness: Witness, at_start, unreachable: Unreachable | None,
                 outcome: SearchOutcome | None) -> tuple[str, Reason | None]:
        basis = ", ".join(task.reward)
        if not checks["goal_false_at_start"]:
            return "trivial", Reason("goal-true-at-start", f"the untouched start already earns reward "
                                     f"{at_start.reward} under `reward {basis}`: an agent that does nothing is paid",
                                     loc=task.loc)
        if unreachable is not None:
            return "unsolvable", self._unreachable_reason(unreachable)
        if witness.missing:
            number, label, value = witness.missing[0]
            step = witness.steps[number - 1]
            message = (f"argument `{label}` of step {number} (`{step.call.tool}`): no known fact or earlier "
                       f"output gives {_literal(value)}")
            if witness.unfound_is_final:
                return "unsolvable", Reason("argument-unknown", message, loc=step.loc or task.loc)
            return "unknown", Reason("argument-unknown", message + " within the look-up budget", loc=step.loc)
        failed = next(((n, s) for n, s in enumerate(witness.steps, 1) if not s.ok), None)
        if failed is not None:
            return "unknown", self._failed_step(*failed, task)
        if outcome is not None and outcome.plan is None:
            return "unknown", self._search_reason(task, outcome)
        if not checks["reaches_goal"]:
            return "unknown", Reason("goal-not-reached", "the witness replays but does not reach the goal: "
                                     + _shortfall(witness.reward, self._goal_text, task), loc=task.loc)
        return "proved", _remarks(witness)

    def _unreachable_reason(self, found: Unreachable) -> Reason:
        text = self._goal_text(found.goal.expr, found.goal.index)
        part = found.atom.text(self.model) if found.atom is not None else text
        what = f" (its part `{part}`)" if part != text else ""
        message = (f"no relaxed solution: goal {found.goal.index + 1} `{text}` is false at the start and no plan "
                   f"reaches it{what}")
        return Reason("no-relaxed-solution", message, found.chain, found.goal.expr.loc)

    def _failed_step(self, number: int, step, task: ir.TaskDef) -> Reason:
        error = step.error
        guard = f" guard {error.guard}" if error.guard else ""
        where = f" ({error.loc})" if error.loc else ""
        return Reason("step-fails", f"step {number} `{step.call.tool}` fails{guard}{where}: {error.message}",
                      loc=step.loc or task.loc)

    def _search_reason(self, task: ir.TaskDef, outcome: SearchOutcome) -> Reason:
        closest = outcome.closest
        missing = [f"goal {i + 1} `{self._goal_text(task.goals[i], i)}`" for i in closest.failing]
        where = f"after {closest.g} write{'s' if closest.g != 1 else ''}" if closest.g else "at the start"
        notes = (f"closest state: {where}; still false: " + ", ".join(missing),
                 f"searched {outcome.expanded} nodes, generated {outcome.generated} states")
        if outcome.cut is not None:
            limit = (f"--max-depth {self.budget.max_depth}" if outcome.cut == "depth"
                     else f"--max-nodes {self.budget.max_nodes}")
            return Reason("budget-exhausted", f"the search budget ran out ({limit}) before a plan reached the goal",
                          notes, task.loc)
        return Reason("search-exhausted", "no plan over the values the agent can know reaches the goal",
                      notes, task.loc)

    def _goal_text(self, goal: ir.Expr, index: int) -> str:
        """The goal as written in the spec, or where it is when its text is not at hand."""
        loc = goal.loc
        lines = self._file_lines(loc.file) if loc is not None else []
        if loc is None or not 1 <= loc.line <= len(lines):
            return f"the goal at line {loc.line}" if loc is not None else f"goal {index + 1}"
        if loc.end_line == loc.line:
            return lines[loc.line - 1][loc.column - 1:loc.end_column - 1]
        return " ".join(line.strip() for line in lines[loc.line - 1:loc.end_line])

    def _file_lines(self, file: str) -> list[str]:
        if file not in self._texts and self._read_files:
            try:
                self._texts[file] = Path(file).read_text(encoding="utf-8").split("\n")
            except OSError:
                self._texts[file] = []
        return self._texts.get(file, [])


def _remarks(witness: Witness) -> Reason | None:
    """What a proof reports without failing: a redundant write, gold reads left out."""
    dropped = tuple(f"gold read `{d['tool']}` left out: {d['why']}" for d in witness.dropped)
    if witness.redundant_after is not None:
        return Reason("redundant-step", f"the goal already holds after step {witness.redundant_after}: "
                      "the writes after it are not needed", dropped)
    if dropped:
        return Reason("dropped-reads", f"{len(dropped)} gold read{'s' if len(dropped) != 1 else ''} "
                      "not needed by the witness", dropped)
    return None


def _shortfall(reward, goal_text, task: ir.TaskDef) -> str:
    parts = [f"`{d['collection']}[{_literal(d['key'])}].{d['field']}` is {_literal(d['actual'])}, "
             f"expected {_literal(d['expected'])}" for d in reward.differences[:3]]
    parts += [f"goal {i + 1} `{goal_text(task.goals[i], i)}` is false" for i in reward.failed_goals]
    parts += [f"no output shows {_literal(t)}, which the agent must say" for t in reward.missing_communicate]
    parts += [f"gold action {m['index'] + 1} `{m['tool']}` is not made" for m in reward.missing_actions]
    return "; ".join(parts) or f"the reward is {reward.reward}"


def _literal(value) -> str:
    return json.dumps(value, ensure_ascii=False)
