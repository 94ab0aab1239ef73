"""Mutation testing: how good the generated tests are, measured.

Each mutant is the spec's IR with one change in one tool's body:

- `flip-comparison`: `<` and `<=`, `>` and `>=`, `==` and `!=`, `in` and `not in` swapped;
- `drop-guard`: a `require` left out;
- `change-constant`: a number plus one, a boolean negated, a string replaced by the next value of
  the enum it belongs to (or, belonging to none, with a letter added);
- `drop-assignment`: an assignment or a list change (`append`, `remove`, ...) left out.

Error messages are never mutated: a test that tells a mutant apart by its wording alone would
only show that messages are compared. A mutant keeps the original contract, so its guards keep
their ids. It is compiled like any spec and the recorded cases are replayed on it: it is killed
when some case's outcome (a result, an error, the guard it names, the final changes) differs, or
when it breaks a postcondition or an invariant. Cases that never call the mutated tool cannot
tell it apart and are not run.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field, fields, replace
from typing import Iterator

from .. import ir
from ..codegen.names import where
from .analysis import message_ids
from .cases import check_case

COMPARISONS = {"<": "<=", "<=": "<", ">": ">=", ">=": ">", "==": "!=", "!=": "==", "in": "not in", "not in": "in"}
KINDS = ("flip-comparison", "drop-guard", "change-constant", "drop-assignment")
_DROP = object()  # a statement left out of its block


@dataclass
class Mutant:
    id: str
    kind: str
    tool: str
    description: str
    domain: ir.Domain = field(repr=False)


@dataclass
class MutationScore:
    killed: list[str] = field(default_factory=list)
    survived: list[Mutant] = field(default_factory=list)
    invalid: list[str] = field(default_factory=list)  # mutants that do not compile
    total: int = 0  # mutants the spec has (more than were run, when sampled)

    @property
    def score(self) -> float | None:
        judged = len(self.killed) + len(self.survived)
        return len(self.killed) / judged if judged else None

    def to_json(self) -> dict:
        return {"score": self.score, "killed": len(self.killed), "survived": len(self.survived),
                "invalid": len(self.invalid), "mutants": self.total,
                "survivors": [{"id": m.id, "kind": m.kind, "tool": m.tool, "change": m.description}
                              for m in self.survived]}


# ---------------------------------------------------------------- making mutants

def mutants(domain: ir.Domain) -> Iterator[Mutant]:
    """Every mutant of the domain, tool by tool, in the order the body is written."""
    enum_next = _enum_successors(domain)
    for index, tool in enumerate(domain.tools):
        messages = message_ids(tool.body)
        for node in ir.walk(tool.body):
            if id(node) in messages:
                continue
            for kind, new, description in _changes(node, enum_next):
                body = _replaced(tool.body, node, new)
                tools = domain.tools[:index] + (replace(tool, body=body),) + domain.tools[index + 1:]
                place = where(node.loc) if node.loc is not None else tool.name
                yield Mutant(f"{kind} at {place} ({description})", kind, tool.name, description,
                             replace(domain, tools=tools))


def _changes(node, enum_next: dict) -> list[tuple[str, object, str]]:
    """(kind, replacement, description) of each mutation `node` admits."""
    if isinstance(node, ir.Binary) and node.op in COMPARISONS:
        flipped = COMPARISONS[node.op]
        return [("flip-comparison", replace(node, op=flipped), f"`{node.op}` -> `{flipped}`")]
    if isinstance(node, ir.RequireStmt):
        return [("drop-guard", _DROP, "require left out")]
    if isinstance(node, (ir.AssignStmt, ir.ListOpStmt)):
        return [("drop-assignment", _DROP, "assignment left out" if isinstance(node, ir.AssignStmt)
                 else f"{node.op} left out")]
    if isinstance(node, ir.Const):
        new = _changed_constant(node.value, enum_next)
        if new is not None:
            return [("change-constant", replace(node, value=new), f"{node.value!r} -> {new!r}")]
    return []


def _changed_constant(value, enum_next: dict):
    if type(value) is bool:
        return not value
    if type(value) in (int, float):
        return value + 1
    if type(value) is str:
        return enum_next.get(value, value + "x")
    return None


def _enum_successors(domain: ir.Domain) -> dict[str, str]:
    """Each enum value -> the next value of its enum, so a changed constant is still a value."""
    successors = {}
    for enum in domain.enums:
        for position, value in enumerate(enum.values):
            successors.setdefault(value, enum.values[(position + 1) % len(enum.values)])
    return {v: n for v, n in successors.items() if v != n}


def _replaced(value, target, new):
    """`value` with the node that is `target` replaced by `new` (or left out of its block)."""
    if value is target:
        return new
    if isinstance(value, tuple):
        items = [_replaced(v, target, new) for v in value]
        if all(a is b for a, b in zip(items, value)):
            return value
        return tuple(i for i in items if i is not _DROP)
    if isinstance(value, dict):
        items = {k: _replaced(v, target, new) for k, v in value.items()}
        return value if all(items[k] is v for k, v in value.items()) else items
    if isinstance(value, ir.Model) and not isinstance(value, (ir.Loc, ir.TypeRef)):
        changes = {}
        for f in fields(value):
            inner = getattr(value, f.name)
            updated = _replaced(inner, target, new)
            if updated is not inner:
                changes[f.name] = updated
        return replace(value, **changes) if changes else value
    return value


# ---------------------------------------------------------------- scoring

def mutation_score(compiled, cases: list[dict], *, sample: int | None = None,
                   rng: random.Random | None = None) -> MutationScore:
    """Compile each mutant (or `sample` of them, chosen by `rng`) and replay the cases on it."""
    everything = list(mutants(compiled.ir))
    chosen = everything
    if sample is not None and sample < len(everything):
        picked = sorted((rng or random.Random(0)).sample(range(len(everything)), sample))
        chosen = [everything[i] for i in picked]
    by_tool = _cases_by_tool(cases)
    result = MutationScore(total=len(everything))
    for mutant in chosen:
        try:
            killed = kills(mutant, by_tool.get(mutant.tool, ()))
        except MutantError as err:
            result.invalid.append(f"{mutant.id}: {err}")
            continue
        if killed:
            result.killed.append(mutant.id)
        else:
            result.survived.append(mutant)
    return result


class MutantError(Exception):
    """A mutant that does not compile."""


def kills(mutant: Mutant, cases) -> bool:
    """Whether some case tells the mutant apart from the spec it was recorded on."""
    from ..api import CompiledDomain
    from ..codegen import GenerationError, generate_source, module_from_source

    try:
        source = generate_source(mutant.domain)
        # not load_module: its cache would keep every mutant's module alive
        module = module_from_source(mutant.domain.name, source, hashlib.sha256(source.encode()).hexdigest())
    except (GenerationError, SyntaxError, ValueError, TypeError) as err:
        raise MutantError(str(err)) from None
    env = CompiledDomain(mutant.domain, module).env()
    return any(check_case(env, case, atomicity=False) for case in cases)


def _cases_by_tool(cases: list[dict]) -> dict[str, list[dict]]:
    by_tool: dict[str, list[dict]] = {}
    for case in cases:
        for tool in dict.fromkeys(a["name"] for a in case["actions"]):
            by_tool.setdefault(tool, []).append(case)
    return by_tool
