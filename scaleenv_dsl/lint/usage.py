"""Rules over what the spec declares and never uses: entities, fields, enum values, and tools
that repeat another. Reads and writes are the checker's inferred sets, never guessed."""

from __future__ import annotations

from typing import Any, Iterator

from .. import ir
from .findings import Findings, line_of


def unread_entities(domain: ir.Domain) -> Findings:
    """An entity no tool reads a row or field of. An insert alone does not count: its uniqueness
    check looks at keys, and the agent never sees the row again."""
    found = Findings(domain)
    read = {f.split(".")[0] for tool in domain.tools for f in tool.read_fields}
    read |= {r.entity for tool in domain.tools if tool.contract for r in tool.contract.reads}
    for entity in domain.entities:
        if entity.name not in read:
            found.report("unread-entity", f"no tool reads `{entity.name}`", entity.loc,
                         "add a tool that looks its rows up, or remove the entity: the agent cannot see it")
    return found


def unused_fields(domain: ir.Domain) -> Findings:
    """A field of an entity no tool reads or writes (its key aside: lookups use it). An entity no
    tool touches at all has `unread-entity` instead, not one finding per field."""
    found = Findings(domain)
    used = {f for tool in domain.tools for f in (*tool.read_fields, *tool.write_fields)}
    for entity in domain.entities:
        if f"{entity.name}.*" in used or not any(u.startswith(entity.name + ".") for u in used):
            continue
        for f in entity.fields:
            if f.name != entity.key and f"{entity.name}.{f.name}" not in used:
                found.report("unused-field", f"no tool reads or writes `{entity.name}.{f.name}`", f.loc,
                             "remove the field, or use it in a tool (a tool returning the whole row reads it)")
    return found


def unused_enum_values(domain: ir.Domain, data: Any) -> Findings:
    """A value no literal in the spec names, no parameter can pass, and no row of the data holds."""
    found = Findings(domain)
    passed = {name for tool in domain.tools for p in tool.params for name in _enums_in(p.type)}
    written = set(_literals(domain))
    in_data: set[str] | None = None  # collected only when some value is not otherwise used
    for enum in domain.enums:
        if enum.name in passed:
            continue
        for value in enum.values:
            if value in written or data is None:  # data that cannot be read may hold any value
                continue
            if in_data is None:
                in_data = set(_strings(data))
            if value not in in_data:
                found.report("unused-enum-value", f'the value "{value}" of `{enum.name}` is never used: no tool, '
                             "task or invariant names it, no parameter takes the enum, and no row holds it",
                             enum.loc, "remove the value, or handle it where the enum's values are told apart")
    return found


def duplicate_tools(domain: ir.Domain) -> Findings:
    """Two tools with the same parameter types and the same body, names aside."""
    found = Findings(domain)
    first_with: dict[tuple, ir.ToolDef] = {}
    for tool in domain.tools:
        shape = (tuple(p.type for p in tool.params), tool.returns, _shape(tool.body))
        earlier = first_with.setdefault(shape, tool)
        if earlier is not tool:
            found.report("duplicate-tool", f"`{tool.name}` does the same as `{earlier.name}` "
                         f"({line_of(earlier.loc)}): same parameters, same body", tool.loc,
                         "keep one tool: two that do the same split the agent's choice for nothing",
                         labels=((earlier.loc, f"`{earlier.name}`"),))
    return found


# ---------------------------------------------------------------- helpers

def _enums_in(t: ir.TypeRef) -> Iterator[str]:
    if t.kind == "enum" and t.name:
        yield t.name
    for arg in t.args:
        yield from _enums_in(arg)


def _literals(domain: ir.Domain) -> Iterator[str]:
    """Every string the spec writes as a value: in expressions, and in tasks' facts, overlays and actions."""
    for node in ir.walk(domain):
        if isinstance(node, ir.Const):
            yield from _strings(node.value)
    for task in domain.tasks:
        yield from _strings([task.knows, task.initial, [a.arguments for a in task.actions]])


def _strings(value: Any) -> Iterator[str]:
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, (list, tuple)):
            pending.extend(item)


def _shape(body: tuple[ir.Stmt, ...]) -> tuple:
    """The body with every local and parameter renamed by order of appearance, so that two bodies
    that differ only in names have equal shapes. Locations are left out, as IR equality does."""
    names: dict[str, str] = {}

    def rename(name: str) -> str:
        return names.setdefault(name, f"${len(names)}")

    def shape(node) -> Any:
        if isinstance(node, ir.Var):
            return ("var", rename(node.name), node.type)
        if isinstance(node, ir.Model):
            items = []
            for key, value in vars(node).items():
                if key == "loc":
                    continue
                if (key == "name" and isinstance(node, ir.LetStmt)) or key == "names":
                    value = tuple(rename(n) for n in value) if key == "names" else rename(value)
                items.append((key, shape(value)))
            return (type(node).__name__, tuple(items))
        if isinstance(node, (list, tuple)):
            return tuple(shape(v) for v in node)
        if isinstance(node, dict):
            return tuple((k, shape(v)) for k, v in node.items())
        return node

    return shape(body)
