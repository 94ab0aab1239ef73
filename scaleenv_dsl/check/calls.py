"""Calls: built-in functions, methods, aggregates over generators, constructors.

The built-ins are a closed set. Each has a small signature function that
checks the argument types and gives the result type; nothing here can name
Python code.
"""

from __future__ import annotations

from typing import Callable

from .. import ast, ir
from ..diagnostics import did_you_mean
from . import types as T
from .dates import FUNCTIONS as DATE_FUNCTIONS
from .dates import check_date_call
from .scope import Scope
from .symbols import loc

AGGREGATES = ("sum", "count", "any", "all", "find", "min", "max")
LIST_STATEMENT_METHODS = ("append", "extend", "remove", "sort")
MAP_STATEMENT_METHOD = "update"  # `m.update(other)`: a statement, as the list methods are
PYTHON_HINTS = {
    "next": "write `find(x for x in xs if …)`",
    "filter": "write a comprehension: `[x for x in xs if …]`",
    "map": "write a comprehension: `[f for x in xs]`",
    "range": "iterate a list: `for i, x in enumerate(xs)`",
    "isinstance": "test a union's variant with `x is variant_name`",
    "print": "tools cannot print; return a value",
    "eval": "use `arithmetic(text)` for arithmetic; nothing else is evaluated",
    "exec": "specs cannot run code",
    "open": "specs cannot touch files",
    "__import__": "specs cannot import anything",
    "lower": "call it as a method: `s.lower()`",
    "upper": "call it as a method: `s.upper()`",
    "json": "write `to_json(x)`",
    "dumps": "write `to_json(x)`",
    "utcnow": "write `now()`: the domain's clock, set by `clock` in the header",
    "timedelta": "write `add_days(d, n)`, `add_hours(t, n)` or `add_minutes(t, n)`",
    "fromisoformat": 'write `date("2024-03-01")` or `datetime("2024-03-01T09:00:00")`',
    "strptime": 'write `date(s)` or `datetime(s)`: dates are ISO text',
}


def check_call(c, node: ast.Call, scope: Scope) -> ir.Expr:
    if isinstance(node.func, ast.Attribute):
        return _method(c, node, scope)
    if not isinstance(node.func, ast.Name):
        return c.error("not-callable", "only built-ins, methods and types can be called", node.func.span,
                       "call a built-in function by name, a method as `x.method(…)`, or a type as `Type(field=…)`")
    name = node.func.id
    if name == "replace":
        return _replace(c, node, scope)
    if name in AGGREGATES and node.args and isinstance(node.args[0], ast.Generator):
        return _aggregate(c, node, name, scope)
    if name in DATE_FUNCTIONS:  # before types: `date` and `datetime` name both
        return check_date_call(c, node, name, scope)
    if name in FUNCTIONS:
        return _function(c, node, name, scope)
    if name in AGGREGATES:  # `count` and `find` exist only over a generator
        return c.error("wrong-arguments", f"`{name}` takes a generator", node.span,
                       f"write `{name}(x for x in xs if …)`")
    if name == "old":
        return _old(c, node, scope)
    if c.symbols.is_type(name) and name not in ("str", "int", "float", "bool"):
        from .constructors import construct
        return construct(c, node, name, scope)
    if name in c.symbols.helpers:
        from .helpers import check_helper_call
        return check_helper_call(c, node, name, scope)
    if name in c.symbols.tools:
        return c.error("unknown-function", f"`{name}` is a tool, and tools are not called from code",
                       node.func.span, "the agent calls tools; share the logic in a helper: `def name(…) -> T { … }`")
    hint = PYTHON_HINTS.get(name) or did_you_mean(name, [*FUNCTIONS, *AGGREGATES, *DATE_FUNCTIONS, "old", "replace",
                                                         *c.symbols.helpers])
    return c.error("unknown-function", f"there is no function `{name}`", node.func.span,
                   hint or "see the built-in functions in docs/language.md")


# ---------------------------------------------------------------- functions

def positional_only(c, node: ast.Call, name: str, by_position: str, no_generator: str) -> ir.Expr | None:
    """The error for a keyword or a generator passed to `name`, which takes values by position, or None.

    Built-in functions and helpers share it; only the help lines (`by_position`, `no_generator`)
    say what the callee is."""
    if node.kwargs:
        return c.error("wrong-arguments", f"`{name}` takes no keyword arguments", node.kwargs[0].span, by_position)
    if any(isinstance(a, ast.Generator) for a in node.args):
        return c.error("wrong-arguments", f"`{name}` does not take a generator", node.span, no_generator)
    return None


def _function(c, node: ast.Call, name: str, scope: Scope) -> ir.Expr:
    arity, signature = FUNCTIONS[name]
    refused = positional_only(c, node, name, f"pass the arguments by position: `{name}({_placeholders(arity[1])})`",
                              "aggregate with sum, count, any, all, find, min or max")
    if refused is not None:
        return refused
    args = [c.expr(a, scope) for a in node.args]
    if not (arity[0] <= len(args) <= arity[1]):
        expected = str(arity[0]) if arity[0] == arity[1] else f"{arity[0]} to {arity[1]}"
        return c.error("wrong-arguments", f"`{name}` takes {expected} argument(s), got {len(args)}", node.span,
                       "see the built-in functions in docs/language.md")
    result = signature(c, node, args)
    if result is None:
        return ir.Const(type=ir.ANY, value=None, loc=loc(node.span))
    e = ir.Builtin(type=result, name=name, args=args, loc=loc(node.span))
    if name in ("zip", "enumerate"):  # their tuples share the lists' items
        e = c.with_origin(e, frozenset().union(*(c.origin(a) for a in args)))
    return e


def _placeholders(most: int) -> str:
    """`a`, `a, b`, `a, b, c`, or `a, b, …` past three: as many as a built-in takes."""
    return "a, b, …" if most > 3 else ", ".join("abc"[:most])


def _replace(c, node: ast.Call, scope: Scope) -> ir.Expr:
    """`replace(x, city="Paris")`: a copy of a record or row with some fields changed, as Python's
    `copy.replace`. The copy is shallow: its other fields' lists and records are the original's.
    In the IR, the built-in `replace` of `x` and a map from field names to the new values."""
    if len(node.args) != 1 or isinstance(node.args[0], ast.Generator) or not node.kwargs:
        return c.error("wrong-arguments", "`replace` takes one value and the fields to change", node.span,
                       'write `replace(address, city="Paris")`')
    value = c.expr(node.args[0], scope)
    t = value.type
    if t.kind == "any":
        return ir.Const(type=ir.ANY, value=None, loc=loc(node.span))
    if t.kind not in ("record", "entity"):
        return c.error("type-mismatch", f"`replace` changes fields of a record or a row, this is `{t}`",
                       node.args[0].span, _checked_first(t, "for a union, build the variant: `Type(tag=\"…\", …)`"
                                                         if t.kind == "union" else "give a record or a row"))
    fields = c.symbols.fields.get(t.name, {})
    names, values = [], []
    for kw in node.kwargs:
        new = c.expr(kw.value, scope)
        field = fields.get(kw.name.name)
        if field is None:
            c.error("unknown-field", f"`{t.name}` has no field `{kw.name.name}`", kw.name.span,
                    did_you_mean(kw.name.name, fields) or "its fields are " + ", ".join(fields))
        elif kw.name.name in names:
            c.error("duplicate-option", f"the field `{kw.name.name}` is given twice", kw.name.span, "keep one")
        else:
            names.append(kw.name.name)
            values.append(c.coerce(kw.value, new, field.type, f"the field `{kw.name.name}`"))
    at = loc(node.span)
    changes = ir.DictExpr(type=ir.map_of(ir.ANY), keys=[ir.Const(type=ir.STR, value=n, loc=at) for n in names],
                          values=values, loc=at)
    e = ir.Builtin(type=t, name="replace", args=(value, changes), loc=at)
    return c.with_origin(e, c.origin(value) | c.shared_origin(values))


def _bad(c, node, message: str, help: str) -> None:
    c.error("type-mismatch", message, node.span, help)
    return None


def _checked_first(t: ir.TypeRef, help: str) -> str:
    """The help for a value of the wrong type; an optional one is checked first, whatever it holds."""
    return "the value may be none: check it with `is not none` first" if t.kind == "optional" else help


def _len(c, node, args):
    t = args[0].type
    if t.kind in ("list", "map", "str", "any"):
        return ir.INT
    return _bad(c, node.args[0], f"`len` needs a list, map, string or collection, not `{t}`",
                _checked_first(t, "count a list, a map, a string or a collection"))


def _numeric_args(c, node, args, name):
    for arg_node, arg in zip(node.args, args):
        if not T.is_numeric(arg.type):
            return _bad(c, arg_node, f"`{name}` needs a number, this is `{arg.type}`",
                        _checked_first(arg.type, "convert a string with `float(x)` or `int(x)`" if arg.type.kind == "str"
                                       else f"`{name}` takes numbers"))
    return True


def _round(c, node, args):
    if not _numeric_args(c, node, args, "round"):
        return None
    if len(args) == 2 and args[1].type.kind not in ("int", "any"):
        return _bad(c, node.args[1], "`round`'s digits are an `int`", "write `round(x, 2)`")
    # as Python: round(x) is an int; round(x, n) keeps x's type
    if len(args) == 2:
        return ir.INT if args[0].type.kind == "int" else ir.FLOAT
    return ir.INT


def _abs(c, node, args):
    return args[0].type if _numeric_args(c, node, args, "abs") else None


def _min_max(c, node, args):
    if len(args) == 1:
        element = T.element_type(args[0].type)
        if element is None:
            return _bad(c, node.args[0], "`min`/`max` of one argument needs a list",
                        "give two values (`max(a, b)`) or a list (`max(xs)`)")
        return _orderable(c, node.args[0], element)
    joined = args[0].type
    for arg_node, arg in zip(node.args[1:], args[1:]):
        joined = T.unify(joined, arg.type)
        if joined is None:
            return _bad(c, arg_node, "`min`/`max` compare values of one type",
                        "give values of one type: numbers with numbers, strings with strings")
    return _orderable(c, node, joined)


def _orderable(c, node, t: ir.TypeRef) -> ir.TypeRef | None:
    if T.is_orderable(t):
        return t
    return _bad(c, node, f"`min`/`max` order numbers or strings, not `{t}`",
                "check optionals first" if t.kind == "optional" else "compare a field: `min(x.price for x in xs)`")


def _sum(c, node, args):
    element = T.element_type(args[0].type)
    if element is None or not T.is_numeric(element):
        return _bad(c, node.args[0], f"`sum` needs a list of numbers, not `{args[0].type}`",
                    "sum a number field: `sum(x.price for x in xs)`")
    return element if element.kind != "any" else ir.FLOAT


def _any_all(c, node, args):
    element = T.element_type(args[0].type)
    if element is None or element.kind not in ("bool", "any"):
        return _bad(c, node.args[0], f"`any`/`all` need a list of bools, not `{args[0].type}`",
                    "write `any(cond for x in xs)`")
    return ir.BOOL


def _sorted(c, node, args):
    element = T.element_type(args[0].type)
    if element is None or not T.is_orderable(element):
        return _bad(c, node.args[0], f"`sorted` needs a list of strings or numbers, not `{args[0].type}`",
                    "sort a list of a field: `sorted([x.price for x in xs])`")
    return args[0].type


def _convert(kind):
    def signature(c, node, args):
        t = args[0].type
        if kind == "str" or t.kind in ("int", "float", "str", "enum", "any", "bool"):
            return ir.TypeRef(kind=kind)
        return _bad(c, node.args[0], f"`{kind}` cannot convert `{t}`",
                    _checked_first(t, f"`{kind}` converts numbers, strings and booleans"))
    return signature


def _zip(c, node, args):
    elements = [T.element_type(a.type) for a in args]
    if any(e is None for e in elements):
        return _bad(c, node, "`zip` takes lists", "write `zip(xs, ys)` with two lists")
    return ir.list_of(ir.TypeRef(kind="tuple", args=tuple(elements)))


def _enumerate(c, node, args):
    element = T.element_type(args[0].type)
    if element is None:
        return _bad(c, node.args[0], f"`enumerate` takes a list, not `{args[0].type}`",
                    "write `for i, x in enumerate(xs) { … }` with a list")
    return ir.list_of(ir.TypeRef(kind="tuple", args=(ir.INT, element)))


def _to_json(c, node, args):
    return ir.STR


def _arithmetic(c, node, args):
    if not T.is_stringlike(args[0].type):
        return _bad(c, node.args[0], "`arithmetic` reads a string such as \"1 + 2\"",
                    "pass the expression as a string")
    return ir.FLOAT


MAX_ID_WIDTH = 32  # `new_id`'s zero-padding: a literal, so that no call can build a huge id


def _new_id(c, node, args):
    """`new_id(bookings, "B")`: a key no row (or entry) of the collection or map has."""
    keys, prefix = args[0].type, args[1].type
    if keys.kind not in ("map", "any"):
        return _bad(c, node.args[0], f"`new_id` takes the collection (or map) the id is for, this is `{keys}`",
                    _checked_first(keys, 'name the collection: `new_id(bookings, "B")`'))
    if not T.is_stringlike(prefix):
        return _bad(c, node.args[1], f"`new_id`'s prefix is a string, this is `{prefix}`",
                    _checked_first(prefix, 'write the prefix as a string: `new_id(bookings, "B")`'))
    if len(args) == 3:
        width = args[2]
        if not (isinstance(width, ir.Const) and type(width.value) is int and 1 <= width.value <= MAX_ID_WIDTH):
            return _bad(c, node.args[2], f"`new_id`'s width is a whole number from 1 to {MAX_ID_WIDTH}, written as it is",
                        'write the digits\' width as a literal: `new_id(orders, "#W", 7)` gives "#W0000001"')
    return ir.STR


Signature = Callable[..., "ir.TypeRef | None"]
FUNCTIONS: dict[str, tuple[tuple[int, int], Signature]] = {
    "len": ((1, 1), _len),
    "round": ((1, 2), _round),
    "abs": ((1, 1), _abs),
    "min": ((1, 8), _min_max),
    "max": ((1, 8), _min_max),
    "sum": ((1, 1), _sum),
    "any": ((1, 1), _any_all),
    "all": ((1, 1), _any_all),
    "sorted": ((1, 1), _sorted),
    "str": ((1, 1), _convert("str")),
    "int": ((1, 1), _convert("int")),
    "float": ((1, 1), _convert("float")),
    "zip": ((2, 4), _zip),
    "enumerate": ((1, 1), _enumerate),
    "to_json": ((1, 1), _to_json),
    "arithmetic": ((1, 1), _arithmetic),
    "new_id": ((2, 3), _new_id),
}


# ---------------------------------------------------------------- aggregates and old

def _aggregate(c, node: ast.Call, name: str, scope: Scope) -> ir.Expr:
    gen: ast.Generator = node.args[0]
    loops, inner = c.loops(gen.loops, scope)
    element = c.expr(gen.element, inner)
    t = _aggregate_type(c, gen, name, element)
    e = ir.Comprehension(type=t, form=name, element=element, loops=loops, loc=loc(node.span))
    return c.with_origin(e, c.origin(element)) if name in ("find", "min", "max") else e


def _aggregate_type(c, gen: ast.Generator, name: str, element: ir.Expr) -> ir.TypeRef:
    t = element.type
    if name == "count":  # a bool element counts when true; any other, every element past the filters
        return ir.INT
    if name in ("any", "all"):
        if t.kind not in ("bool", "any"):
            c.error("type-mismatch", f"`{name}` needs conditions, this is `{t}`", gen.element.span,
                    f"compare each item: `{name}(x.price > 0 for x in xs)`")
        return ir.BOOL
    if name == "sum":
        if not T.is_numeric(t):
            c.error("type-mismatch", f"`sum` adds numbers, this is `{t}`", gen.element.span,
                    "sum a number field: `sum(x.price for x in xs)`")
        return t if t.kind in T.NUMERIC else ir.FLOAT
    if name == "find":
        return ir.optional(t)
    if not T.is_orderable(t):
        c.error("type-mismatch", f"`{name}` orders numbers or strings, this is `{t}`", gen.element.span,
                f"order by a field: `{name}(x.price for x in xs)`")
        return ir.ANY
    return t


def _old(c, node: ast.Call, scope: Scope) -> ir.Expr:
    if not c.mode.in_ensures:
        return c.error("old-outside-ensures", "`old(…)` is only meaningful in `ensures`", node.span,
                       "move the comparison into an `ensures` statement")
    if len(node.args) != 1 or node.kwargs or isinstance(node.args[0], ast.Generator):
        return c.error("wrong-arguments", "`old` takes one expression", node.span, "write `old(x.field)`")
    operand = c.expr(node.args[0], scope)
    return ir.Old(type=operand.type, operand=operand, loc=loc(node.span))


# ---------------------------------------------------------------- methods

def _method(c, node: ast.Call, scope: Scope) -> ir.Expr:
    attr: ast.Attribute = node.func
    name = attr.attr.name
    receiver = c.expr(attr.obj, scope)
    if node.kwargs or any(isinstance(a, ast.Generator) for a in node.args):
        return c.error("wrong-arguments", f"`.{name}()` takes plain arguments", node.span,
                       "pass values by position; build a list first with `let xs = [e for x in ys]`")
    args = [c.expr(a, scope) for a in node.args]
    t = receiver.type
    if t.kind == "optional":
        return c.error("optional-unchecked", "the value may be none", attr.obj.span,
                       "check `x is not none` first, or bind it with `let x = … else \"message\"`")
    table = {"str": STR_METHODS, "enum": STR_METHODS, "ref": STR_METHODS, "map": MAP_METHODS,
             "list": LIST_METHODS}.get(t.kind)
    if t.kind == "any":
        return ir.Const(type=ir.ANY, value=None, loc=loc(node.span))
    if table is None or name not in table:
        return _unknown_method(c, node, t, name, table)
    arity, signature = table[name]
    if len(args) != arity:
        return c.error("wrong-arguments", f"`.{name}()` takes {arity} argument(s), got {len(args)}", node.span,
                       "see the methods in docs/language.md")
    result = signature(c, node, receiver, args)
    if result is None:
        return ir.Const(type=ir.ANY, value=None, loc=loc(node.span))
    canonical = f"{'str' if table is STR_METHODS else t.kind}.{name}"
    e = ir.Builtin(type=result, name=canonical, args=[receiver, *args], loc=loc(node.span))
    return c.with_origin(e, c.origin(receiver)) if name in ("values", "items", "get") else e


def _unknown_method(c, node, t: ir.TypeRef, name: str, table) -> ir.Expr:
    if t.kind == "map" and name == MAP_STATEMENT_METHOD:
        return c.error("invalid-expression", "`.update()` changes the map and gives no value", node.span,
                       "use it as a statement on its own line: `m.update(other)`")
    if t.kind == "list" and name in LIST_STATEMENT_METHODS:
        return c.error("invalid-expression", f"`.{name}()` changes the list and gives no value", node.span,
                       f"use it as a statement on its own line: `xs.{name}(…)`")
    if t.kind in ("record", "entity", "union"):
        return c.error("unknown-method", f"`{t}` has no methods", node.func.attr.span,
                       "read a field without parentheses: `x.field`")
    options = list(table or {})
    return c.error("unknown-method", f"`{t}` has no method `{name}`", node.func.attr.span,
                   did_you_mean(name, options) or ("its methods are " + ", ".join(options) if options else ""))


def _string_arg(c, node, args, index=0):
    if not T.is_stringlike(args[index].type):
        return _bad(c, node.args[index], f"expected a string, this is `{args[index].type}`",
                    _checked_first(args[index].type, "convert it with `str(x)`"))
    return True


def _str_unary(c, node, receiver, args):
    return ir.STR


def _str_predicate(c, node, receiver, args):
    return ir.BOOL if _string_arg(c, node, args) else None


def _str_replace(c, node, receiver, args):
    return ir.STR if _string_arg(c, node, args, 0) and _string_arg(c, node, args, 1) else None


def _str_split(c, node, receiver, args):
    return ir.list_of(ir.STR) if _string_arg(c, node, args) else None


def _str_join(c, node, receiver, args):
    element = T.element_type(args[0].type)
    if args[0].type.kind != "list" or element is None or not T.is_stringlike(element):
        return _bad(c, node.args[0], f"`join` takes a list of strings, this is `{args[0].type}`",
                    'convert the elements first: `", ".join([str(x) for x in xs])`')
    return ir.STR


STR_METHODS = {
    "lower": (0, _str_unary), "upper": (0, _str_unary), "strip": (0, _str_unary),
    "startswith": (1, _str_predicate), "endswith": (1, _str_predicate),
    "replace": (2, _str_replace), "split": (1, _str_split), "join": (1, _str_join),
}


def _map_keys(c, node, receiver, args):
    return ir.list_of(ir.STR)


def _map_values(c, node, receiver, args):
    return ir.list_of(receiver.type.args[0])


def _map_items(c, node, receiver, args):
    return ir.list_of(ir.TypeRef(kind="tuple", args=(ir.STR, receiver.type.args[0])))


def _map_get(c, node, receiver, args):
    c.check_key(node.args[0], args[0], "a map key")
    return ir.optional(receiver.type.args[0])


MAP_METHODS = {"keys": (0, _map_keys), "values": (0, _map_values), "items": (0, _map_items), "get": (1, _map_get)}


def _list_count(c, node, receiver, args):
    if not T.comparable(args[0].type, receiver.type.args[0]):
        return _bad(c, node.args[0], f"a `{args[0].type}` is never in a `{receiver.type}`",
                    "test a value of the type the container holds")
    return ir.INT


LIST_METHODS = {"count": (1, _list_count), "index": (1, _list_count)}
