"""Expressions: AST -> typed IR, with name resolution and narrowing.

`ExprChecker.expr` never raises on a bad program: it reports a diagnostic and
returns a placeholder of type `any`, which unifies with everything, so one
mistake yields one diagnostic rather than a cascade.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

from .. import ast, ir
from ..diagnostics import Diagnostic, Label, Severity, Span, did_you_mean
from . import types as T
from .scope import Facts, NO_FACTS, Path, Scope, VarInfo
from .symbols import Symbols, loc

INT_HOLDS_NO_FLOAT = "an `int` holds no fractions: convert with `int(x)` or `round(x)`, or start a local at `0.0`"
LITERAL_HINTS = {"True": "true", "False": "false", "None": "none", "null": "none", "nil": "none",
                 "this": "self", "len_": "len"}


@dataclass
class Effects:
    """What a tool body touches; filled in while its expressions are checked."""
    reads: set[str] = field(default_factory=set)
    read_fields: set[str] = field(default_factory=set)
    writes: set[str] = field(default_factory=set)
    write_fields: set[str] = field(default_factory=set)
    errors: list[str] = field(default_factory=list)

    def error_message(self, message: ir.Expr | None) -> None:
        if isinstance(message, ir.Const) and isinstance(message.value, str):
            self.add_error(message.value)

    def add_error(self, text: str) -> None:
        if text not in self.errors:
            self.errors.append(text)


@dataclass
class Mode:
    """Where an expression stands, which changes what is allowed."""
    in_ensures: bool = False       # `old(...)` allowed
    lookups_may_fail: bool = False  # goals and invariants: a missing key just makes them false
    # what `now()` reads (check/dates.py): RUN_TIME in tools, the clock the environment is given; a
    # task's fixed time in its goals; NO_CLOCK where no time applies (an invariant holds at every
    # time), or a goal's task and domain set none
    clock: str | None = "run"


class ExprChecker:
    def __init__(self, symbols: Symbols, effects: Effects | None = None, mode: Mode | None = None):
        self.symbols = symbols
        self.effects = effects or Effects()
        self.mode = mode or Mode()
        self.in_code = False  # a tool or helper body: helpers may be called
        self.in_helper = False  # a helper body: its parameters are private, with no `as` to rename them
        # where each value that is part of a row (or a parameter) lives, by node identity; the node is
        # held too, so that a node dropped on an error path cannot pass its id, and origin, to a new one
        self.origins: dict[int, tuple[ir.Expr, frozenset[str]]] = {}

    # ------------------------------------------------------------ reporting
    def error(self, code: str, message: str, span: Span, help: str, labels=()) -> ir.Expr:
        self.symbols.diagnostics.append(Diagnostic(code, message, span, help, labels=tuple(labels)))
        return ir.Const(type=ir.ANY, value=None, loc=loc(span))

    def warn(self, code: str, message: str, span: Span, help: str) -> None:
        self.symbols.diagnostics.append(Diagnostic(code, message, span, help, Severity.WARNING))

    def origin(self, e: ir.Expr) -> frozenset[str]:
        entry = self.origins.get(id(e))
        return entry[1] if entry is not None and entry[0] is e else frozenset()

    def with_origin(self, e: ir.Expr, origin: frozenset[str]) -> ir.Expr:
        if origin:
            self.origins[id(e)] = (e, origin)
        return e

    def shared_origin(self, parts: Iterable[ir.Expr]) -> frozenset[str]:
        """Where the parts of a new list, map or record live.

        The container is new but its parts are not: Python shares them, so a
        change through `[row.item][0]` or `Item(tags=row.tags).tags` changes
        the row. Strings and numbers cannot be changed in place and add nothing.
        """
        origin: frozenset[str] = frozenset()
        for part in parts:
            if T.strip_optional(part.type).kind not in T.IMMUTABLE:
                origin |= self.origin(part)
        return origin

    # ------------------------------------------------------------ entry points
    def expr(self, node, scope: Scope) -> ir.Expr:
        method = getattr(self, "_" + type(node).__name__, None)
        if method is None:
            return self.error("invalid-expression", "this is not an expression", node.span,
                              "see docs/language.md for the expression forms")
        return method(node, scope)

    def condition(self, node, scope: Scope) -> ir.Expr:
        e = self.expr(node, scope)
        if e.type.kind not in ("bool", "any"):
            self.error("type-mismatch", f"a condition must be `bool`, this is `{e.type}`", node.span,
                       "compare it, e.g. `x == value` or `x is not none`")
        return e

    def coerce(self, node, e: ir.Expr, expected: ir.TypeRef, what: str) -> ir.Expr:
        """Check that `e` fits `expected`, including string literals against enum values."""
        if not T.assignable(e.type, expected):
            hint = self._mismatch_hint(e.type, expected)
            self.error("type-mismatch", f"{what} expects `{expected}`, got `{e.type}`", node.span, hint)
        self.check_enum_literal(node, e, expected)
        return e

    def string(self, node, scope: Scope, what: str) -> ir.Expr:
        e = self.expr(node, scope)
        if not T.is_stringlike(e.type):
            self.error("type-mismatch", f"{what} must be a string, this is `{e.type}`", node.span,
                       'write a string such as "Order not found", or convert with `str(x)`')
        return e

    def _mismatch_hint(self, got: ir.TypeRef, expected: ir.TypeRef) -> str:
        if got.kind == "optional" and T.assignable(got.args[0], expected):
            return "the value may be `none`: check `x is not none` first, or bind it with `let x = … else \"message\"`"
        if got.kind == "float" and expected.kind == "int":
            return INT_HOLDS_NO_FLOAT
        if got.kind in T.NUMERIC and expected.kind == "str":
            return "convert it with `str(x)`"
        if got.kind == "str" and expected.kind in T.NUMERIC:
            return f"convert it with `{expected.kind}(x)`"
        if got.kind in ("str", "date", "datetime") and expected.kind in T.DATES:
            return _DATE_HINTS[expected.kind]
        return f"give a value of type `{expected}`"

    def check_enum_literal(self, node, e: ir.Expr, expected: ir.TypeRef) -> None:
        """String literals meeting an enum must be its values, also in a conditional's branches or a list."""
        expected = T.strip_optional(expected)
        if isinstance(e, ir.Conditional) and isinstance(node, ast.Conditional):
            self.check_enum_literal(node.then, e.then, expected)
            self.check_enum_literal(node.otherwise, e.otherwise, expected)
        elif expected.kind == "list" and isinstance(e, ir.ListExpr) and isinstance(node, ast.ListDisplay):
            for item_node, item in zip(node.items, e.items):
                self.check_enum_literal(item_node, item, expected.args[0])
        elif expected.kind == "enum" and isinstance(e, ir.Const) and isinstance(e.value, str):
            values = [v.value for v in self.symbols.enums[expected.name].values]
            if e.value not in values:
                self.error("invalid-enum-value", f'"{e.value}" is not a value of `{expected.name}`', node.span,
                           did_you_mean(e.value, values) or "its values are " + ", ".join(f'"{v}"' for v in values[:8]))

    # ------------------------------------------------------------ literals and names
    def _Str(self, node: ast.Str, scope) -> ir.Expr:
        return ir.Const(type=ir.STR, value=node.value, loc=loc(node.span))

    def _FString(self, node: ast.FString, scope: Scope) -> ir.Expr:
        """`f"a{x}b"` is `"a" + str(x) + "b"`: text and fields joined by `+`, a field that is not
        already text converted as `str()` converts it. No format machinery runs."""
        pieces = []
        for part in node.parts:
            if isinstance(part, str):
                pieces.append(ir.Const(type=ir.STR, value=part, loc=loc(node.span)))
                continue
            e = self.expr(part, scope)
            if not T.is_stringlike(e.type) or e.type.kind == "any":
                e = ir.Builtin(type=ir.STR, name="str", args=(e,), loc=e.loc)
            pieces.append(e)
        if not pieces:
            return ir.Const(type=ir.STR, value="", loc=loc(node.span))
        if len(pieces) == 1 and isinstance(pieces[0], ir.Const):
            return pieces[0]
        if len(pieces) == 1 and pieces[0].type.kind != "str":  # `f"{ref}"` is a `str`, not a `ref`
            pieces.insert(0, ir.Const(type=ir.STR, value="", loc=loc(node.span)))
        return _concatenation(pieces, loc(node.span))

    def _Number(self, node: ast.Number, scope) -> ir.Expr:
        return ir.Const(type=ir.FLOAT if isinstance(node.value, float) else ir.INT, value=node.value, loc=loc(node.span))

    def _Bool(self, node: ast.Bool, scope) -> ir.Expr:
        return ir.Const(type=ir.BOOL, value=node.value, loc=loc(node.span))

    def _NoneLit(self, node, scope) -> ir.Expr:
        return ir.Const(type=ir.NONE, value=None, loc=loc(node.span))

    def _Name(self, node: ast.Name, scope: Scope) -> ir.Expr:
        var = scope.lookup(node.id)
        if var is not None:
            t = scope.present_type((node.id,)) or var.type
            return self.with_origin(ir.Var(type=t, name=node.id, loc=loc(node.span)), var.origin)
        entity = self.symbols.collections.get(node.id)
        if entity is not None:
            self.effects.reads.add(entity)
            e = ir.CollectionRef(type=ir.map_of(_row(entity)), entity=entity, loc=loc(node.span))
            return self.with_origin(e, frozenset({entity}))
        if node.id in self.symbols.const_values:  # a named constant: its literal, here
            from .helpers import constant_use
            return constant_use(self.symbols, node.id, loc(node.span))
        return self._unknown_name(node, scope)

    def _unknown_name(self, node: ast.Name, scope: Scope) -> ir.Expr:
        hint = LITERAL_HINTS.get(node.id)
        if hint is not None and (hint != "self" or scope.lookup("self") is not None):  # `self` is in invariants only
            return self.error("unknown-name", f"`{node.id}` is not defined", node.span, f"write `{hint}`")
        if node.id in self.symbols.entities:
            coll = self.symbols.entities[node.id].collection.name
            return self.error("unknown-name", f"`{node.id}` is an entity, not a value", node.span,
                              f"its rows are in the collection `{coll}`: `{coll}[key]`")
        if node.id in self.symbols.helpers:
            return self.error("unknown-name", f"`{node.id}` is a helper, not a value", node.span,
                              f"call it: `{node.id}(…)`")
        candidates = scope.all_names() + list(self.symbols.collections) + list(self.symbols.consts)
        return self.error("unknown-name", f"`{node.id}` is not defined", node.span,
                          did_you_mean(node.id, candidates) or "bind it with `let`, or name a parameter or collection")

    # ------------------------------------------------------------ access
    def _Attribute(self, node: ast.Attribute, scope: Scope) -> ir.Expr:
        obj = self.expr(node.obj, scope)
        return self.field_access(node, obj, node.attr, scope)

    def field_access(self, node, obj: ir.Expr, attr: ast.Ident, scope: Scope, narrow: bool = True) -> ir.Expr:
        """`obj.attr`. An assignment target is not narrowed: it takes any value of the declared type."""
        t = obj.type
        if t.kind == "any":
            return ir.GetField(type=ir.ANY, obj=obj, name=attr.name, loc=loc(node.span))
        if t.kind in ("optional", "none"):
            return self.error("optional-unchecked", f"`{_text(node.obj)}` may be none", node.obj.span,
                              f"check `{_text(node.obj)} is not none` first, or bind it with `let x = … else \"message\"`")
        field_type = self._field_type(node, t, attr, scope, path_of(node.obj))
        if field_type is None:
            return ir.Const(type=ir.ANY, value=None, loc=loc(node.span))
        path = path_of(node)
        narrowed = scope.present_type(path) if path and narrow else None
        e = ir.GetField(type=narrowed or field_type, obj=obj, name=attr.name, loc=loc(node.span))
        origin = frozenset(o if "." in o or o.startswith("@") else f"{o}.{attr.name}" for o in self.origin(obj))
        for o in origin:
            if not o.startswith("@"):
                self.effects.read_fields.add(o)
        return self.with_origin(e, origin)

    def _field_type(self, node, t: ir.TypeRef, attr: ast.Ident, scope: Scope, path: Path | None) -> ir.TypeRef | None:
        if t.kind in ("record", "entity"):
            fields = self.symbols.fields.get(t.name, {})
            if attr.name in fields:
                return fields[attr.name].type
            self.error("unknown-field", f"`{t.name}` has no field `{attr.name}`", attr.span,
                       did_you_mean(attr.name, fields) or "its fields are " + ", ".join(list(fields)[:10]))
            return None
        if t.kind == "union":
            return self._union_field(t, attr, scope, path)
        if t.kind == "ref":
            coll = self.symbols.entities[t.name].collection.name
            self.error("unknown-field", f"a `ref {t.name}` is a key, not a row", attr.span,
                       f"look the row up first: `{coll}[{_text(node.obj)}].{attr.name}`")
            return None
        self.error("unknown-field", f"`{t}` has no field `{attr.name}`", attr.span,
                   "call methods with parentheses: `x.lower()`" if t.kind in ("str", "list", "map")
                   else f"only records and rows have fields, and `{_text(node.obj)}` is of type `{t}`")
        return None

    def _union_field(self, t: ir.TypeRef, attr: ast.Ident, scope: Scope, path: Path | None) -> ir.TypeRef | None:
        union = self.symbols.unions[t.name]
        if attr.name == union.tag.name:
            return ir.STR
        common = self.symbols.common_fields.get(t.name, {})
        if attr.name in common:
            return common[attr.name].type
        variants = self.symbols.variant_fields.get(t.name, {})
        known = scope.variant(path) if path else None
        if known is not None and attr.name in variants.get(known, {}):
            return variants[known][attr.name].type
        having = [v for v, fields in variants.items() if attr.name in fields]
        if having:
            self.error("unnarrowed-variant", f"only the {_or(having)} variant of `{t.name}` has `{attr.name}`",
                       attr.span, f"check the variant first: `if x is {having[0]} {{ … }}`")
        else:
            every = sorted({f for fields in variants.values() for f in fields} | {union.tag.name})
            self.error("unknown-field", f"no variant of `{t.name}` has `{attr.name}`", attr.span,
                       did_you_mean(attr.name, every) or "test the variant first (`if x is Variant { … }`); the fields are " + ", ".join(every[:10]))
        return None

    def _Slice(self, node: ast.Slice, scope: Scope) -> ir.Expr:
        """`s[a:b]`: a `slice` built-in whose absent bounds are `none`; slicing never fails."""
        obj = self.expr(node.obj, scope)
        bounds = []
        for bound in (node.start, node.stop):
            if bound is None:
                bounds.append(ir.Const(type=ir.NONE, value=None, loc=loc(node.span)))
                continue
            e = self.expr(bound, scope)
            if e.type.kind not in ("int", "any"):
                self.error("type-mismatch", f"a slice bound must be `int`, this is `{e.type}`", bound.span,
                           "slice with whole numbers: `s[1:3]`, `xs[:n]`")
            bounds.append(e)
        t = obj.type
        if t.kind == "optional":
            return self.error("optional-unchecked", f"`{_text(node.obj)}` may be none", node.obj.span,
                              f"check `{_text(node.obj)} is not none` first")
        if t.kind not in ("str", "ref", "list", "any"):
            return self.error("not-indexable", f"`{t}` cannot be sliced", node.span,
                              "slice a string (`s[1:3]`) or a list (`xs[:n]`)")
        result = ir.STR if t.kind == "ref" else t
        e = ir.Builtin(type=result, name="slice", args=(obj, *bounds), loc=loc(node.span))
        return self.with_origin(e, self.origin(obj)) if t.kind == "list" else e

    def _Index(self, node: ast.Index, scope: Scope) -> ir.Expr:
        return self.index(node, scope, error=None, bound=False)

    def index(self, node: ast.Index, scope: Scope, error: ir.Expr | None, bound: bool) -> ir.Expr:
        """`x[k]`. `bound` is true under `let … else`, which handles a failed map lookup."""
        obj = self.expr(node.obj, scope)
        key = self.expr(node.key, scope)
        t = obj.type
        if isinstance(obj, ir.CollectionRef):
            self._row_key(node, key, obj.entity)
            computed = self.symbols.not_found_messages.get(obj.entity)
            if error is None and computed is not None:  # the entity's message, built from this key
                error = ir.substitute(computed, self.symbols.entities[obj.entity].key.name, key)
            elif error is None and isinstance(self.symbols.entities[obj.entity].not_found, ast.Str):
                self.effects.add_error(self.symbols.entities[obj.entity].not_found.value)
            e = ir.Lookup(type=_row(obj.entity), entity=obj.entity, key=key, error=error, loc=loc(node.span))
            return self.with_origin(e, frozenset({obj.entity}))
        if t.kind == "map":
            self.check_key(node.key, key, "a map key")
            if not bound and not self.mode.lookups_may_fail:
                self.error("unhandled-lookup", f"`{_text(node)}` fails when the key is missing", node.span,
                           f'bind it with `let x = {_text(node)} else "message"`, or use `{_text(node.obj)}.get(key)`')
            e = ir.MapGet(type=t.args[0], obj=obj, key=key, error=error, loc=loc(node.span))
            return self.with_origin(e, self.origin(obj))
        if t.kind == "list":
            if key.type.kind not in ("int", "any"):
                self.error("type-mismatch", f"a list index must be `int`, this is `{key.type}`", node.key.span,
                           "index a list by position, or find an item: `find(x for x in xs if x.id == key)`")
            e = ir.ListIndex(type=t.args[0], obj=obj, index=key, loc=loc(node.span))
            return self.with_origin(e, self.origin(obj))
        if t.kind in ("str", "ref"):  # `s[i]`, a one-character string; an enum's values are names, not text
            if key.type.kind not in ("int", "any"):
                self.error("type-mismatch", f"a string index must be `int`, this is `{key.type}`", node.key.span,
                           "index a string with a whole number: `code[0]`")
            return ir.ListIndex(type=ir.STR, obj=obj, index=key, loc=loc(node.span))
        if t.kind == "any":
            return ir.Const(type=ir.ANY, value=None, loc=loc(node.span))
        if t.kind == "optional":
            return self.error("optional-unchecked", f"`{_text(node.obj)}` may be none", node.obj.span,
                              f"check `{_text(node.obj)} is not none` first")
        return self.error("not-indexable", f"`{t}` cannot be indexed", node.span,
                          "index a collection (`orders[id]`), a map or a list")

    def _row_key(self, node: ast.Index, key: ir.Expr, entity: str) -> None:
        if key.type.kind == "ref" and (key.type.name != entity or key.type.path):  # `users[order_id]`
            where = (f"index the row's `{key.type.path[0]}` with it" if key.type.path else
                     f"look it up in `{self.symbols.entities[key.type.name].collection.name}`")
            self.error("type-mismatch", f"`{_text(node.obj)}` holds `{entity}` rows, this is a `{key.type}`",
                       node.key.span, where)
        else:
            self.check_key(node.key, key, "a row key")

    def check_key(self, node, key: ir.Expr, what: str) -> None:
        if key.type.kind == "optional":  # `str(x)` of none is "None": it compiles and then finds no row
            self.error("optional-unchecked", f"{what} is a string, and this `{key.type}` may be none", node.span,
                       f"check `{_text(node)} is not none` first, or bind it with `let x = … else \"message\"`")
        elif not T.is_stringlike(key.type):
            self.error("type-mismatch", f"{what} is a string, this is `{key.type}`", node.span,
                       "convert it with `str(x)`")

    # ------------------------------------------------------------ operators
    def _BinaryOp(self, node: ast.BinaryOp, scope: Scope) -> ir.Expr:
        left, right = self.expr(node.left, scope), self.expr(node.right, scope)
        result = _arith_type(node.op, left.type, right.type)
        if result is None:
            return self.error("bad-operand", f"`{node.op}` does not apply to `{left.type}` and `{right.type}`",
                              node.span, _operand_hint(node, left.type, right.type))
        e = ir.Binary(type=result, op=node.op, left=left, right=right, loc=loc(node.span))
        if result.kind == "list" and T.strip_optional(result.args[0]).kind not in T.IMMUTABLE:
            return self.with_origin(e, self.origin(left) | self.origin(right))  # the items are shared
        return e

    def _Compare(self, node: ast.Compare, scope: Scope) -> ir.Expr:
        left, right = self.expr(node.left, scope), self.expr(node.right, scope)
        if node.op in ("in", "not in"):
            self._membership(node, left, right)
            return ir.Binary(type=ir.BOOL, op=node.op, left=left, right=right, loc=loc(node.span))
        return self._comparison(node.op, (node.left, left), (node.right, right), node.span)

    def _ChainedCompare(self, node: ast.ChainedCompare, scope: Scope) -> ir.Expr:
        # `a < b < c` is `a < b and b < c` with `b` checked once; the code generator
        # folds the shared operand back into Python's chain, so it is evaluated once too
        operands = [(o, self.expr(o, scope)) for o in node.operands]
        chain: ir.Expr | None = None
        for op, left, right in zip(node.ops, operands, operands[1:]):
            link = self._comparison(op, left, right, _spanning(left[0].span, right[0].span))
            chain = link if chain is None else \
                ir.Binary(type=ir.BOOL, op="and", left=chain, right=link, loc=loc(node.span))
        return chain

    def _comparison(self, op: str, left_pair, right_pair, span: Span) -> ir.Binary:
        """One `==`, `!=` or ordering test, between operands already checked."""
        (left_node, left), (right_node, right) = left_pair, right_pair
        if op in ("==", "!="):
            if not T.comparable(left.type, right.type):
                self.error("type-mismatch", f"`{left.type}` and `{right.type}` are never equal", span,
                           _date_comparison_hint(left.type, right.type) or "compare values of the same type")
            self.check_enum_literal(right_node, right, left.type)
            self.check_enum_literal(left_node, left, right.type)
        else:
            ok = (T.is_numeric(left.type) and T.is_numeric(right.type)) or \
                 (T.is_stringlike(left.type) and T.is_stringlike(right.type)) or _same_dates(left.type, right.type)
            if not ok:
                self.error("bad-operand", f"`{op}` does not order `{left.type}` and `{right.type}`", span,
                           _date_comparison_hint(left.type, right.type)
                           or "order numbers with numbers and strings with strings; check optionals first")
        return ir.Binary(type=ir.BOOL, op=op, left=left, right=right, loc=loc(span))

    def _membership(self, node: ast.Compare, left: ir.Expr, right: ir.Expr) -> None:
        t = right.type
        if t.kind == "list":
            if not T.comparable(left.type, t.args[0]):
                self.error("type-mismatch", f"a `{left.type}` is never in a `{t}`", node.span,
                           f"test a value of the list's item type `{t.args[0]}`")
            self.check_enum_literal(node.right, right, ir.list_of(left.type))
        elif t.kind in ("map", "str", "enum", "ref"):
            self.check_key(node.left, left, "a key" if t.kind == "map" else "a substring")
        elif t.kind != "any":
            self.error("bad-operand", f"`in` does not apply to `{t}`", node.right.span,
                       "test membership in a list, a map, a collection or a string")

    def _BoolOp(self, node: ast.BoolOp, scope: Scope) -> ir.Expr:
        left = self.condition(node.left, scope)
        facts = facts_of(left, scope)
        narrowed = scope.child(facts[0] if node.op == "and" else facts[1])
        right = self.condition(node.right, narrowed)
        return ir.Binary(type=ir.BOOL, op=node.op, left=left, right=right, loc=loc(node.span))

    def _Not(self, node: ast.Not, scope: Scope) -> ir.Expr:
        return ir.Unary(type=ir.BOOL, op="not", operand=self.condition(node.operand, scope), loc=loc(node.span))

    def _Negate(self, node: ast.Negate, scope: Scope) -> ir.Expr:
        operand = self.expr(node.operand, scope)
        if not T.is_numeric(operand.type):
            return self.error("bad-operand", f"`-` does not apply to `{operand.type}`", node.span,
                              "negate a number" + (": check it is not none first" if operand.type.kind == "optional" else ""))
        if isinstance(operand, ir.Const) and isinstance(operand.value, (int, float)):
            return ir.Const(type=operand.type, value=-operand.value, loc=loc(node.span))
        return ir.Unary(type=operand.type, op="neg", operand=operand, loc=loc(node.span))

    def _IsCheck(self, node: ast.IsCheck, scope: Scope) -> ir.Expr:
        value = self.expr(node.value, scope)
        kind = node.kind.name
        if kind == "none":
            if value.type.kind not in ("optional", "none", "any"):
                self.warn("always-present", f"`{_text(node.value)}` is never none", node.span,
                          "remove the check, or declare the field as optional (`T?`)")
            return ir.IsVariant(type=ir.BOOL, value=value, variant=None, negated=node.negated, loc=loc(node.span))
        union_type = T.strip_optional(value.type)
        if union_type.kind == "union":
            variants = self.symbols.variant_fields.get(union_type.name, {})
            if kind not in variants:
                self.error("unknown-variant", f"`{union_type.name}` has no variant `{kind}`", node.kind.span,
                           did_you_mean(kind, variants) or "its variants are " + ", ".join(variants))
        elif union_type.kind != "any":
            self.error("bad-operand", f"`is {kind}` tests a union's variant, but this is `{value.type}`", node.span,
                       "use `is none` / `is not none` for optionals, and `==` for values")
        return ir.IsVariant(type=ir.BOOL, value=value, variant=kind, negated=node.negated, loc=loc(node.span))

    def _Conditional(self, node: ast.Conditional, scope: Scope) -> ir.Expr:
        cond = self.condition(node.condition, scope)
        yes, no = facts_of(cond, scope)
        then = self.expr(node.then, scope.child(yes))
        otherwise = self.expr(node.otherwise, scope.child(no))
        t = T.unify(then.type, otherwise.type)
        if t is None:
            return self.error("type-mismatch", f"the branches have types `{then.type}` and `{otherwise.type}`",
                              node.span, "give both branches the same type")
        e = ir.Conditional(type=t, condition=cond, then=then, otherwise=otherwise, loc=loc(node.span))
        self.check_enum_literal(node, e, t)  # `("bogus" if c else order.status)` is a `Status`
        return self.with_origin(e, self.origin(then) | self.origin(otherwise))

    # ------------------------------------------------------------ displays
    def _ListDisplay(self, node: ast.ListDisplay, scope: Scope) -> ir.Expr:
        items = [self.expr(i, scope) for i in node.items]
        t = ir.ANY
        for item_node, item in zip(node.items, items):
            joined = T.unify(t, item.type)
            if joined is None:
                self.error("type-mismatch", f"list items of types `{t}` and `{item.type}` do not mix", item_node.span,
                           "give every item of a list the same type")
            else:
                t = joined
        e = ir.ListExpr(type=ir.list_of(t), items=items, loc=loc(node.span))
        self.check_enum_literal(node, e, e.type)
        return self.with_origin(e, self.shared_origin(items))

    def _DictDisplay(self, node: ast.DictDisplay, scope: Scope) -> ir.Expr:
        keys, values, t = [], [], ir.ANY
        for item in node.items:
            key = self.expr(item.key, scope)
            self.check_key(item.key, key, "a map key")
            value = self.expr(item.value, scope)
            joined = T.unify(t, value.type)
            if joined is None:
                self.error("type-mismatch", f"map values of types `{t}` and `{value.type}` do not mix", item.value.span,
                           "give every value of a map the same type, or use a record for mixed fields")
            else:
                t = joined
            keys.append(key)
            values.append(value)
        e = ir.DictExpr(type=ir.map_of(t), keys=keys, values=values, loc=loc(node.span))
        return self.with_origin(e, self.shared_origin(values))

    def _ListComp(self, node: ast.ListComp, scope: Scope) -> ir.Expr:
        loops, inner = self.loops(node.loops, scope)
        element = self.expr(node.element, inner)
        e = ir.Comprehension(type=ir.list_of(element.type), form="list", element=element, loops=loops, loc=loc(node.span))
        return self.with_origin(e, self.shared_origin([element]))

    def _DictComp(self, node: ast.DictComp, scope: Scope) -> ir.Expr:
        loops, inner = self.loops(node.loops, scope)
        key = self.expr(node.item.key, inner)
        self.check_key(node.item.key, key, "a map key")
        value = self.expr(node.item.value, inner)
        e = ir.Comprehension(type=ir.map_of(value.type), form="dict", element=value, key=key, loops=loops,
                             loc=loc(node.span))
        return self.with_origin(e, self.shared_origin([value]))

    def loops(self, clauses: tuple[ast.CompFor, ...], scope: Scope) -> tuple[list[ir.Loop], Scope]:
        out = []
        for clause in clauses:
            iterable = self.expr(clause.iterable, scope)
            scope = self.bind_loop(clause.names, iterable, clause.iterable, scope, kind="loop")
            condition = None
            if clause.condition is not None:
                condition = self.condition(clause.condition, scope)
                scope = scope.child(facts_of(condition, scope)[0])
            out.append(ir.Loop(names=[n.name for n in clause.names], iterable=iterable, condition=condition))
        return out, scope

    def bind_loop(self, names: tuple[ast.Ident, ...], iterable: ir.Expr, node, scope: Scope, kind: str) -> Scope:
        """A child scope holding the loop variables, typed from what `iterable` yields."""
        inner = scope.child()
        element = T.element_type(iterable.type)
        if element is None:
            hint = ("iterate `m.keys()`, `m.values()` or `m.items()`" if iterable.type.kind == "map"
                    else "iterate a list")
            self.error("not-iterable", f"`{iterable.type}` cannot be iterated", node.span, hint)
            element = ir.ANY
        members = self._unpack(names, element, node)
        origin = self.origin(iterable)
        for ident, t in zip(names, members):
            self.bind(inner, ident, t, origin, kind)
        return inner

    def _unpack(self, names: tuple[ast.Ident, ...], element: ir.TypeRef, node) -> list[ir.TypeRef]:
        if len(names) == 1:
            return [element]
        if element.kind == "tuple" and len(element.args) == len(names):
            return list(element.args)
        if element.kind != "any":
            self.error("not-iterable", f"`{element}` cannot be unpacked into {len(names)} names", node.span,
                       "unpack `m.items()`, `enumerate(xs)` or `zip(xs, ys)`")
        return [ir.ANY] * len(names)

    def bind(self, scope: Scope, ident: ast.Ident, t: ir.TypeRef, origin: frozenset[str], kind: str) -> None:
        clash = scope.lookup(ident.name)
        if clash is not None:
            self.error("duplicate-name", f"`{ident.name}` is already bound", ident.span, "choose another name",
                       [Label(clash.span, "first bound here")])
        elif ident.name in self.symbols.const_values:
            self.error("duplicate-name", f"`{ident.name}` is the name of a constant", ident.span,
                       "choose another name", [Label(self.symbols.consts[ident.name].name.span, "the constant")])
        elif ident.name in self.symbols.collections:
            self.error("duplicate-name", f"`{ident.name}` is the name of a collection", ident.span,
                       f"choose another name; for a tool parameter, keep the public name and give the body "
                       f"its own: `{ident.name} as wanted: …`" if kind == "param" and not self.in_helper
                       else "choose another name")
        scope.vars[ident.name] = VarInfo(t, origin, kind, ident.span)

    # ------------------------------------------------------------ calls
    def _Call(self, node: ast.Call, scope: Scope) -> ir.Expr:
        from .calls import check_call
        return check_call(self, node, scope)

    def _Generator(self, node: ast.Generator, scope: Scope) -> ir.Expr:
        return self.error("invalid-expression", "a generator goes inside an aggregate", node.span,
                          "write `sum(…)`, `count(…)`, `any(…)`, `all(…)`, `find(…)`, or a list `[… for …]`")


# ---------------------------------------------------------------- narrowing

def facts_of(e: ir.Expr, scope: Scope) -> tuple[Facts, Facts]:
    """What holds when `e` is true, and when it is false."""
    if isinstance(e, ir.IsVariant):
        path = ir_path(e.value)
        if path is None:
            return NO_FACTS, NO_FACTS
        if e.variant is None:
            present = Facts(present={path: T.strip_optional(e.value.type)})
            return (NO_FACTS, present) if not e.negated else (present, NO_FACTS)
        known = Facts(variants={path: e.variant}, present={path: T.strip_optional(e.value.type)})
        return (known, NO_FACTS) if not e.negated else (NO_FACTS, known)
    if isinstance(e, ir.Unary) and e.op == "not":
        yes, no = facts_of(e.operand, scope)
        return no, yes
    if isinstance(e, ir.Binary) and e.op in ("and", "or"):
        left_yes, left_no = facts_of(e.left, scope)
        right_yes, right_no = facts_of(e.right, scope)
        if e.op == "and":
            return left_yes.merged(right_yes), left_no.common(right_no)
        return left_yes.common(right_yes), left_no.merged(right_no)
    if isinstance(e, ir.Binary) and e.op in ("==", "!=") and _is_none(e.right):
        path = ir_path(e.left)
        if path is not None:
            present = Facts(present={path: T.strip_optional(e.left.type)})
            return (NO_FACTS, present) if e.op == "==" else (present, NO_FACTS)
    return NO_FACTS, NO_FACTS


def _is_none(e: ir.Expr) -> bool:
    return isinstance(e, ir.Const) and e.value is None and e.type.kind == "none"


def ir_path(e: ir.Expr) -> Path | None:
    if isinstance(e, ir.Var):
        return (e.name,)
    if isinstance(e, ir.GetField):
        base = ir_path(e.obj)
        return base + (e.name,) if base is not None else None
    return None


def path_of(node) -> Path | None:
    if isinstance(node, ast.Name):
        return (node.id,)
    if isinstance(node, ast.Attribute):
        base = path_of(node.obj)
        return base + (node.attr.name,) if base is not None else None
    return None


# ---------------------------------------------------------------- helpers

def _row(entity: str) -> ir.TypeRef:
    return ir.TypeRef(kind="entity", name=entity)


def _arith_type(op: str, a: ir.TypeRef, b: ir.TypeRef) -> ir.TypeRef | None:
    if a.kind == b.kind == "any":
        return ir.FLOAT if op == "/" else ir.ANY
    if a.kind == "any" or b.kind == "any":  # `{}.get(k)`: the other operand must still take the operator
        known = b if a.kind == "any" else a
        return _arith_type(op, known, ir.INT if known.kind in T.NUMERIC else known)
    if a.kind in T.NUMERIC and b.kind in T.NUMERIC:
        if op == "/":
            return ir.FLOAT
        return ir.INT if a.kind == b.kind == "int" else ir.FLOAT
    if op == "+" and T.is_stringlike(a) and T.is_stringlike(b):
        return ir.STR
    if op == "+" and a.kind == b.kind == "list":
        joined = T.unify(a.args[0], b.args[0])
        return ir.list_of(joined) if joined is not None else None
    return None


def _operand_hint(node: ast.BinaryOp, a: ir.TypeRef, b: ir.TypeRef) -> str:
    op = node.op
    if a.kind == "optional" or b.kind == "optional":
        name = _text(node.left if a.kind == "optional" else node.right)
        if name == "…":
            return "an operand may be `none`: check it first, or bind it with `let x = … else \"message\"`"
        return f"`{name}` may be `none`: check `{name} is not none` first, or bind it with `let x = … else \"message\"`"
    if op == "+" and (T.is_stringlike(a) or T.is_stringlike(b)):
        other = b if T.is_stringlike(a) else a
        if other.kind in T.NUMERIC:
            return "convert the number with `str(x)` before joining strings"
        return f"convert the `{other}` with `str(x)` before joining strings"
    if a.kind in T.DATES or b.kind in T.DATES:
        return "dates have no operators: write `add_days(d, n)`, `days_between(a, b)` or `minutes_between(a, b)`"
    return "arithmetic applies to numbers; `+` also joins strings and lists"


_DATE_HINTS = {
    "date": 'parse the text with `date("2024-03-01")`, or pass a `date`',
    "datetime": 'parse the text with `datetime("2024-03-01T09:00:00")`, or pass a `datetime`',
}


def _same_dates(a: ir.TypeRef, b: ir.TypeRef) -> bool:
    """Two dates, or two datetimes: ordered by time. A date and a datetime are not ordered."""
    kinds = {a.kind, b.kind} - {"any"}
    return len(kinds) == 1 and kinds <= set(T.DATES)


def _date_comparison_hint(a: ir.TypeRef, b: ir.TypeRef) -> str:
    """The help for a date compared with what is not one: text to parse, or the other kind of date."""
    kinds = [t.kind for t in (T.strip_optional(a), T.strip_optional(b))]
    if "date" in kinds and "datetime" in kinds:
        return "compare a date with a date: `date(t)` is the day of a datetime `t`"
    dated = next((k for k in kinds if k in T.DATES), None)
    if dated is None:
        return ""
    if a.kind == "optional" or b.kind == "optional":
        return "the value may be `none`: check `x is not none` first"
    return _DATE_HINTS[dated] if "str" in kinds else ""


def _or(names: list[str]) -> str:
    return " or ".join(f"`{n}`" for n in names)


def _text(node) -> str:
    """A short rendering of an expression for messages."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_text(node.obj)}.{node.attr.name}"
    if isinstance(node, ast.Index):
        return f"{_text(node.obj)}[{_text(node.key)}]"
    if isinstance(node, ast.Str):
        return '"' + node.value[:30] + '"'
    if isinstance(node, ast.Number):
        return node.text
    if isinstance(node, ast.Call):
        return f"{_text(node.func)}(…)"
    return "…"


text_of = _text


def _concatenation(pieces: list[ir.Expr], at: ir.Loc) -> ir.Expr:
    """`a + b + c + …` as a balanced tree: `+` of strings is associative, and an f-string
    of hundreds of fields must not nest hundreds deep. Python still evaluates left to right."""
    if len(pieces) == 1:
        return pieces[0]
    middle = len(pieces) // 2
    return ir.Binary(type=ir.STR, op="+", left=_concatenation(pieces[:middle], at),
                     right=_concatenation(pieces[middle:], at), loc=at)


def _spanning(first: Span, last: Span) -> Span:
    """From the start of `first` to the end of `last`: one link of a comparison chain."""
    return Span(first.file, first.line, first.column, last.end_line, last.end_column)
