"""Tool schemas from the IR: OpenAI function calling, Anthropic tools, MCP tool definitions.

Every parameter type maps to JSON Schema: scalars, enums (`enum`), references
(a string key, described as such), lists, maps (`additionalProperties`),
optionals (`anyOf` with null), records (closed objects) and unions (`oneOf`
with the tag as a `const`); a type used in several places is defined once in
`$defs`. Docs and examples go in `description` and `examples`.
"""

from __future__ import annotations

from typing import Any

from . import ir

def tool_description(tool: ir.ToolDef) -> str:
    text = tool.doc.strip()
    if tool.returns is not None and tool.returns_doc.strip():
        text += ("\n\n" if text else "") + f"Returns: {tool.returns_doc.strip()}"
    return text


def parameters_schema(domain: ir.Domain, tool: ir.ToolDef) -> dict:
    builder = _SchemaBuilder(domain, [p.type for p in tool.params])
    properties = {}
    for p in tool.params:
        properties[p.name] = _documented(builder.schema(p.type), p.doc, p.example)
        if p.has_default:  # JSON Schema's own keyword: every client shows it, none requires the argument
            properties[p.name] = {**properties[p.name], "default": p.default}
    out = {"type": "object", "properties": properties,
           "required": [p.name for p in tool.params if not p.may_be_left_out],
           "additionalProperties": False}
    if builder.definitions:
        out["$defs"] = builder.definitions
    return out


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
    if isinstance(s, ir.DeleteEntryStmt):
        return bool(s.writes)
    if isinstance(s, ir.AssignStmt):
        stored = bool(s.writes) and not isinstance(s.target, ir.Var)
        additive = s.op == "+=" and s.target.type.kind == "list"
        return stored and not additive
    if isinstance(s, ir.ListOpStmt):
        return bool(s.writes) and s.op in ("remove", "sort", "update")
    if isinstance(s, ir.IfStmt):
        return any(_destructive(x) for x in [*s.then, *s.otherwise])
    if isinstance(s, ir.ForStmt):
        return any(_destructive(x) for x in s.body)
    return False


class _SchemaBuilder:
    """JSON Schema for the parameter types of one tool.

    A record, entity or union referred to from one place only is written inline. One
    referred to from several places (a field of its own type, or of a type used twice)
    is written once under `$defs` and referred to by `$ref`: recursive types stay exact,
    and the schema grows with the number of types, never exponentially.
    """

    def __init__(self, domain: ir.Domain, roots: list[ir.TypeRef]):
        self.records = {r.name: r for r in domain.records}
        self.entities = {e.name: e for e in domain.entities}
        self.unions = {u.name: u for u in domain.unions}
        self.enums = {e.name: e for e in domain.enums}
        self.definitions: dict[str, dict] = {}
        self._shared = self._referred_more_than_once(roots)

    def _fields_of(self, name: str) -> list[ir.FieldDef]:
        if name in self.unions:
            return [f for v in self.unions[name].variants for f in v.fields]
        decl = self.records.get(name) or self.entities.get(name)
        return decl.fields if decl is not None else []

    def _referred_more_than_once(self, roots: list[ir.TypeRef]) -> set[str]:
        counts: dict[str, int] = {}
        pending = [n for t in roots for n in _named_types(t)]
        while pending:
            name = pending.pop()
            counts[name] = counts.get(name, 0) + 1
            if counts[name] == 1:  # a type's own fields refer to other types once, however often it is used
                pending += [n for f in self._fields_of(name) for n in _named_types(f.type)]
        return {name for name, count in counts.items() if count > 1}

    def schema(self, t: ir.TypeRef) -> dict[str, Any]:
        kind = t.kind
        if kind in _SCALAR_SCHEMAS:
            return dict(_SCALAR_SCHEMAS[kind])
        if kind == "enum":
            values = self.enums[t.name].values if t.name in self.enums else []
            return {"type": "string", "enum": list(values)}
        if kind == "ref" and t.path:
            return {"type": "string", "description": f"A key of a {t.name}'s {'.'.join(t.path)}."}
        if kind == "ref":
            key = self.entities[t.name].key if t.name in self.entities else "key"
            return {"type": "string", "description": f"The {key} of a {t.name}."}
        if kind == "optional":
            return {"anyOf": [self.schema(t.args[0]), {"type": "null"}]}
        if kind == "list":
            return {"type": "array", "items": self.schema(t.args[0])}
        if kind == "map":
            return {"type": "object", "additionalProperties": self.schema(t.args[0])}
        if kind in ("record", "entity", "union"):
            if t.name not in self._shared:
                return self._named(t.name)
            if t.name not in self.definitions:
                self.definitions[t.name] = {}  # claimed first, so that a recursive type refers to itself
                self.definitions[t.name] = self._named(t.name)
            return {"$ref": f"#/$defs/{t.name}"}
        return {}

    def _named(self, name: str) -> dict:
        if name in self.unions:
            union = self.unions[name]
            variants = [self._object(v.fields, (union.tag, v.name)) for v in union.variants]
            schema: dict = {"oneOf": variants}
            if union.doc:
                schema["description"] = union.doc
            return schema
        decl = self.records.get(name) or self.entities.get(name)
        if decl is None:
            return {"type": "object"}
        schema = self._object(decl.fields, None)
        if decl.doc:
            schema["description"] = decl.doc
        return schema

    def _object(self, fields: list[ir.FieldDef], tag: tuple[str, str] | None) -> dict:
        properties: dict[str, Any] = {}
        required = []
        if tag is not None:
            properties[tag[0]] = {"const": tag[1]}
            required.append(tag[0])
        for f in fields:
            properties[f.name] = _documented(self.schema(f.type), f.doc, f.example)
            if f.type.kind != "optional":
                required.append(f.name)
        return {"type": "object", "properties": properties, "required": required, "additionalProperties": False}


def _named_types(t: ir.TypeRef) -> list[str]:
    """The records, entities and unions a type refers to directly (through lists, maps, optionals)."""
    if t.kind in ("record", "entity", "union"):
        return [t.name]
    return [n for a in t.args for n in _named_types(a)]


_SCALAR_SCHEMAS = {
    "str": {"type": "string"}, "int": {"type": "integer"}, "float": {"type": "number"},
    "bool": {"type": "boolean"}, "none": {"type": "null"}, "any": {}, "tuple": {"type": "array"},
    "date": {"type": "string", "format": "date"},
    # naive: JSON Schema's date-time has a zone, ours none; the pattern tells a model the spelling
    "datetime": {"type": "string", "format": "date-time",
                 "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2})?$"},
}


def _documented(schema: dict, doc: str, example) -> dict:
    """A parameter's or field's schema with its doc and example (a copy: schemas may be shared)."""
    if doc:
        schema = {**schema, "description": doc}
    if example is not None:
        schema = {**schema, "examples": [example]}
    return schema
