"""Names in scope, and what conditions have proved about them (narrowing).

A narrowing fact says that along this path of the program a value is known
not to be `none`, or to be one variant of a union. Facts are keyed by access
path: `("order", "cancel_reason")` for `order.cancel_reason`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from .. import ir
from ..diagnostics import Span

Path = tuple[str, ...]


@dataclass(frozen=True)
class VarInfo:
    type: ir.TypeRef
    # where the value lives: "Entity" for a whole row, "Entity.field" for part of one,
    # "@param" for a parameter's value; empty for a fresh value
    origin: frozenset[str]
    kind: str  # "param", "local", "loop", "self"
    span: Span


@dataclass
class Facts:
    present: dict[Path, ir.TypeRef] = field(default_factory=dict)   # optional known to be set
    variants: dict[Path, str] = field(default_factory=dict)         # union known to be this variant

    def merged(self, other: "Facts") -> "Facts":
        return Facts({**self.present, **other.present}, {**self.variants, **other.variants})

    def common(self, other: "Facts") -> "Facts":
        """What holds on both of two paths."""
        return Facts({p: t for p, t in self.present.items() if other.present.get(p) == t},
                     {p: v for p, v in self.variants.items() if other.variants.get(p) == v})


NO_FACTS = Facts()


class Scope:
    def __init__(self, parent: "Scope | None" = None, facts: Facts = NO_FACTS):
        self.parent = parent
        self.vars: dict[str, VarInfo] = {}
        self.facts = Facts(dict(facts.present), dict(facts.variants))

    def child(self, facts: Facts = NO_FACTS) -> "Scope":
        return Scope(self, facts)

    def lookup(self, name: str) -> VarInfo | None:
        scope = self
        while scope is not None:
            if name in scope.vars:
                return scope.vars[name]
            scope = scope.parent
        return None

    def update(self, name: str, **changes) -> None:
        """Change what is known of the variable `name`, in the scope that binds it (an assignment widens its origin)."""
        scope = self
        while scope is not None:
            if name in scope.vars:
                scope.vars[name] = replace(scope.vars[name], **changes)
                return
            scope = scope.parent

    def origins(self, outermost: "Scope | None" = None) -> dict[str, frozenset[str]]:
        """Where the value of every name bound here, or in the scopes up to `outermost`, may live."""
        out: dict[str, frozenset[str]] = {}
        scope = self
        while scope is not None:
            for name, var in scope.vars.items():
                out.setdefault(name, var.origin)
            if scope is outermost:
                break
            scope = scope.parent
        return out

    def all_names(self) -> list[str]:
        names, scope = [], self
        while scope is not None:
            names.extend(scope.vars)
            scope = scope.parent
        return names

    def present_type(self, path: Path) -> ir.TypeRef | None:
        return self._find(path, "present")

    def variant(self, path: Path) -> str | None:
        return self._find(path, "variants")

    def _find(self, path: Path, table: str):
        scope = self
        while scope is not None:
            found = getattr(scope.facts, table).get(path)
            if found is not None:
                return found
            scope = scope.parent
        return None

    def add(self, facts: Facts) -> None:
        self.facts.present.update(facts.present)
        self.facts.variants.update(facts.variants)

    def forget(self, path: Path) -> None:
        """An assignment to `path` voids what was known about it and below it."""
        scope = self
        while scope is not None:
            for table in (scope.facts.present, scope.facts.variants):
                for known in [p for p in table if p[:len(path)] == path]:
                    del table[known]
            scope = scope.parent
