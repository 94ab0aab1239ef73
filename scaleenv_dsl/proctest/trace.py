"""Which spec statements a call executed: whether a call that succeeded passed a given guard.

A successful call passes a guard only if it reached it: a `require` inside an `if` that was not
taken, or inside a loop over an empty list, was never checked. Generated code marks every
statement with a `# spec: FILE:LINE` comment on the line above its code, so tracing the lines a
call runs in the generated module tells which statements ran. Tracing is for the search only;
no call made through an env outside it is traced.
"""

from __future__ import annotations

import re
import sys
from typing import Callable

from .. import ir
from ..codegen.names import where

_SPEC_COMMENT = re.compile(r"^\s*# spec: (\S+)\s*$")

Place = str  # "file.sedl:LINE", as `# spec:` comments write it


class StatementTracer:
    """Runs calls while recording the spec statements (as places) their generated lines belong to."""

    def __init__(self, module):
        self.filename = module.filename
        self.places = statement_lines(module.source)

    def run(self, call: Callable[[], object]) -> tuple[object, set[Place]]:
        executed: set[int] = set()
        filename = self.filename

        def local(frame, event, arg):
            if event == "line":
                executed.add(frame.f_lineno)
            return local

        def scope(frame, event, arg):
            return local if frame.f_code.co_filename == filename else None

        previous = sys.gettrace()
        sys.settrace(scope)
        try:
            result = call()
        finally:
            sys.settrace(previous)
        return result, {self.places[n] for n in executed if n in self.places}


def statement_lines(source: str) -> dict[int, Place]:
    """Line number (1-based) of the first line of each statement's code -> the statement's place."""
    places = {}
    for number, line in enumerate(source.splitlines(), 1):
        match = _SPEC_COMMENT.match(line)
        if match:
            places[number + 1] = match.group(1)
    return places


def statements(body) -> list[ir.Stmt]:
    """Every statement of a tool body, nested ones included, outermost first."""
    return [node for node in ir.walk(body) if isinstance(node, ir.StmtBase)]


def guard_places(tool: ir.ToolDef, domain: ir.Domain | None = None) -> dict[str, Place]:
    """Guard id -> the place of the innermost statement that holds it; argument guards have none.
    A guard a helper brings stands in the helper's body: the helpers the tool calls are searched too."""
    stmts = [s for s in statements([tool.body, *_called_bodies(tool.body, domain)]) if s.loc is not None]
    places = {}
    for guard in tool.contract.guards if tool.contract else ():
        if guard.kind == "argument":
            continue
        holders = [s for s in stmts if _contains(s.loc, guard.loc)]
        if holders:
            places[guard.id] = where(min(holders, key=_span_size).loc)
    return places


def _called_bodies(body, domain: ir.Domain | None) -> list:
    """The bodies of the helpers `body` calls, and of those they call (helpers do not recurse)."""
    if domain is None or not domain.helpers:
        return []
    seen: dict[str, object] = {}
    pending = [n.name for n in ir.walk(body) if isinstance(n, ir.HelperCall)]
    while pending:
        name = pending.pop()
        if name not in seen:
            seen[name] = domain.helper(name).body
            pending += [n.name for n in ir.walk(seen[name]) if isinstance(n, ir.HelperCall)]
    return list(seen.values())


def _contains(outer: ir.Loc, inner: ir.Loc) -> bool:
    return (outer.file == inner.file and (outer.line, outer.column) <= (inner.line, inner.column)
            and (inner.end_line, inner.end_column) <= (outer.end_line, outer.end_column))


def _span_size(stmt: ir.Stmt) -> tuple[int, int]:
    loc = stmt.loc
    return (loc.end_line - loc.line, loc.end_column - loc.column)
