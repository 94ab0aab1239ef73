"""Tool bodies: statements -> IR, and the inference of what each tool reads and writes.

A write is found from the assignment target's origin: the entity row (or
part of one) the target's value lives in. It is inferred, never declared.
"""

from __future__ import annotations

from .. import ast, ir
from ..diagnostics import Label
from . import types as T
from .exprs import Effects, ExprChecker, Mode, facts_of, ir_path, path_of, text_of
from .scope import Scope, VarInfo
from .symbols import Symbols, field_def, loc, resolve_type

PARAM_ORIGIN = frozenset({"@param"})


class ToolChecker:
    def __init__(self, symbols: Symbols, decl: ast.ToolDecl):
        self.symbols = symbols
        self.decl = decl
        self.effects = Effects()
        self.exprs = ExprChecker(symbols, self.effects)
        self.returns = resolve_type(decl.returns.type, symbols) if decl.returns else None

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
            errors=self.effects.errors, loc=loc(self.decl.name.span))

    def _params(self, scope: Scope) -> list[ir.ParamDef]:
        params = []
        for p in self.decl.params:
            f = field_def(p, self.symbols)
            self.exprs.bind(scope, p.name, f.type, PARAM_ORIGIN, "param")
            params.append(ir.ParamDef(name=f.name, type=f.type, doc=f.doc, example=f.example, loc=f.loc))
        return params

    # ------------------------------------------------------------ blocks
    def block(self, stmts, scope: Scope, in_loop: bool) -> list[ir.Stmt]:
        out: list[ir.Stmt] = []
        for index, stmt in enumerate(stmts):
            if out and isinstance(out[-1], ir.ReturnStmt):
                self.exprs.error("unreachable-code", "this statement comes after `return`", stmt.span,
                                 "remove it, or move it before the `return`")
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
            self.exprs.bind(scope, node.name, value.type, self.exprs.origin(value), "local")
            return ir.LetStmt(name=node.name.name, value=value, loc=loc(node.span))
        error = self.exprs.string(node.otherwise, scope, "the error message")
        self.effects.error_message(error)
        value = self._fallible(node.value, scope, error)
        self.exprs.bind(scope, node.name, T.strip_optional(value.type), self.exprs.origin(value), "local")
        return ir.LetStmt(name=node.name.name, value=value, error=error, loc=loc(node.span))

    def _fallible(self, node, scope: Scope, error: ir.Expr) -> ir.Expr:
        """The value of a `let … else`: a lookup that may fail, or an optional that may be none."""
        if isinstance(node, ast.Index):
            value = self.exprs.index(node, scope, error=error, bound=True)
            if isinstance(value, (ir.Lookup, ir.MapGet)):
                return value
        else:
            value = self.exprs.expr(node, scope)
        if value.type.kind not in ("optional", "none", "any") and not isinstance(value, (ir.Lookup, ir.MapGet)):
            self.exprs.warn("unnecessary-else", "this value cannot fail or be none", node.span,
                            "drop the `else` part")
        return value

    def _Require(self, node: ast.Require, scope: Scope, in_loop: bool) -> ir.Stmt:
        condition = self.exprs.condition(node.condition, scope)
        message = self.exprs.string(node.message, scope, "the error message")
        self.effects.error_message(message)
        scope.add(facts_of(condition, scope)[0])
        return ir.RequireStmt(condition=condition, message=message, loc=loc(node.span))

    def _If(self, node: ast.If, scope: Scope, in_loop: bool) -> ir.Stmt:
        condition = self.exprs.condition(node.condition, scope)
        yes, no = facts_of(condition, scope)
        then = self.block(node.then.body, scope.child(yes), in_loop)
        otherwise: list[ir.Stmt] = []
        if isinstance(node.otherwise, ast.If):
            otherwise = [self._If(node.otherwise, scope.child(no), in_loop)]
        elif isinstance(node.otherwise, ast.Block):
            otherwise = self.block(node.otherwise.body, scope.child(no), in_loop)
        return ir.IfStmt(condition=condition, then=then, otherwise=otherwise, loc=loc(node.span))

    def _For(self, node: ast.For, scope: Scope, in_loop: bool) -> ir.Stmt:
        iterable = self.exprs.expr(node.iterable, scope)
        inner = self.exprs.bind_loop(node.names, iterable, node.iterable, scope, kind="loop")
        body = self.block(node.body.body, inner, in_loop=True)
        return ir.ForStmt(names=[n.name for n in node.names], iterable=iterable, body=body, loc=loc(node.span))

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
        target = self._target(node.target, scope)
        value = self.exprs.expr(node.value, scope)
        if target is None:
            return None
        self._check_assigned_value(node, target, value)
        path = path_of(node.target)
        if path is not None:
            scope.forget(path)
            if node.op == "=" and value.type.kind != "optional" and target.type.kind == "optional":
                scope.add(facts_of(ir.IsVariant(type=ir.BOOL, value=target, variant=None, negated=True), scope)[0])
        writes = self._record_write(target)
        return ir.AssignStmt(target=target, op=node.op, value=value, writes=writes, loc=loc(node.span))

    def _check_assigned_value(self, node: ast.Assign, target: ir.Expr, value: ir.Expr) -> None:
        if node.op == "=":
            self.exprs.coerce(node.value, value, target.type, f"`{text_of(node.target)}`")
            return
        t = target.type
        ok = ((T.is_numeric(t) and T.is_numeric(value.type) and not (t.kind == "int" and value.type.kind == "float"))
              or (node.op == "+=" and t.kind == "list" and value.type.kind == "list" and T.assignable(value.type, t))
              or (node.op == "+=" and t.kind == "str" and T.is_stringlike(value.type)))
        if not ok:
            self.exprs.error("bad-operand", f"`{node.op}` does not apply to `{t}` and `{value.type}`", node.span,
                             "use `+=`/`-=` on numbers, `+=` on strings and lists")

    def _target(self, node, scope: Scope) -> ir.Expr | None:
        if isinstance(node, ast.Name):
            var = scope.lookup(node.id)
            if var is None or var.kind != "local":
                what = {"param": "a parameter", "loop": "a loop variable", None: "not a local"}.get(
                    var.kind if var else None, "not assignable")
                self.exprs.error("invalid-assignment", f"`{node.id}` is {what}", node.span,
                                 f"bind a new name with `let`" + (", or change a field of it" if var else ""))
                return None
            return ir.Var(type=var.type, name=node.id, loc=loc(node.span))
        if isinstance(node, ast.Attribute):
            target = self.exprs.expr(node, scope)
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

    def _record_write(self, target: ir.Expr) -> str | None:
        origin = self.exprs.origin(target) if not isinstance(target, ir.Var) else frozenset()
        if isinstance(target, (ir.MapGet, ir.ListIndex)):
            origin = self.exprs.origin(target.obj)
        if "@param" in origin:
            self.exprs.error("assign-to-param", "parameters are read-only", _loc_span(target, self.decl),
                             "copy the value into a `let` first, or change the row it came from")
            return None
        entities = sorted({o.split(".")[0] for o in origin})
        for o in origin:
            self._write(o.split(".")[0], o if "." in o else f"{o}.*")
        return entities[0] if entities else None

    def _write(self, entity: str, field: str) -> None:
        self.effects.writes.add(entity)
        self.effects.write_fields.add(field)

    def _ExprStmt(self, node: ast.ExprStmt, scope: Scope, in_loop: bool) -> ir.Stmt | None:
        call = node.expr
        if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and \
                call.func.attr.name in ("append", "extend", "remove", "sort"):
            return self._list_op(call, scope)
        self.exprs.expr(node.expr, scope)  # still report what is wrong inside it
        self.exprs.error("unused-value", "this expression's value is not used", node.span,
                         "bind it with `let`, test it with `require`, or assign it")
        return None

    def _list_op(self, call: ast.Call, scope: Scope) -> ir.Stmt | None:
        op = call.func.attr.name
        target = self.exprs.expr(call.func.obj, scope)
        args = [self.exprs.expr(a, scope) for a in call.args if not isinstance(a, ast.Generator)]
        if target.type.kind not in ("list", "any"):
            self.exprs.error("unknown-method", f"`.{op}()` changes a list, this is `{target.type}`", call.span)
            return None
        expected = {"append": 1, "extend": 1, "remove": 1, "sort": 0}[op]
        if len(call.args) != expected or call.kwargs:
            self.exprs.error("wrong-arguments", f"`.{op}()` takes {expected} argument(s)", call.span)
            return None
        element = target.type.args[0] if target.type.kind == "list" else ir.ANY
        if op in ("append", "remove"):
            self.exprs.coerce(call.args[0], args[0], element, f"`.{op}()`")
        elif op == "extend":
            self.exprs.coerce(call.args[0], args[0], ir.list_of(element), "`.extend()`")
        elif not (T.is_numeric(element) or T.is_stringlike(element)):
            self.exprs.error("type-mismatch", f"`.sort()` sorts strings or numbers, not `{element}`", call.span)
        writes = self._record_list_write(target, call)
        return ir.ListOpStmt(target=target, op=op, args=args, writes=writes, loc=loc(call.span))

    def _record_list_write(self, target: ir.Expr, call: ast.Call) -> str | None:
        origin = self.exprs.origin(target)
        if "@param" in origin:
            self.exprs.error("assign-to-param", "parameters are read-only", call.func.obj.span,
                             "build a new list: `let xs = param + [x]`")
            return None
        for o in origin:
            self._write(o.split(".")[0], o if "." in o else f"{o}.*")
        entities = sorted({o.split(".")[0] for o in origin})
        return entities[0] if entities else None

    # ------------------------------------------------------------ return paths
    def _check_return_paths(self, body: list[ir.Stmt]) -> None:
        if self.returns is not None and self.returns.kind != "optional" and not always_returns(body):
            self.exprs.error("missing-return", f"`{self.decl.name.name}` can end without returning", self.decl.name.span,
                             f"end every path of the body with `return` (the tool returns `{self.returns}`)")


def always_returns(body: list[ir.Stmt]) -> bool:
    if not body:
        return False
    last = body[-1]
    if isinstance(last, ir.ReturnStmt):
        return True
    if isinstance(last, ir.IfStmt):
        return always_returns(last.then) and always_returns(last.otherwise)
    return False


def _loc_span(e: ir.Expr, decl: ast.ToolDecl):
    from ..diagnostics import Span
    if e.loc is None:
        return decl.name.span
    return Span(e.loc.file, e.loc.line, e.loc.column, e.loc.line, e.loc.column + 1)
