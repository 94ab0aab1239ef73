"""Rules over the errors a tool can fail with: each should say which check failed.

An agent learns why a call failed from the error text alone, so within one tool a message
should be non-empty and name one check. Two checks of different conditions that fail with the
same text (or texts equal but for case, spacing and punctuation) leave it guessing. Only the
messages a caller can meet count: not those of checks that never fail, of lookups of references
read from the state (they fail only on inconsistent data), or of Python's index errors.
"""

from __future__ import annotations

import re

from .. import ir
from .findings import Findings, line_of
from .guards import ToolFacts, tool_facts


def error_messages(domain: ir.Domain) -> Findings:
    found = Findings(domain)
    for tool in domain.tools:
        if tool.contract is None:
            continue
        facts = tool_facts(domain, tool)
        first_with: dict[str, ir.Guard] = {}
        for guard in facts.guards:
            if guard.message is None or not _can_be_seen(guard, facts):
                continue
            if not guard.message.strip():
                found.report("empty-error-message", f"this check of `{tool.name}` fails with an empty message",
                             guard.loc, "say what is wrong, as the agent will read it: `else \"Order not found\"`")
                continue
            earlier = first_with.setdefault(_normalised(guard.message), guard)
            if earlier is not guard and (earlier.kind, earlier.condition) != (guard.kind, guard.condition):
                found.report("duplicate-error-message", _duplicate(tool, earlier, guard), guard.loc,
                             "give each check its own message, naming what it found wrong",
                             labels=((earlier.loc, "the same message"),))
    return found


def _can_be_seen(guard: ir.Guard, facts: ToolFacts) -> bool:
    """Whether a caller can meet the guard's message: not for an index out of range (Python's
    text), a lookup of a reference read from the state, or a check that never fails."""
    return guard.kind != "index" and not facts.reads_a_stored_reference(guard) and facts.verdict(guard) is not True


def _duplicate(tool: ir.ToolDef, earlier: ir.Guard, guard: ir.Guard) -> str:
    same = "the same message" if earlier.message == guard.message else "nearly the same message"
    return (f'this check of `{tool.name}` fails with {same} as the check at {line_of(earlier.loc)} '
            f'("{guard.message}"), so a caller cannot tell which one failed')


def _normalised(message: str) -> str:
    return re.sub(r"[\s\W_]+", " ", message.lower()).strip()
