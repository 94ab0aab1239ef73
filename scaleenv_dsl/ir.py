"""The checked IR: what every stage after the checker reads.

Frozen dataclasses with every name resolved and every expression typed,
serialised to and from JSON through pydantic (`Domain.model_dump_json()`,
`Domain.model_validate_json()`). Plain dataclasses rather than pydantic models
because the checker builds thousands of nodes and pydantic's schema building
would dominate a cold `scaleenv check`; the schema is built once, lazily, the
first time a domain is serialised. Expressions and statements are small
tagged unions so that codegen, the planner and the procedural tests can walk
them with a dispatch on `kind`. Spans survive as `Loc` for `# spec:` comments
and for diagnostics raised by later stages.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from functools import cache, cached_property
from typing import Any, Iterator, Literal, Union


# Each tool call's budget when the domain header gives none (`step_limit`, `size_limit`): far above
# what any stdlib domain or conformance case uses (a retail call takes a few thousand steps at most),
# and low enough that a call which exhausts them ends within a second or two.
DEFAULT_STEP_LIMIT = 1_000_000   # loop iterations and comprehension elements
DEFAULT_SIZE_LIMIT = 10_000_000  # characters and elements of the strings, lists and maps a call builds
MAX_LIMIT = 1_000_000_000        # the most a header may ask for: past it a call could run for minutes


class Model:
    """Base of every IR node: frozen, hashable, and walkable with `children` and `walk`."""

    # the fields holding sequences, filled in by @node: stored as tuples whatever the caller passed
    __sequences__: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for name in self.__sequences__:
            value = getattr(self, name)
            if type(value) is not tuple:
                object.__setattr__(self, name, tuple(value))


def node(cls):
    """An IR node class: a frozen keyword-only dataclass whose sequences are tuples.

    Fields that hold JSON data (dicts, `Any`) get a hash over a frozen copy, so that
    every node can key a dict or sit in a set, as an analysis over the IR expects.
    """
    # a class without a docstring gets one from inspect.signature: a tenth of building them all
    cls.__doc__ = cls.__doc__ or f"The `{cls.__name__}` IR node."
    cls = dataclass(frozen=True, kw_only=True)(cls)
    annotations = {f.name: str(f.type) for f in fields(cls)}
    cls.__sequences__ = tuple(n for n, t in annotations.items() if t.startswith("tuple["))
    if any(t.startswith("dict") or "Any" in t for t in annotations.values()):
        cls.__hash__ = _deep_hash
    return cls


def _deep_hash(self) -> int:
    return hash((type(self).__name__,) + tuple(_freeze(getattr(self, name)) for name in _compared_fields(type(self))))


def _freeze(value):
    if isinstance(value, dict):
        return tuple(sorted((str(k), _freeze(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return tuple(_freeze(v) for v in value)
    return value


@cache
def _field_names(cls) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls))


@cache
def _compared_fields(cls) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls) if f.compare)


def children(item) -> Iterator["Model"]:
    """The IR nodes directly inside `item` (a node, or a tuple or dict of them), in field order."""
    if isinstance(item, Model):
        values = (getattr(item, name) for name in _field_names(type(item)))
    elif isinstance(item, dict):
        values = iter(item.values())
    else:
        values = iter(item)
    for value in values:
        if isinstance(value, Model):
            yield value
        elif isinstance(value, (tuple, list, dict)):
            yield from children(value)


def walk(item) -> Iterator["Model"]:
    """Every IR node in `item` and below it, parents before children (the one generic walker)."""
    pending = [item] if isinstance(item, Model) else list(children(item))[::-1]
    while pending:
        current = pending.pop()
        yield current
        pending.extend(reversed(list(children(current))))


@node
class Loc(Model):
    """A span in a spec file: 1-based lines and columns, the end exclusive."""
    file: str
    line: int
    column: int
    end_line: int
    end_column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


# ---------------------------------------------------------------- types

TypeKind = Literal[
    "str", "int", "float", "bool", "none", "any", "date", "datetime",
    "enum", "record", "union", "entity", "ref",
    "list", "map", "optional", "tuple",
]


@node
class TypeRef(Model):
    """A resolved type.

    `name` names the enum, record, union or entity (for `ref`, the entity
    referred to). `args` holds the element type of a list, the value type of a
    map (keys are always strings), the inner type of an optional, and the
    members of a tuple (only produced by `zip`, `enumerate` and `items`).
    """

    kind: TypeKind
    name: str | None = None
    args: tuple["TypeRef", ...] = ()
    # for a `ref` into a row: the fields from the entity to the map whose keys it holds
    # (`ref User.payment_methods`) or to the key field of a list's members (`ref Order.items.item_id`)
    path: tuple[str, ...] = ()

    def __str__(self) -> str:
        if self.kind in ("enum", "record", "union", "entity"):
            return self.name or self.kind
        if self.kind == "ref":
            return "ref " + ".".join((self.name or "?",) + self.path)
        if self.kind == "list":
            return f"list[{self.args[0]}]"
        if self.kind == "map":
            return f"map[str, {self.args[0]}]"
        if self.kind == "optional":
            return f"{self.args[0]}?"
        if self.kind == "tuple":
            return "(" + ", ".join(str(a) for a in self.args) + ")"
        return self.kind


STR = TypeRef(kind="str")
INT = TypeRef(kind="int")
FLOAT = TypeRef(kind="float")
BOOL = TypeRef(kind="bool")
NONE = TypeRef(kind="none")
ANY = TypeRef(kind="any")
DATE = TypeRef(kind="date")          # ISO text `2024-03-01` (scaleenv_dsl/dates.py)
DATETIME = TypeRef(kind="datetime")  # ISO text `2024-03-01T09:00:00`, seconds optional


def list_of(t: TypeRef) -> TypeRef:
    return TypeRef(kind="list", args=(t,))


def map_of(t: TypeRef) -> TypeRef:
    return TypeRef(kind="map", args=(t,))


def optional(t: TypeRef) -> TypeRef:
    return t if t.kind in ("optional", "none", "any") else TypeRef(kind="optional", args=(t,))


# ---------------------------------------------------------------- expressions

@node
class ExprBase(Model):
    type: TypeRef
    loc: Loc | None = field(default=None, compare=False)  # where, not what: equal nodes may stand apart


@node
class Const(ExprBase):
    """A literal: str, int, float, bool, None, or a JSON-shaped list/dict of them."""
    kind: Literal["const"] = "const"
    value: Any


@node
class Var(ExprBase):
    """A parameter, `let` binding, loop variable, or `self` in an invariant."""
    kind: Literal["var"] = "var"
    name: str


@node
class CollectionRef(ExprBase):
    """A whole entity collection used as a value, e.g. `users` in `users.values()`. Type: map[str, Entity]."""
    kind: Literal["collection"] = "collection"
    entity: str


@node
class Lookup(ExprBase):
    """`orders[key]`: a row by key; fails with `error`, or else the entity's not-found message."""
    kind: Literal["lookup"] = "lookup"
    entity: str
    key: "Expr"
    error: "Expr | None" = None


@node
class GetField(ExprBase):
    kind: Literal["field"] = "field"
    obj: "Expr"
    name: str


@node
class MapGet(ExprBase):
    """`m[key]` on a map field; fails with `error` (checked to exist)."""
    kind: Literal["map_get"] = "map_get"
    obj: "Expr"
    key: "Expr"
    error: "Expr | None" = None


@node
class ListIndex(ExprBase):
    """`xs[i]` of a list, or `s[i]` of a string; fails with "list index out of range" (or
    "string index out of range"), as Python does."""
    kind: Literal["list_index"] = "list_index"
    obj: "Expr"
    index: "Expr"


@node
class Unary(ExprBase):
    kind: Literal["unary"] = "unary"
    op: Literal["not", "neg"]
    operand: "Expr"


BinaryOpName = Literal["+", "-", "*", "/", "//", "%", "and", "or",
                       "==", "!=", "<", "<=", ">", ">=", "in", "not in"]


@node
class Binary(ExprBase):
    kind: Literal["binary"] = "binary"
    op: BinaryOpName
    left: "Expr"
    right: "Expr"


@node
class IsVariant(ExprBase):
    """`x is gift_card` (variant of a union), or `x is none` when `variant` is None."""
    kind: Literal["is"] = "is"
    value: "Expr"
    variant: str | None
    negated: bool = False


@node
class Conditional(ExprBase):
    kind: Literal["conditional"] = "conditional"
    condition: "Expr"
    then: "Expr"
    otherwise: "Expr"


@node
class ListExpr(ExprBase):
    kind: Literal["list"] = "list"
    items: tuple["Expr", ...]


@node
class DictExpr(ExprBase):
    kind: Literal["dict"] = "dict"
    keys: tuple["Expr", ...]
    values: tuple["Expr", ...]


@node
class Loop(Model):
    """One `for names in iterable [if condition]` clause."""
    names: tuple[str, ...]
    iterable: "Expr"
    condition: "Expr | None" = None


ComprehensionKind = Literal["list", "dict", "sum", "count", "any", "all", "find", "min", "max"]


@node
class Comprehension(ExprBase):
    """List and dict comprehensions and the aggregates over a generator.

    `find` yields the first element (optional type), `count` counts the
    elements that pass the filters, `dict` uses `key` and `element`.
    """
    kind: Literal["comprehension"] = "comprehension"
    form: ComprehensionKind
    element: "Expr"
    key: "Expr | None" = None
    loops: tuple[Loop, ...]


@node
class Builtin(ExprBase):
    """A call of a built-in function or method, resolved by the checker.

    `name` is the canonical name given by scaleenv_dsl.check.calls: a function's
    own name ("len", "round") or a method's, qualified by its receiver
    ("str.lower", "map.keys", "list.count"); `args` includes the receiver of a
    method call first.
    """
    kind: Literal["builtin"] = "builtin"
    name: str
    args: tuple["Expr", ...]
    # `replace(x, f=v)` is the built-in "replace" with args (x, a DictExpr from field names to values)


@node
class Construct(ExprBase):
    """`Payment(amount=1, ...)`: a record, entity row or union variant value.

    For a union, `variant` names the variant and the tag field is filled in.
    Optional fields left out are None.
    """
    kind: Literal["construct"] = "construct"
    variant: str | None = None
    fields: dict[str, "Expr"]


@node
class Old(ExprBase):
    """`old(e)` in an `ensures`: the value of e when the call began."""
    kind: Literal["old"] = "old"
    operand: "Expr"


@node
class HelperCall(ExprBase):
    """`eligible(order, now)`: a call of the helper `name` (a `HelperDef` of the domain), its
    arguments by position. Analyses see through it with `ToolDef.contract`, whose guards, reads
    and returns include the helper's, written over the caller's values."""
    kind: Literal["helper"] = "helper"
    name: str
    args: tuple["Expr", ...]


Expr = Union[Const, Var, CollectionRef, Lookup, GetField, MapGet, ListIndex, Unary, Binary, IsVariant,
          Conditional, ListExpr, DictExpr, Comprehension, Builtin, Construct, Old, HelperCall]


# ---------------------------------------------------------------- statements

@node
class StmtBase(Model):
    loc: Loc | None = field(default=None, compare=False)


@node
class LetStmt(StmtBase):
    """`let name = value [else error]`. With `error`, a failed lookup or an
    absent optional raises it, and `name` has the non-optional type."""
    kind: Literal["let"] = "let"
    name: str
    value: Expr
    error: Expr | None = None


@node
class RequireStmt(StmtBase):
    """`require condition else message`. `fail message` is the same statement with the condition
    `false` and `fail` set: the writer ends the call there on purpose."""
    kind: Literal["require"] = "require"
    condition: Expr
    message: Expr
    fail: bool = False


@node
class AssignStmt(StmtBase):
    """`target op value`. Targets are a local (`Var`), a field (`GetField`), a map entry (`MapGet`)
    or a list item (`ListIndex`)."""
    kind: Literal["assign"] = "assign"
    target: Expr
    op: Literal["=", "+=", "-="]
    value: Expr
    # every "Entity.field" this may change (several when a local may alias more than one
    # row), or () for a purely local value
    writes: tuple[str, ...] = ()


@node
class ListOpStmt(StmtBase):
    """`xs.append(x)`, `xs.extend(ys)`, `xs.remove(x)`, `xs.sort()` on a list, and `m.update(other)`
    on a map (its one changing method)."""
    kind: Literal["list_op"] = "list_op"
    target: Expr
    op: Literal["append", "extend", "remove", "sort", "update"]
    args: tuple[Expr, ...]
    writes: tuple[str, ...] = ()   # as for AssignStmt


@node
class IfStmt(StmtBase):
    kind: Literal["if"] = "if"
    condition: Expr
    then: tuple["Stmt", ...]
    otherwise: tuple["Stmt", ...] = ()


@node
class ForStmt(StmtBase):
    kind: Literal["for"] = "for"
    names: tuple[str, ...]
    iterable: Expr
    body: tuple["Stmt", ...]


@node
class BreakStmt(StmtBase):
    """Leaves the innermost loop; the checker admits it only inside `for`."""
    kind: Literal["break"] = "break"


@node
class ContinueStmt(StmtBase):
    """Goes on with the next element of the innermost loop."""
    kind: Literal["continue"] = "continue"


@node
class ReturnStmt(StmtBase):
    kind: Literal["return"] = "return"
    value: Expr


@node
class EnsuresStmt(StmtBase):
    """A postcondition, checked where it stands; failing it is a spec bug, not a user error."""
    kind: Literal["ensures"] = "ensures"
    condition: Expr
    message: Expr | None = None


@node
class InsertStmt(StmtBase):
    """`insert Entity(...)`: fails with `error` (default "<Entity> already exists") when the key is taken."""
    kind: Literal["insert"] = "insert"
    entity: str
    row: Expr
    error: Expr | None = None


@node
class DeleteStmt(StmtBase):
    """`delete coll[key] [else error]`: fails with `error`, or the entity's not-found message."""
    kind: Literal["delete"] = "delete"
    entity: str
    key: Expr
    error: Expr | None = None


@node
class DeleteEntryStmt(StmtBase):
    """`delete m[key] [else error]` on a map: removes the entry, or fails with `error` (the checker
    fills in `"Key " + key + " not found"` when the spec gives none)."""
    kind: Literal["delete_entry"] = "delete_entry"
    map: Expr
    key: Expr
    error: Expr
    writes: tuple[str, ...] = ()   # as for AssignStmt


Stmt = Union[LetStmt, RequireStmt, AssignStmt, ListOpStmt, IfStmt, ForStmt, BreakStmt, ContinueStmt, ReturnStmt,
          EnsuresStmt, InsertStmt, DeleteStmt, DeleteEntryStmt]


# ---------------------------------------------------------------- declarations

CompareMode = Literal["exact", "ignore", "unordered", "tolerance", "normalized"]


@node
class ComparePolicy(Model):
    mode: CompareMode = "exact"
    tolerance: float = 0.0


@node
class FieldDef(Model):
    name: str
    type: TypeRef
    doc: str = ""
    example: Any = None
    compare: ComparePolicy = field(default_factory=lambda: ComparePolicy())
    loc: Loc | None = field(default=None, compare=False)


@node
class Invariant(Model):
    condition: Expr
    message: Expr
    loc: Loc | None = field(default=None, compare=False)


@node
class EnumDef(Model):
    name: str
    values: tuple[str, ...]
    loc: Loc | None = field(default=None, compare=False)


@node
class RecordDef(Model):
    name: str
    doc: str = ""
    fields: tuple[FieldDef, ...]
    invariants: tuple[Invariant, ...] = ()
    loc: Loc | None = field(default=None, compare=False)


@node
class VariantDef(Model):
    name: str
    fields: tuple[FieldDef, ...]
    invariants: tuple[Invariant, ...] = ()
    loc: Loc | None = field(default=None, compare=False)


@node
class UnionDef(Model):
    """A tagged union: the `tag` field holds the variant name in the data."""
    name: str
    tag: str
    doc: str = ""
    variants: tuple[VariantDef, ...]
    # fields present with the same type in every variant: usable without narrowing
    common_fields: tuple[str, ...] = ()
    loc: Loc | None = field(default=None, compare=False)


@node
class EntityDef(Model):
    """A table of rows keyed by `key`, stored in the data under `collection`."""
    name: str
    collection: str
    key: str
    # the message of a failed lookup; when it is built from the key, `not_found` is its source text
    # and `not_found_message` the expression, over a `Var` named like the key (see `not_found_for`)
    not_found: str
    not_found_message: Expr | None = None
    doc: str = ""
    fields: tuple[FieldDef, ...]
    invariants: tuple[Invariant, ...] = ()
    # `key user_id from map`: the data stores rows without their key field. Every stage after
    # loading sees rows with it (see `keyed_rows`); the data file's shape has it left out
    # (`stored_rows`), so that the data dumps back as it was read.
    key_from_map: bool = False
    loc: Loc | None = field(default=None, compare=False)


def keyless_collections(domain: "Domain") -> dict[str, str]:
    """Collection -> key field, for the entities whose rows are stored without their key."""
    return {e.collection: e.key for e in domain.entities if e.key_from_map}


def keyed_rows(keyless: dict[str, str], data: dict) -> dict:
    """`data` with each row of a keyless collection given its key field, first, from the key it is
    stored under: the rows tools, goals and invariants read. New dicts for those collections and
    rows; `data` itself (possibly a cached file's contents) is not changed. Rows that are not
    objects are left as they are, for the data checker to report."""
    if not keyless or not isinstance(data, dict):
        return data
    out = dict(data)
    for collection, key_field in keyless.items():
        rows = data.get(collection)
        if isinstance(rows, dict):
            out[collection] = {k: keyed_row(key_field, k, row) for k, row in rows.items()}
    return out


def keyed_row(key_field: str, key, row):
    """One stored row of a keyless collection, with its key field put back in front."""
    return {key_field: key, **row} if isinstance(row, dict) else row


def stored_rows(keyless: dict[str, str], data: dict) -> dict:
    """`data` in the data file's shape: the rows of keyless collections without their key field.
    The inverse of `keyed_rows`; rows are shallow copies, other collections are `data`'s own."""
    if not keyless:
        return data
    out = dict(data)
    for collection, key_field in keyless.items():
        rows = data.get(collection)
        if isinstance(rows, dict):
            out[collection] = {k: stored_row(key_field, row) for k, row in rows.items()}
    return out


def stored_row(key_field: str, row):
    """One live row of a keyless collection as the data file stores it: without its key field."""
    return {f: v for f, v in row.items() if f != key_field} if isinstance(row, dict) else row


def not_found_for(entity: EntityDef, key: Expr) -> Expr:
    """The message of a failed lookup of `key` in the entity's collection: its constant text, or its
    message built from the key with `key` in place of the key's name."""
    if entity.not_found_message is None:
        return Const(type=STR, value=entity.not_found)
    return substitute(entity.not_found_message, entity.key, key)


def substitute(e: Model, name: str, value: Model) -> Model:
    """`e` with every `Var(name)` replaced by `value` (the expressions this serves bind no names)."""
    if isinstance(e, Var) and e.name == name:
        return value
    changes = {}
    for f in fields(e):
        old = getattr(e, f.name)
        if isinstance(old, Model):
            new = substitute(old, name, value)
        elif isinstance(old, tuple) and any(isinstance(x, Model) for x in old):
            new = tuple(substitute(x, name, value) if isinstance(x, Model) else x for x in old)
        else:
            continue
        if new is not old:
            changes[f.name] = new
    return replace(e, **changes) if changes else e


@node
class ParamDef(Model):
    """A tool's parameter. `has_default`: `default` is the value the call takes when the
    argument is left out (`hour: int = 13`); the schemas show it and do not require it."""
    name: str
    type: TypeRef
    doc: str = ""
    example: Any = None
    default: Any = None
    has_default: bool = False
    # the name the body reads it by (`Var(local)`), when it differs from the public `name`:
    # `items as wanted: list[Item]`
    local: str = ""
    loc: Loc | None = field(default=None, compare=False)

    @property
    def body_name(self) -> str:
        return self.local or self.name

    @property
    def may_be_left_out(self) -> bool:
        return self.has_default or self.type.kind == "optional"


# ---------------------------------------------------------------- contracts
#
# A tool's body, normalised for analyses that must not re-interpret statements (the planner,
# task synthesis, procedural tests): what must hold for a call to succeed, and what it changes
# and reads. Values are expressed over parameters and rows: a `let` bound to `orders[order_id]`
# is replaced by that lookup, so `order.status` reads as `orders[order_id].status`.

GuardKind = Literal["argument", "lookup", "present", "require", "unique", "index"]


@node
class Guard(Model):
    """A condition a call must meet, and the error it fails with when it does not.

    `id` ("tool#3") is stable for a given spec and is what a failed call reports, with `loc`.
    `condition` is what must hold (None for an argument's type check, which the binder
    does); `when` are the branch conditions under which the guard is reached.
    """
    id: str
    kind: GuardKind
    condition: "Expr | None"
    message: str | None          # the message when it is a constant
    message_expr: "Expr | None"  # the message as written, when it is computed
    when: tuple["Expr", ...] = ()
    in_loop: bool = False
    loc: Loc
    # for a guard a helper brings, where the tool's body calls the (outermost) helper: the point
    # of the tool's body at which the guard is checked, while `loc` stands in the helper
    site: Loc | None = field(default=None, compare=False)


# `delete_key`: a map entry removed (`delete row.m[k]`); `path` ends at the entry ("[]")
EffectOp = Literal["set", "insert", "delete", "delete_key", "append", "extend", "remove", "sort", "update"]


@node
class Effect(Model):
    """One change a call may make to the state.

    The row is `entity` keyed by `key` (an expression over parameters and rows). `path` walks
    from the row to what changes; each "[]" step is a map key or list index given, in order,
    by `keys`. `value` is what is written (for `+=`, the sum). `opaque` says the key or a
    path key depends on something the contract cannot express (a loop variable, a local
    assigned in a branch): the entity and fields are right, the row is not known statically.
    """
    entity: str
    key: "Expr | None"
    path: tuple[str, ...] = ()
    keys: tuple["Expr", ...] = ()
    op: EffectOp
    value: "Expr | None" = None
    when: tuple["Expr", ...] = ()
    in_loop: bool = False
    opaque: bool = False
    loc: Loc | None = field(default=None, compare=False)


@node
class Read(Model):
    """A part of the state a call reads, keyed as an Effect is. `key` None: a scan of every row."""
    entity: str
    key: "Expr | None"
    path: tuple[str, ...] = ()
    keys: tuple["Expr", ...] = ()
    in_loop: bool = False
    opaque: bool = False


@node
class Return(Model):
    value: "Expr"
    when: tuple["Expr", ...] = ()


ParamSource = Literal["keys", "map-keys", "member-keys", "enum", "choices", "free"]


@node
class ParamDomain(Model):
    """Where a parameter's values can come from.

    keys: the keys of `entity`. map-keys: the keys of the map at `path` in a row of `entity`.
    member-keys: the field at the end of `path` of the members of a list in a row of `entity`.
    enum and choices: exactly `values` (an enum's, or a `require p in [...]` list's).
    free: anything of the type. `element` is True when the parameter is a list of such values.
    """
    param: str
    source: ParamSource
    entity: str | None = None
    path: tuple[str, ...] = ()
    values: tuple[str, ...] = ()
    element: bool = False


@node
class ToolContract(Model):
    guards: tuple[Guard, ...] = ()
    # the guard ids of each helper call: for a call's place ("file:line:col:end_line:end_col" in
    # the tool), a map from the places inside the helper to the ids of the tool's guards they
    # raise as, and from each nested helper call's place to its own such map
    helper_guards: dict[str, Any] = field(default_factory=dict)
    effects: tuple[Effect, ...] = ()
    reads: tuple[Read, ...] = ()
    returns: tuple[Return, ...] = ()
    params: tuple[ParamDomain, ...] = ()
    # the parts of the body the contract could not normalise, in words, for a reader
    opaque: tuple[str, ...] = ()

    def guard(self, guard_id: str) -> Guard:
        return _find({g.id: g for g in self.guards}, guard_id, "guard", "this tool")

    def param(self, name: str) -> ParamDomain:
        return _find({p.param: p for p in self.params}, name, "parameter", "this tool")


@node
class ToolDef(Model):
    name: str
    doc: str = ""
    params: tuple[ParamDef, ...]
    returns: TypeRef | None = None
    returns_doc: str = ""
    body: tuple[Stmt, ...]
    # inferred by the checker from the body, never declared
    reads: tuple[str, ...] = ()          # entities whose rows the body reads
    writes: tuple[str, ...] = ()         # entities whose rows the body changes, inserts or deletes
    read_fields: tuple[str, ...] = ()    # "Entity.field" read; "Entity.*" for a returned row
    write_fields: tuple[str, ...] = ()   # "Entity.field" changed; "Entity.*" for insert/delete
    errors: tuple[str, ...] = ()         # the constant error messages the body can raise
    inserts: tuple[str, ...] = ()        # entities the body inserts rows into
    deletes: tuple[str, ...] = ()        # entities the body deletes rows from
    contract: ToolContract | None = None  # filled in by the checker once the body checks clean
    loc: Loc | None = field(default=None, compare=False)

    @property
    def is_write(self) -> bool:
        return bool(self.writes)


@node
class HelperDef(Model):
    """`def name(params) -> returns { body }`: pure, non-recursive, bounded. The body holds
    `let`, `require`, `fail`, `if`, `for` over values, assignments to its own locals and `return`;
    `reads` and `read_fields` are what it reads, the helpers it calls included."""
    name: str
    doc: str = ""
    params: tuple[ParamDef, ...]
    returns: TypeRef
    body: tuple[Stmt, ...]
    reads: tuple[str, ...] = ()
    read_fields: tuple[str, ...] = ()
    errors: tuple[str, ...] = ()
    calls: tuple[str, ...] = ()  # the helpers it calls directly
    loc: Loc | None = field(default=None, compare=False)


def place_key(loc: Loc) -> str:
    """A span as text: the key of `ToolContract.helper_guards` and of what it holds."""
    return f"{loc.file}:{loc.line}:{loc.column}:{loc.end_line}:{loc.end_column}"


@node
class ActionCall(Model):
    tool: str
    arguments: dict[str, Any]
    loc: Loc | None = field(default=None, compare=False)


RewardBasis = Literal["state", "goal", "actions", "communicate"]


@node
class TaskDef(Model):
    name: str
    doc: str = ""
    instruction: str = ""
    knows: dict[str, Any] = field(default_factory=dict)
    initial: dict[str, dict[str, Any]] = field(default_factory=dict)
    actions: tuple[ActionCall, ...] = ()
    goals: tuple[Expr, ...] = ()
    communicate: tuple[str, ...] = ()
    reward: tuple[RewardBasis, ...] = ("state",)
    # the task's own `clock`, an ISO datetime with seconds, overriding the domain's; None: the domain's
    clock: str | None = None
    loc: Loc | None = field(default=None, compare=False)


@node
class Domain(Model):
    name: str
    description: str = ""
    policy: str = ""
    # the initial data file, resolved to an absolute path, or None for empty tables
    data_path: str | None = None
    # each tool call's budget (runtime/limits.py): loop iterations and comprehension elements,
    # and characters and elements of the strings, lists and maps it builds
    step_limit: int = DEFAULT_STEP_LIMIT
    size_limit: int = DEFAULT_SIZE_LIMIT
    # what `now()` and `today()` read, an ISO datetime with seconds (`clock "…"` in the header);
    # None when the header sets none, and then no expression reads it
    clock: str | None = None
    enums: tuple[EnumDef, ...] = ()
    records: tuple[RecordDef, ...] = ()
    unions: tuple[UnionDef, ...] = ()
    entities: tuple[EntityDef, ...] = ()
    tools: tuple[ToolDef, ...] = ()
    helpers: tuple[HelperDef, ...] = ()
    tasks: tuple[TaskDef, ...] = ()
    files: tuple[str, ...] = ()

    def model_dump_json(self, **kwargs) -> str:
        return _domain_adapter().dump_json(self, **kwargs).decode()

    def model_dump(self, **kwargs) -> dict:
        return _domain_adapter().dump_python(self, mode="json", **kwargs)

    @staticmethod
    def model_validate_json(text: str | bytes) -> "Domain":
        return _domain_adapter().validate_json(text)

    @staticmethod
    def model_validate(data: dict) -> "Domain":
        return _domain_adapter().validate_python(data)

    def entity(self, name: str) -> EntityDef:
        return _find(self._index["entity"], name, "entity", self.name)

    def entity_of_collection(self, collection: str) -> EntityDef:
        return _find(self._index["collection"], collection, "collection", self.name)

    def tool(self, name: str) -> ToolDef:
        return _find(self._index["tool"], name, "tool", self.name)

    def task(self, name: str) -> TaskDef:
        return _find(self._index["task"], name, "task", self.name)

    def helper(self, name: str) -> HelperDef:
        return _find(self._index["helper"], name, "helper", self.name)

    def type_def(self, name: str) -> EnumDef | RecordDef | UnionDef | EntityDef:
        return _find(self._index["type"], name, "type", self.name)

    @cached_property
    def _index(self) -> dict[str, dict[str, Model]]:
        # built on first use: a Domain never changes, so neither do its indexes
        types = {d.name: d for table in (self.enums, self.records, self.unions, self.entities) for d in table}
        return {"entity": {e.name: e for e in self.entities},
                "collection": {e.collection: e for e in self.entities},
                "tool": {t.name: t for t in self.tools},
                "task": {t.name: t for t in self.tasks},
                "helper": {h.name: h for h in self.helpers},
                "type": types}


def _find(index: dict, name: str, what: str, domain: str):
    try:
        return index[name]
    except (KeyError, TypeError):
        raise KeyError(f"domain {domain!r} has no {what} {name!r}") from None


@cache
def _domain_adapter():
    # pydantic is imported here, not at the top: `scaleenv check` never serialises, and
    # importing pydantic would be a tenth of its cold-start budget. Each node's `kind`
    # literal tells the union members apart when loading.
    from pydantic import TypeAdapter

    return TypeAdapter(Domain)



