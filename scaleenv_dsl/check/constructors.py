"""`Type(field=value, …)`: building records, entity rows and union variants."""

from __future__ import annotations

from .. import ast, ir
from ..diagnostics import did_you_mean
from .scope import Scope
from .symbols import loc


def construct(c, node: ast.Call, name: str, scope: Scope) -> ir.Expr:
    symbols = c.symbols
    if name in symbols.enums:
        return c.error("not-callable", f"`{name}` is an enum: write one of its values as a string", node.span,
                       f"an enum value is a string: write `\"{symbols.enums[name].values[0].value}\"`"
                       if symbols.enums[name].values else "write one of its values as a string")
    if node.args:
        return c.error("wrong-arguments", f"`{name}(…)` takes keyword arguments", node.args[0].span,
                       f"name each field: `{name}(field=value, …)`")
    if name in symbols.unions:
        return _construct_union(c, node, name, scope)
    kind = "entity" if name in symbols.entities else "record"
    fields = symbols.fields.get(name, {})
    values = _field_values(c, node, name, fields, scope)
    return _built(c, ir.Construct(type=ir.TypeRef(kind=kind, name=name), fields=values, loc=loc(node.span)))


def _construct_union(c, node: ast.Call, name: str, scope: Scope) -> ir.Expr:
    union = c.symbols.unions[name]
    tag = union.tag.name
    tag_args = [k for k in node.kwargs if k.name.name == tag]
    tag_arg = tag_args[0] if tag_args else None
    for again in tag_args[1:]:
        c.error("duplicate-option", f"the field `{tag}` is given twice", again.name.span, "keep one")
    variants = c.symbols.variant_fields.get(name, {})
    if tag_arg is None or not isinstance(tag_arg.value, ast.Str):
        return c.error("wrong-arguments", f"building a `{name}` names its variant: `{tag}=\"…\"`",
                       node.span, f'for example `{name}({tag}="{next(iter(variants), "variant")}", …)`')
    variant = tag_arg.value.value
    if variant not in variants:
        return c.error("unknown-variant", f'`{name}` has no variant "{variant}"', tag_arg.value.span,
                       did_you_mean(variant, variants) or "its variants are " + ", ".join(variants))
    rest = ast.Call(node.span, node.func, (), tuple(k for k in node.kwargs if k.name.name != tag))
    values = _field_values(c, rest, f"{name}.{variant}", variants[variant], scope)
    return _built(c, ir.Construct(type=ir.TypeRef(kind="union", name=name), variant=variant, fields=values,
                                  loc=loc(node.span)))


def _built(c, e: ir.Construct) -> ir.Expr:
    """The value shares its fields' lists and records with the rows they came from (not with
    parameters: a parameter never reaches the state, and the new value's own fields may change)."""
    origin = frozenset(o for o in c.shared_origin(e.fields.values()) if not o.startswith("@"))
    return c.with_origin(e, origin)


def _field_values(c, node: ast.Call, what: str, fields: dict[str, ir.FieldDef], scope: Scope) -> dict[str, ir.Expr]:
    values: dict[str, ir.Expr] = {}
    for kw in node.kwargs:
        field = fields.get(kw.name.name)
        value = c.expr(kw.value, scope)
        if field is None:
            c.error("unknown-field", f"`{what}` has no field `{kw.name.name}`", kw.name.span,
                    did_you_mean(kw.name.name, fields) or "its fields are " + ", ".join(fields))
            continue
        if kw.name.name in values:
            c.error("duplicate-option", f"the field `{kw.name.name}` is given twice", kw.name.span, "keep one")
            continue
        values[kw.name.name] = c.coerce(kw.value, value, field.type, f"the field `{kw.name.name}`")
    missing = [f for f, d in fields.items() if f not in values and d.type.kind != "optional"]
    if missing:
        c.error("missing-field", f"`{what}` also needs " + ", ".join(f"`{m}`" for m in missing), node.span,
                "give every field that is not optional")
    return values
