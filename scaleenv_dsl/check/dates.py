"""Dates, datetimes and the clock: the built-in functions over them.

Dates are ISO text (scaleenv_dsl/dates.py). A call on a literal is decided here, so
`date("2024-02-30")` is a diagnostic and `date("2024-03-01")` a constant; a call on a computed
value is a `Builtin` the code generator turns into a runtime helper (runtime/dates.py).

`now()` and `today()` read the clock the Mode names: the environment's at run time in tools,
the task's (or the header's) fixed time in goals, none in invariants. There is never a wall clock.
"""

from __future__ import annotations

from .. import ast, dates, ir
from .scope import Scope
from .symbols import loc

RUN_TIME = "run"   # Mode.clock in tools: the environment's clock, set at reset
NO_CLOCK = ""      # Mode.clock in invariants: they hold at every time

CLOCK_HELP = 'set one in the domain header: `clock "2024-03-01T09:00:00"`'

# name -> (parameter kinds, result); "number" is an `int` count of days, hours or minutes
_SIGNATURES: dict[str, tuple[tuple[tuple[str, ...], ...], str | None]] = {
    "days_between": ((("date",), ("date",)), "int"),
    "minutes_between": ((("datetime",), ("datetime",)), "int"),
    "add_days": ((("date", "datetime"), ("int",)), None),  # None: the type of the first argument
    "add_hours": ((("datetime",), ("int",)), "datetime"),
    "add_minutes": ((("datetime",), ("int",)), "datetime"),
}
_HELP = {
    "days_between": "`days_between(a, b)` counts the days from date `a` to date `b`; `date(t)` is the day of a datetime",
    "minutes_between": "`minutes_between(a, b)` counts the minutes from datetime `a` to datetime `b`",
    "add_days": "`add_days(d, n)` takes a date or datetime and a whole number of days",
    "add_hours": "`add_hours(t, n)` takes a datetime and a whole number of hours",
    "add_minutes": "`add_minutes(t, n)` takes a datetime and a whole number of minutes",
}
FUNCTIONS = ("date", "datetime", "now", "today", *_SIGNATURES)


def check_date_call(c, node: ast.Call, name: str, scope: Scope) -> ir.Expr:
    if node.kwargs or any(isinstance(a, ast.Generator) for a in node.args):
        return c.error("wrong-arguments", f"`{name}` takes plain arguments", node.span,
                       f"pass the arguments by position: {_usage(name)}")
    if name in ("now", "today"):
        return _clock(c, node, name)
    args = [c.expr(a, scope) for a in node.args]
    if name in ("date", "datetime"):
        return _convert(c, node, name, args)
    kinds, result = _SIGNATURES[name]
    if len(args) != len(kinds):
        return c.error("wrong-arguments", f"`{name}` takes {len(kinds)} arguments, got {len(args)}", node.span,
                       _HELP[name])
    for arg_node, arg, allowed in zip(node.args, args, kinds):
        if arg.type.kind not in (*allowed, "any"):
            return c.error("type-mismatch", f"`{name}` takes {_kinds(allowed)} here, this is `{arg.type}`",
                           arg_node.span, _argument_help(name, arg.type))
    t = ir.TypeRef(kind=result) if result else (args[0].type if args[0].type.kind != "any" else ir.ANY)
    return ir.Builtin(type=t, name=name, args=args, loc=loc(node.span))


def _usage(name: str) -> str:
    return {"date": '`date("2024-03-01")`', "datetime": '`datetime("2024-03-01T09:00:00")`',
            "now": "`now()`", "today": "`today()`"}.get(name) or _HELP[name]


def _kinds(allowed: tuple[str, ...]) -> str:
    names = {"date": "a `date`", "datetime": "a `datetime`", "int": "an `int`"}
    return " or ".join(names[k] for k in allowed)


def _argument_help(name: str, got: ir.TypeRef) -> str:
    if got.kind == "optional":
        return "the value may be none: check it with `is not none` first"
    if got.kind == "str":
        return 'parse the text first: `date(s)` or `datetime(s)`'
    return _HELP[name]


def _convert(c, node: ast.Call, name: str, args: list[ir.Expr]) -> ir.Expr:
    """`date(x)` and `datetime(x)`: parse text, or take the day of a datetime / the start of a day."""
    if len(args) != 1:
        return c.error("wrong-arguments", f"`{name}` takes one argument, got {len(args)}", node.span,
                       f"write {_usage(name)}")
    arg, t = args[0], ir.TypeRef(kind=name)
    if isinstance(arg, ir.Const) and isinstance(arg.value, str):
        return _literal(c, node, name, arg.value)
    kind = arg.type.kind
    if kind == name:
        return arg
    if kind in ("str", "date", "datetime", "any"):
        return ir.Builtin(type=t, name=name, args=[arg], loc=loc(node.span))
    help = ("the value may be none: check it with `is not none` first" if kind == "optional"
            else f"`{name}` parses ISO text, such as {_usage(name)}")
    return c.error("type-mismatch", f"`{name}` cannot convert `{arg.type}`", node.args[0].span, help)


def _literal(c, node: ast.Call, name: str, text: str) -> ir.Expr:
    """A literal is checked now: bad text is a diagnostic, good text a constant of the type."""
    if name == "date":
        parsed, form, example = dates.parse_date(text), dates.DATE_FORMAT, "2024-03-01"
        value = dates.date_text(parsed) if parsed else None
    else:
        parsed, form, example = dates.parse_datetime(text), dates.DATETIME_FORMAT, "2024-03-01T09:00:00"
        value = dates.datetime_text(parsed) if parsed else None
    if value is None:
        return c.error("invalid-date", f'"{text[:40]}" is not a {name}', node.args[0].span,
                       f"write it as {form}, such as {example} (no time zone)")
    return ir.Const(type=ir.TypeRef(kind=name), value=value, loc=loc(node.span))


def _clock(c, node: ast.Call, name: str) -> ir.Expr:
    if node.args:
        return c.error("wrong-arguments", f"`{name}` takes no arguments", node.span, f"write `{name}()`")
    t = ir.DATETIME if name == "now" else ir.DATE
    clock = c.mode.clock
    if clock == NO_CLOCK:
        return c.error("no-clock", f"an invariant holds at every time, so it cannot read `{name}()`", node.span,
                       "check the time in the tools that change the row, with `require`")
    if clock == RUN_TIME:
        if c.symbols.clock is None:
            return c.error("no-clock", f"`{name}()` reads the domain's clock, and the header sets none",
                           node.span, CLOCK_HELP)
        return ir.Builtin(type=t, name=name, args=[], loc=loc(node.span))
    if clock is None:
        return c.error("no-clock", f"`{name}()` reads the task's clock, and neither the task nor the header sets one",
                       node.span, CLOCK_HELP + ', or in the task: `clock "…"`')
    return ir.Const(type=t, value=clock if name == "now" else clock[:10], loc=loc(node.span))

