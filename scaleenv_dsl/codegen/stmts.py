"""IR statements -> lines of Python, for tool bodies.

Each statement becomes a few plain lines preceded by its `# spec:` location.
State changes go through the journaled runtime helpers (`_set`, `_append`,
`_insert`, ...) whatever the checker inferred about them: a local list may
alias a row, so every container change is recorded and can be undone.
"""

from __future__ import annotations

from .. import ir
from .exprs import ExprCompiler, FunctionContext, strip_optional
from .names import GenerationError, literal, local, spec_comment, where
from .shapes import Shapes

INDENT = "    "


class StmtCompiler:
    def __init__(self, ctx: FunctionContext, shapes: Shapes, returns: ir.TypeRef | None):
        self.ctx = ctx
        self.exprs = ExprCompiler(ctx)
        self.e = self.exprs.expr
        self.shapes = shapes
        self.returns = returns

    def stored(self, value: ir.Expr, charged: bool = False) -> str:
        """Source for a value about to be stored in a container.

        Values that may be shared with another row are copied: a row must never
        hold an object another row also holds, or a change through one would
        escape the other's change tracking. A copy is charged to the call's size
        budget before it is made, and so is a `charged` new value (the list an
        `extend` adds).
        """
        source = self.e(value)
        if is_fresh(value):
            return f"_sized(_S, {source})" if charged and self.ctx.has_state else source
        if self.ctx.has_state:
            # the copy may repeat one shared list many times over: its whole size is charged first
            source = f"_measured(_S, {source})"
        return self.shapes.copy_source(value.type, source)

    def block(self, stmts: list[ir.Stmt], depth: int) -> list[str]:
        lines: list[str] = []
        for stmt in stmts:
            lines += self.stmt(stmt, depth)
        return lines or [INDENT * depth + "pass"]

    _KINDS = frozenset({"let", "require", "assign", "list_op", "if", "for", "break", "continue", "return", "ensures", "insert", "delete",
                        "delete_entry"})

    def stmt(self, s: ir.Stmt, depth: int) -> list[str]:
        kind = getattr(s, "kind", None)
        if kind not in self._KINDS:  # an explicit table: IR text never picks an arbitrary method
            raise GenerationError(f"unknown statement kind {kind!r}")
        handler = getattr(self, "_" + kind)
        pad = INDENT * depth
        if s.kind == "if":  # an `else if` chain carries its own comments
            return [pad + spec_comment(s.loc)] + handler(s, depth)
        return [pad + spec_comment(s.loc)] + [pad + line for line in handler(s, depth)]

    # ------------------------------------------------------------ bindings and checks
    def _let(self, s: ir.LetStmt, depth: int) -> list[str]:
        name = local(s.name)
        if s.error is None or _fails_itself(s.value):
            return [f"{name} = {self.e(s.value)}"]
        return [f"{name} = _require_present({self.e(s.value)}, {self.exprs.message(s.error)}, "
                f"{self.ctx.guard(s.loc)})"]

    def _require(self, s: ir.RequireStmt, depth: int) -> list[str]:
        return [f"if not {self.e(s.condition)}:",
                f"{INDENT}raise _Fail({self.e(s.message)}, 'require', {self.ctx.guard(s.loc)})"]

    def _ensures(self, s: ir.EnsuresStmt, depth: int) -> list[str]:
        self.ctx.in_ensures = True
        try:
            condition = self.e(s.condition)
        finally:
            self.ctx.in_ensures = False
        message = self.e(s.message) if s.message is not None else "None"
        return [f"if not {condition}:",
                f"{INDENT}raise _postcondition_failed({message}, {literal(where(s.loc))})"]

    def _break(self, s: ir.BreakStmt, depth: int) -> list[str]:
        return ["break"]

    def _continue(self, s: ir.ContinueStmt, depth: int) -> list[str]:
        return ["continue"]

    def _return(self, s: ir.ReturnStmt, depth: int) -> list[str]:
        source = self.e(s.value)
        if self.returns is not None:
            source = self.shapes.copy_source(self.returns, source)
        return [f"return {source}"]

    # ------------------------------------------------------------ changes
    def _assign(self, s: ir.AssignStmt, depth: int) -> list[str]:
        if s.op not in ("=", "+=", "-="):  # the operator's first character is written into the source
            raise GenerationError(f"unknown assignment operator {s.op!r}")
        target = s.target
        if isinstance(target, ir.Var):
            return self._assign_local(s)
        if isinstance(target, ir.GetField):
            return self._assign_entry(s, target.obj, ir.Const(type=ir.STR, value=target.name), None)
        if isinstance(target, ir.MapGet):
            return self._assign_entry(s, target.obj, target.key, target.error)
        if isinstance(target, ir.ListIndex):
            return self._assign_index(s)
        raise GenerationError(f"cannot assign to a {target.kind} expression")

    def _assign_local(self, s: ir.AssignStmt) -> list[str]:
        name = local(s.target.name)
        if s.op == "=":
            return [f"{name} = {self.e(s.value)}"]
        # `xs += ys` on a local builds a new list: the local may alias a row's list,
        # which must only change through the journal.
        return [f"{name} = {self._combined(s, name, self.e(s.value))}"]

    def _assign_entry(self, s: ir.AssignStmt, obj_expr: ir.Expr, key_expr: ir.Expr,
                      error: ir.Expr | None) -> list[str]:
        obj, key = self.e(obj_expr), self.e(key_expr)
        simple = _is_simple(obj_expr) and _is_simple(key_expr)
        if s.op == "=":
            if simple:
                return [f"_set(_J, {obj}, {key}, {self.stored(s.value)})"]
            # Python evaluates the value before the target
            return [f"_t = {self.stored(s.value)}", f"_set(_J, {obj}, {key}, _t)"]
        lines = []
        if not simple:
            # evaluate the target once: it may hold lookups
            lines, obj, key = [f"_o = {obj}", f"_k = {key}"], "_o", "_k"
        if isinstance(s.target, ir.GetField):
            current = f"{obj}[{key}]"
        else:
            current = f"_map_get({obj}, {key}, {self.exprs.message(error) if error is not None else 'None'})"
        if s.op == "+=" and strip_optional(s.target.type).kind == "list":
            return lines + [f"_extend(_J, {current}, {self.stored(s.value, charged=True)})"]
        return lines + [f"_set(_J, {obj}, {key}, {self._combined(s, current, self.e(s.value))})"]

    def _assign_index(self, s: ir.AssignStmt) -> list[str]:
        target: ir.ListIndex = s.target
        if s.op == "=":  # Python evaluates the value before the target
            return [f"_t = {self.stored(s.value)}",
                    f"_set_index(_J, {self.e(target.obj)}, {self.e(target.index)}, _t)"]
        lines = [f"_o = {self.e(target.obj)}", f"_k = {self.e(target.index)}"]
        if s.op == "+=" and strip_optional(target.type).kind == "list":
            return lines + [f"_extend(_J, _o[_k], {self.stored(s.value, charged=True)})"]
        return lines + [f"_set_index(_J, _o, _k, {self._combined(s, '_o[_k]', self.e(s.value))})"]

    def _combined(self, s: ir.AssignStmt, current: str, value: str) -> str:
        """The new value of `target += value` or `-=`: range-checked, or charged (runtime/limits.py)."""
        return self.exprs.arithmetic(s.op[0], current, value, s.target.type, s.value.type, s.target.type)

    def _list_op(self, s: ir.ListOpStmt, depth: int) -> list[str]:
        expected = {"append": 1, "extend": 1, "remove": 1, "sort": 0, "update": 1}.get(s.op)
        if expected is None or len(s.args) != expected:
            raise GenerationError(f"list operation {s.op!r} with {len(s.args)} argument(s)")
        stored = s.op in ("append", "extend", "update")
        charged = s.op in ("extend", "update")  # `xs.extend(xs)` in a loop doubles the list each time
        args = "".join(", " + (self.stored(a, charged) if stored else self.e(a)) for a in s.args)
        return [f"_{s.op}(_J, {self.e(s.target)}{args})"]

    def _insert(self, s: ir.InsertStmt, depth: int) -> list[str]:
        entity = self.ctx.info.entities.get(s.entity)
        if entity is None:
            raise GenerationError(f"unknown entity {s.entity!r}")
        message = self.exprs.message(s.error) if s.error is not None else "None"
        return [f"_insert(_S, {literal(entity.collection)}, {literal(entity.key)}, {self.stored(s.row)}, "
                f"{literal(entity.name)}, {message}, {self.ctx.guard(s.loc)})"]

    def _delete(self, s: ir.DeleteStmt, depth: int) -> list[str]:
        entity = self.ctx.info.entities.get(s.entity)
        if entity is None:
            raise GenerationError(f"unknown entity {s.entity!r}")
        message = self.exprs.message(s.error if s.error is not None else ir.not_found_for(entity, s.key))
        return [f"_delete(_S, {literal(entity.collection)}, {self.e(s.key)}, {message}, "
                f"{self.ctx.guard(s.loc)})"]

    def _delete_entry(self, s: ir.DeleteEntryStmt, depth: int) -> list[str]:
        return [f"_delete_entry(_J, {self.e(s.map)}, {self.e(s.key)}, {self.exprs.message(s.error)}, "
                f"{self.ctx.guard(s.loc)})"]

    # ------------------------------------------------------------ control flow
    def _if(self, s: ir.IfStmt, depth: int, keyword: str = "if") -> list[str]:
        pad = INDENT * depth
        lines = [f"{pad}{keyword} {self.e(s.condition)}:"] + self.block(s.then, depth + 1)
        otherwise = s.otherwise
        if len(otherwise) == 1 and isinstance(otherwise[0], ir.IfStmt):
            return lines + self._if(otherwise[0], depth, keyword="elif")
        if otherwise:
            lines += [f"{pad}else:"] + self.block(otherwise, depth + 1)
        return lines

    def _for(self, s: ir.ForStmt, depth: int) -> list[str]:
        if not 1 <= len(s.names) <= 4:
            raise GenerationError("a loop binds one to four names")
        names = ", ".join(local(n) for n in s.names)
        body = self.block(s.body, depth + 1)
        pad = INDENT * depth
        iterable = self.exprs.iterable(s.iterable, bounded=_grows_lists(s.body))
        return [f"for {names} in {iterable}:"] + [line[len(pad):] for line in body]


def _grows_lists(stmts: list[ir.Stmt]) -> bool:
    """Can these statements make a list longer (so that a loop over it might never end)?"""
    for s in stmts:
        if isinstance(s, ir.ListOpStmt) and s.op in ("append", "extend"):
            return True
        if isinstance(s, ir.AssignStmt) and s.op == "+=" and strip_optional(s.target.type).kind == "list":
            return True
        if isinstance(s, ir.IfStmt) and (_grows_lists(s.then) or _grows_lists(s.otherwise)):
            return True
        if isinstance(s, ir.ForStmt) and _grows_lists(s.body):
            return True
    return False


def _fails_itself(e: ir.Expr) -> bool:
    """A lookup that raises its own `else` message, of a value that cannot be none: `let x = m[k] else …`
    needs no second test."""
    return (isinstance(e, (ir.MapGet, ir.Lookup)) and e.error is not None
            and e.type.kind not in ("optional", "none", "any"))


def _is_simple(e: ir.Expr) -> bool:
    """A local or a constant: evaluating it twice costs nothing and cannot fail."""
    return isinstance(e, ir.Var) or (isinstance(e, ir.Const) and isinstance(e.value, (str, int)))


_IMMUTABLE = ("str", "int", "float", "bool", "enum", "ref", "none", "date", "datetime")
_NEW_VALUE_BUILTINS = ("sorted", "map.keys", "str.split")


def is_fresh(e: ir.Expr) -> bool:
    """Is `e` a value no row can already hold (so storing it needs no copy)?"""
    if strip_optional(e.type).kind in _IMMUTABLE:
        return True
    if isinstance(e, ir.Const):
        return True  # constants are emitted as fresh literals
    if isinstance(e, ir.ListExpr):
        return all(is_fresh(i) for i in e.items)
    if isinstance(e, ir.DictExpr):
        return all(is_fresh(v) for v in e.values)
    if isinstance(e, ir.Construct):
        return all(is_fresh(v) for v in e.fields.values())
    if isinstance(e, ir.Comprehension):
        return e.form in ("list", "dict") and is_fresh(e.element)
    if isinstance(e, ir.Conditional):
        return is_fresh(e.then) and is_fresh(e.otherwise)
    if isinstance(e, ir.Builtin):
        return e.name in _NEW_VALUE_BUILTINS
    if isinstance(e, ir.Binary) and e.op == "+":
        element = strip_optional(e.type)
        scalar_items = element.kind == "list" and strip_optional(element.args[0]).kind in _IMMUTABLE
        return scalar_items or (is_fresh(e.left) and is_fresh(e.right))
    return False
