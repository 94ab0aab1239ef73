"""Rules over each tool's guards: checks decided in advance, and writes made before a check.

A guard is decided from what holds where it stands (`decide.Knowledge`): the branch conditions
that reach it, the guards the body passed before it on every path to it, and the rows its own
inserts and deletes made or removed. A fact stops counting once a write between it and the guard
may change what it reads, and facts over locals are never used (a local can be reassigned
without a trace in the contract).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

from .. import ir
from .decide import Knowledge, fact_steps
from .findings import Findings, line_of

# the guards a body writes out as checks; lookups and indexes are implicit in an expression
WRITTEN_CHECKS = ("require", "present")
# the guards a write before reads as a bug: every check that depends on the caller's input
ORDERED_CHECKS = ("require", "present", "unique", "lookup")

Position = tuple[int, int]
# the checks before a guard taken as facts, nearest first: fewer facts decide less, never wrongly,
# and a tool of thousands of checks must not take minutes
MAX_EARLIER_CHECKS = 64


def decided_guards(domain: ir.Domain) -> Findings:
    """`guard-never-fails` for a written check that always passes, `guard-never-passes` for any
    guard that always fails where it stands."""
    found = Findings(domain)
    for tool in _with_contracts(domain):
        facts = tool_facts(domain, tool)
        fails = _fail_statements(tool)
        for guard in facts.guards:
            verdict = facts.verdict(guard)
            if verdict is None or (verdict and guard.kind not in WRITTEN_CHECKS) or guard.loc in fails:
                continue
            why = "whatever the arguments and the state" if Knowledge(domain).decide(guard.condition) is not None \
                else "given the branch it is in and the checks before it"
            if verdict:
                found.report("guard-never-fails", f"this check of `{tool.name}` always passes, {why}", guard.loc,
                             "remove it, or fix the condition it was meant to test")
            else:
                found.report("guard-never-passes", f"this check of `{tool.name}` always fails, {why}, so the call "
                             "fails whenever it gets here", guard.loc,
                             "fix the condition: as written, nothing after it on this path ever runs")
    return found


def _fail_statements(tool: ir.ToolDef) -> set:
    """Where the body says `fail "message"`: a check that never passes, written to end the call."""
    return {s.loc for s in ir.walk(tool.body) if isinstance(s, ir.RequireStmt) and s.fail}


def writes_before_guards(domain: ir.Domain) -> Findings:
    """`write-before-guard`: a change to the state made before a check that can still fail. A check
    decided in advance has its own finding instead."""
    found = Findings(domain)
    for tool in _with_contracts(domain):
        late = _checks_after_writes(tool_facts(domain, tool))
        if late:
            guard, write = late[0]
            more = f" (and {len(late) - 1} more check(s) after it)" if len(late) > 1 else ""
            found.report("write-before-guard", f"`{tool.name}` changes {write.entity} at {line_of(write.loc)} "
                         f"before this check{more}", guard.site or guard.loc,
                         "check everything first, then write: the transaction undoes the write when the check "
                         "fails, but a reader takes the write for one that stays",
                         labels=((write.loc, "the state changes here"),))
    return found


def _checks_after_writes(facts: "ToolFacts") -> list[tuple[ir.Guard, ir.Effect]]:
    """Each check that can still fail and follows a write on some path, with the first such write."""
    late = []
    for guard in facts.guards:
        if guard.kind in ORDERED_CHECKS and not facts.reads_a_stored_reference(guard) and facts.verdict(guard) is None:
            write = facts.write_before(guard)
            if write is not None:
                late.append((guard, write))
    return late


def _with_contracts(domain: ir.Domain) -> Iterator[ir.ToolDef]:
    return (t for t in domain.tools if t.contract is not None)


_RECENT: dict[int, "ToolFacts"] = {}  # by the tool's id: the rules of one run share each tool's verdicts


def tool_facts(domain: ir.Domain, tool: ir.ToolDef) -> "ToolFacts":
    cached = _RECENT.get(id(tool))
    if cached is None or cached.tool is not tool or cached.domain is not domain:
        if len(_RECENT) >= 512:
            _RECENT.clear()
        cached = _RECENT[id(tool)] = ToolFacts(domain, tool)
    return cached


@dataclass(frozen=True)
class Fact:
    """A condition known to hold (or to fail) once the body passes `known_at`, and until when."""
    steps: tuple                 # what assuming it tells: decide.fact_steps
    known_at: Position
    usable: bool                 # it reads only parameters and rows, and no write through an alias touches them
    broken_at: Position | None   # the end of the first write after it that may change what it reads
    broken_in_loop: bool         # some write in a loop, after it, may change what it reads

    def holds_at(self, guard: ir.Guard) -> bool:
        if not self.usable or (guard.in_loop and self.broken_in_loop):
            return False  # a later pass of the loop runs that write before the guard again
        return self.broken_at is None or self.broken_at > _start(guard.loc)


class ToolFacts:
    """One tool's guards and writes, in the order and on the paths the body runs them."""

    def __init__(self, domain: ir.Domain, tool: ir.ToolDef):
        self.domain = domain
        self.tool = tool
        self.params = {p.name for p in tool.params}
        self.guards = [g for g in tool.contract.guards if g.kind != "argument" and g.condition is not None]
        self.effects = tool.contract.effects
        self.position = {g.id: i for i, g in enumerate(self.guards)}
        sometimes = _conditionally_evaluated(tool.body)
        # checked each time the body passes it: not repeated by a loop, not behind `and`, `or` or `if`
        self.always_checked = {g.id: not g.in_loop and span_key(g.loc) not in sometimes for g in self.guards}
        self._facts: dict[tuple[int, bool], Fact] = {}  # by the fact's expression: each is worked out once
        self._verdicts: dict[str, bool | None] = {}

    def verdict(self, guard: ir.Guard) -> bool | None:
        """Whether the guard always holds (True), never holds (False) or either, where it stands."""
        if guard.id not in self._verdicts:
            knowledge = self.knowledge_at(guard)
            self._verdicts[guard.id] = None if knowledge is None else knowledge.decide(guard.condition)
        return self._verdicts[guard.id]

    def knowledge_at(self, guard: ir.Guard) -> Knowledge | None:
        """What holds when the guard is checked; None when that is contradictory (it is never reached)."""
        knowledge = Knowledge(self.domain)
        for fact in self._facts_before(guard):
            if fact.holds_at(guard):
                knowledge.apply(fact.steps)
        return None if knowledge.contradictory() else knowledge

    def _facts_before(self, guard: ir.Guard) -> Iterator[Fact]:
        for condition in guard.when:
            if condition.loc is not None:
                yield self._fact(condition, True, _end(condition.loc))
        taken = 0
        for earlier in reversed(self.guards[:self.position[guard.id]]):
            if taken == MAX_EARLIER_CHECKS:
                break
            if self.always_checked[earlier.id] and _prefix(earlier.when, guard.when):
                taken += 1
                yield self._fact(earlier.condition, True, _end(earlier.loc))
        for effect in self.effects:
            if effect.op in ("insert", "delete") and self._on_every_path(effect, guard):
                yield self._fact(_member(effect.key, effect.entity), effect.op == "insert", _end(effect.loc), effect)

    def _on_every_path(self, effect: ir.Effect, guard: ir.Guard) -> bool:
        return (effect.loc is not None and effect.key is not None and not effect.opaque and not effect.in_loop
                and _prefix(effect.when, guard.when) and _end(effect.loc) <= _start(guard.loc))

    def _fact(self, expr: ir.Expr, holds: bool, known_at: Position, source: object = None) -> Fact:
        key = (id(source if source is not None else expr), holds)  # an effect's fact is built anew each time
        if key not in self._facts:
            reads = _reads(expr)
            touching = [e for e in self.effects if _touches(e, reads)]
            later = [e for e in touching if e.loc is not None and _start(e.loc) >= known_at]
            self._facts[key] = Fact(
                steps=fact_steps(self.domain, expr, holds), known_at=known_at,
                usable=_free_names(expr) <= self.params and all(e.loc is not None for e in touching),
                broken_at=min((_end(e.loc) for e in later), default=None),
                broken_in_loop=any(e.in_loop for e in later))
        return self._facts[key]

    def write_before(self, guard: ir.Guard) -> ir.Effect | None:
        """The first write that runs before the guard on some path through the body."""
        at = guard.site or guard.loc  # a helper's guard is checked where the tool calls the helper
        return next((e for e in self.effects if e.loc is not None and _end(e.loc) <= _start(at)
                     and (_prefix(e.when, guard.when) or _prefix(guard.when, e.when))), None)

    def reads_a_stored_reference(self, guard: ir.Guard) -> bool:
        """A lookup keyed by a reference the caller did not pass: one read from the state (or from
        what holds no parameter at all), which fails only on inconsistent data."""
        if guard.kind != "lookup" or not isinstance(guard.condition, ir.Binary):
            return False
        key = guard.condition.left
        t = key.type.args[0] if key.type.kind == "optional" else key.type
        from_state = any(isinstance(n, (ir.Lookup, ir.CollectionRef)) for n in ir.walk(key))
        return t.kind == "ref" and (from_state or not _free_names(key) & self.params)


def _start(loc: ir.Loc) -> Position:
    return loc.line, loc.column


def _end(loc: ir.Loc) -> Position:
    return loc.end_line, loc.end_column


def span_key(loc: ir.Loc | None) -> tuple:
    return (loc.file, loc.line, loc.column, loc.end_line, loc.end_column) if loc else ()


def _conditionally_evaluated(body: tuple[ir.Stmt, ...]) -> set[tuple]:
    """The spans of the lookups and indexes in a body that an expression may skip. Their guards
    are checked only sometimes, so what they test is no fact for the guards after them."""
    roots = [(child, name in ("error", "message")) for stmt in ir.walk(body) if isinstance(stmt, ir.StmtBase)
             for name, value in vars(stmt).items() for child in (value if isinstance(value, tuple) else (value,))]
    return sometimes_evaluated(roots)


def sometimes_evaluated(roots) -> set[tuple]:
    """The spans of the lookups and indexes under `roots` (pairs of an expression and whether it
    is itself evaluated only sometimes) that evaluation may skip: behind `and`/`or`, in a branch
    of `… if … else …`, in a comprehension's body, in an error message."""
    found: set[tuple] = set()

    def visit(e, sometimes: bool) -> None:
        if not isinstance(e, ir.ExprBase):
            return
        if isinstance(e, (ir.Lookup, ir.MapGet, ir.ListIndex)) and sometimes:
            found.add(span_key(e.loc))
        if isinstance(e, ir.Binary) and e.op in ("and", "or"):
            visit(e.left, sometimes)
            visit(e.right, True)
        elif isinstance(e, ir.Conditional):
            visit(e.condition, sometimes)
            visit(e.then, True)
            visit(e.otherwise, True)
        elif isinstance(e, ir.Comprehension):
            for i, loop in enumerate(e.loops):
                visit(loop.iterable, sometimes or i > 0)
                visit(loop.condition, True)
            visit(e.element, True)
            visit(e.key, True)
        elif isinstance(e, (ir.Lookup, ir.MapGet)):
            visit(getattr(e, "obj", None), sometimes)
            visit(e.key, sometimes)
            visit(e.error, True)
        else:
            for child in ir.children(e):
                visit(child, sometimes)

    for root, sometimes in roots:
        visit(root, sometimes)
    return found


def _prefix(short: tuple, long: tuple) -> bool:
    return len(short) <= len(long) and long[:len(short)] == short


def _member(key: ir.Expr, entity: str) -> ir.Expr:
    """`key in collection`, built as the contracts build a lookup's guard, so the two compare equal."""
    rows = ir.CollectionRef(type=ir.map_of(ir.TypeRef(kind="entity", name=entity)), entity=entity)
    return ir.Binary(type=ir.BOOL, op="in", left=key, right=rows)


def _free_names(e: ir.Expr) -> set[str]:
    bound = {n for node in ir.walk(e) if isinstance(node, ir.Comprehension) for loop in node.loops for n in loop.names}
    return {node.name for node in ir.walk(e) if isinstance(node, ir.Var)} - bound


def _reads(e: ir.Expr) -> set[tuple[str, str]]:
    """(entity, field) for each part of the state `e` reads: "*" for a whole row or a scan,
    "keys" for a membership test (`k in orders`), which only inserts and deletes change."""
    found: set[tuple[str, str]] = set()
    pending: list[tuple[ir.Model, ir.Model | None]] = [(e, None)]
    while pending:
        node, parent = pending.pop()
        if isinstance(node, ir.Lookup):
            field = parent.name if isinstance(parent, ir.GetField) else "*"
            found.add((node.entity, field))
        elif isinstance(node, ir.CollectionRef):
            keys_only = isinstance(parent, ir.Binary) and parent.op in ("in", "not in") and parent.right is node
            found.add((node.entity, "keys" if keys_only else "*"))
        pending.extend((child, node) for child in ir.children(node))
    return found


def _touches(effect: ir.Effect, reads: set[tuple[str, str]]) -> bool:
    whole = effect.op in ("insert", "delete") or not effect.path
    for entity, field in reads:
        if entity != effect.entity:
            continue
        if field == "keys":
            if effect.op in ("insert", "delete"):
                return True
        elif whole or field == "*" or field == effect.path[0]:
            return True
    return False
