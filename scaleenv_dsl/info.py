"""`scaleenv info DOMAIN [--format text|json]`: what a domain holds, read from its checked IR.

Entities with their row counts, tools with their parameters (and where each one's values come
from), whether each reads or writes (inferred, never declared), their guards and effects, the
tasks, and the size of the dependency graph. Scripts read the JSON: its `tools` list has, for
each tool, at least `name`, `writes` (the entities it changes, empty for a read-only tool) and
`params`. Exit codes: 0 ok, 1 the spec has errors, 2 usage or I/O problems.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

from . import ir

EXIT_OK, EXIT_USAGE = 0, 2


def add_parser(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "info", help="what a domain holds: entities, tools (reads, writes, guards, effects), tasks, graph",
        description="Summarise a domain from its checked IR: entities and their row counts, tools with their "
                    "parameters, inferred reads and writes, guards and effects, tasks and the dependency "
                    "graph's size. Exit codes: 0 ok, 1 the spec has errors, 2 a usage or I/O problem.")
    parser.add_argument("domain", help="a .sedl spec, a folder holding one, or a stdlib domain name")
    parser.add_argument("--format", choices=("text", "json"), default="text", help="a summary for people, or JSON")
    parser.set_defaults(run=run)
    return parser


def run(args) -> int:
    from .api import check_for_command

    domain, code = check_for_command(args.domain, "info")
    if domain is None:
        return code
    try:
        info = domain_info(domain)
    except (OSError, ValueError) as err:
        print(f"error: cannot read the data of {args.domain}: {err}", file=sys.stderr)
        return EXIT_USAGE
    print(json.dumps(info, indent=2, ensure_ascii=False) if args.format == "json" else render_text_info(info))
    return EXIT_OK


# ---------------------------------------------------------------- the facts

def domain_info(domain: ir.Domain) -> dict:
    from .graph import build_graph

    rows = _row_counts(domain)
    graph = build_graph(domain)
    edges = Counter(kind for _, _, kind in graph.edges(data="kind"))
    return {
        "domain": domain.name,
        "description": domain.description,
        "entities": [{"name": e.name, "collection": e.collection, "key": e.key, "rows": rows.get(e.collection, 0),
                      "fields": [f.name for f in e.fields], "invariants": len(e.invariants)}
                     for e in domain.entities],
        "tools": [tool_info(t) for t in domain.tools],
        "helpers": [{"name": h.name, "params": [{"name": p.name, "type": str(p.type)} for p in h.params],
                     "returns": str(h.returns), "reads": list(h.reads), "calls": list(h.calls),
                     "callers": [t.name for t in domain.tools if _calls(t, h.name)]}
                    for h in domain.helpers],
        "tasks": [{"name": t.name, "reward": list(t.reward), "actions": len(t.actions), "goals": len(t.goals),
                   "initial": bool(t.initial)} for t in domain.tasks],
        "graph": {"nodes": graph.number_of_nodes(), "edges": graph.number_of_edges(),
                  "data_edges": edges.get("data", 0), "state_edges": edges.get("state", 0),
                  "edges_by_kind": dict(sorted(edges.items()))},
    }


def tool_info(tool: ir.ToolDef) -> dict:
    contract = tool.contract or ir.ToolContract()
    sources = {p.param: p for p in contract.params}
    return {
        "name": tool.name,
        "doc": tool.doc.strip().split("\n")[0],
        "params": [_param_info(p, sources.get(p.name)) for p in tool.params],
        "returns": str(tool.returns) if tool.returns is not None else None,
        "read_only": not tool.is_write,
        "reads": list(tool.reads),
        "writes": list(tool.writes),
        "read_fields": list(tool.read_fields),
        "write_fields": list(tool.write_fields),
        "inserts": list(tool.inserts),
        "deletes": list(tool.deletes),
        "guards": [{"id": g.id, "kind": g.kind, "message": g.message, "loc": _loc(g.loc),
                    "conditional": bool(g.when), "in_loop": g.in_loop} for g in contract.guards],
        "effects": [{"entity": e.entity, "path": list(e.path), "op": e.op, "conditional": bool(e.when),
                     "in_loop": e.in_loop, "opaque": e.opaque} for e in contract.effects],
    }


def _param_info(param: ir.ParamDef, source: ir.ParamDomain | None) -> dict:
    out = {"name": param.name, "type": str(param.type), "optional": param.type.kind == "optional",
           "source": source.source if source else "free"}
    if source is not None and source.entity:
        out["entity"] = source.entity
    if source is not None and source.path:
        out["path"] = list(source.path)
    if source is not None and source.values:
        out["values"] = list(source.values)
    return out


def _calls(tool: ir.ToolDef, helper: str) -> bool:
    """Whether the tool's body calls the helper itself (not only through another helper)."""
    return any(isinstance(n, ir.HelperCall) and n.name == helper for n in ir.walk(tool.body))


def _row_counts(domain: ir.Domain) -> dict[str, int]:
    if domain.data_path is None:
        return {}
    with open(domain.data_path, encoding="utf-8") as f:
        data = json.load(f)
    return {c: len(rows) for c, rows in data.items() if isinstance(rows, dict)} if isinstance(data, dict) else {}


def _loc(loc: ir.Loc | None) -> str | None:
    return f"{Path(loc.file).name}:{loc.line}:{loc.column}" if loc is not None else None


# ---------------------------------------------------------------- text

def render_text_info(info: dict) -> str:
    writers = sum(1 for t in info["tools"] if t["writes"])
    graph = info["graph"]
    lines = [f"{info['domain']}: {info['description']}".rstrip(": "),
             f"entities ({len(info['entities'])}):"]
    lines += [f"  {e['name']} in {e['collection']}, key {e['key']}: {e['rows']} rows, {len(e['fields'])} fields, "
              f"{e['invariants']} invariants" for e in info["entities"]]
    lines.append(f"tools ({len(info['tools'])}, {writers} write, inferred):")
    for t in info["tools"]:
        lines += _tool_lines(t)
    if info.get("helpers"):
        lines.append(f"helpers ({len(info['helpers'])}, inlined into their callers' reads and contracts):")
        for h in info["helpers"]:
            params = ", ".join(f"{p['name']}: {p['type']}" for p in h["params"])
            reads = f"reads {', '.join(h['reads'])}" if h["reads"] else "reads no rows"
            lines.append(f"  {h['name']}({params}) -> {h['returns']}: {reads}; called by "
                         + (", ".join(h["callers"]) or "no tool"))
    bases = Counter(", ".join(t["reward"]) for t in info["tasks"])
    lines.append(f"tasks ({len(info['tasks'])})" + "".join(
        f"{'; ' if i else ': '}{n} reward {b}" for i, (b, n) in enumerate(bases.most_common())))
    kinds = ", ".join(f"{count} {kind}" for kind, count in graph["edges_by_kind"].items())
    lines.append(f"graph: {graph['nodes']} tools, {graph['edges']} edges ({kinds})")
    return "\n".join(lines)


def _tool_lines(t: dict) -> list[str]:
    params = ", ".join(f"{p['name']}: {p['type']}" for p in t["params"])
    returns = f" -> {t['returns']}" if t["returns"] else ""
    access = f"writes {', '.join(t['writes'])}" if t["writes"] else "read-only"
    lines = [f"  {t['name']}({params}){returns}", f"      {access}; reads {', '.join(t['reads']) or 'nothing'}"]
    kinds = Counter(g["kind"] for g in t["guards"])
    if kinds:
        lines.append("      guards: " + ", ".join(f"{n} {k}" for k, n in kinds.items()))
    if t["effects"]:
        effects = dict.fromkeys(".".join([e["entity"], *e["path"]]).replace(".[]", "[]") + f" {e['op']}"
                                for e in t["effects"])
        lines.append("      effects: " + ", ".join(effects))
    return lines
