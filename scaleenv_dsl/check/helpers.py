"""Named constants and pure helper functions: checked before the tools that use them.

A constant (`const MAX_ITEMS = 5`) is a literal, typed by its value; every use is replaced by
that literal, so nothing after the checker knows constants exist.

A helper (`def eligible(o: Order, now: int) -> bool { … }`) is checked once on its own, with
its declared parameter types, and again at each call site with its parameters bound to what
the arguments are (the rows they come from), diagnostics dropped: that second pass adds what
the helper reads, and the rows its result belongs to, to the caller's inferred reads and
origins, so a tool's read set, write inference and contract see through the call. Helpers
have no effects, do not recurse (directly or through one another) and are bounded in size.
"""

from __future__ import annotations

from .. import ast, ir
from ..diagnostics import Label
from .calls import positional_only
from .exprs import Effects, ExprChecker
from .options import NotLiteral, literal_value
from .scope import Scope
from .symbols import Symbols, loc, resolve_type
from .tools import ToolChecker, always_returns

MAX_HELPER_SIZE = 5_000   # IR nodes in a helper's body, with the bodies of the helpers it calls counted in
MAX_HELPER_CHECKS = 100_000  # helper calls checked in a spec, each call a helper makes counted in
MAX_HELPER_DEPTH = 32     # helpers calling helpers: the generated functions nest this deep at most
HELPER_EFFECT_HELP = "a helper only computes a value: make the change in the tool that calls it"


# ---------------------------------------------------------------- constants

def check_constants(symbols: Symbols) -> None:
    """Each `const` as its checked literal, in `symbols.const_values`."""
    checker = ExprChecker(symbols)
    for name, decl in symbols.consts.items():
        if name in symbols.collections:
            symbols.error("duplicate-definition", f"`{name}` is the name of a collection", decl.name.span,
                          "give the constant another name: constants are usually written in capitals")
            continue
        try:
            literal_value(decl.value)
        except NotLiteral as err:
            symbols.error("invalid-constant", f"the constant `{name}` is not a literal", err.node.span,
                          "a constant is a string, number, boolean, or a list or map of them; "
                          "compute other values in a tool or a helper")
            continue
        symbols.const_values[name] = checker.expr(decl.value, Scope())


def constant_use(symbols: Symbols, name: str, at: ir.Loc) -> ir.Expr | None:
    value = symbols.const_values.get(name)
    if value is None:
        return None
    return ir.Const(type=value.type, value=value.value, loc=at) if isinstance(value, ir.Const) else value


# ---------------------------------------------------------------- helpers

def check_helpers(symbols: Symbols) -> dict[str, ir.HelperDef]:
    """Every helper, checked; recursion and size reported. Fills `symbols.helper_defs`."""
    for name, decl in symbols.helpers.items():
        _check_name(symbols, name, decl)
    calls = {name: _called_helpers(decl.body, symbols) for name, decl in symbols.helpers.items()}
    recursive = _report_cycles(symbols, calls)
    for name, decl in symbols.helpers.items():
        symbols.helper_stack = [name]
        symbols.helper_defs[name] = HelperChecker(symbols, decl, recursive).check()
    symbols.helper_stack = []
    _report_sizes(symbols, calls, recursive)
    return symbols.helper_defs


def _check_name(symbols: Symbols, name: str, decl: ast.HelperDecl) -> None:
    from .calls import AGGREGATES, FUNCTIONS
    if name in FUNCTIONS or name in AGGREGATES or name == "old":
        symbols.error("duplicate-definition", f"`{name}` is a built-in function", decl.name.span,
                      "choose another name for the helper")
    elif symbols.is_type(name):
        symbols.error("duplicate-definition", f"`{name}` is a type: `{name}(…)` builds a value of it",
                      decl.name.span, "choose another name for the helper")


def _called_helpers(body, symbols: Symbols) -> dict[str, ast.Call]:
    """The helpers a body calls, each with its first call (where a cycle is reported)."""
    found: dict[str, ast.Call] = {}
    pending = list(body)
    while pending:
        node = pending.pop(0)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in symbols.helpers:
            found.setdefault(node.func.id, node)
        pending.extend(_ast_children(node))
    return found


def _ast_children(node):
    for name in getattr(node, "__slots__", ()):
        value = getattr(node, name, None)
        if isinstance(value, ast.Node):
            yield value
        elif isinstance(value, tuple):
            yield from (v for v in value if isinstance(v, ast.Node))


def _report_cycles(symbols: Symbols, calls: dict[str, dict[str, ast.Call]]) -> set[str]:
    """The helpers on a cycle of calls, each cycle reported once, at the call that closes it."""
    on_cycle: set[str] = set()
    state: dict[str, str] = {}  # "active" while its calls are walked, then "done"

    def visit(name: str, path: list[str]) -> None:
        state[name] = "active"
        for callee, call in calls.get(name, {}).items():
            if state.get(callee) == "active":
                cycle = path[path.index(callee):] + [callee]
                on_cycle.update(cycle)
                symbols.error("helper-recursion", "helpers call themselves: " + " -> ".join(cycle), call.span,
                              "helpers may not recurse, directly or through one another: "
                              "iterate with a comprehension or `for` instead")
            elif callee not in state:
                visit(callee, path + [callee])
        state[name] = "done"

    for name in calls:
        if name not in state:
            visit(name, [name])
    return on_cycle


def _report_sizes(symbols: Symbols, calls, recursive: set[str]) -> None:
    sizes: dict[str, tuple[int, int]] = {}  # name -> (expanded IR nodes, call depth)

    def measure(name: str) -> tuple[int, int]:
        if name not in sizes:
            sizes[name] = (0, 0)  # a cycle is reported already; count it once
            size = sum(1 for _ in ir.walk(symbols.helper_defs[name].body))
            depth = 1
            for node in ir.walk(symbols.helper_defs[name].body):
                if isinstance(node, ir.HelperCall) and node.name in symbols.helper_defs and node.name not in recursive:
                    inner_size, inner_depth = measure(node.name)
                    size += inner_size
                    depth = max(depth, inner_depth + 1)
            sizes[name] = (min(size, 10 * MAX_HELPER_SIZE), depth)
        return sizes[name]

    for name, decl in symbols.helpers.items():
        if name in recursive:
            continue
        size, depth = measure(name)
        if size > MAX_HELPER_SIZE or depth > MAX_HELPER_DEPTH:
            what = f"{size} expressions and statements" if size > MAX_HELPER_SIZE else f"helpers {depth} deep"
            symbols.error("helper-too-large", f"the helper `{name}` grows to {what} with the helpers it calls",
                          decl.name.span, f"a helper may hold {MAX_HELPER_SIZE} expressions and statements and "
                          f"call helpers {MAX_HELPER_DEPTH} deep, its callees counted in: split the work across "
                          "tools or simplify the helpers")


class HelperChecker(ToolChecker):
    """A helper body: a tool body's statements, less every effect."""

    def __init__(self, symbols: Symbols, decl: ast.HelperDecl, recursive: set[str] = frozenset(),
                 effects: Effects | None = None):
        self.symbols = symbols
        self.decl = decl
        self.effects = effects or Effects()
        self.exprs = ExprChecker(symbols, self.effects)
        self.exprs.in_code = True
        self.exprs.in_helper = True
        self.returns = resolve_type(decl.returns, symbols)
        self.loop_scope = None
        self.assigned_origins = {}
        self.recursive = recursive
        self.return_origins: frozenset[str] = frozenset()

    def check(self, arguments: list[tuple[ir.TypeRef, frozenset[str]]] | None = None) -> ir.HelperDef:
        scope = Scope()
        params = []
        for index, p in enumerate(self.decl.params):
            t = resolve_type(p.type, self.symbols)
            origin = arguments[index][1] if arguments is not None else frozenset({"@param"})
            self.exprs.bind(scope, p.name, t, origin, "param")
            params.append(ir.ParamDef(name=p.name.name, type=t, loc=loc(p.span)))
        body = self.block(self.decl.body, scope, in_loop=False)
        if not always_returns(body):
            self.exprs.error("missing-return", f"`{self.decl.name.name}` can end without returning",
                             self.decl.name.span, f"end every path of the helper with `return` or `fail \"…\"` "
                             f"(it returns `{self.returns}`)")
        calls = sorted({n.name for n in ir.walk(body) if isinstance(n, ir.HelperCall)})
        return ir.HelperDef(name=self.decl.name.name, doc=self.decl.doc.value if self.decl.doc else "",
                            params=params, returns=self.returns, body=body,
                            reads=sorted(self.effects.reads), read_fields=sorted(self.effects.read_fields),
                            errors=self.effects.errors, calls=calls, loc=loc(self.decl.name.span))

    def _Return(self, node: ast.Return, scope: Scope, in_loop: bool) -> ir.Stmt:
        value = self.exprs.expr(node.value, scope)
        self.exprs.coerce(node.value, value, self.returns, "the return value")
        self.return_origins |= self.exprs.origin(value)
        return ir.ReturnStmt(value=value, loc=loc(node.span))

    def _record_write(self, origin, span, help) -> tuple[str, ...]:
        if origin:
            self.exprs.error("helper-effect", "a helper cannot change a row or an argument", span,
                             HELPER_EFFECT_HELP)
        return ()

    def _effect_statement(self, node, word: str) -> None:
        self.exprs.error("helper-effect", f"`{word}` cannot stand in a helper", node.span,
                         HELPER_EFFECT_HELP if word != "ensures" else "state the postcondition in the tool")

    def _Insert(self, node, scope, in_loop):
        self._effect_statement(node, "insert")

    def _Delete(self, node, scope, in_loop):
        self._effect_statement(node, "delete")

    def _Ensures(self, node, scope, in_loop):
        self._effect_statement(node, "ensures")


# ---------------------------------------------------------------- calls

def check_helper_call(c: ExprChecker, node: ast.Call, name: str, scope: Scope) -> ir.Expr:
    symbols = c.symbols
    decl = symbols.helpers[name]
    if not c.in_code:
        return c.error("helper-outside-code", f"the helper `{name}` is called outside a tool or helper", node.span,
                       "call helpers from tool and helper bodies; invariants, goals and messages "
                       "use expressions and constants")
    refused = positional_only(c, node, name, f"pass the arguments by position, in the order of `def {name}`",
                              "build the list first: `[e for x in xs]`")
    if refused is not None:
        return refused
    args = [c.expr(a, scope) for a in node.args]
    if len(args) != len(decl.params):
        names = ", ".join(p.name.name for p in decl.params)
        return c.error("wrong-arguments", f"`{name}` takes {len(decl.params)} argument(s), got {len(args)}",
                       node.span, f"call it as `{name}({names})`",
                       [Label(decl.name.span, f"`{name}` is defined here")])
    types = [resolve_type(p.type, symbols) for p in decl.params]
    for arg_node, arg, p, t in zip(node.args, args, decl.params, types):
        c.coerce(arg_node, arg, t, f"the argument `{p.name.name}` of `{name}`")
    returns = resolve_type(decl.returns, symbols)
    e = ir.HelperCall(type=returns, name=name, args=args, loc=loc(node.span))
    return c.with_origin(e, _through_call(c, decl, [(t, c.origin(a)) for t, a in zip(types, args)]))


def _through_call(c: ExprChecker, decl: ast.HelperDecl, arguments) -> frozenset[str]:
    """Check the helper again over the caller's arguments, into the caller's effects: what it
    reads is read by the caller, and the rows its result belongs to are known. Its diagnostics
    were reported when it was checked on its own, so they are dropped here."""
    symbols = c.symbols
    name = decl.name.name
    if name in symbols.helper_stack or len(symbols.helper_stack) > MAX_HELPER_DEPTH:
        return frozenset()  # a cycle, or too deep: both reported where the helpers are checked
    symbols.helper_budget -= 1
    if symbols.helper_budget < 0:
        if symbols.helper_budget == -1:  # once: every later call is past the budget too
            c.error("helper-too-large", "helpers are called too many times to check", decl.name.span,
                    f"the calls of helpers, each helper's own calls counted in, may number "
                    f"{MAX_HELPER_CHECKS}: call fewer helpers, or make them call fewer")
        return frozenset()
    reported = len(symbols.diagnostics)
    symbols.helper_stack.append(name)
    try:
        checker = HelperChecker(symbols, decl, effects=c.effects)
        checker.check(arguments)
    finally:
        symbols.helper_stack.pop()
        del symbols.diagnostics[reported:]
    return checker.return_origins
