"""The tool dependency graph, computed from the checked IR (never guessed).

`build_graph(domain)` gives a networkx MultiDiGraph over the tools with data, state, enables,
disables and may-affect edges (`build.py`, `enabling.py`); `layout.py` and `render.py` draw it
as DOT, SVG and a self-contained HTML page; `cli.py` is `scaleenv graph`.

The names below load on first use, so that registering `scaleenv graph` on the command line
costs `scaleenv check` no networkx import.
"""

from importlib import import_module

_HOMES = {"build_graph": "build", "exposed_refs": "build", "exposed_values": "build", "graph_to_json": "build",
          "seed_chains": "build", "GuardEdge": "enabling", "guard_edges": "enabling",
          "to_dot": "render", "to_html": "render", "to_svg": "render", "EDGE_KINDS": "render"}

__all__ = sorted(_HOMES)


def __getattr__(name: str):
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f".{_HOMES[name]}", __name__), name)
