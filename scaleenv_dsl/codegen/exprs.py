"""IR expressions -> Python expression source.

Every operator is parenthesised, so Python's precedence never reinterprets
the spec's. Lookups that may fail call runtime helpers; their messages are
passed as constants, or as `lambda:` thunks when they are computed, so that
building a message costs nothing on the success path.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .. import ir
from .names import GenerationError, helper_function, literal, local


class DomainInfo:
    """Fast name -> declaration maps over a Domain."""

    def __init__(self, domain: ir.Domain):
        self.domain = domain
        self.entities = {e.name: e for e in domain.entities}
        self.records = {r.name: r for r in domain.records}
        self.unions = {u.name: u for u in domain.unions}
        self.enums = {e.name: e for e in domain.enums}
        self.helpers = {h.name: h for h in domain.helpers}
        # the helper functions the module needs: one per helper and set of entities its caller
        # writes (whose rows it must reach as a writer does), by (helper, writes) -> function name
        self.helper_variants: dict[tuple[str, frozenset], str] = {}
        self.guard_tables: list[tuple[str, str]] = []  # module constants: (name, literal)
        self._places: dict[str, tuple[dict[str, int], dict[str, str]]] = {}

    def helper_function(self, name: str, writes: frozenset) -> str:
        if name not in self.helpers:
            raise GenerationError(f"unknown helper {name!r}")
        # only the written entities the helper reaches make its code differ (its reads include
        # those of the helpers it calls)
        writes = frozenset(writes) & frozenset(self.helpers[name].reads)
        key = (name, writes)
        if key not in self.helper_variants:
            count = sum(1 for n, _ in self.helper_variants if n == name)
            self.helper_variants[key] = helper_function(name) + (f"_{count}" if count else "")
        return self.helper_variants[key]

    def places(self, helper: str) -> tuple[dict[str, int], dict[str, str]]:
        """A number for each place in the helper's body, by `ir.place_key`, and the helper each
        call among them calls: the keys of the guard tables the helper's function reads."""
        if helper not in self._places:
            numbers, callees = {}, {}
            for node in ir.walk(self.helpers[helper].body):
                at = getattr(node, "loc", None)
                if at is not None:
                    numbers.setdefault(ir.place_key(at), len(numbers))
                if isinstance(node, ir.HelperCall) and at is not None:
                    callees[ir.place_key(at)] = node.name
            self._places[helper] = (numbers, callees)
        return self._places[helper]

    def guard_table(self, helper: str, table: dict) -> dict:
        """The contract's table for a call of `helper` (places -> guard ids, nested per call),
        keyed by the numbers of `places`: a generated module names no spec file."""
        numbers, callees = self.places(helper)
        out = {}
        for place, value in table.items():
            if place not in numbers:
                continue
            if isinstance(value, dict):
                value = self.guard_table(callees.get(place, helper), value) if place in callees else {}
            out[numbers[place]] = value
        return out

    def guard_table_constant(self, helper: str, table: dict) -> str:
        source = _table_literal(self.guard_table(helper, table))
        name = f"_G{len(self.guard_tables)}"
        self.guard_tables.append((name, source))
        return name

    def collection(self, entity: str) -> str:
        try:
            return self.entities[entity].collection
        except KeyError:
            raise GenerationError(f"unknown entity {entity!r}") from None

    def union_tag(self, t: ir.TypeRef) -> str:
        t = strip_optional(t)
        if t.kind != "union" or t.name not in self.unions:
            raise GenerationError(f"`is <variant>` on a value of type {t}")
        return self.unions[t.name].tag


def _table_literal(table: dict) -> str:
    items = ", ".join(f"{k}: {_table_literal(v) if isinstance(v, dict) else literal(v)}" for k, v in table.items())
    return "{" + items + "}"


def strip_optional(t: ir.TypeRef) -> ir.TypeRef:
    while t.kind == "optional":
        t = t.args[0]
    return t


@dataclass
class FunctionContext:
    """What the function being generated can reach.

    `writes` holds the entities whose rows it may change: reaching one of
    their rows records it as touched. `has_state` is false for goals and
    invariants, which see only the data (`_D`).
    """
    info: DomainInfo
    writes: frozenset = frozenset()
    has_state: bool = False
    in_ensures: bool = False
    uses_old: bool = field(default=False)
    hoisted: int = 0  # names `_h0`, `_h1`, ... given to loop-invariant values so far
    # the tool's guards by where they stand in the spec, so that a failure names the guard that fired
    guards: dict = field(default_factory=dict)
    # the tool's guard tables of its helper calls (`ToolContract.helper_guards`)
    helper_guards: dict = field(default_factory=dict)
    # in a helper's function: the helper's name. Its guards' ids depend on the calling tool, which
    # passes them in `_G`, keyed by the numbers of `DomainInfo.places`
    helper: str | None = None

    def guard(self, loc: ir.Loc | None) -> str:
        """The id of the guard at `loc`, for the runtime helper that raises it, or None: a literal
        in a tool, the lookup in `_G` in a helper."""
        if self.helper is not None:
            number = self.info.places(self.helper)[0].get(ir.place_key(loc)) if loc is not None else None
            return "None" if number is None else f"_G.get({number})"
        guard_id = self.guards.get(_place(loc)) if loc is not None else None
        return literal(guard_id)

    def guard_table(self, call: ir.HelperCall) -> str:
        """The guard table a call of a helper passes on."""
        if call.loc is None:
            return "{}"
        if self.helper is not None:
            number = self.info.places(self.helper)[0].get(ir.place_key(call.loc))
            return "{}" if number is None else f"_G.get({number}, {{}})"
        return self.info.guard_table_constant(call.name, self.helper_guards.get(ir.place_key(call.loc), {}))


def _place(loc: ir.Loc) -> tuple:
    # the whole span: nested expressions (`xs[0].lines[1]`) can start at the same column
    return (loc.file, loc.line, loc.column, loc.end_line, loc.end_column)


def guards_by_place(tool: ir.ToolDef) -> dict:
    if tool.contract is None:
        return {}
    return {_place(g.loc): g.id for g in tool.contract.guards if g.kind != "argument"}


# Python built-ins the generated module may call: the restricted namespace offers exactly these.
PYTHON_BUILTINS = ("len", "round", "abs", "min", "max", "sum", "any", "all", "sorted", "str", "int",
                   "float", "zip", "enumerate", "list", "next", "type", "dict")

_FUNCTIONS = {  # spec built-in -> Python callable in the generated module
    "len": "len", "round": "round", "abs": "abs", "min": "min", "max": "max", "sum": "sum",
    "any": "any", "all": "all", "sorted": "sorted", "str": "str", "int": "int", "float": "float",
    "to_json": "_to_json", "arithmetic": "_arithmetic",
}
_ITERATORS = {"zip": "zip", "enumerate": "enumerate"}
_METHODS = {  # spec method -> (Python method, argument count)
    "str.lower": ("lower", 0), "str.upper": ("upper", 0), "str.strip": ("strip", 0),
    "str.startswith": ("startswith", 1), "str.endswith": ("endswith", 1),
    "str.replace": ("replace", 2), "str.split": ("split", 1), "str.join": ("join", 1),
    "list.count": ("count", 1), "list.index": ("index", 1), "map.get": ("get", 1),
}
_MAP_VIEWS = ("map.keys", "map.values", "map.items")
_NUMERIC_RESULTS = ("sum", "round", "int", "float")  # built-ins whose result may leave the number range
# methods whose result may be far larger than their arguments: charged before they build it
_BUILDING_METHODS = {"str.replace": 3, "str.join": 2}
_BUILDING_METHODS_RUNTIME = {"str.replace": "_replace", "str.join": "_join"}
_COMPUTING = ("+", "-", "*", "/", "//", "%")  # the operators that build a value: checked or charged
_ARITHMETIC = ("+", "-", "*", "/", "//", "%", "==", "!=", "<", "<=", ">", ">=", "in", "not in", "and", "or")


# String methods that cannot fail on a string: evaluating them once before a scan
# instead of once per element changes nothing but the time taken.
_INVARIANT_METHODS = ("str.lower", "str.upper", "str.strip")
_STRING_KINDS = ("str", "enum", "ref")


class ExprCompiler:
    def __init__(self, ctx: FunctionContext):
        self.ctx = ctx
        self.info = ctx.info
        self._hoisted: dict[tuple[str, str], str] = {}  # (method, variable) -> hoisted name

    _KINDS = frozenset({"const", "var", "collection", "lookup", "field", "map_get", "list_index", "unary", "binary",
                        "is", "conditional", "list", "dict", "comprehension", "builtin", "construct", "old",
                        "helper"})

    def expr(self, e: ir.Expr) -> str:
        kind = getattr(e, "kind", None)
        if kind not in self._KINDS:  # an explicit table: IR text never picks an arbitrary method
            raise GenerationError(f"unknown expression kind {kind!r}")
        return getattr(self, "_" + kind)(e)

    def message(self, e: ir.Expr | None, default: str | None = None) -> str:
        """An error message: a constant, or a thunk evaluated only when the error happens."""
        if e is None:
            return literal(default)
        if isinstance(e, ir.Const):
            return literal(e.value if isinstance(e.value, str) else str(e.value))
        return f"(lambda: {self.expr(e)})"

    def iterable(self, e: ir.Expr, bounded: bool = False) -> str:
        """An expression in `for … in HERE`: map views and zip/enumerate stay lazy.

        `bounded` is for a loop whose body may grow lists: each list is iterated
        only up to the length it had when the loop began (see runtime `bounded`).
        """
        if isinstance(e, ir.Builtin):
            if e.name in _MAP_VIEWS:
                view = self._map_view(e, as_list=False)
                # a view has a length; a writing tool's scan of a collection charges itself
                charged = view.startswith(("_values_touch(", "_items_touch(")) or not self.ctx.has_state
                return view if charged else f"_steps(_S, {view})"
            if e.name in _ITERATORS:
                args = ", ".join(self._bounded(a) if bounded else self.expr(a) for a in e.args)
                return f"{_ITERATORS[e.name]}({args})"
        return self._bounded(e) if bounded else self._metered(e)

    def _bounded(self, e: ir.Expr) -> str:
        source = self._metered(e)
        if e.type.kind != "list" or isinstance(e, (ir.ListExpr, ir.Comprehension)):
            return source  # not a list, or a new one the loop body cannot name
        return f"_bounded({source})"

    def _metered(self, e: ir.Expr) -> str:
        """`e` iterated by a tool: the loop's length is charged to the call's steps before it starts
        (a writing tool's scans of a collection charge themselves, in runtime/state.py)."""
        source = self.expr(e)
        if not self.ctx.has_state:
            return source
        return f"_steps(_S, {source})"

    def arithmetic(self, op: str, left: str, right: str, left_type: ir.TypeRef, right_type: ir.TypeRef,
                   result: ir.TypeRef) -> str:
        """`left op right` for an arithmetic operator: a number is range-checked, and a string or list
        that `+` builds is charged to the call's size budget first (runtime/limits.py)."""
        state = "_S" if self.ctx.has_state else "None"
        if strip_optional(left_type).kind == "any" or strip_optional(right_type).kind == "any":
            return f"_arithmetic_any({state}, {literal(op)}, {left}, {right})"
        kind = strip_optional(result).kind
        if kind in ("int", "float"):
            return f"_number({left} {op} {right})"
        if op == "+" and kind in ("str", "list") and self.ctx.has_state:
            return f"_concat(_S, {left}, {right})"
        return f"({left} {op} {right})"

    # ------------------------------------------------------------ leaves
    def _const(self, e: ir.Const) -> str:
        return literal(e.value)

    def _var(self, e: ir.Var) -> str:
        return local(e.name)

    def _collection(self, e: ir.CollectionRef) -> str:
        coll = literal(self.info.collection(e.entity))
        if self._writes(e.entity):
            return f"_touch_all(_S, {coll})"
        return f"_D[{coll}]"

    def _writes(self, entity: str) -> bool:
        return self.ctx.has_state and entity in self.ctx.writes

    # ------------------------------------------------------------ access
    def _lookup(self, e: ir.Lookup) -> str:
        entity = self.info.entities.get(e.entity)
        if entity is None:
            raise GenerationError(f"unknown entity {e.entity!r}")
        coll = literal(entity.collection)
        message = self.message(e.error, entity.not_found)
        guard = self.ctx.guard(e.loc)
        if self._writes(e.entity):
            return f"_lookup_touch(_S, {coll}, {self.expr(e.key)}, {message}, {guard})"
        return f"_lookup(_D[{coll}], {self.expr(e.key)}, {message}, {guard})"

    def _field(self, e: ir.GetField) -> str:
        obj = self.expr(e.obj)
        if e.type.kind in ("optional", "none", "any"):
            return f"{obj}.get({literal(e.name)})"
        return f"{obj}[{literal(e.name)}]"

    def _map_get(self, e: ir.MapGet) -> str:
        message = self.message(e.error) if e.error is not None else "None"
        return f"_map_get({self.expr(e.obj)}, {self.expr(e.key)}, {message}, {self.ctx.guard(e.loc)})"

    def _list_index(self, e: ir.ListIndex) -> str:
        return f"{self.expr(e.obj)}[{self.expr(e.index)}]"

    # ------------------------------------------------------------ operators
    def _unary(self, e: ir.Unary) -> str:
        if e.op == "not":
            return f"(not {self.expr(e.operand)})"
        if e.op == "neg":
            return f"(-{self.expr(e.operand)})"
        raise GenerationError(f"unknown unary operator {e.op!r}")

    def _binary(self, e: ir.Binary) -> str:
        if e.op not in _ARITHMETIC:
            raise GenerationError(f"unknown operator {e.op!r}")
        links = _chain_links(e)
        if links is not None:
            return self._chain(links)
        left = self.expr(e.left)
        right = self._membership_target(e.right) if e.op in ("in", "not in") else self.expr(e.right)
        if e.op in _COMPUTING:
            return self.arithmetic(e.op, left, right, e.left.type, e.right.type, e.type)
        return f"({left} {e.op} {right})"

    def _chain(self, links: list[ir.Binary]) -> str:
        text = self.expr(links[0].left)
        for link in links:
            text += f" {link.op} {self.expr(link.right)}"
        return f"({text})"

    def _membership_target(self, e: ir.Expr) -> str:
        # `key in users` tests a key: no row is reached, so nothing is touched
        if isinstance(e, ir.CollectionRef):
            return f"_D[{literal(self.info.collection(e.entity))}]"
        return self.expr(e)

    def _is(self, e: ir.IsVariant) -> str:
        if e.variant is None and isinstance(e.value, ir.Const):
            # decided now: Python warns about `is` on a literal
            return repr((e.value.value is None) != e.negated)
        value = self.expr(e.value)
        if e.variant is None:
            return f"({value} is {'not ' if e.negated else ''}None)"
        tag = self.info.union_tag(e.value.type)
        if e.value.type.kind == "union":  # always a row-like dict: test its tag directly
            test = f"({value}.get({literal(tag)}) == {literal(e.variant)})"
        else:
            test = f"_is_variant({value}, {literal(tag)}, {literal(e.variant)})"
        return f"(not {test})" if e.negated else test

    def _conditional(self, e: ir.Conditional) -> str:
        return f"({self.expr(e.then)} if {self.expr(e.condition)} else {self.expr(e.otherwise)})"

    # ------------------------------------------------------------ displays
    def _list(self, e: ir.ListExpr) -> str:
        return "[" + ", ".join(self.expr(i) for i in e.items) + "]"

    def _dict(self, e: ir.DictExpr) -> str:
        pairs = [f"{self.expr(k)}: {self.expr(v)}" for k, v in zip(e.keys, e.values)]
        return "{" + ", ".join(pairs) + "}"

    def _construct(self, e: ir.Construct) -> str:
        pairs = []
        for name, value in self._ordered_fields(e):
            pairs.append(f"{literal(name)}: {self.expr(value)}")
        return "{" + ", ".join(pairs) + "}"

    def _ordered_fields(self, e: ir.Construct) -> list[tuple[str, ir.Expr]]:
        """The given fields in declaration order (a union's tag first), so rows dump tidily."""
        declared: list[str] = []
        t = e.type
        fields = dict(e.fields)
        prefix: list[tuple[str, ir.Expr]] = []
        if t.kind == "union":
            union = self.info.unions.get(t.name)
            if union is None or e.variant is None:
                raise GenerationError(f"cannot build a value of union {t.name!r}")
            variant = next((v for v in union.variants if v.name == e.variant), None)
            if variant is None:
                raise GenerationError(f"union {t.name!r} has no variant {e.variant!r}")
            prefix = [(union.tag, ir.Const(type=ir.STR, value=e.variant))]
            fields.pop(union.tag, None)
            declared = [f.name for f in variant.fields]
        elif t.kind in ("record", "entity"):
            decl = self.info.records.get(t.name) or self.info.entities.get(t.name)
            declared = [f.name for f in decl.fields] if decl else []
        ordered = [(n, fields.pop(n)) for n in declared if n in fields]
        return prefix + ordered + list(fields.items())

    # ------------------------------------------------------------ comprehensions
    def _comprehension(self, e: ir.Comprehension) -> str:
        outer = dict(self._hoisted)
        try:
            hoist = self._hoist(e)
            loops = " ".join([hoist] * bool(hoist) + [self._loop(l) for l in e.loops])
            return self._comprehension_form(e, loops)
        finally:
            self._hoisted = outer

    def _hoist(self, e: ir.Comprehension) -> str:
        """A leading `for _h0, … in ((v_x.lower(), …),)` clause binding loop-invariant values once."""
        roots = [e.element, e.key, *(l.condition for l in e.loops)]
        # names bound here or by a comprehension nested inside do not exist yet where the clause goes
        bound = {n for loop in e.loops for n in loop.names}
        bound |= {n for root in roots for node in walk_expr(root) if isinstance(node, ir.Comprehension)
                  for loop in node.loops for n in loop.names}
        found: list[tuple[str, str]] = []
        for root in roots:
            for node in walk_expr(root):
                if (isinstance(node, ir.Builtin) and node.name in _INVARIANT_METHODS and len(node.args) == 1
                        and isinstance(node.args[0], ir.Var) and node.args[0].name not in bound
                        and node.args[0].type.kind in _STRING_KINDS):
                    key = (node.name, node.args[0].name)
                    if key not in self._hoisted and key not in found:
                        found.append(key)
        if not found:
            return ""
        names, values = [], []
        for method, var in found:
            name = f"_h{self.ctx.hoisted}"
            self.ctx.hoisted += 1
            values.append(f"{local(var)}.{_METHODS[method][0]}()")
            names.append(name)
            self._hoisted[(method, var)] = name
        return f"for {', '.join(names)}, in (({', '.join(values)},),)"

    def _comprehension_form(self, e: ir.Comprehension, loops: str) -> str:
        element = self.expr(e.element)
        form = e.form
        if form == "list":
            return f"[{element} {loops}]"
        if form == "dict":
            if e.key is None:
                raise GenerationError("a map comprehension needs a key")
            return f"{{{self.expr(e.key)}: {element} {loops}}}"
        if form == "count":
            # bool elements count the true ones; other elements count what passes the filters
            only_true = f" if {element}" if e.element.type.kind == "bool" else ""
            return f"sum(1 {loops}{only_true})"
        if form == "find":
            return f"next(({element} {loops}), None)"
        if form in ("sum", "any", "all", "min", "max"):
            return f"{form}({element} {loops})"
        raise GenerationError(f"unknown aggregate {form!r}")

    def _loop(self, loop: ir.Loop) -> str:
        if not 1 <= len(loop.names) <= 4:
            raise GenerationError("a loop binds one to four names")
        names = ", ".join(local(n) for n in loop.names)
        clause = f"for {names} in {self.iterable(loop.iterable)}"
        if loop.condition is not None:
            clause += f" if {self.expr(loop.condition)}"
        return clause

    # ------------------------------------------------------------ calls
    def _builtin(self, e: ir.Builtin) -> str:
        name = e.name
        if name in _INVARIANT_METHODS and e.args and isinstance(e.args[0], ir.Var):
            hoisted = self._hoisted.get((name, e.args[0].name))
            if hoisted is not None:
                return hoisted
        if name == "len" and len(e.args) == 1 and isinstance(e.args[0], ir.CollectionRef):
            return f"len({self._membership_target(e.args[0])})"  # counting rows reaches none of them
        if name == "round" and len(e.args) == 2 and not isinstance(e.args[1], ir.Const):
            # a computed precision could make Python's round run for hours
            return f"_number(_round({self._args(e.args)}))"
        if name in _NUMERIC_RESULTS and not _stays_in_range(e):  # `round(1e300)`, `int("9" * 400)`, `float("inf")`
            return f"_number({_FUNCTIONS[name]}({self._args(e.args)}))"
        if name == "to_json" and self.ctx.has_state:  # the text of a value that may repeat one list many times
            return f"_to_json_charged(_S, {self._args(e.args)})"
        if name in _BUILDING_METHODS and self.ctx.has_state and len(e.args) == _BUILDING_METHODS[name]:
            return f"{_BUILDING_METHODS_RUNTIME[name]}(_S, {self._args(e.args)})"
        if name == "slice" and len(e.args) == 3:
            obj, start, stop = (self.expr(a) for a in e.args)
            return f"{obj}[{start}:{stop}]"
        if name in _FUNCTIONS:
            return f"{_FUNCTIONS[name]}({self._args(e.args)})"
        if name in _ITERATORS:
            return f"list({_ITERATORS[name]}({self._args(e.args)}))"
        if name in _MAP_VIEWS:
            return self._map_view(e, as_list=True)
        if name == "map.get" and e.args and isinstance(e.args[0], ir.CollectionRef):
            return self._collection_get(e)
        if name in _METHODS:
            method, arity = _METHODS[name]
            if len(e.args) != arity + 1:
                raise GenerationError(f"`{name}` takes {arity} argument(s)")
            return f"{self.expr(e.args[0])}.{method}({self._args(e.args[1:])})"
        raise GenerationError(f"unknown built-in {name!r}")

    def _args(self, args: list[ir.Expr]) -> str:
        return ", ".join(self.expr(a) for a in args)

    def _map_view(self, e: ir.Builtin, as_list: bool) -> str:
        if len(e.args) != 1:
            raise GenerationError(f"`{e.name}` takes no arguments")
        receiver = e.args[0]
        view = e.name.split(".")[1]
        if isinstance(receiver, ir.CollectionRef) and self._writes(receiver.entity) and view != "keys":
            coll = literal(self.info.collection(receiver.entity))
            source = f"_{view}_touch(_S, {coll})"
            return f"list({source})" if as_list else source
        target = self._membership_target(receiver) if view == "keys" else self.expr(receiver)
        if view == "keys":
            return f"list({target})" if as_list else target
        return f"list({target}.{view}())" if as_list else f"{target}.{view}()"

    def _collection_get(self, e: ir.Builtin) -> str:
        receiver, key = e.args[0], e.args[1]
        coll = literal(self.info.collection(receiver.entity))
        if self._writes(receiver.entity):
            return f"_get_touch(_S, {coll}, {self.expr(key)})"
        return f"_D[{coll}].get({self.expr(key)})"

    def _helper(self, e: ir.HelperCall) -> str:
        """A helper's function, called with the state, its guard ids and the arguments."""
        if not self.ctx.has_state:
            raise GenerationError(f"the helper {e.name!r} is called where there is no state")
        function = self.info.helper_function(e.name, self.ctx.writes)
        args = "".join(", " + self.expr(a) for a in e.args)
        return f"{function}(_S, {self.ctx.guard_table(e)}{args})"

    def _old(self, e: ir.Old) -> str:
        if not (self.ctx.in_ensures and self.ctx.has_state):
            raise GenerationError("old(…) outside an ensures")
        self.ctx.uses_old = True
        return f"_value_at(_J, _mark, lambda: {self.expr(e.operand)}, _jcopy)"


def _stays_in_range(e: ir.Builtin) -> bool:
    """`float(n)` of a number, and `round(x, 2)` of a float: the result is finite when the argument is."""
    first = strip_optional(e.args[0].type).kind if e.args else None
    if e.name == "float":
        return first in ("int", "float")
    return e.name == "round" and len(e.args) == 2 and first == "float"


def walk_expr(e):
    """Every expression node under `e` (inclusive), comprehensions included."""
    if e is None:
        return
    stack = [e]
    while stack:
        node = stack.pop()
        yield node
        for value in vars(node).values():
            if isinstance(value, ir.Loop):
                stack += [value.iterable, value.condition]
            elif isinstance(value, ir.ExprBase):
                stack.append(value)
            elif isinstance(value, (list, tuple)):
                for item in value:
                    if isinstance(item, ir.Loop):
                        stack += [item.iterable] + ([item.condition] if item.condition is not None else [])
                    elif isinstance(item, ir.ExprBase):
                        stack.append(item)
            elif isinstance(value, dict):
                stack += [v for v in value.values() if isinstance(v, ir.ExprBase)]
        stack = [n for n in stack if n is not None]


_CHAINING = frozenset({"==", "!=", "<", "<=", ">", ">="})


def _chain_links(e: ir.Binary) -> list[ir.Binary] | None:
    """The links of `a < b and b < c and …`, where each link starts with the operand
    the one before ended with, or None. Python's chain `a < b < c` means the same
    (expressions have no effects) and evaluates `b` once, as the spec's chain promises."""
    if e.op != "and":
        return None
    left = [e.left] if _is_link(e.left) else (_chain_links(e.left) if isinstance(e.left, ir.Binary) else None)
    if not left or not _is_link(e.right) or left[-1].right != e.right.left:
        return None
    return left + [e.right]


def _is_link(e: ir.Expr) -> bool:
    return isinstance(e, ir.Binary) and e.op in _CHAINING
