"""Tool schemas from the IR: OpenAI function calling, Anthropic tools, MCP tool definitions.

Every parameter type maps to JSON Schema: scalars, enums (`enum`), references
(a string key, described as such), lists, maps (`additionalProperties`),
optionals (`anyOf` with null), records (closed objects) and unions (`oneOf`
with the tag as a `const`). Docs and examples go in `description` and
`examples`.
"""

from __future__ import annotations

from typing import Any

from . import ir

MAX_INLINE_DEPTH = 8  # recursive records are cut off (as a plain object) below this


def tool_description(tool: ir.ToolDef) -> str:
    text = tool.doc.strip()
    if tool.returns is not None and tool.returns_doc.strip():
        text += ("\n\n" if text else "") + f"Returns: {tool.returns_doc.strip()}"
    return text


def parameters_schema(domain: ir.Domain, tool: ir.ToolDef) -> dict:
    builder = _SchemaBuilder(domain)
    properties = {}
    for p in tool.params:
        schema = builder.schema(p.type, 0)
        if p.doc:
            schema = {**schema, "description": p.doc}
        if p.example is not None:
            schema = {**schema, "examples": [p.example]}
        properties[p.name] = schema
    return {"type": "object", "properties": properties,
            "required": [p.name for p in tool.params if p.type.kind != "optional"],
            "additionalProperties": False}


def openai_tools(domain: ir.Domain) -> list[dict]:
    return [{"type": "function",
             "function": {"name": t.name, "description": tool_description(t),
                          "parameters": parameters_schema(domain, t)}}
            for t in domain.tools]


def anthropic_tools(domain: ir.Domain) -> list[dict]:
    return [{"name": t.name, "description": tool_description(t), "input_schema": parameters_schema(domain, t)}
            for t in domain.tools]


def mcp_tools(domain: ir.Domain) -> list[dict]:
    return [{"name": t.name, "title": t.name.replace("_", " ").capitalize(),
             "description": tool_description(t), "inputSchema": parameters_schema(domain, t),
             "annotations": {"readOnlyHint": not t.writes, "destructiveHint": is_destructive(t),
                             "idempotentHint": not t.writes, "openWorldHint": False}}
            for t in domain.tools]


def is_destructive(tool: ir.ToolDef) -> bool:
    """Does the tool delete rows, remove list items, or overwrite stored values?

    Only appending to lists and inserting rows are additive. Writes are read
    from the body, since the IR's `write_fields` marks inserts and deletes alike.
    """
    return bool(tool.writes) and any(_destructive(s) for s in tool.body)


def _destructive(s: ir.Stmt) -> bool:
    if isinstance(s, ir.DeleteStmt):
        return True
    if isinstance(s, ir.AssignStmt):
        stored = s.writes is not None and not isinstance(s.target, ir.Var)
        additive = s.op == "+=" and s.target.type.kind == "list"
        return stored and not additive
    if isinstance(s, ir.ListOpStmt):
        return s.writes is not None and s.op in ("remove", "sort")
    if isinstance(s, ir.IfStmt):
        return any(_destructive(x) for x in [*s.then, *s.otherwise])
    if isinstance(s, ir.ForStmt):
        return any(_destructive(x) for x in s.body)
    return False


class _SchemaBuilder:
    def __init__(self, domain: ir.Domain):
        self.records = {r.name: r for r in domain.records}
        self.entities = {e.name: e for e in domain.entities}
        self.unions = {u.name: u for u in domain.unions}
        self.enums = {e.name: e for e in domain.enums}

    def schema(self, t: ir.TypeRef, depth: int) -> dict[str, Any]:
        kind = t.kind
        if kind in _SCALAR_SCHEMAS:
            return dict(_SCALAR_SCHEMAS[kind])
        if kind == "enum":
            values = self.enums[t.name].values if t.name in self.enums else []
            return {"type": "string", "enum": list(values)}
        if kind == "ref":
            key = self.entities[t.name].key if t.name in self.entities else "key"
            return {"type": "string", "description": f"The {key} of a {t.name}."}
        if kind == "optional":
            return {"anyOf": [self.schema(t.args[0], depth), {"type": "null"}]}
        if kind == "list":
            return {"type": "array", "items": self.schema(t.args[0], depth + 1)}
        if kind == "map":
            return {"type": "object", "additionalProperties": self.schema(t.args[0], depth + 1)}
        if kind in ("record", "entity", "union") and depth < MAX_INLINE_DEPTH:
            return self._named(t.name, depth)
        return {}

    def _named(self, name: str, depth: int) -> dict:
        if name in self.unions:
            union = self.unions[name]
            variants = [self._object(v.fields, depth, (union.tag, v.name)) for v in union.variants]
            schema: dict = {"oneOf": variants}
            if union.doc:
                schema["description"] = union.doc
            return schema
        decl = self.records.get(name) or self.entities.get(name)
        if decl is None:
            return {"type": "object"}
        schema = self._object(decl.fields, depth, None)
        if decl.doc:
            schema["description"] = decl.doc
        return schema

    def _object(self, fields: list[ir.FieldDef], depth: int, tag: tuple[str, str] | None) -> dict:
        properties: dict[str, Any] = {}
        required = []
        if tag is not None:
            properties[tag[0]] = {"const": tag[1]}
            required.append(tag[0])
        for f in fields:
            schema = self.schema(f.type, depth + 1)
            if f.doc:
                schema = {**schema, "description": f.doc}
            if f.example is not None:
                schema = {**schema, "examples": [f.example]}
            properties[f.name] = schema
            if f.type.kind != "optional":
                required.append(f.name)
        return {"type": "object", "properties": properties, "required": required, "additionalProperties": False}


_SCALAR_SCHEMAS = {
    "str": {"type": "string"}, "int": {"type": "integer"}, "float": {"type": "number"},
    "bool": {"type": "boolean"}, "none": {"type": "null"}, "any": {}, "tuple": {"type": "array"},
}
