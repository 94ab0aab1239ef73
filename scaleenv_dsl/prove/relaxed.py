"""Relaxed reachability over the tool contracts: h_max, h_add, helpful tools, and unsolvability.

The relaxed task ignores deletes, as in classical planning: an atom, once true, stays true.
Atoms are facts about rows, such as `orders["#W1"].status == "cancelled"`, or about some row
(`some Order has status == "pending"`) when no key is known. They come from three places:

- the goal predicates' conjuncts (`goal loans["l_001"].renewals == 1 and ...`);
- each write tool's effects, which *support* an atom when they may make it true (a constant
  written that passes the test, or any value the contract cannot fix in advance);
- each tool's unconditional guards, which are its preconditions.

An effect keyed by a parameter supports a keyed atom with that parameter bound to the key,
and then the guards on the same parameter are preconditions on the same row. Everything
the contracts cannot express is left out, which only makes the relaxed task easier: so when
the relaxed task has no solution, neither has the real one. That is the only case in which
the prover says `unsolvable`.

The graph is built by regression from the goal atoms and evaluated with a Dijkstra pass in
pyperplan's style, once per search node.
"""

from __future__ import annotations

import heapq
import json
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from .. import ir
from ..check.contracts import row_place
from ..runtime.values import json_equal
from .model import DomainModel

INFINITY = float("inf")
MAX_ATOMS = 400        # a regression bigger than this is cut off: the heuristic gets coarser, never wrong
MISSING = object()


def _frozen(value):
    if isinstance(value, list):
        return tuple(_frozen(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, _frozen(v)) for k, v in value.items()))
    return value


@dataclass(frozen=True)
class Atom:
    """A test on a row (`key` given) or on some row (`key` None) of `entity`.

    `test` is "==", "!=", "in" (the list at `path` holds `value`), "exists" or "absent".
    """
    entity: str
    key: Any
    path: tuple[str, ...] = ()
    test: str = "=="
    frozen: Any = None
    value: Any = field(default=None, compare=False, hash=False)

    @staticmethod
    def of(entity, key, path=(), test="==", value=None) -> "Atom":
        return Atom(entity, key, tuple(path), test, _frozen(value), value)

    def text(self, model: DomainModel) -> str:
        collection = model.collection(self.entity)
        row = f"{collection}[{_literal(self.key)}]" if self.key is not None else f"some {self.entity}"
        if self.test == "exists":
            return f"{_literal(self.key)} in {collection}" if self.key is not None else f"some {self.entity} exists"
        if self.test == "absent":
            return f"{_literal(self.key)} not in {collection}"
        place = row + "".join("." + p for p in self.path)
        if self.test == "in":
            return f"{_literal(self.value)} in {place}"
        return f"{place} {self.test} {_literal(self.value)}"

    def holds_on(self, row: dict | None) -> bool:
        if self.test == "exists":
            return row is not None
        if self.test == "absent":
            return row is None
        if row is None:
            return False
        value = _value_at(row, self.path)
        if self.test == "in":
            return isinstance(value, list) and any(json_equal(v, self.value) for v in value)
        equal = value is not MISSING and json_equal(value, self.value)
        return equal if self.test == "==" else not equal


def _literal(value) -> str:
    return json.dumps(value, ensure_ascii=False)


def _value_at(row, path):
    value = row
    for name in path:
        if not isinstance(value, dict) or name not in value:
            return MISSING
        value = value[name]
    return value


class StateView:
    """Rows of a state read as the initial data overlaid with `env.changes()`.

    Whether some row of the initial data passes a test is remembered in `lifted` (shared by the
    views of one search), so that a scan of a large table is made once. A row changed since
    may no longer pass it; the atom then still counts as true, which only relaxes further.
    """

    def __init__(self, model: DomainModel, base: dict, changes: dict, lifted: dict | None = None):
        self.model = model
        self.base = base
        self.changed = changes.get("changed") or {}
        self.removed = {c: set(keys) for c, keys in (changes.get("removed") or {}).items()}
        self.lifted = {} if lifted is None else lifted

    def row(self, entity: str, key) -> dict | None:
        collection = self.model.collection(entity)
        if key in self.removed.get(collection, ()):
            return None
        changed = self.changed.get(collection, {})
        if key in changed:
            return changed[key]
        return self.base.get(collection, {}).get(key)

    def holds(self, atom: Atom) -> bool:
        if atom.key is not None:
            return atom.holds_on(self.row(atom.entity, atom.key))
        changed = self.changed.get(self.model.collection(atom.entity), {})
        if any(atom.holds_on(row) for row in changed.values()):
            return True
        if atom not in self.lifted:
            rows = self.base.get(self.model.collection(atom.entity), {}).values()
            self.lifted[atom] = any(atom.holds_on(row) for row in rows)
        return self.lifted[atom]


# ---------------------------------------------------------------- atoms from expressions

def conjuncts(e: ir.Expr) -> list[ir.Expr]:
    if isinstance(e, ir.Binary) and e.op == "and":
        return conjuncts(e.left) + conjuncts(e.right)
    return [e]


def const_value(e: ir.Expr):
    if isinstance(e, ir.Const):
        return e.value
    if isinstance(e, ir.ListExpr):
        items = [const_value(i) for i in e.items]
        return MISSING if any(i is MISSING for i in items) else items
    if isinstance(e, ir.Unary) and e.op == "neg":
        inner = const_value(e.operand)
        return -inner if isinstance(inner, (int, float)) and not isinstance(inner, bool) else MISSING
    return MISSING


class _Keys:
    """How a row key reads in a context: a constant, a bound parameter, or "some row"."""

    def __init__(self, params: frozenset[str] = frozenset(), binding: dict | None = None):
        self.params = params
        self.binding = binding or {}

    def resolve(self, key: ir.Expr):
        """The key, None for "some row" (an expression over parameters only), MISSING when the key
        depends on a local the contract could not replace, such as a comprehension's variable."""
        value = const_value(key)
        if value is not MISSING:
            return value if isinstance(value, str) else MISSING
        if isinstance(key, ir.Var) and key.name in self.binding:
            return self.binding[key.name]
        names = {n.name for n in ir.walk(key) if isinstance(n, ir.Var)}
        return None if names <= self.params and not any(isinstance(n, ir.Comprehension) for n in ir.walk(key)) \
            else MISSING


def atom_of(e: ir.Expr, keys: _Keys) -> Atom | None:
    """The atom a condition states, when it is one of the simple forms; None otherwise."""
    if isinstance(e, ir.Binary) and e.op in ("==", "!="):
        for place_side, other in ((e.left, e.right), (e.right, e.left)):
            value = const_value(other)
            place = _place(place_side, keys)
            if value is not MISSING and place is not None:
                return Atom.of(place[0], place[1], place[2], e.op, value)
        return None
    if isinstance(e, ir.Binary) and e.op in ("in", "not in") and isinstance(e.right, ir.CollectionRef):
        key = keys.resolve(e.left)
        if key is MISSING or (e.op == "not in" and key is None):
            return None
        return Atom.of(e.right.entity, key, (), "exists" if e.op == "in" else "absent")
    if isinstance(e, ir.Binary) and e.op == "in" and e.right.type.kind == "list":
        value, place = const_value(e.left), _place(e.right, keys)
        return Atom.of(place[0], place[1], place[2], "in", value) if value is not MISSING and place else None
    if e.type.kind == "bool" and isinstance(e, ir.GetField):
        place = _place(e, keys)
        return Atom.of(place[0], place[1], place[2], "==", True) if place else None
    return None


def _place(e: ir.Expr, keys: _Keys):
    """(entity, key, field path) for a field of a row reached by plain field access, else None."""
    found = row_place(e)
    if found is None:
        return None
    entity, key_expr, path, path_keys = found
    key = keys.resolve(key_expr)
    if key is MISSING or path_keys or not path:
        return None
    return entity, key, path


def places_read(e: ir.Expr) -> set[tuple[str, str | None]]:
    """(entity, field) for each row field `e` reads; (entity, None) for a row looked up or a scan."""
    out: set[tuple[str, str | None]] = set()
    for node in ir.walk(e):
        if isinstance(node, ir.CollectionRef):
            out.add((node.entity, None))
        elif isinstance(node, ir.GetField):
            found = row_place(node)
            if found is not None and found[2]:
                out.add((found[0], found[2][0]))
        elif isinstance(node, ir.Lookup):
            out.add((node.entity, None))
    return out


# ---------------------------------------------------------------- operators

@dataclass(eq=False)
class Operator:
    """A write tool with some parameters fixed (a row key, a value), in the relaxed task."""
    tool: str
    binding: tuple[tuple[str, Any], ...]
    preconditions: tuple[Atom, ...]
    adds: list[Atom] = field(default_factory=list)
    counter: int = 0

    @property
    def fixed(self) -> dict[str, Any]:
        return dict(self.binding)


@dataclass(frozen=True)
class Goal:
    """One goal predicate: its atoms, and whether some conjunct is not an atom (`rest`)."""
    index: int
    expr: ir.Expr
    atoms: tuple[Atom, ...]
    rest: tuple[ir.Expr, ...]


@dataclass(frozen=True)
class Unreachable:
    """Why a goal cannot be reached: the goal, the atom (None: a predicate nothing can change), the chain."""
    goal: Goal
    atom: Atom | None
    chain: tuple[str, ...]


class RelaxedTask:
    def __init__(self, model: DomainModel, goals: Iterable[ir.Expr], combine: Callable = sum):
        self.model = model
        self.combine = combine
        self.goals = [self._goal(i, g) for i, g in enumerate(goals)]
        self.operators: dict[tuple, Operator] = {}
        self.supporters: dict[Atom, list[Operator]] = {}
        self.precondition_of: dict[Atom, list[Operator]] = {}
        self._regress([a for g in self.goals for a in g.atoms])

    @staticmethod
    def _goal(index: int, expr: ir.Expr) -> Goal:
        atoms, rest = [], []
        for part in conjuncts(expr):
            atom = atom_of(part, _Keys())
            (atoms if atom is not None else rest).append(atom if atom is not None else part)
        return Goal(index, expr, tuple(atoms), tuple(rest))

    # ------------------------------------------------------------ building, by regression
    def _regress(self, atoms: list[Atom]) -> None:
        pending = list(dict.fromkeys(atoms))
        while pending and len(self.supporters) < MAX_ATOMS:
            atom = pending.pop(0)
            if atom in self.supporters:
                continue
            self.supporters[atom] = []
            for tool in self.model.write_tools:
                for binding in _supports(tool, atom):
                    op = self._operator(tool, binding)
                    if atom not in op.adds:
                        op.adds.append(atom)
                        self.supporters[atom].append(op)
                    pending.extend(p for p in op.preconditions if p not in self.supporters)
        # cut off: some precondition has no supporters listed, so nothing may be called unreachable
        self.complete = not pending

    def _operator(self, tool: ir.ToolDef, binding: dict) -> Operator:
        key = (tool.name, tuple(sorted(binding.items(), key=lambda kv: kv[0])))
        op = self.operators.get(key)
        if op is None:
            op = Operator(tool.name, key[1], preconditions(tool, binding))
            self.operators[key] = op
            for atom in op.preconditions:
                self.precondition_of.setdefault(atom, []).append(op)
        return op

    # ------------------------------------------------------------ evaluation
    def distances(self, holds: Callable[[Atom], bool]) -> tuple[dict[Atom, float], dict[Atom, Operator]]:
        """The h_add (or h_max) cost of each atom from a state, and the cheapest achiever of each."""
        distance = {atom: (0.0 if holds(atom) else INFINITY) for atom in self.supporters}
        for atom in self.precondition_of:
            distance.setdefault(atom, 0.0 if holds(atom) else INFINITY)
        achiever: dict[Atom, Operator] = {}
        heap = [(d, n, atom) for n, (atom, d) in enumerate(distance.items()) if d == 0.0]
        heapq.heapify(heap)
        tie = len(distance)
        for op in self.operators.values():
            op.counter = len(set(op.preconditions))
            if op.counter == 0:
                tie = self._apply(op, distance, achiever, heap, tie)
        expanded: set[Atom] = set()
        while heap:
            _, _, atom = heapq.heappop(heap)
            if atom in expanded:
                continue
            expanded.add(atom)
            for op in self.precondition_of.get(atom, ()):
                op.counter -= 1
                if op.counter == 0:
                    tie = self._apply(op, distance, achiever, heap, tie)
        return distance, achiever

    def _apply(self, op: Operator, distance, achiever, heap, tie: int) -> int:
        pres = set(op.preconditions)
        cost = 1.0 + (self.combine(distance[p] for p in pres) if pres else 0.0)
        for atom in op.adds:
            if cost < distance[atom]:
                distance[atom] = cost
                achiever[atom] = op
                heapq.heappush(heap, (cost, tie, atom))
                tie += 1
        return tie

    def estimate(self, distance: dict[Atom, float], failing: Iterable[int]) -> float:
        """The heuristic value: the cost of the failing goals' atoms, and 1 for each part that is no atom."""
        costs = []
        for index in failing:
            goal = self.goals[index]
            costs += [distance[a] for a in goal.atoms] + [1.0] * len(goal.rest)
        return self.combine(costs) if costs else 0.0

    def helpful(self, distance: dict[Atom, float], achiever: dict[Atom, Operator],
                failing: Iterable[int]) -> list[Operator]:
        """The operators of the relaxed plan for the failing goals, cheapest first (FF's helpful actions)."""
        plan: dict[int, Operator] = {}
        pending = [a for i in failing for a in self.goals[i].atoms if distance[a] > 0]
        while pending:
            op = achiever.get(pending.pop())
            if op is not None and id(op) not in plan:
                plan[id(op)] = op
                pending.extend(p for p in op.preconditions if distance[p] > 0)
        return sorted(plan.values(), key=lambda op: self.combine(distance[p] for p in op.preconditions)
                      if op.preconditions else 0.0)

    def writers_of_rest(self, failing: Iterable[int]) -> list[str]:
        """The write tools that may change what a failing goal's non-atom parts read."""
        places = {p for i in failing for part in self.goals[i].rest for p in places_read(part)}
        return [t.name for t in self.model.write_tools if _writes_any(t, places)]

    # ------------------------------------------------------------ proofs of unreachability
    def unreachable(self, holds: Callable[[Atom], bool], failing: Iterable[int]) -> Unreachable | None:
        """A failing goal that no relaxed plan reaches from this state, with the chain of missing supporters."""
        if not self.complete:
            return None
        distance, _ = self.distances(holds)
        for index in failing:
            goal = self.goals[index]
            for atom in goal.atoms:
                if distance[atom] == INFINITY:
                    return Unreachable(goal, atom, tuple(self._explain(atom, distance, set(), 0)))
            if goal.rest and not goal.atoms:
                places = {p for part in goal.rest for p in places_read(part)}
                if not any(_writes_any(t, places) for t in self.model.write_tools):
                    return Unreachable(goal, None, (f"no tool writes {_places_text(places)}",))
        return None

    def _explain(self, atom: Atom, distance, seen: set, depth: int) -> list[str]:
        seen.add(atom)
        text = atom.text(self.model)
        ops = self.supporters.get(atom, [])
        if not ops:
            return [f"`{text}` is false, and {_no_supporter(self.model, atom)}"]
        lines = []
        for op in ops[:3]:
            missing = [p for p in op.preconditions if distance.get(p, INFINITY) == INFINITY]
            if not missing:
                continue
            lines.append(f"`{text}` needs `{op.tool}`, which needs `{missing[0].text(self.model)}`")
            if missing[0] not in seen and depth < 4:
                lines += self._explain(missing[0], distance, seen, depth + 1)
        return lines or [f"`{text}` cannot be reached"]


def _places_text(places) -> str:
    return ", ".join(sorted(f"`{e}.{f}`" if f else f"the rows of `{e}`" for e, f in places))


def _writes_any(tool: ir.ToolDef, places) -> bool:
    written = set(tool.write_fields)
    for entity, name in places:
        if f"{entity}.*" in written or entity in tool.inserts or entity in tool.deletes:
            return True
        if name is None and any(w.startswith(entity + ".") for w in written):
            return True
        if name is not None and f"{entity}.{name}" in written:
            return True
    return False


def _no_supporter(model: DomainModel, atom: Atom) -> str:
    what = f"`{atom.entity}.{'.'.join(atom.path)}`" if atom.path else f"a `{atom.entity}`"
    if atom.test == "exists":
        return f"no tool inserts {what}"
    if atom.test == "absent":
        return f"no tool deletes {what}"
    if not any(_writes_any(t, {(atom.entity, atom.path[0])}) for t in model.write_tools):
        return f"no tool writes {what}"
    if atom.test == "==":
        return f"no tool sets {what} to {_literal(atom.value)}"
    if atom.test == "in":
        return f"no tool adds {_literal(atom.value)} to {what}"
    return f"no tool changes {what} from {_literal(atom.value)}"


# ---------------------------------------------------------------- what a tool supports and needs

def preconditions(tool: ir.ToolDef, binding: dict) -> tuple[Atom, ...]:
    """The atoms every successful call must have found true in the state it started from: the simple
    conjuncts of its unconditional guards that stand before its first effect (a later guard may read
    what the call itself wrote, as `return loans[loan_id]` after `insert Loan(...)` does)."""
    if tool.contract is None:
        return ()
    keys = _Keys(frozenset(p.name for p in tool.params), binding)
    first_effect = _first_write(tool)
    found = []
    for guard in tool.contract.guards:
        if guard.kind not in ("require", "lookup") or guard.when or guard.in_loop or guard.condition is None \
                or (guard.loc.line, guard.loc.column) >= first_effect:
            continue
        for part in conjuncts(guard.condition):
            atom = atom_of(part, keys)
            if atom is not None and atom.test != "absent":
                found.append(atom)
    return tuple(dict.fromkeys(found))


_FIRST_WRITES: dict[int, tuple[ir.ToolDef, tuple[float, int]]] = {}


def _first_write(tool: ir.ToolDef) -> tuple[float, int]:
    """(line, column) of the first statement of the body that changes the state (kept per tool object:
    walking a body is slow, and a tool never changes)."""
    cached = _FIRST_WRITES.get(id(tool))
    if cached is not None and cached[0] is tool:
        return cached[1]
    places = [(s.loc.line, s.loc.column) for s in ir.walk(tool.body)
              if (isinstance(s, (ir.InsertStmt, ir.DeleteStmt))
                  or (isinstance(s, (ir.AssignStmt, ir.ListOpStmt, ir.DeleteEntryStmt)) and s.writes))
              and s.loc is not None]
    first = min(places, default=(float("inf"), 0))
    _FIRST_WRITES[id(tool)] = (tool, first)
    return first


def _supports(tool: ir.ToolDef, atom: Atom) -> list[dict]:
    """For each effect of `tool` that may make `atom` true: the parameters it fixes."""
    if tool.contract is None:
        return []
    params = {p.name for p in tool.params}
    found: list[dict] = []
    for effect in tool.contract.effects:
        binding = _effect_supports(effect, atom, params)
        if binding is not None and binding not in found:
            found.append(binding)
    return found


def _effect_supports(effect: ir.Effect, atom: Atom, params: set[str]) -> dict | None:
    if effect.entity != atom.entity:
        return None
    binding = _key_binding(effect, atom, params)
    if binding is None:
        return None
    if atom.test in ("exists", "absent"):
        return binding if effect.op == ("insert" if atom.test == "exists" else "delete") else None
    if effect.op == "delete":
        return None
    if effect.op == "insert":
        value = _inserted_field(effect.value, atom.path)
        return binding if value is MISSING or _passes(atom, value) else None
    fields = tuple(p for p in effect.path if p != "[]")
    if fields[:len(atom.path)] != atom.path[:len(fields)]:
        return None  # neither path contains the other: another field
    exact = fields == atom.path and "[]" not in effect.path and effect.value is not None
    if exact and effect.op == "set":
        value = const_value(effect.value)
        if value is not MISSING:
            return binding if _passes(atom, value) else None
        if isinstance(effect.value, ir.Var) and effect.value.name in params and atom.test == "==":
            return {**binding, effect.value.name: atom.value}
    if exact and atom.test == "in" and effect.op in ("append", "extend", "remove"):
        if effect.op == "remove":
            return None
        value = const_value(effect.value)
        if value is not MISSING:
            held = [value] if effect.op == "append" else value
            return binding if isinstance(held, list) and any(json_equal(v, atom.value) for v in held) else None
        if effect.op == "append" and isinstance(effect.value, ir.Var) and effect.value.name in params:
            return {**binding, effect.value.name: atom.value}
    return binding


def _key_binding(effect: ir.Effect, atom: Atom, params: set[str]) -> dict | None:
    """The parameter the effect's row key fixes to the atom's key ({} when nothing is fixed); None: another row."""
    if atom.key is None or effect.opaque or effect.key is None:
        return {}
    value = const_value(effect.key)
    if value is not MISSING:
        return {} if value == atom.key else None
    if isinstance(effect.key, ir.Var) and effect.key.name in params:
        return {effect.key.name: atom.key}
    return {}


def _inserted_field(row: ir.Expr | None, path: tuple[str, ...]):
    value = row
    for name in path:
        if not isinstance(value, ir.Construct) or name not in value.fields:
            return MISSING
        value = value.fields[name]
    return const_value(value) if value is not None else MISSING


def _passes(atom: Atom, value) -> bool:
    if atom.test == "in":
        return isinstance(value, list) and any(json_equal(v, atom.value) for v in value)
    equal = json_equal(value, atom.value)
    return equal if atom.test == "==" else not equal
