"""The task model: what the prover knows about a domain's tools, read once from the IR.

A `Call` is one tool call with JSON arguments. `DomainModel` splits the tools into reads and
writes, indexes each parameter's domain (where its values may come from) and the fields of
every type, so that outputs can be walked by their declared types.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from .. import ir

# json.dumps(…, sort_keys=True, ensure_ascii=False), made once: dumps builds an encoder per call for these options
_canonical = json.JSONEncoder(sort_keys=True, ensure_ascii=False).encode

# The parameter domains whose values are keys found in the state: (entity, path) names them.
KEYED_SOURCES = ("keys", "map-keys", "member-keys")


@dataclass
class Budget:
    """How far a proof may go. The defaults prove every stdlib task; flags raise them."""
    max_depth: int = 8        # write calls in a plan found by search
    max_nodes: int = 2_000    # states the search may generate
    max_reads: int = 600      # read calls one look-up for a missing value may make
    heuristic: str = "hadd"   # or "hmax"


@dataclass(frozen=True)
class Call:
    """One tool call. `key` is a canonical text of it, for sets and dictionaries."""
    tool: str
    arguments: dict[str, Any] = field(default_factory=dict)

    @cached_property
    def key(self) -> str:
        return self.tool + _canonical(self.arguments)

    def to_json(self) -> dict:
        return {"tool": self.tool, "arguments": self.arguments}


def kind_of(domain: ir.ParamDomain) -> tuple[str, tuple[str, ...]] | None:
    """The (entity, path) a keyed parameter domain draws from; None for enums, choices and free values."""
    if domain.source not in KEYED_SOURCES:
        return None
    return domain.entity, domain.path


class DomainModel:
    """A checked domain seen by the prover: tools, parameter domains and type fields."""

    def __init__(self, domain: ir.Domain):
        self.ir = domain
        self.tools = {t.name: t for t in domain.tools}
        self.write_tools = [t for t in domain.tools if t.is_write]
        self.read_tools = [t for t in domain.tools if not t.is_write]
        self._params = {t.name: {p.param: p for p in (t.contract.params if t.contract else ())}
                        for t in domain.tools}

    @cached_property
    def _param_names(self) -> frozenset[str]:
        return frozenset(p.name for t in self.ir.tools for p in t.params)

    def names_a_param(self, fact: str) -> bool:
        """Whether a `knows` fact is named after some tool's parameter (`email`, or `email_2` as the
        converter numbers a second one)."""
        base, _, number = fact.rpartition("_")
        return fact in self._param_names or (number.isdigit() and base in self._param_names)

    @cached_property
    def _entities_by_collection(self) -> dict[str, str]:
        return {e.collection: e.name for e in self.ir.entities}

    def entity_of(self, collection: str) -> str:
        """The entity whose rows a data collection holds (the collection's own name for any other)."""
        return self._entities_by_collection.get(collection, collection)

    @cached_property
    def _read_fields(self) -> dict[str, dict[str, frozenset[str]]]:
        tables = {}
        for tool in self.ir.tools:
            by_entity: dict[str, set[str]] = {}
            for read in tool.read_fields:
                entity, _, name = read.partition(".")
                by_entity.setdefault(entity, set()).add(name.split(".")[0])
            tables[tool.name] = {entity: frozenset(names) for entity, names in by_entity.items()}
        return tables

    def read_fields_by_entity(self, tool: str) -> dict[str, frozenset[str]]:
        """The top-level fields a tool reads (its contract's `read_fields`), by entity; "*" is a whole row."""
        return self._read_fields[tool]

    def is_write(self, tool: str) -> bool:
        return self.tools[tool].is_write

    def param_domain(self, tool: str, param: str) -> ir.ParamDomain:
        found = self._params[tool].get(param)
        return found if found is not None else ir.ParamDomain(param=param, source="free")

    @cached_property
    def _fields(self) -> dict[str, dict[str, ir.TypeRef]]:
        tables: dict[str, dict[str, ir.TypeRef]] = {}
        for definition in (*self.ir.records, *self.ir.entities):
            tables[definition.name] = {f.name: f.type for f in definition.fields}
        for union in self.ir.unions:
            for variant in union.variants:
                tables[f"{union.name}.{variant.name}"] = {f.name: f.type for f in variant.fields}
        return tables

    def fields_of(self, t: ir.TypeRef, value: dict) -> dict[str, ir.TypeRef]:
        """The declared fields of a record, entity or union value (a union's by its tag)."""
        if t.kind == "union":
            union = self.ir.type_def(t.name)
            return self._fields.get(f"{t.name}.{value.get(union.tag)}", {})
        return self._fields.get(t.name, {})

    def key_field(self, entity: str) -> str:
        return self.ir.entity(entity).key

    def collection(self, entity: str) -> str:
        return self.ir.entity(entity).collection
