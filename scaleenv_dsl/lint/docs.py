"""Rules over what the agent reads: the domain's description and policy, and each tool's docs.

The agent sees a tool through its doc and its parameters' docs (they become the tool schemas),
and the domain through its policy. A gap there is a gap in what the agent can know.
"""

from __future__ import annotations

import re

from .. import ir
from ..diagnostics import Span
from .findings import Findings

# a policy that asks for confirmation, and a tool doc that passes the request on
CONFIRM = re.compile(r"\bconfirm", re.IGNORECASE)


def missing_header(domain: ir.Domain, sources: dict[str, str]) -> Findings:
    """The header's description and policy: what the agent is told of the domain."""
    found = Findings(domain)
    if not domain.description.strip():
        found.report("missing-description", f"the domain `{domain.name}` has no description", _header(domain, sources),
                     'add `description "…"` to the domain header: one sentence on what the environment is')
    if not domain.policy.strip():
        found.report("missing-policy", f"the domain `{domain.name}` has no policy", _header(domain, sources),
                     'add `policy """…"""` to the domain header: the rules the agent must follow')
    return found


def missing_docs(domain: ir.Domain) -> Findings:
    found = Findings(domain)
    for tool in domain.tools:
        if not tool.doc.strip():
            found.report("missing-doc", f"the tool `{tool.name}` has no doc", tool.loc,
                         'start its body with a string saying what it does: `"Cancel a pending order."`')
        for param in tool.params:
            if not param.doc.strip():
                found.report("missing-doc", f"the parameter `{param.name}` of `{tool.name}` has no doc", param.loc,
                             f'write a string after its type: `{param.name}: {param.type} "What it is."`')
    return found


def unconfirmed_writes(domain: ir.Domain) -> Findings:
    """Where the policy asks for confirmation, each tool that changes the state should say so too."""
    found = Findings(domain)
    if not CONFIRM.search(domain.policy):
        return found
    for tool in domain.tools:
        if tool.is_write and tool.doc.strip() and not CONFIRM.search(tool.doc):  # no doc at all: missing-doc
            found.report("unconfirmed-write", f"`{tool.name}` changes {', '.join(tool.writes)}, but its doc never "
                         "asks for the confirmation the policy requires", tool.loc,
                         "say it in the doc, as the agent reads it when it picks the tool: "
                         '"… Ask the user to confirm (yes/no) before calling it."')
    return found


def _header(domain: ir.Domain, sources: dict[str, str]) -> Span | None:
    """Where `domain NAME` stands: the IR keeps no location for the header."""
    pattern = re.compile(rf"^[ \t]*domain[ \t]+({re.escape(domain.name)})\b", re.MULTILINE)
    for file in domain.files:
        match = pattern.search(sources.get(file, ""))
        if match:
            text = sources[file]
            line = text.count("\n", 0, match.start(1)) + 1
            column = match.start(1) - (text.rfind("\n", 0, match.start(1)) + 1) + 1
            return Span(file, line, column, line, column + len(domain.name))
    return None
