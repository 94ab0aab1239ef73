"""A tool no task or chain of calls can reach: one of its parameters has no source.

An agent gets a parameter's value from somewhere: a free value (a name, an amount) or one of a
finite domain (an enum, a `require p in [...]` list) it can always write; a reference it must
see first, in the result of a tool it can already call (the dependency graph's data edges) or
among the facts a task's user `knows` under that parameter's name. Tools are reached from those
the user's facts alone open, along data edges, to a fixed point; the rest are reported.
"""

from __future__ import annotations

from .. import ir
from .findings import Findings

REFERENCE_SOURCES = ("keys", "map-keys", "member-keys")


def unreachable_tools(domain: ir.Domain) -> Findings:
    found = Findings(domain)
    given_by = producers(domain)
    known = {name for task in domain.tasks for name in task.knows}
    reached: set[str] = set()
    grown = True
    while grown:
        grown = False
        for tool in domain.tools:
            if tool.name not in reached and not _blocked(tool, given_by, known, reached):
                reached.add(tool.name)
                grown = True
    for tool in domain.tools:
        blocked = _blocked(tool, given_by, known, reached)
        if blocked:
            found.report("unreachable-tool", f"no task or chain of calls reaches `{tool.name}`: nothing gives "
                         f"its `{blocked.name}` ({blocked.type})", blocked.loc,
                         f"return such a value from a tool the agent can call, or give a task "
                         f"`knows {blocked.name} = …`")
    return found


def _blocked(tool: ir.ToolDef, given_by: dict, known: set[str], reached: set[str]) -> ir.ParamDef | None:
    """The first parameter of `tool` with no source yet, or None."""
    if tool.contract is None:
        return None
    for param in tool.params:
        source = tool.contract.param(param.name).source
        if source not in REFERENCE_SOURCES or param.may_be_left_out or param.name in known:
            continue
        if not given_by.get((tool.name, param.name), set()) & reached:
            return param
    return None


def producers(domain: ir.Domain) -> dict[tuple[str, str], set[str]]:
    """(tool, parameter) -> the tools whose results expose a value for it: the graph's data edges."""
    from ..graph import exposed_values  # networkx: only when this rule runs

    exposed = {t.name: exposed_values(t.returns, domain) for t in domain.tools if t.returns is not None}
    out: dict[tuple[str, str], set[str]] = {}
    for tool in domain.tools:
        for source in tool.contract.params if tool.contract else ():
            if source.source in REFERENCE_SOURCES:
                wanted = ".".join((source.entity,) + source.path)  # as the graph names what a result exposes
                out[(tool.name, source.param)] = {name for name, values in exposed.items()
                                                  if wanted in values and name != tool.name}
    return out
