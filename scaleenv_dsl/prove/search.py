"""Greedy best-first search over write calls, for tasks that give only `goal` predicates.

A node is a sequence of write calls. Expanding it restores its state on the real backend (roll
back to the root's savepoint, replay the writes), computes what the agent knows there (the
closure of the read tools), and tries each write call whose arguments that knowledge can bind.
The backend decides applicability: a call whose guard fails is no successor. Children are
ordered by the relaxed heuristic (h_add or h_max over the contracts); the helpful calls, those
of the relaxed plan, are tried first and the others only when the node is popped again with a
penalty, as Fast Downward's preferred operators work.
"""

from __future__ import annotations

import heapq
import json
from dataclasses import dataclass, field
from typing import Any, Iterator

from .. import ir
from .knowledge import Knowledge
from .model import Budget, Call, DomainModel
from .reads import closure, groundings, relevant_reads, stale_reads
from .relaxed import RelaxedTask, StateView

DEFERRED_PENALTY = 1_000.0   # the other calls of a node come after every helpful one
MAX_SUCCESSORS = 400         # calls tried from one node in one pass


@dataclass(eq=False)
class Node:
    parent: "Node | None"
    call: Call | None
    g: int
    h: float
    failing: tuple[int, ...]
    result: Any = None
    relaxed: tuple | None = None                 # (distance, achiever) of the relaxed task in this state
    knowledge: Knowledge | None = None           # filled in when the node is expanded
    made: dict[str, Call | None] = field(default_factory=dict)   # the reads made, None for a failed one
    tried: set[str] = field(default_factory=set)

    def plan(self) -> list[Call]:
        calls, node = [], self
        while node is not None and node.call is not None:
            calls.append(node.call)
            node = node.parent
        return calls[::-1]


@dataclass
class SearchOutcome:
    plan: list[Call] | None
    closest: Node
    expanded: int = 0
    generated: int = 0
    cut: str | None = None    # "depth" or "nodes" when a budget stopped a branch or the search


class GoalSearch:
    def __init__(self, model: DomainModel, env, task: ir.TaskDef, relaxed: RelaxedTask, base: dict,
                 budget: Budget):
        self.model = model
        self.env = env
        self.task = task
        self.relaxed = relaxed
        self.base = base
        self.budget = budget
        self.reads: dict[frozenset, list[ir.ToolDef]] = {}   # the reads worth making for a set of writes
        self.lifted: dict = {}   # truth of "some row" atoms in the initial data: the heuristic reuses it

    def view(self, changes: dict | None = None) -> StateView:
        return StateView(self.model, self.base, self.env.changes() if changes is None else changes, self.lifted)

    def run(self) -> SearchOutcome:
        env = self.env
        env.reset(self.task)
        root_mark = env.savepoint()
        changes = env.changes()
        root = self._node(None, None, tuple(env.failed_goals(self.task)), self.view(changes), None)
        outcome = SearchOutcome(None, root)
        open_list = [(root.h, 0, 0, root, True)]
        seen = {_state_key(changes)}
        tie = 1
        while open_list:
            _, _, _, node, helpful = heapq.heappop(open_list)
            if outcome.generated >= self.budget.max_nodes:
                outcome.cut = "nodes"
                break
            self._restore(node, root_mark)
            outcome.expanded += 1
            if helpful:  # the node comes back, after every helpful call, for the others
                heapq.heappush(open_list, (node.h + DEFERRED_PENALTY, node.g, tie, node, False))
                tie += 1
            for child in self._children(node, helpful, seen, outcome):
                if not child.failing:
                    outcome.plan, outcome.closest = child.plan(), child
                    return outcome
                if child.g >= self.budget.max_depth:
                    outcome.cut = outcome.cut or "depth"
                else:
                    heapq.heappush(open_list, (child.h, child.g, tie, child, True))
                    tie += 1
        return outcome

    def _children(self, node: Node, helpful: bool, seen: set, outcome: SearchOutcome) -> Iterator[Node]:
        """The new states the node's calls reach, each tried from the node's state and rolled back."""
        mark = self.env.savepoint()
        for call in self._successors(node, helpful):
            child = self._try(node, call, seen, outcome)
            self.env.rollback(mark)
            if child is not None:
                yield child
            if outcome.generated >= self.budget.max_nodes:
                return

    # ------------------------------------------------------------ nodes
    def _restore(self, node: Node, root_mark: int) -> None:
        self.env.rollback(root_mark)
        for call in node.plan():
            self.env.call(call.tool, call.arguments)

    def _learn(self, node: Node, writes: list[ir.ToolDef]) -> None:
        """What the agent knows at this node, enough to bind `writes`: its parent's knowledge, the
        write's result, the reads the write may have changed run again, and every other read that
        can bind them (the root has nothing to start from but the task's `knows`)."""
        if node.knowledge is None:
            parent = node.parent
            node.knowledge = parent.knowledge.child() if parent is not None else Knowledge(self.model)
            node.made = dict(parent.made) if parent is not None else {}
            rerun = []
            if parent is None:
                node.knowledge.add_knows(self.task.knows)
            else:
                node.knowledge.add_output(None, self.model.tools[node.call.tool].returns, node.result)
                rerun = stale_reads(self.model, node.call, node.made)
        else:
            rerun = []
        key = frozenset(t.name for t in writes)
        if key not in self.reads:
            self.reads[key] = relevant_reads(self.model, writes)
        mark = self.env.savepoint()
        closure(self.model, self.env, node.knowledge, node.made, rerun, self.reads[key], self.budget.max_reads)
        self.env.rollback(mark)

    def _successors(self, node: Node, helpful: bool) -> list[Call]:
        """The write calls to try from a node: those of the relaxed plan (with the parameters it
        fixes), or, on the node's second pass, every other one the agent can bind."""
        tools = self.model.tools
        if helpful:
            distance, achiever = node.relaxed
            chosen = [(tools[op.tool], op.fixed) for op in self.relaxed.helpful(distance, achiever, node.failing)]
            chosen += [(tools[name], None) for name in self.relaxed.writers_of_rest(node.failing)]
        else:
            chosen = [(t, None) for t in self.model.write_tools]
        self._learn(node, list({t.name: t for t, _ in chosen}.values()))
        calls = [c for tool, fixed in chosen for c in groundings(self.model, tool, node.knowledge, fixed=fixed)]
        fresh = [c for c in dict((c.key, c) for c in calls).values() if c.key not in node.tried]
        node.tried.update(c.key for c in fresh)
        return fresh[:MAX_SUCCESSORS]

    def _try(self, node: Node, call: Call, seen: set, outcome: SearchOutcome) -> Node | None:
        result = self.env.call(call.tool, call.arguments)
        if not result.ok:
            return None
        changes = self.env.changes()
        key = _state_key(changes)
        if key in seen:
            return None
        seen.add(key)
        outcome.generated += 1
        child = self._node(node, call, tuple(self.env.failed_goals(self.task)), self.view(changes), result.value)
        if _closeness(child) < _closeness(outcome.closest):
            outcome.closest = child
        return child

    def _node(self, parent: Node | None, call: Call | None, failing: tuple[int, ...], view: StateView,
              result) -> Node:
        """A node for the current state, with its relaxed distances (kept for its expansion)."""
        distance, achiever = self.relaxed.distances(view.holds)
        node = Node(parent, call, parent.g + 1 if parent else 0, self.relaxed.estimate(distance, failing), failing,
                    result)
        node.relaxed = (distance, achiever)
        return node



def _state_key(changes: dict) -> str:
    """A state, told apart by what differs from the initial data."""
    return json.dumps(changes, sort_keys=True, ensure_ascii=False)


def _closeness(node: Node) -> tuple:
    """Fewer false goals, then a smaller estimate, then more progress made."""
    return len(node.failing), node.h, -node.g
