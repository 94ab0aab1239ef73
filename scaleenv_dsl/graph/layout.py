"""A small layered layout for the dependency graph, left to right, with no system binary.

A tool's layer is how many rounds of calls it takes before every argument it needs can be known:
layer 0 needs nothing another tool shows (a name, an email), layer 1 needs what a layer-0 tool
shows, and so on (a relaxed planning graph over the data edges; cycles are fine, since each
argument takes its earliest producer). Within a layer, tools are ordered by the mean position of
their producers (the barycentre heuristic), which keeps most data edges short and uncrossed.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx

NODE_HEIGHT = 26
ROW_GAP = 34
COLUMN_GAP = 150      # room for the arcs between tools of one column, drawn on its right
CHAR_WIDTH = 7.3      # 12px monospace
NODE_PADDING = 18
SWEEPS = 4


@dataclass(frozen=True)
class Box:
    x: float          # left
    y: float          # top
    width: float
    height: float
    layer: int

    @property
    def right(self) -> float:
        return self.x + self.width

    @property
    def middle(self) -> float:
        return self.y + self.height / 2


def layers(graph: nx.MultiDiGraph) -> dict[str, int]:
    """Each tool's layer: 1 + the latest of its arguments' earliest producers, 0 when none is needed."""
    producers: dict[str, dict[str, set[str]]] = {n: {} for n in graph.nodes}
    for u, v, attrs in graph.edges(data=True):
        if attrs["kind"] == "data":
            producers[v].setdefault(attrs["param"], set()).add(u)
    level = {n: 0 if not producers[n] else None for n in graph.nodes}
    for layer in range(1, len(level) + 1):
        known = {n: lv for n, lv in level.items() if lv is not None}  # the tools of earlier layers only
        ready = [tool for tool, params in producers.items() if level[tool] is None
                 and all(any(p in known for p in ps) for ps in params.values())]
        if not ready:
            break
        level.update(dict.fromkeys(ready, layer))
    return {n: 0 if lv is None else lv for n, lv in level.items()}  # unreachable: the user must know it


def order_layers(graph: nx.MultiDiGraph, level: dict[str, int]) -> list[list[str]]:
    columns = [sorted(n for n in level if level[n] == i) for i in range(max(level.values(), default=-1) + 1)]
    feeders: dict[str, set[str]] = {n: set() for n in graph.nodes}
    for u, v, kind in graph.edges(data="kind"):
        if kind == "data" and level[u] < level[v]:
            feeders[v].add(u)
    for _ in range(SWEEPS):
        rank = {n: i for column in columns for i, n in enumerate(column)}
        for column in columns[1:]:
            column.sort(key=lambda n: (_barycentre(feeders[n], rank, len(column)), n))
            rank.update({n: i for i, n in enumerate(column)})
    return columns


def _barycentre(feeders: set[str], rank: dict[str, int], fallback: int) -> float:
    return sum(rank[f] for f in feeders) / len(feeders) if feeders else fallback


def layout(graph: nx.MultiDiGraph, top: float = 0.0, left: float = 0.0) -> dict[str, Box]:
    """A box per tool. Columns are layers; each column is centred on the tallest one."""
    level = layers(graph)
    columns = order_layers(graph, level)
    tallest = max((len(c) for c in columns), default=0) * (NODE_HEIGHT + ROW_GAP)
    boxes: dict[str, Box] = {}
    x = left
    for index, column in enumerate(columns):
        width = max((len(n) for n in column), default=0) * CHAR_WIDTH + 2 * NODE_PADDING
        y = top + (tallest - len(column) * (NODE_HEIGHT + ROW_GAP)) / 2
        for name in column:
            boxes[name] = Box(x, y, width, NODE_HEIGHT, index)
            y += NODE_HEIGHT + ROW_GAP
        x += width + COLUMN_GAP
    return boxes
