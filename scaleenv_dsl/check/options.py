"""Field and parameter options (doc, example, compare), and literal values.

Literal values appear in examples, task facts, overlays and action
arguments: they must be constants, never expressions to evaluate.
"""

from __future__ import annotations

from typing import Any

from .. import ast, ir
from ..diagnostics import did_you_mean
from ..types_fit import FitBuilder
from .mismatch import detail

COMPARE_MODES = ("exact", "ignore", "unordered", "tolerance", "normalized")


class NotLiteral(Exception):
    def __init__(self, node):
        self.node = node


def literal_value(node) -> Any:
    """The JSON value of a constant expression; raises NotLiteral at the first non-constant part."""
    if isinstance(node, ast.Str):
        return node.value
    if isinstance(node, ast.Number):
        return node.value
    if isinstance(node, ast.Bool):
        return node.value
    if isinstance(node, ast.NoneLit):
        return None
    if isinstance(node, ast.Negate) and isinstance(node.operand, ast.Number):
        return -node.operand.value
    if isinstance(node, ast.ListDisplay):
        return [literal_value(item) for item in node.items]
    if isinstance(node, ast.DictDisplay):
        out = {}
        for item in node.items:
            if not isinstance(item.key, ast.Str):
                raise NotLiteral(item.key)
            out[item.key.value] = literal_value(item.value)
        return out
    raise NotLiteral(node)


def check_options(decl: ast.FieldDecl | ast.ParamDecl, type_: ir.TypeRef, symbols) -> tuple[str, Any, ir.ComparePolicy]:
    seen: dict[type, ast.Node] = {}
    doc, example, compare = "", None, ir.ComparePolicy()
    for option in decl.options:
        if type(option) in seen:
            symbols.error("duplicate-option", "this option is given twice", option.span, "keep one of them")
            continue
        seen[type(option)] = option
        if isinstance(option, ast.DocOption):
            doc = option.text.value
        elif isinstance(option, ast.ExampleOption):
            example = _example(option, type_, symbols)
        elif isinstance(decl, ast.ParamDecl):
            symbols.error("invalid-option", "`compare` applies to fields, not parameters", option.span,
                          "remove it")
        else:
            compare = _compare(option, type_, symbols)
    return doc, example, compare


def _example(option: ast.ExampleOption, type_: ir.TypeRef, symbols) -> Any:
    try:
        value = literal_value(option.value)
    except NotLiteral as err:
        symbols.error("not-a-literal", "an example is a literal value", err.node.span,
                      'write a string, number, true/false, none, or a list or map of them')
        return None
    symbols.examples.append((value, type_, option.value.span))
    return value


def check_examples(symbols, fits: FitBuilder) -> None:
    """Every example fits its field's or parameter's type, and every parameter's default its
    parameter's; run once the types and tools are resolved."""
    for value, type_, span in symbols.examples:
        mismatch = fits.first_mismatch(value, type_)
        if mismatch is not None:
            symbols.error("invalid-example", f"this example does not fit the type `{type_}`"
                          + detail(mismatch, fits.table), span, f"give a value of type `{type_}`")
    for value, type_, span in symbols.defaults:
        mismatch = fits.first_mismatch(value, type_)
        if mismatch is not None:
            symbols.error("invalid-default", f"this default does not fit the type `{type_}`"
                          + detail(mismatch, fits.table), span, f"give a value of type `{type_}`")


def param_default(decl: ast.ParamDecl, type_: ir.TypeRef, symbols) -> tuple[Any, bool]:
    """The value of `= VALUE` after a parameter, and whether there is one. A default is a
    literal: the schemas show it to the agent, and nothing in a spec may run to compute it."""
    if decl.default is None:
        return None, False
    try:
        value = literal_value(decl.default.value)
    except NotLiteral as err:
        symbols.error("not-a-literal", "a parameter's default is a literal value", err.node.span,
                      'write a string, number, true/false, none, or a list or map of them')
        return None, False
    symbols.defaults.append((value, type_, decl.default.value.span))
    return value, True


def _compare(option: ast.CompareOption, type_: ir.TypeRef, symbols) -> ir.ComparePolicy:
    mode = option.mode.name
    if mode not in COMPARE_MODES:
        symbols.error("invalid-compare", f"`{mode}` is not a comparison policy", option.mode.span,
                      did_you_mean(mode, COMPARE_MODES) or "use exact, ignore, unordered, tolerance N or normalized")
        return ir.ComparePolicy()
    if (mode == "tolerance") != (option.argument is not None):
        symbols.error("invalid-compare", "`tolerance` takes a number and the other policies none", option.span,
                      "write `compare tolerance 0.01`")
        return ir.ComparePolicy()
    bare = type_.args[0] if type_.kind == "optional" else type_
    fits = {"tolerance": bare.kind in ("int", "float", "any"), "unordered": bare.kind in ("list", "any"),
            "normalized": bare.kind in ("str", "enum", "any")}.get(mode, True)
    if not fits:
        symbols.error("invalid-compare", f"`compare {mode}` does not apply to `{type_}`", option.span,
                      {"tolerance": "use it on numbers", "unordered": "use it on lists",
                       "normalized": "use it on strings"}[mode])
    tolerance = float(option.argument.value) if option.argument is not None else 0.0
    return ir.ComparePolicy(mode=mode, tolerance=tolerance)
