"""Deciding a condition from what is known to hold: the engine behind the guard rules.

`Knowledge` collects facts (conditions assumed true or false) and answers `decide(condition)`
with True, False or None (cannot tell). It never guesses: an answer is a proof, over

- the facts themselves, matched structurally (IR nodes compare without their locations);
- the values a subject can take: an enum's values, a bool's two, narrowed by facts such as
  `status == "pending"`, `status in [...]` or `x is not none`, tried one by one with the
  static evaluator;
- numeric bounds from comparisons with constants (`amount > 0` once `amount >= 1` holds,
  `len(xs) >= 0` always).

`and`, `or` and `not` combine answers in three-valued logic, so a condition decided true is
true whatever the undecided parts are.
"""

from __future__ import annotations

import itertools
import math
import operator
from dataclasses import dataclass, replace

from .. import ir
from ..check.evaluate import Evaluator, Failed, Undecided

MAX_ASSIGNMENTS = 64  # value combinations tried when enumerating a condition's subjects

PLACES = (ir.Var, ir.GetField, ir.MapGet, ir.ListIndex, ir.Lookup)
COMPARISONS = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}
NEGATED = {"<": ">=", "<=": ">", ">": "<=", ">=": "<", "==": "!=", "!=": "==", "in": "not in", "not in": "in"}
MIRRORED = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}


@dataclass(frozen=True)
class Range:
    """What a subject can be: `values` when finitely many are possible (else None), minus
    `excluded`, within the numeric bounds."""
    values: frozenset | None = None
    excluded: frozenset = frozenset()
    low: float = -math.inf
    low_open: bool = False
    high: float = math.inf
    high_open: bool = False

    def remaining(self) -> frozenset | None:
        if self.values is None:
            return None
        return frozenset(v for v in self.values - self.excluded if self.admits(v))

    def admits(self, v) -> bool:
        if not isinstance(v, (int, float)) or isinstance(v, bool):
            return True
        above = v > self.low if self.low_open else v >= self.low
        below = v < self.high if self.high_open else v <= self.high
        return above and below

    def empty(self) -> bool:
        remaining = self.remaining()
        if remaining is not None:
            return not remaining
        return self.low > self.high or (self.low == self.high and (self.low_open or self.high_open))

    def bounded(self, op: str, bound: float) -> "Range":
        if op in (">", ">=") and (bound > self.low or (bound == self.low and op == ">")):
            return replace(self, low=bound, low_open=op == ">")
        if op in ("<", "<=") and (bound < self.high or (bound == self.high and op == "<")):
            return replace(self, high=bound, high_open=op == "<")
        return self


class Keyed:
    """An expression as a dictionary key, its (deep) hash computed once."""
    __slots__ = ("expr", "hashed")

    def __init__(self, expr: ir.Expr):
        self.expr = expr
        self.hashed = hash(expr)

    def __hash__(self) -> int:
        return self.hashed

    def __eq__(self, other) -> bool:
        return isinstance(other, Keyed) and self.hashed == other.hashed and self.expr == other.expr


# One consequence of a fact: ("truth", expr, holds), or ("restrict", subject, op, constant)
Step = tuple


def fact_steps(domain: ir.Domain, fact: ir.Expr, holds: bool = True) -> tuple[Step, ...]:
    """What assuming `fact` (or its negation) tells, worked out once so that it can be applied often."""
    steps: list[Step] = [("truth", Keyed(fact), holds)]
    if isinstance(fact, ir.Unary) and fact.op == "not":
        steps += fact_steps(domain, fact.operand, not holds)
    elif isinstance(fact, ir.Binary) and fact.op in ("and", "or"):
        if holds == (fact.op == "and"):  # `a and b` holds, or `a or b` fails: both parts are known
            steps += fact_steps(domain, fact.left, holds) + fact_steps(domain, fact.right, holds)
    elif isinstance(fact, ir.IsVariant) and fact.variant is None and _is_place(fact.value):
        steps.append(("restrict", Keyed(fact.value), "==" if holds != fact.negated else "!=", None))
    elif isinstance(fact, ir.Binary) and fact.op in NEGATED:
        subject, op, constant = comparison(domain, fact)
        if subject is not None:
            steps.append(("restrict", Keyed(subject), op if holds else NEGATED[op], constant))
    elif _is_place(fact) and fact.type.kind == "bool":
        steps.append(("restrict", Keyed(fact), "==", holds))
    return tuple(steps)


class Knowledge:
    def __init__(self, domain: ir.Domain):
        self.domain = domain
        self.evaluator = Evaluator(domain, None, budget=20_000)  # no state: a condition on it stays undecided
        self.truths: dict[Keyed, bool] = {}
        self.ranges: dict[Keyed, Range] = {}

    # ------------------------------------------------------------ facts
    def assume(self, fact: ir.Expr, holds: bool = True) -> None:
        self.apply(fact_steps(self.domain, fact, holds))

    def apply(self, steps: tuple[Step, ...]) -> None:
        for step in steps:
            if step[0] == "truth":
                self.truths[step[1]] = step[2]
            else:
                self._restrict(*step[1:])

    def _restrict(self, subject: Keyed, op: str, constant) -> None:
        current = self.ranges.get(subject) or type_range(self.domain, subject.expr)
        if op in ("==", "!=") and not _hashable([constant]):
            return
        if op == "==":
            values = current.values if current.values is not None else frozenset({constant})
            narrowed = replace(current, values=values & {constant})
        elif op == "!=":
            narrowed = replace(current, excluded=current.excluded | {constant})
        elif op in ("in", "not in") and isinstance(constant, (list, tuple)) and _hashable(constant):
            allowed = frozenset(constant)
            narrowed = replace(current, values=(current.values if current.values is not None else allowed) & allowed) \
                if op == "in" else replace(current, excluded=current.excluded | allowed)
        elif op in COMPARISONS and _number(constant):
            narrowed = current.bounded(op, constant)
        else:
            return
        self.ranges[subject] = narrowed

    def contradictory(self) -> bool:
        return any(r.empty() for r in self.ranges.values())

    def range(self, subject: ir.Expr) -> Range:
        known = self.ranges.get(Keyed(subject))
        return known if known is not None else type_range(self.domain, subject)

    # ------------------------------------------------------------ decisions
    def decide(self, e: ir.Expr) -> bool | None:
        if isinstance(e, ir.Unary) and e.op == "not":
            inner = self.decide(e.operand)
            return None if inner is None else not inner
        if isinstance(e, ir.Binary) and e.op in ("and", "or"):
            return _kleene(e.op, self.decide(e.left), lambda: self.decide(e.right))
        known = self.truths.get(Keyed(e))
        if known is not None:
            return known
        by_bounds = self._by_bounds(e)
        return by_bounds if by_bounds is not None else self._by_cases(e)

    def _by_bounds(self, e: ir.Expr) -> bool | None:
        """A comparison of a numeric subject with a constant, against the subject's bounds."""
        if not (isinstance(e, ir.Binary) and e.op in COMPARISONS):
            return None
        subject, op, bound = comparison(self.domain, e)
        if subject is None or not _number(bound):
            return None
        r = self.range(subject)
        if r.remaining() is not None:
            return None  # finitely many values: the case analysis is exact
        if r.bounded(op, bound) == r:
            return True  # the bounds already imply the comparison
        if r.bounded(NEGATED[op], bound).empty():
            return True
        return False if r.bounded(op, bound).empty() else None

    def _by_cases(self, e: ir.Expr) -> bool | None:
        """Evaluate `e` for every combination of its subjects' possible values."""
        subjects = [s for s in dict.fromkeys(_places_in(e)) if self.range(s).remaining() is not None]
        choices = [sorted(self.range(s).remaining(), key=repr) for s in subjects]
        if math.prod(len(c) for c in choices) > MAX_ASSIGNMENTS:
            return None
        outcomes = set()
        for values in itertools.product(*choices):
            try:
                outcomes.add(bool(self.evaluator.value(e, known=dict(zip(subjects, values)))))
            except (Undecided, Failed):
                return None
            if len(outcomes) > 1:
                return None
        return outcomes.pop() if outcomes else None

NOT_CONSTANT = object()


def comparison(domain: ir.Domain, e: ir.Binary):
    """(subject, op, constant) for `subject op constant` or its mirror, else (None, None, None)."""
    right = constant(domain, e.right)
    if right is not NOT_CONSTANT and not _constant_free(e.left):
        return e.left, e.op, right
    left = constant(domain, e.left)
    if left is not NOT_CONSTANT and e.op in MIRRORED and not _constant_free(e.right):
        return e.right, MIRRORED[e.op], left
    return None, None, None


def constant(domain: ir.Domain, e: ir.Expr):
    """The value of an expression that reads neither names nor the state, or NOT_CONSTANT."""
    if not _constant_free(e):
        return NOT_CONSTANT
    try:
        return Evaluator(domain, None, budget=10_000).value(e)
    except (Undecided, Failed):
        return NOT_CONSTANT


def type_range(domain: ir.Domain, subject: ir.Expr) -> Range:
    """What a subject's type alone allows: an enum's values, a bool's, a length's bounds."""
    t, optional = subject.type, False
    while t.kind == "optional":
        t, optional = t.args[0], True
    extra = frozenset({None}) if optional else frozenset()
    if t.kind == "enum" and t.name:
        definition = domain.type_def(t.name)
        if isinstance(definition, ir.EnumDef):
            return Range(values=frozenset(definition.values) | extra)
    if t.kind == "bool":
        return Range(values=frozenset({True, False}) | extra)
    if isinstance(subject, ir.Builtin) and subject.name == "len":
        return Range(low=0)
    return Range()


def _kleene(op: str, left: bool | None, right) -> bool | None:
    decisive = op == "or"  # the value that settles `or` (True) or `and` (False) alone
    if left is decisive:
        return decisive
    other = right()
    if other is decisive:
        return decisive
    return None if left is None or other is None else not decisive


def _is_place(e: ir.Expr) -> bool:
    return isinstance(e, PLACES) or (isinstance(e, ir.Builtin) and e.name == "len")


def _places_in(e: ir.Expr):
    """The outermost places in `e` (not inside comprehensions, whose names are bound there)."""
    pending = [e]
    while pending:
        node = pending.pop()
        if _is_place(node):
            yield node
        elif not isinstance(node, ir.Comprehension):
            pending.extend(reversed([c for c in ir.children(node) if isinstance(c, ir.ExprBase)]))


def _constant_free(e: ir.Expr) -> bool:
    """True when `e` reads no name and no state: its value is the same on every call."""
    return not any(isinstance(n, (ir.Var, ir.CollectionRef, ir.Lookup, ir.Old)) for n in ir.walk(e))


def _number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _hashable(values) -> bool:
    try:
        frozenset(values)
    except TypeError:
        return False
    return True
