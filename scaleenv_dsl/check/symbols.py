"""Pass 1: collect the declarations of all files and resolve type expressions.

Declarations may appear in any order and in any file, so every name is known
before any body is checked. Produces the IR type definitions (enums, records,
unions, entities) with their fields; bodies and invariants come later.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .. import ast, ir
from ..diagnostics import Diagnostic, Label, Severity, Span, did_you_mean

SCALARS = {"str": ir.STR, "int": ir.INT, "float": ir.FLOAT, "bool": ir.BOOL}
TYPE_HINTS = {
    "string": "str", "String": "str", "integer": "int", "number": "float", "double": "float",
    "boolean": "bool", "dict": "map", "Dict": "map", "List": "list", "array": "list",
    "Optional": "T?", "Ref": "ref",
}


@dataclass
class Symbols:
    """Every declaration by name, plus the resolved field lists."""
    diagnostics: list[Diagnostic] = field(default_factory=list)
    domain: ast.DomainDecl | None = None
    enums: dict[str, ast.EnumDecl] = field(default_factory=dict)
    records: dict[str, ast.RecordDecl] = field(default_factory=dict)
    unions: dict[str, ast.UnionDecl] = field(default_factory=dict)
    entities: dict[str, ast.EntityDecl] = field(default_factory=dict)
    tools: dict[str, ast.ToolDecl] = field(default_factory=dict)
    helpers: dict[str, ast.HelperDecl] = field(default_factory=dict)
    consts: dict[str, ast.ConstDecl] = field(default_factory=dict)
    # filled by check/helpers.py: each constant's checked literal, each helper's checked definition
    const_values: dict[str, ir.Expr] = field(default_factory=dict)
    helper_defs: dict[str, ir.HelperDef] = field(default_factory=dict)
    helper_stack: list[str] = field(default_factory=list)  # helpers being re-checked at a call site
    helper_budget: int = 100_000  # helper calls that may still be re-checked (check/helpers.py)
    tasks: dict[str, ast.TaskDecl] = field(default_factory=dict)
    collections: dict[str, str] = field(default_factory=dict)  # collection name -> entity
    # resolved by `resolve_types`
    fields: dict[str, dict[str, ir.FieldDef]] = field(default_factory=dict)  # record/entity -> fields
    variant_fields: dict[str, dict[str, dict[str, ir.FieldDef]]] = field(default_factory=dict)
    common_fields: dict[str, dict[str, ir.FieldDef]] = field(default_factory=dict)  # union -> fields
    # (value, type, span) of each example: checked once every type is resolved, since an example
    # may be a record declared further on
    examples: list[tuple] = field(default_factory=list)
    defaults: list[tuple] = field(default_factory=list)  # (value, type, span) of parameter defaults
    # entity -> its not-found message when built from the key, filled by `type_definitions`
    not_found_messages: dict[str, ir.Expr] = field(default_factory=dict)

    def error(self, code: str, message: str, span: Span, help: str, labels=()) -> None:
        self.diagnostics.append(Diagnostic(code, message, span, help, labels=tuple(labels)))

    def warn(self, code: str, message: str, span: Span, help: str) -> None:
        self.diagnostics.append(Diagnostic(code, message, span, help, Severity.WARNING))

    def type_names(self) -> list[str]:
        return [*SCALARS, *self.enums, *self.records, *self.unions, *self.entities]

    def is_type(self, name: str) -> bool:
        return name in SCALARS or any(name in t for t in (self.enums, self.records, self.unions, self.entities))


def collect(modules: list[ast.Module], symbols: Symbols, header_expected: bool = True) -> None:
    """`header_expected` is false after syntax errors: the header may be in what failed to parse."""
    seen: dict[str, ast.Ident] = {}
    for module in modules:
        for decl in module.decls:
            _collect_decl(decl, symbols, seen)
    if symbols.domain is None and modules and header_expected:
        first = modules[0]
        symbols.error("missing-domain", "the spec has no `domain` header", Span(first.path, 1, 1, 1, 2),
                      'start the spec with `domain NAME { description "…" }`')


def _collect_decl(decl, symbols: Symbols, seen: dict[str, ast.Ident]) -> None:
    if isinstance(decl, ast.DomainDecl):
        if symbols.domain is not None:
            symbols.error("duplicate-domain", "a spec has one `domain` header", decl.name.span,
                          "remove this one", [Label(symbols.domain.name.span, "the first header is here")])
        else:
            symbols.domain = decl
        return
    table = {ast.EnumDecl: symbols.enums, ast.RecordDecl: symbols.records, ast.UnionDecl: symbols.unions,
             ast.EntityDecl: symbols.entities, ast.ToolDecl: symbols.tools, ast.TaskDecl: symbols.tasks,
             ast.HelperDecl: symbols.helpers, ast.ConstDecl: symbols.consts}.get(type(decl))
    if table is None:
        return
    name = decl.name
    namespace = {ast.TaskDecl: "task", ast.ToolDecl: "tool", ast.HelperDecl: "helper",
                 ast.ConstDecl: "const"}.get(type(decl), "type")
    key = f"{namespace}:{name.name}"
    if namespace == "type" and name.name in SCALARS:
        symbols.error("duplicate-definition", f"`{name.name}` is a built-in type", name.span,
                      "choose another name for the declaration")
        return
    if key in seen:
        symbols.error("duplicate-definition", f"`{name.name}` is defined twice", name.span,
                      "rename one of them", [Label(seen[key].span, "first defined here")])
        return
    seen[key] = name
    table[name.name] = decl
    if isinstance(decl, ast.EntityDecl):
        _collect_collection(decl, symbols)


def _collect_collection(decl: ast.EntityDecl, symbols: Symbols) -> None:
    name = decl.collection.name
    if name in symbols.collections:
        symbols.error("duplicate-definition", f"the collection `{name}` belongs to two entities",
                      decl.collection.span, "give each entity its own collection name")
        return
    symbols.collections[name] = decl.name.name


# ---------------------------------------------------------------- types

def _ref_path(t: ast.RefType, symbols: Symbols) -> tuple[str, ...]:
    """The checked path of `ref E.f.g`: it must end at a map (its keys) or at a string field
    of a list's members (their keys), going through record fields and lists of records."""
    fields = _fields_of(symbols.entities[t.entity.name])
    through_list = False
    for step, ident in enumerate(t.path):
        if ident.name not in fields:
            symbols.error("unknown-field", f"`{ident.name}` is not a field here", ident.span,
                          did_you_mean(ident.name, fields) or "fields here: " + ", ".join(list(fields)[:10]))
            return ()
        field_type = fields[ident.name]
        field_type = field_type.inner if isinstance(field_type, ast.OptionalType) else field_type
        last = step == len(t.path) - 1
        if last and _is_generic(field_type, "map"):
            return tuple(p.name for p in t.path)
        if last and through_list and isinstance(field_type, ast.NamedType) and field_type.name.name == "str":
            return tuple(p.name for p in t.path)
        if _is_generic(field_type, "list") and isinstance(field_type.args[0], ast.NamedType):
            field_type, through_list = field_type.args[0], True
        record = symbols.records.get(field_type.name.name) if isinstance(field_type, ast.NamedType) else None
        if last or record is None:
            symbols.error("invalid-type", f"`ref {t.entity.name}.{'.'.join(p.name for p in t.path)}` "
                          "does not end at a map or at a key of a list's members", ident.span,
                          "point at a map field (`ref User.payment_methods`) or at the key field of a "
                          "list's records (`ref Order.items.item_id`)")
            return ()
        fields = _fields_of(record)
    return ()


def _fields_of(decl) -> dict:
    return {f.name.name: f.type for f in decl.fields}


def _is_generic(t, name: str) -> bool:
    return isinstance(t, ast.GenericType) and t.name.name == name and len(t.args) >= 1


def resolve_type(t: ast.TypeExpr, symbols: Symbols) -> ir.TypeRef:
    """AST type -> IR type; unknown names become `any` after a diagnostic."""
    if isinstance(t, ast.OptionalType):
        inner = resolve_type(t.inner, symbols)
        if inner.kind == "optional":
            symbols.error("invalid-type", "a type is optional once: `T?`", t.span, "remove the second `?`")
        return ir.optional(inner)
    if isinstance(t, ast.RefType):
        name = t.entity.name
        if name not in symbols.entities:
            kind = next((k for k, table in (("an enum", symbols.enums), ("a record", symbols.records),
                                            ("a union", symbols.unions)) if name in table), None)
            if kind is not None:  # `ref Address` for a record: a value, not a row with a key
                message, hint = f"`{name}` is {kind}, not an entity", f"store the value itself: `{name}`"
            else:
                message = f"`ref {name}`: no entity is called `{name}`"
                hint = did_you_mean(name, symbols.entities) or "a `ref` names an entity declared with `entity`"
            symbols.error("unknown-entity", message, t.entity.span, hint)
            return ir.ANY
        return ir.TypeRef(kind="ref", name=name, path=_ref_path(t, symbols))
    if isinstance(t, ast.GenericType):
        return _resolve_generic(t, symbols)
    return _resolve_named(t, symbols)


def _resolve_named(t: ast.NamedType, symbols: Symbols) -> ir.TypeRef:
    name = t.name.name
    if name in SCALARS:
        return SCALARS[name]
    for kind, table in (("enum", symbols.enums), ("record", symbols.records),
                        ("union", symbols.unions), ("entity", symbols.entities)):
        if name in table:
            return ir.TypeRef(kind=kind, name=name)
    if name in ("list", "map"):
        symbols.error("invalid-type", f"`{name}` needs its element type", t.span,
                      "write `list[T]`" if name == "list" else "write `map[str, T]`")
        return ir.ANY
    hint = f"write `{TYPE_HINTS[name]}`" if name in TYPE_HINTS else did_you_mean(name, symbols.type_names())
    symbols.error("unknown-type", f"no type is called `{name}`", t.name.span,
                  hint or "declare it with `record`, `enum`, `union` or `entity`, or use str, int, float, bool")
    return ir.ANY


def _resolve_generic(t: ast.GenericType, symbols: Symbols) -> ir.TypeRef:
    name, args = t.name.name, [resolve_type(a, symbols) for a in t.args]
    if name == "list" and len(args) == 1:
        return ir.list_of(args[0])
    if name == "map" and len(args) == 2:
        if args[0].kind not in ("str", "any"):
            symbols.error("invalid-type", "map keys are strings", t.args[0].span, "write `map[str, T]`")
        return ir.map_of(args[1])
    if name == "list":
        symbols.error("invalid-type", "`list` takes one type", t.span, "write `list[T]`")
    elif name == "map":
        symbols.error("invalid-type", "`map` takes a key type and a value type", t.span, "write `map[str, T]`")
    else:
        hint = f"write `{TYPE_HINTS[name]}[…]`" if name in TYPE_HINTS else "the generic types are `list[T]` and `map[str, T]`"
        symbols.error("unknown-type", f"no generic type is called `{name}`", t.name.span, hint)
    return ir.ANY


def resolve_types(symbols: Symbols) -> None:
    """Fields of every record, entity and union variant, with their options checked."""
    for name, decl in symbols.records.items():
        symbols.fields[name] = _fields(decl.fields, symbols)
    for name, decl in symbols.entities.items():
        symbols.fields[name] = _fields(decl.fields, symbols)
        _check_key(decl, symbols)
    for name, decl in symbols.unions.items():
        _resolve_union(decl, symbols)
    _check_enums(symbols)


def _fields(decls: tuple[ast.FieldDecl, ...], symbols: Symbols) -> dict[str, ir.FieldDef]:
    out: dict[str, ir.FieldDef] = {}
    for f in decls:
        if f.name.name in out:
            symbols.error("duplicate-definition", f"the field `{f.name.name}` is declared twice", f.name.span,
                          "remove or rename one of them")
            continue
        out[f.name.name] = field_def(f, symbols)
    return out


def field_def(f: ast.FieldDecl | ast.ParamDecl, symbols: Symbols) -> ir.FieldDef:
    from .options import check_options  # options need the literal evaluator

    type_ = resolve_type(f.type, symbols)
    doc, example, compare = check_options(f, type_, symbols)
    return ir.FieldDef(name=f.name.name, type=type_, doc=doc, example=example, compare=compare, loc=loc(f.span))


def _check_key(decl: ast.EntityDecl, symbols: Symbols) -> None:
    fields = symbols.fields[decl.name.name]
    key = decl.key.name
    if key not in fields:
        symbols.error("unknown-field", f"the key `{key}` is not a field of `{decl.name.name}`", decl.key.span,
                      did_you_mean(key, fields) or f"declare `{key}: str` in the entity")
    elif fields[key].type.kind != "str":
        help = ("a key taken from the map is the map's key, a string: declare it as `str`"
                if decl.key_from_map else "keys are strings: declare it as `str`")
        symbols.error("invalid-key", f"the key `{key}` has type `{fields[key].type}`", decl.key.span, help)


def _resolve_union(decl: ast.UnionDecl, symbols: Symbols) -> None:
    variants: dict[str, dict[str, ir.FieldDef]] = {}
    for v in decl.variants:
        if v.name.name in variants:
            symbols.error("duplicate-definition", f"the variant `{v.name.name}` is declared twice", v.name.span,
                          "rename one of them")
            continue
        variants[v.name.name] = _fields(v.fields, symbols)
        for f in v.fields:
            if f.name.name == decl.tag.name:
                symbols.error("invalid-tag", f"`{decl.tag.name}` is the union's tag, not a field", f.name.span,
                              f"remove the field `{decl.tag.name}`: it holds the variant's name")
                break
    if not decl.variants:
        symbols.error("empty-union", f"the union `{decl.name.name}` has no variants", decl.name.span,
                      "add variants: `name { field: type }`")
    symbols.variant_fields[decl.name.name] = variants
    symbols.common_fields[decl.name.name] = _common(variants)


def _common(variants: dict[str, dict[str, ir.FieldDef]]) -> dict[str, ir.FieldDef]:
    if not variants:
        return {}
    first, *rest = variants.values()
    return {name: f for name, f in first.items() if all(name in o and o[name].type == f.type for o in rest)}


def _check_enums(symbols: Symbols) -> None:
    for decl in symbols.enums.values():
        seen: set[str] = set()
        for value in decl.values:
            if value.value in seen:
                symbols.error("duplicate-definition", f'the value "{value.value}" appears twice', value.span,
                              "remove the second one")
            seen.add(value.value)
        if not decl.values:
            symbols.error("empty-enum", f"the enum `{decl.name.name}` has no values", decl.name.span,
                          'list its values: `enum Status { "open", "closed" }`')


def loc(span: Span) -> ir.Loc:
    return ir.Loc(file=span.file, line=span.line, column=span.column,
                  end_line=span.end_line, end_column=span.end_column)
