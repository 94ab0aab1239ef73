"""The tool dependency graph, computed from the checked IR (never guessed).

Nodes are tools. Two kinds of edge:

- data flow: tool A's result exposes a value that tool B takes as a parameter,
  by the parameter's domain. References (`ref User`) carry most of these: a
  tool that returns an `Order` exposes its `user_id: ref User`, so it feeds
  every tool taking a `ref User`. Keys inside rows flow too: a tool returning a
  `User` row exposes the keys of its `payment_methods`, so it feeds every tool
  taking a `ref User.payment_methods`. A tool never feeds itself:
  `get_order(order_id)` returning the order's own key tells the agent nothing
  it did not already pass in.
- state: tool A writes a field that tool B reads (`Order.status`), so B's
  outcome can depend on having called A first.

The ScaleEnv paper samples seed tool chains from such a graph; the planner and
task synthesis use it to order their search.
"""

from __future__ import annotations

import json

import networkx as nx

from .. import ir
from .enabling import guard_edges

MAX_TYPE_DEPTH = 8


def build_graph(domain: ir.Domain) -> nx.MultiDiGraph:
    graph = nx.MultiDiGraph(domain=domain.name)
    for tool in domain.tools:
        graph.add_node(tool.name, writes=tool.is_write, reads=list(tool.reads),
                       write_fields=list(tool.write_fields), params=[p.name for p in tool.params])
    _add_data_flow(graph, domain)
    _add_state_flow(graph, domain)
    for edge in guard_edges(domain):
        graph.add_edge(edge.writer, edge.tool, **edge.attributes())
    return graph


def _add_data_flow(graph: nx.MultiDiGraph, domain: ir.Domain) -> None:
    exposed = {t.name: exposed_values(t.returns, domain) if t.returns else set() for t in domain.tools}
    for consumer in domain.tools:
        for param in consumer.params:
            needed = _param_source(param, consumer)
            if needed is None:
                continue
            for producer, values in exposed.items():
                if needed in values and producer != consumer.name:
                    graph.add_edge(producer, consumer.name, kind="data", entity=needed.split(".")[0],
                                   source=needed, param=param.name)


def _param_source(param: ir.ParamDef, tool: ir.ToolDef) -> str | None:
    """What a parameter takes, as exposed_values names it: "User" for its keys,
    "User.payment_methods" for keys inside its rows; None for free values."""
    if tool.contract is None:
        return _param_ref(param.type)
    source = tool.contract.param(param.name)
    if source.source == "keys":
        return source.entity
    if source.source in ("map-keys", "member-keys"):
        return ".".join((source.entity,) + source.path)
    return None


def _add_state_flow(graph: nx.MultiDiGraph, domain: ir.Domain) -> None:
    for writer in domain.tools:
        written = set(writer.write_fields)
        whole_rows = {f.split(".")[0] for f in written if f.endswith(".*")}
        written_entities = {f.split(".")[0] for f in written}
        for reader in domain.tools:
            if reader.name == writer.name:
                continue
            shared = sorted(f for f in reader.read_fields
                            if f in written or f.split(".")[0] in whole_rows
                            or (f.endswith(".*") and f.split(".")[0] in written_entities))
            if shared:
                graph.add_edge(writer.name, reader.name, kind="state", fields=shared)


def _param_ref(t: ir.TypeRef) -> str | None:
    """The entity a parameter refers to, directly or as a list of references."""
    t = t.args[0] if t.kind == "optional" else t
    if t.kind == "ref":
        return ".".join((t.name,) + t.path)
    if t.kind == "list" and t.args[0].kind == "ref":
        return ".".join((t.args[0].name,) + t.args[0].path)
    return None


def exposed_values(t: ir.TypeRef, domain: ir.Domain) -> set[str]:
    """exposed_refs, plus "E.path" for every key inside a row of E that some parameter takes."""
    found = exposed_refs(t, domain)
    rows = _rows_in(t, domain)
    for tool in domain.tools:
        for param in tool.params:
            source = _param_source(param, tool)
            if source is not None and "." in source and source.split(".")[0] in rows:
                found.add(source)
    return found


def _rows_in(t: ir.TypeRef, domain: ir.Domain, depth: int = 0) -> set[str]:
    """The entities whose whole rows a value of type `t` shows (not just their keys)."""
    if depth > MAX_TYPE_DEPTH:
        return set()
    if t.kind in ("list", "map", "optional", "tuple"):
        return set().union(*(_rows_in(a, domain, depth + 1) for a in t.args))
    if t.kind in ("record", "entity"):
        found = {t.name} if t.kind == "entity" else set()
        for f in domain.type_def(t.name).fields:
            found |= _rows_in(f.type, domain, depth + 1)
        return found
    return set()


def exposed_refs(t: ir.TypeRef, domain: ir.Domain, depth: int = 0) -> set[str]:
    """Every entity whose key a value of type `t` makes visible to the agent."""
    if depth > MAX_TYPE_DEPTH:
        return set()
    if t.kind == "ref":
        return {".".join((t.name,) + t.path)}
    if t.kind in ("list", "map", "optional", "tuple"):
        return set().union(*(exposed_refs(a, domain, depth + 1) for a in t.args))
    if t.kind in ("record", "entity"):
        definition = domain.type_def(t.name)
        found = {t.name} if t.kind == "entity" else set()
        for f in definition.fields:
            found |= exposed_refs(f.type, domain, depth + 1)
        return found
    if t.kind == "union":
        union = domain.type_def(t.name)
        return set().union(*(exposed_refs(f.type, domain, depth + 1) for v in union.variants for f in v.fields))
    return set()


def graph_to_json(graph: nx.MultiDiGraph) -> str:
    """Node-link JSON, stable across runs (sorted), for `compile` artifacts and diffs."""
    data = {
        "domain": graph.graph.get("domain"),
        "nodes": [{"id": n, **attrs} for n, attrs in sorted(graph.nodes(data=True))],
        "edges": sorted(({"source": u, "target": v, **attrs} for u, v, attrs in graph.edges(data=True)),
                        key=lambda e: (e["source"], e["target"], e["kind"], json.dumps(e, sort_keys=True))),
    }
    return json.dumps(data, indent=2, sort_keys=True)


def seed_chains(graph: nx.MultiDiGraph, max_length: int = 4, limit: int = 1000) -> list[list[str]]:
    """Simple paths along data-flow edges, from the tools no other tool feeds.

    Such a tool needs no reference (or only ones no tool exposes), so a chain
    can begin with what the user knows. Tools that feed each other in a cycle
    (in the library, `get_member_details` exposes loans, and `renew_loan`
    returns a loan that exposes its member) all count as starts when nothing
    outside the cycle feeds it: they are the sources of the condensed graph.
    """
    data_edges = nx.DiGraph((u, v) for u, v, k in graph.edges(data="kind") if k == "data")
    components = nx.condensation(data_edges)
    starts = sorted(tool for c in components.nodes if components.in_degree(c) == 0
                    for tool in components.nodes[c]["members"])
    chains: list[list[str]] = []
    for start in starts:
        for target in sorted(data_edges.nodes):
            if target == start:
                continue
            for path in nx.all_simple_paths(data_edges, start, target, cutoff=max_length - 1):
                chains.append(path)
                if len(chains) >= limit:
                    return chains
    return chains
