"""Tool contracts: each checked tool body normalised into guards, keyed effects, reads and returns.

The last checker pass. It reads only the IR and adds `ToolDef.contract`, so that the planner,
task synthesis and procedural tests reason over one normal form instead of re-interpreting
statements. Values are rewritten over parameters and rows: a local bound by `let` is replaced
by its value, so `let order = orders[order_id]` makes `order.status = …` an effect on
`Order` keyed by `order_id`.

What cannot be normalised is marked, never guessed: an effect whose row depends on a loop
variable or on a local that branches assign differently is `opaque`; every field the checker
inferred a write to is covered by some effect, opaque if need be.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

from .. import ir

UNKNOWN = None  # a local whose value the contract cannot express


@dataclass
class _Context:
    """Where a statement stands: the branch conditions above it and whether a loop repeats it."""
    when: tuple[ir.Expr, ...] = ()
    in_loop: bool = False

    def branch(self, condition: ir.Expr) -> "_Context":
        return _Context(self.when + (condition,), self.in_loop)

    def loop(self) -> "_Context":
        return _Context(self.when, True)


def with_contracts(domain: ir.Domain) -> ir.Domain:
    """The domain with every tool's contract filled in."""
    tools = tuple(replace(t, contract=ContractBuilder(domain, t).build()) for t in domain.tools)
    return replace(domain, tools=tools)


class ContractBuilder:
    def __init__(self, domain: ir.Domain, tool: ir.ToolDef):
        self.domain = domain
        self.tool = tool
        self.params = {p.name for p in tool.params}
        # a parameter the body reads by another name (`items as wanted`): the contract, which lint,
        # prove and graph read, names it by its public name
        self.bindings: dict[str, ir.Expr | None] = {
            p.local: ir.Var(type=p.type, name=p.name, loc=p.loc) for p in tool.params if p.local}
        self.guards: list[ir.Guard] = []
        self.effects: list[ir.Effect] = []
        self.reads: dict[ir.Read, None] = {}  # ordered and de-duplicated
        self.returns: list[ir.Return] = []
        self.opaque: list[str] = []
        # helper calls: each call's value as an expression over the caller's (by node identity), and
        # the guard ids of its places (`ToolContract.helper_guards`); `places` is the table being
        # filled, None in the tool's own body
        self.expansions: dict[int, tuple[ir.HelperCall, ir.Expr]] = {}
        self.helper_guards: dict[str, object] = {}
        self.places: dict[str, object] | None = None
        self.site: ir.Loc | None = None  # the tool-level helper call being expanded

    def build(self) -> ir.ToolContract:
        for param in self.tool.params:
            self._guard("argument", None, f"`{param.name}` must be a {param.type}", None, _Context(), param.loc)
        self._block(self.tool.body, _Context())
        self._cover_inferred_writes()
        return ir.ToolContract(guards=tuple(self.guards), effects=tuple(self.effects),
                               reads=tuple(self.reads), returns=tuple(self.returns),
                               params=tuple(param_domain(self.domain, self.tool, p) for p in self.tool.params),
                               opaque=tuple(dict.fromkeys(self.opaque)), helper_guards=self.helper_guards)

    # ------------------------------------------------------------ statements
    def _block(self, stmts, ctx: _Context) -> None:
        for stmt in stmts:
            getattr(self, "_" + stmt.kind)(stmt, ctx)

    def _let(self, s: ir.LetStmt, ctx: _Context) -> None:
        self._expression(s.value, ctx)
        value = self.resolve(s.value)
        if s.error is not None and _may_be_none(s.value):
            present = ir.IsVariant(type=ir.BOOL, value=value, variant=None, negated=True, loc=s.value.loc)
            self._guard("present", present, *_message(s.error), ctx, s.loc)
        self.bindings[s.name] = value

    def _require(self, s: ir.RequireStmt, ctx: _Context) -> None:
        self._expression(s.condition, ctx)
        self._guard("require", self.resolve(s.condition), *_message(s.message), ctx, s.loc)

    def _assign(self, s: ir.AssignStmt, ctx: _Context) -> None:
        self._expression(s.value, ctx)
        value = self.resolve(s.value)
        if s.op != "=":
            value = ir.Binary(type=s.target.type, op=s.op[0], left=self.resolve(s.target), right=value, loc=s.loc)
        if isinstance(s.target, ir.Var) and not s.writes:
            self.bindings[s.target.name] = value
            return
        self._expression(s.target, ctx, reads=False)
        self._effect(s.target, "set", value, ctx, s.loc)

    def _list_op(self, s: ir.ListOpStmt, ctx: _Context) -> None:
        for arg in s.args:
            self._expression(arg, ctx)
        if not s.writes:
            if isinstance(s.target, ir.Var):  # a local list changed in place: its value is no longer the one bound
                self.bindings[s.target.name] = UNKNOWN
            return
        self._expression(s.target, ctx, reads=False)
        value = self.resolve(s.args[0]) if s.args else None
        self._effect(s.target, s.op, value, ctx, s.loc)

    def _insert(self, s: ir.InsertStmt, ctx: _Context) -> None:
        self._expression(s.row, ctx)
        entity = self.domain.entity(s.entity)
        row = self.resolve(s.row)
        key = row.fields.get(entity.key) if isinstance(row, ir.Construct) else None
        collection = ir.CollectionRef(type=ir.map_of(_row_type(s.entity)), entity=s.entity)
        free = None if key is None else ir.Binary(type=ir.BOOL, op="not in", left=key, right=collection)
        self._guard("unique", free, *_message(s.error), ctx, s.loc)
        self._add_effect(s.entity, key, (), (), "insert", row, ctx, s.loc)

    def _delete(self, s: ir.DeleteStmt, ctx: _Context) -> None:
        self._expression(s.key, ctx)
        key = self.resolve(s.key)
        entity = self.domain.entity(s.entity)
        self._guard("lookup", _member(key, s.entity), *_message(ir.not_found_for(entity, key)), ctx, s.loc)
        self._add_effect(s.entity, key, (), (), "delete", None, ctx, s.loc)

    def _if(self, s: ir.IfStmt, ctx: _Context) -> None:
        self._expression(s.condition, ctx)
        condition = self.resolve(s.condition)
        before = dict(self.bindings)
        self._block(s.then, ctx.branch(condition))
        after_then, self.bindings = self.bindings, dict(before)
        negated = ir.Unary(type=ir.BOOL, op="not", operand=condition, loc=s.condition.loc)
        self._block(s.otherwise, ctx.branch(negated))
        self.bindings = _merge(after_then, self.bindings)

    def _for(self, s: ir.ForStmt, ctx: _Context) -> None:
        self._expression(s.iterable, ctx)
        outer = dict(self.bindings)
        for name in s.names:
            self.bindings[name] = UNKNOWN
        # locals assigned in the body hold a different value on each pass
        for stmt in ir.walk(s.body):
            if isinstance(stmt, ir.AssignStmt) and isinstance(stmt.target, ir.Var):
                self.bindings[stmt.target.name] = UNKNOWN
        self._block(s.body, ctx.loop())
        self.bindings = _merge(outer, self.bindings, keep=outer)
        self.opaque.append(f"the loop at line {s.loc.line if s.loc else '?'} repeats its guards and effects "
                           "once per element")

    def _break(self, s: ir.BreakStmt, ctx: _Context) -> None:
        pass  # only inside a loop, whose guards and effects are already marked `in_loop` (not summarised)

    def _continue(self, s: ir.ContinueStmt, ctx: _Context) -> None:
        pass

    def _return(self, s: ir.ReturnStmt, ctx: _Context) -> None:
        self._expression(s.value, ctx)
        self.returns.append(ir.Return(value=self.resolve(s.value), when=ctx.when))

    def _ensures(self, s: ir.EnsuresStmt, ctx: _Context) -> None:
        pass  # a postcondition checks the spec, not the call: no guard

    # ------------------------------------------------------------ bindings
    def resolve(self, e: ir.Expr, shadowed: frozenset[str] = frozenset()) -> ir.Expr:
        """`e` with every known local replaced by its value, so that it reads over parameters and rows."""
        if isinstance(e, ir.HelperCall):
            expanded = self.expansions.get(id(e))
            if expanded is not None and expanded[0] is e and expanded[1] is not None:
                return expanded[1]
        if isinstance(e, ir.Var):
            if e.name in shadowed or e.name not in self.bindings:
                return e
            value = self.bindings[e.name]
            return e if value is None else value
        if isinstance(e, ir.Comprehension):
            inner = shadowed | {n for loop in e.loops for n in loop.names}
            return _rebuild(e, lambda child: self.resolve(child, inner))
        return _rebuild(e, lambda child: self.resolve(child, shadowed))

    def _expressible(self, e: ir.Expr | None) -> bool:
        """True when `e` mentions no variable but parameters: a value known before the call runs."""
        if e is None:
            return False
        bound = {n for node in ir.walk(e) if isinstance(node, ir.Comprehension) for loop in node.loops
                 for n in loop.names}
        return all(node.name in self.params or node.name in bound
                   for node in ir.walk(e) if isinstance(node, ir.Var))

    # ------------------------------------------------------------ helper calls
    def _helper_call(self, call: ir.HelperCall, ctx: _Context) -> None:
        """A helper's guards and reads become the caller's, written over the arguments' values;
        its value, the expression its returns give, stands for the call from here on."""
        helper = self.domain.helper(call.name)
        args = [self.resolve(a) for a in call.args]
        saved = (self.bindings, self.returns, self.places, self.site)
        table: dict[str, object] = {}
        (saved[2] if saved[2] is not None else self.helper_guards)[ir.place_key(call.loc)] = table
        self.bindings = {p.name: a for p, a in zip(helper.params, args)}
        self.returns, self.places, self.site = [], table, self.site or call.loc
        try:
            self._block(helper.body, ctx)
            value = _returned(self.returns, len(ctx.when))
        finally:
            self.bindings, self.returns, self.places, self.site = saved
        self.expansions[id(call)] = (call, value)

    # ------------------------------------------------------------ guards and reads inside expressions
    def _expression(self, e: ir.Expr, ctx: _Context, reads: bool = True) -> None:
        """The guards every lookup in `e` brings, innermost first (its key is evaluated before it), and its reads."""
        for node in _post_order(e):
            if isinstance(node, ir.Comprehension):
                continue
            if isinstance(node, ir.HelperCall) and node.loc is not None:
                self._helper_call(node, ctx)
            elif isinstance(node, ir.Lookup):
                message = _message(node.error) if node.error is not None else \
                    (self.domain.entity(node.entity).not_found, None)
                self._guard("lookup", _member(self.resolve(node.key), node.entity), *message, ctx, node.loc)
            elif isinstance(node, ir.MapGet):
                condition = ir.Binary(type=ir.BOOL, op="in", left=self.resolve(node.key),
                                      right=self.resolve(node.obj))
                message = _message(node.error) if node.error is not None else (None, None)
                self._guard("lookup", condition, *message, ctx, node.loc)
            elif isinstance(node, ir.ListIndex):
                condition = ir.Binary(type=ir.BOOL, op="<", left=self.resolve(node.index),
                                      right=ir.Builtin(type=ir.INT, name="len", args=(self.resolve(node.obj),)))
                what = "list" if node.obj.type.kind == "list" else "string"  # Python's own words
                self._guard("index", condition, f"{what} index out of range", None, ctx, node.loc)
        if reads:
            self._reads(self.resolve(e), ctx)

    def _reads(self, e: ir.Expr, ctx: _Context) -> None:
        """Record the outermost row accesses in `e`, and every collection it scans."""
        pending = [e]
        while pending:
            node = pending.pop()
            place = row_place(node)
            if place is not None and isinstance(node, (ir.GetField, ir.MapGet, ir.ListIndex, ir.Lookup)):
                entity, key, path, keys = place
                self._add_read(entity, key, path, keys, ctx)
                pending.extend(keys)
                pending.append(key)
                continue
            if isinstance(node, ir.CollectionRef):
                self.reads.setdefault(ir.Read(entity=node.entity, key=None, in_loop=ctx.in_loop, opaque=True))
            pending.extend(ir.children(node))

    def _add_read(self, entity, key, path, keys, ctx: _Context) -> None:
        opaque = not (self._expressible(key) and all(self._expressible(k) for k in keys))
        self.reads.setdefault(ir.Read(entity=entity, key=key, path=path, keys=keys, in_loop=ctx.in_loop,
                                      opaque=opaque))

    def _guard(self, kind, condition, message, message_expr, ctx: _Context, loc) -> None:
        guard_id = f"{self.tool.name}#{len(self.guards) + 1}"
        if self.places is not None and loc is not None:  # inside a helper: its code raises it by place
            self.places[ir.place_key(loc)] = guard_id
        self.guards.append(ir.Guard(id=guard_id, kind=kind, condition=condition, message=message,
                                    message_expr=message_expr, when=ctx.when, in_loop=ctx.in_loop,
                                    loc=loc or self.tool.loc, site=self.site))

    # ------------------------------------------------------------ effects
    def _effect(self, target: ir.Expr, op: str, value, ctx: _Context, loc) -> None:
        place = row_place(self.resolve(target))
        if place is None:
            return  # a change through an alias the contract cannot follow: covered by the inferred writes
        entity, key, path, keys = place
        self._add_effect(entity, key, path, keys, op, value, ctx, loc)

    def _add_effect(self, entity, key, path, keys, op, value, ctx: _Context, loc) -> None:
        opaque = not (self._expressible(key) and all(self._expressible(k) for k in keys))
        self.effects.append(ir.Effect(entity=entity, key=key, path=path, keys=keys, op=op, value=value,
                                      when=ctx.when, in_loop=ctx.in_loop, opaque=opaque, loc=loc))

    def _cover_inferred_writes(self) -> None:
        """An opaque effect for each inferred write no keyed effect covers: nothing the checker found is lost."""
        covered = {_field_of(e) for e in self.effects}
        for written in self.tool.write_fields:
            if written not in covered and not (written.endswith(".*") and written.split(".")[0] in
                                               {e.entity for e in self.effects if e.op in ("insert", "delete")}):
                entity, _, name = written.partition(".")
                path = () if name == "*" else (name,)
                self.effects.append(ir.Effect(entity=entity, key=None, path=path, op="set", opaque=True))
                self.opaque.append(f"a change to {written} through a value the contract cannot follow")


# ---------------------------------------------------------------- places in the state

def row_place(e: ir.Expr):
    """(entity, key, path, keys) when `e` is a row or a part of one reached from a lookup, else None."""
    path: list[str] = []
    keys: list[ir.Expr] = []
    node = e
    while True:
        if isinstance(node, ir.Lookup):
            return node.entity, node.key, tuple(reversed(path)), tuple(reversed(keys))
        if isinstance(node, ir.GetField):
            path.append(node.name)
            node = node.obj
        elif isinstance(node, (ir.MapGet, ir.ListIndex)):
            path.append("[]")
            keys.append(node.key if isinstance(node, ir.MapGet) else node.index)
            node = node.obj
        else:
            return None


def _returned(returns: list[ir.Return], outer: int) -> ir.Expr | None:
    """A helper's value from its returns, in order: `(a if c else b)` for `if c { return a }
    return b`. `outer` conditions of each `when` are the call site's, true wherever it runs."""
    if not returns:
        return None  # the helper always fails: the call has no value
    value = returns[-1].value
    for r in reversed(returns[:-1]):
        conditions = r.when[outer:]
        if not conditions:
            value = r.value
            continue
        test = conditions[0]
        for c in conditions[1:]:
            test = ir.Binary(type=ir.BOOL, op="and", left=test, right=c)
        value = ir.Conditional(type=value.type, condition=test, then=r.value, otherwise=value)
    return value


def _may_be_none(value: ir.Expr) -> bool:
    """Whether `let x = value else …` also tests for none, beyond a failed lookup's own error
    (a map whose values are optional can hold none under a key it has)."""
    if isinstance(value, (ir.Lookup, ir.MapGet)):
        return value.type.kind in ("optional", "none", "any")
    return True


def _field_of(effect: ir.Effect) -> str:
    if not effect.path or effect.op in ("insert", "delete"):
        return f"{effect.entity}.*"
    return f"{effect.entity}.{effect.path[0]}"


def _member(key: ir.Expr, entity: str) -> ir.Expr:
    collection = ir.CollectionRef(type=ir.map_of(_row_type(entity)), entity=entity)
    return ir.Binary(type=ir.BOOL, op="in", left=key, right=collection)


def _row_type(entity: str) -> ir.TypeRef:
    return ir.TypeRef(kind="entity", name=entity)


def _message(message: ir.Expr | None) -> tuple[str | None, ir.Expr | None]:
    """(constant text, None) for a literal message, (None, the expression) for a computed one."""
    if message is None:
        return None, None
    if isinstance(message, ir.Const) and isinstance(message.value, str):
        return message.value, None
    return None, message


def _merge(a: dict, b: dict, keep: dict | None = None) -> dict:
    """Bindings after two paths join: a local keeps its value only where both paths agree.
    With `keep`, only the names bound before a loop survive it."""
    names = keep.keys() if keep is not None else a.keys() | b.keys()
    return {n: a.get(n) if a.get(n) == b.get(n) else UNKNOWN for n in names}


def _post_order(e: ir.Expr):
    """The nodes of `e`, children before parents, not entering comprehensions' bodies twice."""
    stack = [(e, False)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            yield node
            continue
        stack.append((node, True))
        stack.extend((child, False) for child in reversed(list(ir.children(node))))


def _rebuild(e: ir.Model, transform) -> ir.Model:
    """A copy of `e` with `transform` applied to each expression directly inside it."""
    changes = {}
    for f in fields(e):
        if f.name in ("type", "loc"):
            continue
        value = getattr(e, f.name)
        new = _map_exprs(value, transform)
        if new is not value:
            changes[f.name] = new
    return replace(e, **changes) if changes else e


def _map_exprs(value, transform):
    if isinstance(value, ir.Loop):
        return _rebuild(value, transform)
    if isinstance(value, ir.Model) and hasattr(value, "kind"):
        new = transform(value)
        return new
    if isinstance(value, tuple) and value and any(isinstance(v, ir.Model) for v in value):
        mapped = tuple(_map_exprs(v, transform) for v in value)
        return value if all(m is v for m, v in zip(mapped, value)) else mapped
    if isinstance(value, dict) and any(isinstance(v, ir.Model) for v in value.values()):
        mapped = {k: _map_exprs(v, transform) for k, v in value.items()}
        return value if all(mapped[k] is v for k, v in value.items()) else mapped
    return value


# ---------------------------------------------------------------- parameter domains

def param_domain(domain: ir.Domain, tool: ir.ToolDef, param: ir.ParamDef) -> ir.ParamDomain:
    t = param.type.args[0] if param.type.kind == "optional" else param.type
    element = t.kind == "list"
    t = t.args[0] if element else t
    if t.kind == "ref" and not t.path:
        return ir.ParamDomain(param=param.name, source="keys", entity=t.name, element=element)
    if t.kind == "ref":
        source = "map-keys" if _ends_at_map(domain, t) else "member-keys"
        return ir.ParamDomain(param=param.name, source=source, entity=t.name, path=t.path, element=element)
    if t.kind == "enum":
        values = domain.type_def(t.name).values
        return ir.ParamDomain(param=param.name, source="enum", values=tuple(values), element=element)
    choices = _required_choices(tool, param.name)
    if choices is not None:
        return ir.ParamDomain(param=param.name, source="choices", values=choices, element=element)
    return ir.ParamDomain(param=param.name, source="free", element=element)


def _ends_at_map(domain: ir.Domain, t: ir.TypeRef) -> bool:
    owner = domain.type_def(t.name)
    field_type = None
    for name in t.path:
        field_type = next(f.type for f in owner.fields if f.name == name)
        inner = field_type.args[0] if field_type.kind in ("optional", "list") else field_type
        if inner.kind in ("record", "entity"):
            owner = domain.type_def(inner.name)
    field_type = field_type.args[0] if field_type is not None and field_type.kind == "optional" else field_type
    return field_type is not None and field_type.kind == "map"


def _required_choices(tool: ir.ToolDef, name: str) -> tuple[str, ...] | None:
    """The strings of a top-level `require name in ["a", "b"]`, which admits nothing else."""
    for stmt in tool.body:
        if not isinstance(stmt, ir.RequireStmt):
            continue
        c = stmt.condition
        if isinstance(c, ir.Binary) and c.op == "in" and isinstance(c.left, ir.Var) and c.left.name == name:
            values = _constant_strings(c.right)
            if values is not None:
                return values
    return None


def _constant_strings(e: ir.Expr) -> tuple[str, ...] | None:
    if isinstance(e, ir.ListExpr) and all(isinstance(i, ir.Const) and isinstance(i.value, str) for i in e.items):
        return tuple(i.value for i in e.items)
    if isinstance(e, ir.Const) and isinstance(e.value, (list, tuple)) and all(isinstance(v, str) for v in e.value):
        return tuple(e.value)
    return None
