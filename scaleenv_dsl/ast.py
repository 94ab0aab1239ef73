"""The syntax tree: frozen dataclasses, one per grammar rule, each with its span.

Built only by `scaleenv_dsl.parse`; read only by `scaleenv_dsl.check`. No later
stage sees these nodes: they read the checked IR instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union

from .diagnostics import Span


@dataclass(frozen=True, slots=True)
class Node:
    span: Span


@dataclass(frozen=True, slots=True)
class Ident(Node):
    name: str


# ---------------------------------------------------------------- expressions

@dataclass(frozen=True, slots=True)
class Name(Node):
    id: str


@dataclass(frozen=True, slots=True)
class Number(Node):
    value: int | float
    text: str


@dataclass(frozen=True, slots=True)
class Str(Node):
    value: str


@dataclass(frozen=True, slots=True)
class Bool(Node):
    value: bool


@dataclass(frozen=True, slots=True)
class NoneLit(Node):
    pass


@dataclass(frozen=True, slots=True)
class Attribute(Node):
    obj: "Expr"
    attr: Ident


@dataclass(frozen=True, slots=True)
class Index(Node):
    obj: "Expr"
    key: "Expr"


@dataclass(frozen=True, slots=True)
class Slice(Node):
    """`s[start:stop]` of a string or list; either bound may be left out, as in Python."""
    obj: "Expr"
    start: "Expr | None"
    stop: "Expr | None"


@dataclass(frozen=True, slots=True)
class KeywordArg(Node):
    name: Ident
    value: "Expr"


@dataclass(frozen=True, slots=True)
class CompFor(Node):
    """`for a[, b] in iterable [if condition]` inside a comprehension."""
    names: tuple[Ident, ...]
    iterable: "Expr"
    condition: "Expr | None"


@dataclass(frozen=True, slots=True)
class Generator(Node):
    """`element for x in xs if c` as the sole argument of a call: `sum(p.amount for p in ps)`."""
    element: "Expr"
    loops: tuple[CompFor, ...]


@dataclass(frozen=True, slots=True)
class Call(Node):
    func: "Expr"
    args: tuple["Expr | Generator", ...]
    kwargs: tuple[KeywordArg, ...]


@dataclass(frozen=True, slots=True)
class ListDisplay(Node):
    items: tuple["Expr", ...]


@dataclass(frozen=True, slots=True)
class ListComp(Node):
    element: "Expr"
    loops: tuple[CompFor, ...]


@dataclass(frozen=True, slots=True)
class DictItem(Node):
    key: "Expr"
    value: "Expr"


@dataclass(frozen=True, slots=True)
class DictDisplay(Node):
    items: tuple[DictItem, ...]


@dataclass(frozen=True, slots=True)
class DictComp(Node):
    item: DictItem
    loops: tuple[CompFor, ...]


@dataclass(frozen=True, slots=True)
class Conditional(Node):
    """`(then if condition else otherwise)`."""
    then: "Expr"
    condition: "Expr"
    otherwise: "Expr"


@dataclass(frozen=True, slots=True)
class BinaryOp(Node):
    """Arithmetic: + - * / // %."""
    op: str
    left: "Expr"
    right: "Expr"


@dataclass(frozen=True, slots=True)
class Compare(Node):
    """== != < <= > >= in, and `not in`."""
    op: str
    left: "Expr"
    right: "Expr"


@dataclass(frozen=True, slots=True)
class ChainedCompare(Node):
    """`12 <= hour <= 16`: Python's chain, each operand evaluated once.

    `ops[i]` stands between `operands[i]` and `operands[i + 1]`; there are at
    least two ops (one op is a plain `Compare`)."""
    ops: tuple[str, ...]
    operands: tuple["Expr", ...]


@dataclass(frozen=True, slots=True)
class BoolOp(Node):
    """`and` / `or`."""
    op: str
    left: "Expr"
    right: "Expr"


@dataclass(frozen=True, slots=True)
class Not(Node):
    operand: "Expr"


@dataclass(frozen=True, slots=True)
class Negate(Node):
    operand: "Expr"


@dataclass(frozen=True, slots=True)
class IsCheck(Node):
    """`x is gift_card`, `x is none`, `x is not none`: a union variant or absence test."""
    value: "Expr"
    kind: Ident
    negated: bool


@dataclass(frozen=True, slots=True)
class FString(Node):
    """`f"Room {n} not found"`: literal text (a Python `str`) and fields (expressions) in order.
    The checker lowers it to `+` of the text and `str()` of each field: no format machinery."""
    parts: tuple["str | Expr", ...]


Expr = Union[Name, Number, Str, FString, Bool, NoneLit, Attribute, Index, Slice, Call, ListDisplay, ListComp,
             DictDisplay, DictComp, Conditional, BinaryOp, Compare, ChainedCompare, BoolOp, Not, Negate, IsCheck]


# ---------------------------------------------------------------- types

@dataclass(frozen=True, slots=True)
class NamedType(Node):
    name: Ident


@dataclass(frozen=True, slots=True)
class GenericType(Node):
    """`list[T]`, `map[str, T]`: the checker says which generics exist."""
    name: Ident
    args: tuple["TypeExpr", ...]


@dataclass(frozen=True, slots=True)
class RefType(Node):
    """`ref User`, a row's key; `ref User.payment_methods`, a key of a map in a row;
    `ref Order.items.item_id`, the key field of a member of a list in a row."""
    entity: Ident
    path: tuple[Ident, ...] = ()


@dataclass(frozen=True, slots=True)
class OptionalType(Node):
    inner: "TypeExpr"


TypeExpr = Union[NamedType, GenericType, RefType, OptionalType]


# ---------------------------------------------------------------- declarations

@dataclass(frozen=True, slots=True)
class DocOption(Node):
    text: Str


@dataclass(frozen=True, slots=True)
class ExampleOption(Node):
    value: Expr


@dataclass(frozen=True, slots=True)
class CompareOption(Node):
    mode: Ident
    argument: Number | None


FieldOption = Union[DocOption, ExampleOption, CompareOption]


@dataclass(frozen=True, slots=True)
class FieldDecl(Node):
    name: Ident
    type: TypeExpr
    options: tuple[FieldOption, ...]

    def first(self, kind: type) -> FieldOption | None:
        return next((o for o in self.options if isinstance(o, kind)), None)


@dataclass(frozen=True, slots=True)
class InvariantDecl(Node):
    condition: Expr
    message: Expr


@dataclass(frozen=True, slots=True)
class DomainEntry(Node):
    key: Ident
    value: Str | Number  # a number for a budget (`step_limit 1_000_000`), text for the others


@dataclass(frozen=True, slots=True)
class DomainDecl(Node):
    name: Ident
    entries: tuple[DomainEntry, ...]


@dataclass(frozen=True, slots=True)
class IncludeDecl(Node):
    path: Str


@dataclass(frozen=True, slots=True)
class EnumDecl(Node):
    name: Ident
    values: tuple[Str, ...]


@dataclass(frozen=True, slots=True)
class RecordDecl(Node):
    name: Ident
    doc: Str | None
    fields: tuple[FieldDecl, ...]
    invariants: tuple[InvariantDecl, ...]


@dataclass(frozen=True, slots=True)
class VariantDecl(Node):
    name: Ident
    fields: tuple[FieldDecl, ...]
    invariants: tuple[InvariantDecl, ...]


@dataclass(frozen=True, slots=True)
class UnionDecl(Node):
    name: Ident
    tag: Ident
    doc: Str | None
    variants: tuple[VariantDecl, ...]


@dataclass(frozen=True, slots=True)
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

@dataclass(frozen=True, slots=True)
class Block(Node):
    body: tuple["Stmt", ...]


@dataclass(frozen=True, slots=True)
class Let(Node):
    name: Ident
    value: Expr
    otherwise: Expr | None


@dataclass(frozen=True, slots=True)
class Require(Node):
    condition: Expr
    message: Expr


@dataclass(frozen=True, slots=True)
class Fail(Node):
    message: Expr


@dataclass(frozen=True, slots=True)
class If(Node):
    condition: Expr
    then: Block
    otherwise: "Block | If | None"


@dataclass(frozen=True, slots=True)
class For(Node):
    names: tuple[Ident, ...]
    iterable: Expr
    body: Block


@dataclass(frozen=True, slots=True)
class Break(Node):
    pass


@dataclass(frozen=True, slots=True)
class Continue(Node):
    pass


@dataclass(frozen=True, slots=True)
class Return(Node):
    value: Expr


@dataclass(frozen=True, slots=True)
class Ensures(Node):
    condition: Expr
    message: Expr | None


@dataclass(frozen=True, slots=True)
class Insert(Node):
    row: Expr
    otherwise: Expr | None


@dataclass(frozen=True, slots=True)
class Delete(Node):
    target: Expr


@dataclass(frozen=True, slots=True)
class Assign(Node):
    target: Expr
    op: str
    value: Expr


@dataclass(frozen=True, slots=True)
class ExprStmt(Node):
    expr: Expr


Stmt = Union[Let, Require, Fail, If, For, Break, Continue, Return, Ensures, Insert, Delete, Assign, ExprStmt]


@dataclass(frozen=True, slots=True)
class ParamDefault(Node):
    """`= VALUE` after a parameter's type: a literal, applied when the argument is left out."""
    value: "Expr"


@dataclass(frozen=True, slots=True)
class ParamDecl(Node):
    name: Ident
    type: TypeExpr
    options: tuple[FieldOption, ...]
    default: "ParamDefault | None" = None
    local: Ident | None = None  # `items as wanted`: the name the body uses

    def first(self, kind: type) -> FieldOption | None:
        return next((o for o in self.options if isinstance(o, kind)), None)


@dataclass(frozen=True, slots=True)
class ReturnsDecl(Node):
    type: TypeExpr
    doc: Str | None


@dataclass(frozen=True, slots=True)
class ToolDecl(Node):
    name: Ident
    params: tuple[ParamDecl, ...]
    returns: ReturnsDecl | None
    doc: Str | None
    body: tuple[Stmt, ...]
    # the body had a syntax error: only the signature is known, so the body is not checked
    body_unparsed: bool = False


@dataclass(frozen=True, slots=True)
class HelperParam(Node):
    name: Ident
    type: TypeExpr


@dataclass(frozen=True, slots=True)
class HelperDecl(Node):
    """`def name(p: T, …) -> R { … }`: a pure function over values and the state, called from tools."""
    name: Ident
    params: tuple[HelperParam, ...]
    returns: TypeExpr
    doc: Str | None
    body: tuple[Stmt, ...]


@dataclass(frozen=True, slots=True)
class ConstDecl(Node):
    """`const NAME = literal`: a named constant, typed by its literal."""
    name: Ident
    value: Expr


# ---------------------------------------------------------------- tasks

@dataclass(frozen=True, slots=True)
class Instruction(Node):
    text: Str


@dataclass(frozen=True, slots=True)
class Knows(Node):
    name: Ident
    value: Expr


@dataclass(frozen=True, slots=True)
class Initial(Node):
    value: Expr


@dataclass(frozen=True, slots=True)
class Action(Node):
    tool: Ident
    args: tuple["Expr | KeywordArg", ...]


@dataclass(frozen=True, slots=True)
class Goal(Node):
    condition: Expr


@dataclass(frozen=True, slots=True)
class Communicate(Node):
    text: Str


@dataclass(frozen=True, slots=True)
class RewardEntry(Node):
    bases: tuple[Ident, ...]


TaskEntry = Union[Instruction, Knows, Initial, Action, Goal, Communicate, RewardEntry]


@dataclass(frozen=True, slots=True)
class TaskDecl(Node):
    name: Ident
    doc: Str | None
    entries: tuple[TaskEntry, ...]


Decl = Union[DomainDecl, IncludeDecl, EnumDecl, RecordDecl, UnionDecl, EntityDecl, ToolDecl, HelperDecl, ConstDecl,
             TaskDecl]


@dataclass(frozen=True, slots=True)
class Module(Node):
    """One parsed `.sedl` file."""
    path: str
    decls: tuple[Decl, ...]
