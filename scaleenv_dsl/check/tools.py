"""Tool bodies: statements -> IR, and the inference of what each tool reads and writes.

A write is found from the assignment target's origin: the entity row (or
part of one) the target's value lives in. It is inferred, never declared.
"""

from __future__ import annotations

from .. import ast, ir
from ..diagnostics import Span, has_errors
from . import types as T
from .calls import LIST_STATEMENT_METHODS
from .options import param_default
from .exprs import INT_HOLDS_NO_FLOAT, Effects, ExprChecker, Mode, facts_of, path_of, text_of
from .scope import Scope
from .symbols import Symbols, field_def, loc, resolve_type

PARAM = "@param"  # the origin of a parameter's value: parameters are read-only
PARAM_HELP = "copy the value into a `let` first, or change the row it came from"


class ToolChecker:
    def __init__(self, symbols: Symbols, decl: ast.ToolDecl):
        self.symbols = symbols
        self.decl = decl
        self.effects = Effects()
        self.exprs = ExprChecker(symbols, self.effects)
        self.exprs.in_code = True  # helpers may be called
        self.returns = resolve_type(decl.returns.type, symbols) if decl.returns else None
        self.loop_scope: Scope | None = None  # the body scope of the innermost `for` being checked
        # what assignments made each `let` binding (by its name's span) hold besides its first value
        self.assigned_origins: dict[Span, frozenset[str]] = {}

    def check(self) -> ir.ToolDef:
        scope = Scope()
        params = self._params(scope)
        body = self.block(self.decl.body, scope, in_loop=False)
        self._check_return_paths(body)
        return ir.ToolDef(
            name=self.decl.name.name, doc=self.decl.doc.value if self.decl.doc else "", params=params,
            returns=self.returns, returns_doc=self.decl.returns.doc.value if self.decl.returns and self.decl.returns.doc else "",
            body=body, reads=sorted(self.effects.reads | self.effects.writes), writes=sorted(self.effects.writes),
            read_fields=sorted(self.effects.read_fields), write_fields=sorted(self.effects.write_fields),
            errors=self.effects.errors, inserts=_entities_of(body, ir.InsertStmt),
            deletes=_entities_of(body, ir.DeleteStmt), loc=loc(self.decl.name.span))

    def _params(self, scope: Scope) -> list[ir.ParamDef]:
        params = []
        for p in self.decl.params:
            f = field_def(p, self.symbols)
            self.exprs.bind(scope, p.local or p.name, f.type, frozenset({PARAM}), "param")
            default, has_default = param_default(p, f.type, self.symbols)
            params.append(ir.ParamDef(name=f.name, type=f.type, doc=f.doc, example=f.example,
                                      default=default, has_default=has_default,
                                      local=p.local.name if p.local is not None else "", loc=f.loc))
        return params

    # ------------------------------------------------------------ blocks
    def block(self, stmts, scope: Scope, in_loop: bool) -> list[ir.Stmt]:
        out: list[ir.Stmt] = []
        for stmt in stmts:
            if out and leaves_block(out[-1]):
                word = "fail" if isinstance(out[-1], ir.RequireStmt) else out[-1].kind
                self.exprs.error("unreachable-code", f"this statement comes after `{word}`", stmt.span,
                                 f"remove it, or move it before the `{word}`")
                break
            checked = self.stmt(stmt, scope, in_loop)
            if checked is not None:
                out.append(checked)
        return out

    def stmt(self, node, scope: Scope, in_loop: bool) -> ir.Stmt | None:
        handler = getattr(self, "_" + type(node).__name__)
        return handler(node, scope, in_loop)

    # ------------------------------------------------------------ statements
    def _Let(self, node: ast.Let, scope: Scope, in_loop: bool) -> ir.Stmt:
        if node.otherwise is None:
            value = self.exprs.expr(node.value, scope)
            self._bind_local(scope, node.name, value.type, value)
            return ir.LetStmt(name=node.name.name, value=value, loc=loc(node.span))
        error = self.exprs.string(node.otherwise, scope, "the error message")
        self.effects.error_message(error)
        value = self._fallible(node.value, scope, error)
        self._bind_local(scope, node.name, T.strip_optional(value.type), value)
        return ir.LetStmt(name=node.name.name, value=value, error=error, loc=loc(node.span))

    def _bind_local(self, scope: Scope, name: ast.Ident, t: ir.TypeRef, value: ir.Expr) -> None:
        # with what later assignments made it hold, when a loop body is checked again
        origin = self.exprs.origin(value) | self.assigned_origins.get(name.span, frozenset())
        self.exprs.bind(scope, name, t, origin, "local")

    def _fallible(self, node, scope: Scope, error: ir.Expr) -> ir.Expr:
        """The value of a `let … else`: a lookup that may fail, or an optional that may be none."""
        if isinstance(node, ast.Index):
            value = self.exprs.index(node, scope, error=error, bound=True)
            if isinstance(value, (ir.Lookup, ir.MapGet)):
                return value
        else:
            value = self.exprs.expr(node, scope)
        if isinstance(value, ir.ListIndex) and value.type.kind not in ("optional", "none", "any"):
            self.exprs.warn("unnecessary-else", "the `else` does not apply to a list index", node.span,
                            "an index out of range fails with `list index out of range`: "
                            "check it with `require i < len(xs) else \"…\"` and drop the `else` part")
        elif value.type.kind not in ("optional", "none", "any") and not isinstance(value, (ir.Lookup, ir.MapGet)):
            self.exprs.warn("unnecessary-else", "this value cannot fail or be none", node.span,
                            "drop the `else` part")
        return value

    def _Require(self, node: ast.Require, scope: Scope, in_loop: bool) -> ir.Stmt:
        condition = self.exprs.condition(node.condition, scope)
        message = self.exprs.string(node.message, scope, "the error message")
        self.effects.error_message(message)
        scope.add(facts_of(condition, scope)[0])
        return ir.RequireStmt(condition=condition, message=message, loc=loc(node.span))

    def _Fail(self, node: ast.Fail, scope: Scope, in_loop: bool) -> ir.Stmt:
        """`fail m` is lowered to `require false else m`, so every analysis of the IR reads it
        as a guard that never holds: the call ends there with `m`."""
        message = self.exprs.string(node.message, scope, "the error message")
        self.effects.error_message(message)
        never = ir.Const(type=ir.BOOL, value=False, loc=loc(node.span))
        return ir.RequireStmt(condition=never, message=message, fail=True, loc=loc(node.span))

    def _If(self, node: ast.If, scope: Scope, in_loop: bool) -> ir.Stmt:
        condition = self.exprs.condition(node.condition, scope)
        yes, no = facts_of(condition, scope)
        then = self.block(node.then.body, scope.child(yes), in_loop)
        otherwise: list[ir.Stmt] = []
        if isinstance(node.otherwise, ast.If):
            otherwise = [self._If(node.otherwise, scope.child(no), in_loop)]
        elif isinstance(node.otherwise, ast.Block):
            otherwise = self.block(node.otherwise.body, scope.child(no), in_loop)
        self._narrow_after_exit(node, scope, (then, yes), (otherwise, no))
        return ir.IfStmt(condition=condition, then=then, otherwise=otherwise, loc=loc(node.span))

    def _narrow_after_exit(self, node: ast.If, scope: Scope, then, otherwise) -> None:
        """`if x is none { return … }` narrows `x` for the rest of the block: the statements
        after the `if` are reached only through the branch that does not return, so what
        that branch's condition says holds there, less what the branch assigns."""
        (then_body, yes), (otherwise_body, no) = then, otherwise
        if always_exits(then_body) and not always_exits(otherwise_body):
            scope.add(no)
            branch = node.otherwise
        elif always_exits(otherwise_body) and not always_exits(then_body):
            scope.add(yes)
            branch = node.then
        else:
            return
        stmts = [branch] if isinstance(branch, ast.If) else branch.body if branch is not None else []
        for path in assigned_paths(stmts):
            scope.forget(path)

    def _For(self, node: ast.For, scope: Scope, in_loop: bool) -> ir.Stmt:
        iterable = self.exprs.expr(node.iterable, scope)
        for path in assigned_paths(node.body.body):
            scope.forget(path)  # the next pass through the body sees what this one assigned
        # Locals bound outside the enclosing loop are that loop's concern: checking its body again covers this one.
        origins = scope.origins(outermost=self.loop_scope)
        body = self._loop_body(node, iterable, scope)
        while (now := scope.origins(outermost=self.loop_scope)) != origins:
            # A local now also holds part of a row, so on the next pass a change made through it
            # before the assignment writes that row: check the body again to record the write,
            # until no local learns more. Diagnostics repeat the first pass's and are reported once.
            origins = now
            body = self._loop_body(node, iterable, scope)
        return ir.ForStmt(names=[n.name for n in node.names], iterable=iterable, body=body, loc=loc(node.span))

    def _loop_body(self, node: ast.For, iterable: ir.Expr, scope: Scope) -> list[ir.Stmt]:
        inner = self.exprs.bind_loop(node.names, iterable, node.iterable, scope, kind="loop")
        enclosing, self.loop_scope = self.loop_scope, inner
        try:
            return self.block(node.body.body, inner, in_loop=True)
        finally:
            self.loop_scope = enclosing

    def _Break(self, node: ast.Break, scope: Scope, in_loop: bool) -> ir.Stmt | None:
        return self._loop_jump(node, in_loop, ir.BreakStmt, "break")

    def _Continue(self, node: ast.Continue, scope: Scope, in_loop: bool) -> ir.Stmt | None:
        return self._loop_jump(node, in_loop, ir.ContinueStmt, "continue")

    def _loop_jump(self, node, in_loop: bool, make, word: str) -> ir.Stmt | None:
        if not in_loop:
            self.exprs.error("jump-outside-loop", f"`{word}` stands outside any `for`", node.span,
                             f"`{word}` only works in the body of a `for` loop; to stop the tool, use `return` "
                             "or `require … else \"…\"`")
            return None
        return make(loc=loc(node.span))

    def _Return(self, node: ast.Return, scope: Scope, in_loop: bool) -> ir.Stmt:
        value = self.exprs.expr(node.value, scope)
        if in_loop:
            self.exprs.error("return-in-loop", "`return` cannot stand inside `for`", node.span,
                             "find the element first: `let x = find(x for x in xs if …) else \"…\"`, then return")
        if self.returns is None:
            self.exprs.error("type-mismatch", "this tool declares no return type", node.span,
                             f"declare it: `-> {value.type}` after the parameters")
        else:
            self.exprs.coerce(node.value, value, self.returns, "the return value")
        for origin in self.exprs.origin(value):
            if not origin.startswith("@"):  # the agent sees this whole row, or this part of one
                self.effects.read_fields.add(origin if "." in origin else f"{origin}.*")
        return ir.ReturnStmt(value=value, loc=loc(node.span))

    def _Ensures(self, node: ast.Ensures, scope: Scope, in_loop: bool) -> ir.Stmt:
        previous, self.exprs.mode = self.exprs.mode, Mode(in_ensures=True)
        condition = self.exprs.condition(node.condition, scope)
        self.exprs.mode = previous
        message = self.exprs.string(node.message, scope, "the message") if node.message is not None else None
        return ir.EnsuresStmt(condition=condition, message=message, loc=loc(node.span))

    def _Insert(self, node: ast.Insert, scope: Scope, in_loop: bool) -> ir.Stmt | None:
        row = self.exprs.expr(node.row, scope)
        error = self.exprs.string(node.otherwise, scope, "the error message") if node.otherwise else None
        self.effects.error_message(error)
        if row.type.kind != "entity":
            if row.type.kind != "any":
                self.exprs.error("invalid-insert", "`insert` adds an entity row", node.row.span,
                                 "write `insert Entity(field=value, …)`")
            return None
        self._write(row.type.name, f"{row.type.name}.*")
        return ir.InsertStmt(entity=row.type.name, row=row, error=error, loc=loc(node.span))

    def _Delete(self, node: ast.Delete, scope: Scope, in_loop: bool) -> ir.Stmt | None:
        target = self.exprs.expr(node.target, scope)
        if not isinstance(target, ir.Lookup):
            if target.type.kind != "any":
                self.exprs.error("invalid-delete", "`delete` removes a row by key", node.target.span,
                                 "write `delete collection[key]`")
            return None
        self._write(target.entity, f"{target.entity}.*")
        return ir.DeleteStmt(entity=target.entity, key=target.key, loc=loc(node.span))

    def _Assign(self, node: ast.Assign, scope: Scope, in_loop: bool) -> ir.Stmt | None:
        target = self._target(node.target, scope, narrowed=node.op != "=")
        value = self.exprs.expr(node.value, scope)
        if target is None:
            return None
        self._check_assigned_value(node, target, value)
        if self._extends_a_shared_list(node, target, scope):
            return None
        path = path_of(node.target)
        if path is not None:
            scope.forget(path)
            if node.op == "=" and value.type.kind != "optional" and target.type.kind == "optional":
                scope.add(facts_of(ir.IsVariant(type=ir.BOOL, value=target, variant=None, negated=True), scope)[0])
        if isinstance(target, ir.Var):  # rebinding a local writes nothing, but it may now alias a row
            self._widen(scope, target.name, self.exprs.origin(value))
            writes = ()
        else:
            writes = self._record_write(self.exprs.origin(target), node.target.span, PARAM_HELP)
        return ir.AssignStmt(target=target, op=node.op, value=value, writes=writes, loc=loc(node.span))

    def _extends_a_shared_list(self, node: ast.Assign, target: ir.Expr, scope: Scope) -> bool:
        """`h += xs` on a local that holds a row's list: Python would extend the row's list in
        place, which an assignment cannot say. The spec must choose, so it is an error."""
        var = scope.lookup(target.name) if isinstance(target, ir.Var) else None
        if node.op != "+=" or var is None or target.type.kind != "list" or not (var.origin - {PARAM}):
            return False
        self.exprs.error("invalid-assignment", f"`{target.name}` is a list that belongs to a row", node.span,
                         f"write `{target.name}.extend(…)` to change the row's list, "
                         f"or `let copy = {target.name} + […]` for a new one")
        return True

    def _widen(self, scope: Scope, name: str, origin: frozenset[str]) -> None:
        var = scope.lookup(name)
        if var is not None and not origin <= var.origin:
            scope.update(name, origin=var.origin | origin)
            self.assigned_origins[var.span] = self.assigned_origins.get(var.span, frozenset()) | origin

    def _check_assigned_value(self, node: ast.Assign, target: ir.Expr, value: ir.Expr) -> None:
        if node.op == "=":
            self.exprs.coerce(node.value, value, target.type, f"`{text_of(node.target)}`")
            return
        t = target.type
        ok = ((T.is_numeric(t) and T.is_numeric(value.type) and not (t.kind == "int" and value.type.kind == "float"))
              or (node.op == "+=" and t.kind == "list" and value.type.kind == "list" and T.assignable(value.type, t))
              or (node.op == "+=" and t.kind == "str" and T.is_stringlike(value.type)))
        if ok:
            return
        if t.kind == "int" and value.type.kind == "float":
            help = INT_HOLDS_NO_FLOAT
        elif t.kind == "optional":
            help = f"`{text_of(node.target)}` may be none: check it with `is not none` first"
        else:
            help = "use `+=`/`-=` on numbers, `+=` on strings and lists"
        self.exprs.error("bad-operand", f"`{node.op}` does not apply to `{t}` and `{value.type}`", node.span, help)

    def _target(self, node, scope: Scope, narrowed: bool) -> ir.Expr | None:
        """What an assignment changes. `narrowed` for `+=` and `-=`, which read the current value;
        `=` may store any value of the declared type, `none` in an optional that was checked included."""
        if isinstance(node, ast.Name):
            var = scope.lookup(node.id)
            if var is None or var.kind != "local":
                what = {"param": "a parameter", "loop": "a loop variable", None: "not a local"}.get(
                    var.kind if var else None, "not assignable")
                self.exprs.error("invalid-assignment", f"`{node.id}` is {what}", node.span,
                                 "bind a new name with `let`" + (", or change a field of it" if var else ""))
                return None
            t = (scope.present_type((node.id,)) if narrowed else None) or var.type
            return ir.Var(type=t, name=node.id, loc=loc(node.span))
        if isinstance(node, ast.Attribute):
            obj = self.exprs.expr(node.obj, scope)
            target = self.exprs.field_access(node, obj, node.attr, scope, narrow=narrowed)
            return target if self._assignable_field(node, target) else None
        if isinstance(node, ast.Index):
            target = self.exprs.index(node, scope, error=None, bound=True)
            if isinstance(target, (ir.MapGet, ir.ListIndex)):
                return target
            if isinstance(target, ir.Lookup):
                self.exprs.error("invalid-assignment", "rows are added with `insert`", node.span,
                                 "write `insert Entity(field=value, …)`")
            return None
        self.exprs.error("invalid-assignment", "this cannot be assigned to", node.span,
                         "assign to a local, a field (`x.f = …`) or a map entry (`m[k] = …`)")
        return None

    def _assignable_field(self, node: ast.Attribute, target: ir.Expr) -> bool:
        if not isinstance(target, ir.GetField):
            return False
        owner = target.obj.type
        if owner.kind == "entity" and self.symbols.entities[owner.name].key.name == target.name:
            self.exprs.error("assign-to-key", f"`{target.name}` is the key of `{owner.name}`", node.span,
                             "keys never change: insert a new row and delete the old one")
            return False
        if owner.kind == "union" and self.symbols.unions[owner.name].tag.name == target.name:
            self.exprs.error("invalid-assignment", "a union's tag cannot change", node.span,
                             "build a new value of the other variant")
            return False
        return True

    def _record_write(self, origin: frozenset[str], span: Span, help: str) -> tuple[str, ...]:
        """Record a change to a value from `origin`: every "Entity.field" it may change, () for a fresh value."""
        if PARAM in origin:
            self.exprs.error("assign-to-param", "parameters are read-only", span, help)
            return ()
        fields = sorted(o if "." in o else f"{o}.*" for o in origin)
        for f in fields:
            self._write(f.split(".")[0], f)
        return tuple(fields)

    def _write(self, entity: str, field: str) -> None:
        self.effects.writes.add(entity)
        self.effects.write_fields.add(field)

    def _ExprStmt(self, node: ast.ExprStmt, scope: Scope, in_loop: bool) -> ir.Stmt | None:
        call = node.expr
        if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and \
                call.func.attr.name in LIST_STATEMENT_METHODS:
            return self._list_op(call, scope)
        reported = len(self.symbols.diagnostics)
        self.exprs.expr(node.expr, scope)  # still report what is wrong inside it
        if not has_errors(self.symbols.diagnostics[reported:]):  # `xs.push(x)`: the unknown method says it all
            self.exprs.error("unused-value", "this expression's value is not used", node.span,
                             "bind it with `let`, test it with `require`, or assign it")
        return None

    def _list_op(self, call: ast.Call, scope: Scope) -> ir.Stmt | None:
        op = call.func.attr.name
        target = self.exprs.expr(call.func.obj, scope)
        if any(isinstance(a, ast.Generator) for a in call.args):
            self.exprs.error("wrong-arguments", f"`.{op}()` does not take a generator", call.span,
                             f"build the list first: `xs.{op}([e for x in ys])`" if op == "extend"
                             else f"`.{op}()` takes one item: loop with `for x in ys {{ xs.{op}(x) }}`")
            return None
        args = [self.exprs.expr(a, scope) for a in call.args]
        if target.type.kind == "optional":
            self.exprs.error("optional-unchecked", f"`{text_of(call.func.obj)}` may be none", call.func.obj.span,
                             f"check `{text_of(call.func.obj)} is not none` first")
            return None
        if target.type.kind not in ("list", "any"):
            self.exprs.error("unknown-method", f"`.{op}()` changes a list, this is `{target.type}`", call.span,
                             "see the methods of each type in docs/language.md")
            return None
        expected = {"append": 1, "extend": 1, "remove": 1, "sort": 0}[op]
        if len(call.args) != expected or call.kwargs:
            self.exprs.error("wrong-arguments", f"`.{op}()` takes {expected} argument(s)", call.span,
                             f"write `xs.{op}(" + ("x" if expected else "") + ")`")
            return None
        element = target.type.args[0] if target.type.kind == "list" else ir.ANY
        if op in ("append", "remove"):
            self.exprs.coerce(call.args[0], args[0], element, f"`.{op}()`")
        elif op == "extend":
            self.exprs.coerce(call.args[0], args[0], ir.list_of(element), "`.extend()`")
        elif not T.is_orderable(element):
            self.exprs.error("type-mismatch", f"`.sort()` sorts strings or numbers, not `{element}`", call.span,
                             "build a sorted list of a field instead: `sorted(x.price for x in xs)`" )
        writes = self._record_write(self.exprs.origin(target), call.func.obj.span,
                                    "build a new list: `let xs = param + [x]`")
        return ir.ListOpStmt(target=target, op=op, args=args, writes=writes, loc=loc(call.span))

    # ------------------------------------------------------------ return paths
    def _check_return_paths(self, body: list[ir.Stmt]) -> None:
        if self.decl.body_unparsed:  # its syntax error is reported; an empty body says nothing more
            return
        if self.returns is not None and self.returns.kind != "optional" and not always_returns(body):
            self.exprs.error("missing-return", f"`{self.decl.name.name}` can end without returning", self.decl.name.span,
                             f"end every path of the body with `return`, or `fail \"…\"` (the tool returns `{self.returns}`)")


def _entities_of(body: list[ir.Stmt], kind: type) -> tuple[str, ...]:
    return tuple(sorted({s.entity for s in ir.walk(body) if isinstance(s, kind)}))


_JUMPS = (ir.ReturnStmt, ir.BreakStmt, ir.ContinueStmt)


def leaves_block(stmt: ir.Stmt) -> bool:
    """Whether nothing after `stmt` in its block can run: it returns, breaks, continues, or is a `fail`."""
    return isinstance(stmt, _JUMPS) or (isinstance(stmt, ir.RequireStmt) and stmt.fail)


def always_exits(body: list[ir.Stmt]) -> bool:
    """Does every path through `body` leave the block (`return`, `fail`, `break` or `continue`)?"""
    if not body:
        return False
    last = body[-1]
    if leaves_block(last):
        return True
    if isinstance(last, ir.IfStmt):
        return always_exits(last.then) and always_exits(last.otherwise)
    return False


def always_returns(body: list[ir.Stmt]) -> bool:
    """Whether every path through `body` leaves the call: by `return`, or by `fail`."""
    if not body:
        return False
    last = body[-1]
    if isinstance(last, ir.ReturnStmt) or (isinstance(last, ir.RequireStmt) and last.fail):
        return True
    if isinstance(last, ir.IfStmt):
        return always_returns(last.then) and always_returns(last.otherwise)
    return False


def assigned_paths(stmts) -> list:
    """The access paths (`x`, `order.status`) assigned anywhere in a block, nested blocks included."""
    paths, pending = [], list(stmts)
    while pending:
        stmt = pending.pop()
        if isinstance(stmt, ast.Assign):
            path = path_of(stmt.target)
            if path is not None:
                paths.append(path)
        elif isinstance(stmt, ast.If):
            pending += stmt.then.body
            if isinstance(stmt.otherwise, ast.If):
                pending.append(stmt.otherwise)
            elif isinstance(stmt.otherwise, ast.Block):
                pending += stmt.otherwise.body
        elif isinstance(stmt, ast.For):
            pending += stmt.body.body
    return paths
