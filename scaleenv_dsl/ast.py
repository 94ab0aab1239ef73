"""The syntax tree: frozen dataclasses, one per grammar rule, each with its span.

Nodes compare and hash by identity: each is one place in a source, and nothing compares two
nodes by value (fmt compares trees by their shapes, spans left out). Value equality would be
~150 generated methods compiled at every start of `scaleenv check` and never run.

Built only by `scaleenv_dsl.parse`; read only by `scaleenv_dsl.check`. No later
stage sees these nodes: they read the checked IR instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union

from .diagnostics import Span


def node(cls):
    """A syntax node class: a frozen, slotted dataclass, equal only to itself."""
    # a class without a docstring gets one from inspect.signature, a tenth of building them all
    cls.__doc__ = cls.__doc__ or f"The `{cls.__name__}` syntax node."
    return dataclass(frozen=True, slots=True, eq=False)(cls)


@node
class Node:
    span: Span


@node
class Ident(Node):
    name: str


# ---------------------------------------------------------------- expressions

@node
class Name(Node):
    id: str


@node
class Number(Node):
    value: int | float
    text: str


@node
class Str(Node):
    value: str


@node
class Bool(Node):
    value: bool


@node
class NoneLit(Node):
    pass


@node
class Attribute(Node):
    obj: "Expr"
    attr: Ident


@node
class Index(Node):
    obj: "Expr"
    key: "Expr"


@node
class Slice(Node):
    """`s[start:stop]` of a string or list; either bound may be left out, as in Python."""
    obj: "Expr"
    start: "Expr | None"
    stop: "Expr | None"


@node
class KeywordArg(Node):
    name: Ident
    value: "Expr"


@node
class CompFor(Node):
    """`for a[, b] in iterable [if condition]` inside a comprehension."""
    names: tuple[Ident, ...]
    iterable: "Expr"
    condition: "Expr | None"


@node
class Generator(Node):
    """`element for x in xs if c` as the sole argument of a call: `sum(p.amount for p in ps)`."""
    element: "Expr"
    loops: tuple[CompFor, ...]


@node
class Call(Node):
    func: "Expr"
    args: tuple["Expr | Generator", ...]
    kwargs: tuple[KeywordArg, ...]


@node
class ListDisplay(Node):
    items: tuple["Expr", ...]


@node
class ListComp(Node):
    element: "Expr"
    loops: tuple[CompFor, ...]


@node
class DictItem(Node):
    key: "Expr"
    value: "Expr"


@node
class DictDisplay(Node):
    items: tuple[DictItem, ...]


@node
class DictComp(Node):
    item: DictItem
    loops: tuple[CompFor, ...]


@node
class Conditional(Node):
    """`(then if condition else otherwise)`."""
    then: "Expr"
    condition: "Expr"
    otherwise: "Expr"


@node
class BinaryOp(Node):
    """Arithmetic: + - * / // %."""
    op: str
    left: "Expr"
    right: "Expr"


@node
class Compare(Node):
    """== != < <= > >= in, and `not in`."""
    op: str
    left: "Expr"
    right: "Expr"


@node
class ChainedCompare(Node):
    """`12 <= hour <= 16`: Python's chain, each operand evaluated once.

    `ops[i]` stands between `operands[i]` and `operands[i + 1]`; there are at
    least two ops (one op is a plain `Compare`)."""
    ops: tuple[str, ...]
    operands: tuple["Expr", ...]


@node
class BoolOp(Node):
    """`and` / `or`."""
    op: str
    left: "Expr"
    right: "Expr"


@node
class Not(Node):
    operand: "Expr"


@node
class Negate(Node):
    operand: "Expr"


@node
class IsCheck(Node):
    """`x is gift_card`, `x is none`, `x is not none`: a union variant or absence test."""
    value: "Expr"
    kind: Ident
    negated: bool


@node
class FString(Node):
    """`f"Room {n} not found"`: literal text (a Python `str`) and fields (expressions) in order.
    The checker lowers it to `+` of the text and `str()` of each field: no format machinery."""
    parts: tuple["str | Expr", ...]


Expr = Union[Name, Number, Str, FString, Bool, NoneLit, Attribute, Index, Slice, Call, ListDisplay, ListComp,
             DictDisplay, DictComp, Conditional, BinaryOp, Compare, ChainedCompare, BoolOp, Not, Negate, IsCheck]


# ---------------------------------------------------------------- types

@node
class NamedType(Node):
    name: Ident


@node
class GenericType(Node):
    """`list[T]`, `map[str, T]`: the checker says which generics exist."""
    name: Ident
    args: tuple["TypeExpr", ...]


@node
class RefType(Node):
    """`ref User`, a row's key; `ref User.payment_methods`, a key of a map in a row;
    `ref Order.items.item_id`, the key field of a member of a list in a row."""
    entity: Ident
    path: tuple[Ident, ...] = ()


@node
class OptionalType(Node):
    inner: "TypeExpr"


TypeExpr = Union[NamedType, GenericType, RefType, OptionalType]


# ---------------------------------------------------------------- declarations

@node
class DocOption(Node):
    text: Str


@node
class ExampleOption(Node):
    value: Expr


@node
class CompareOption(Node):
    mode: Ident
    argument: Number | None


FieldOption = Union[DocOption, ExampleOption, CompareOption]


@node
class FieldDecl(Node):
    name: Ident
    type: TypeExpr
    options: tuple[FieldOption, ...]

    def first(self, kind: type) -> FieldOption | None:
        return next((o for o in self.options if isinstance(o, kind)), None)


@node
class InvariantDecl(Node):
    condition: Expr
    message: Expr


@node
class DomainEntry(Node):
    key: Ident
    value: Str | Number  # a number for a budget (`step_limit 1_000_000`), text for the others


@node
class DomainDecl(Node):
    name: Ident
    entries: tuple[DomainEntry, ...]


@node
class IncludeDecl(Node):
    path: Str


@node
class EnumDecl(Node):
    name: Ident
    values: tuple[Str, ...]


@node
class RecordDecl(Node):
    name: Ident
    doc: Str | None
    fields: tuple[FieldDecl, ...]
    invariants: tuple[InvariantDecl, ...]


@node
class VariantDecl(Node):
    name: Ident
    fields: tuple[FieldDecl, ...]
    invariants: tuple[InvariantDecl, ...]


@node
class UnionDecl(Node):
    name: Ident
    tag: Ident
    doc: Str | None
    variants: tuple[VariantDecl, ...]


@node
class EntityDecl(Node):
    name: Ident
    collection: Ident
    key: Ident
    not_found: Expr  # a string, or a string expression over the key
    doc: Str | None
    fields: tuple[FieldDecl, ...]
    invariants: tuple[InvariantDecl, ...]
    # `key user_id from map`: the rows leave their key field out (the key is the one they are stored under)
    key_from_map: bool = False


# ---------------------------------------------------------------- statements

@node
class Block(Node):
    body: tuple["Stmt", ...]


@node
class Let(Node):
    name: Ident
    value: Expr
    otherwise: Expr | None


@node
class Require(Node):
    condition: Expr
    message: Expr


@node
class Fail(Node):
    message: Expr


@node
class If(Node):
    condition: Expr
    then: Block
    otherwise: "Block | If | None"


@node
class For(Node):
    names: tuple[Ident, ...]
    iterable: Expr
    body: Block


@node
class Break(Node):
    pass


@node
class Continue(Node):
    pass


@node
class Return(Node):
    value: Expr


@node
class Ensures(Node):
    condition: Expr
    message: Expr | None


@node
class Insert(Node):
    row: Expr
    otherwise: Expr | None


@node
class Delete(Node):
    target: Expr
    otherwise: Expr | None = None


@node
class Assign(Node):
    target: Expr
    op: str
    value: Expr


@node
class ExprStmt(Node):
    expr: Expr


Stmt = Union[Let, Require, Fail, If, For, Break, Continue, Return, Ensures, Insert, Delete, Assign, ExprStmt]


@node
class ParamDefault(Node):
    """`= VALUE` after a parameter's type: a literal, applied when the argument is left out."""
    value: "Expr"


@node
class ParamDecl(Node):
    name: Ident
    type: TypeExpr
    options: tuple[FieldOption, ...]
    default: "ParamDefault | None" = None
    local: Ident | None = None  # `items as wanted`: the name the body uses

    def first(self, kind: type) -> FieldOption | None:
        return next((o for o in self.options if isinstance(o, kind)), None)


@node
class ReturnsDecl(Node):
    type: TypeExpr
    doc: Str | None


@node
class ToolDecl(Node):
    name: Ident
    params: tuple[ParamDecl, ...]
    returns: ReturnsDecl | None
    doc: Str | None
    body: tuple[Stmt, ...]
    # the body had a syntax error: only the signature is known, so the body is not checked
    body_unparsed: bool = False


@node
class HelperParam(Node):
    name: Ident
    type: TypeExpr


@node
class HelperDecl(Node):
    """`def name(p: T, …) -> R { … }`: a pure function over values and the state, called from tools."""
    name: Ident
    params: tuple[HelperParam, ...]
    returns: TypeExpr
    doc: Str | None
    body: tuple[Stmt, ...]


@node
class ConstDecl(Node):
    """`const NAME = literal`: a named constant, typed by its literal."""
    name: Ident
    value: Expr


# ---------------------------------------------------------------- tasks

@node
class Instruction(Node):
    text: Str


@node
class Knows(Node):
    name: Ident
    value: Expr


@node
class Initial(Node):
    value: Expr


@node
class Action(Node):
    tool: Ident
    args: tuple["Expr | KeywordArg", ...]


@node
class Goal(Node):
    condition: Expr


@node
class Communicate(Node):
    text: Str


@node
class RewardEntry(Node):
    bases: tuple[Ident, ...]


@node
class ClockEntry(Node):
    """`clock "2024-03-01T09:00:00"`: the task's time, overriding the domain header's."""
    time: Str


TaskEntry = Union[Instruction, Knows, Initial, Action, Goal, Communicate, RewardEntry, ClockEntry]


@node
class TaskDecl(Node):
    name: Ident
    doc: Str | None
    entries: tuple[TaskEntry, ...]


Decl = Union[DomainDecl, IncludeDecl, EnumDecl, RecordDecl, UnionDecl, EntityDecl, ToolDecl, HelperDecl, ConstDecl,
             TaskDecl]


@node
class Module(Node):
    """One parsed `.sedl` file."""
    path: str
    decls: tuple[Decl, ...]
