"""Pictures of the dependency graph: DOT text, an SVG drawn here, and a self-contained HTML page.

Nothing outside the package draws them (no graphviz binary): `layout.py` places the tools and
this module writes the SVG. Tools are coloured by whether they write; edges by kind. Parallel
edges of one kind between two tools are drawn once, their details in the tooltip.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

import networkx as nx

from .layout import CHAR_WIDTH, Box, layout


@dataclass(frozen=True)
class EdgeStyle:
    colour: str
    width: float
    dash: str | None
    opacity: float
    meaning: str


EDGE_STYLES = {
    "data": EdgeStyle("#8795a8", 1.1, None, 0.55, "shows a value a later tool takes as an argument"),
    "state": EdgeStyle("#9b87c9", 1.0, "5 3", 0.45, "writes a field the other reads"),
    "enables": EdgeStyle("#2e9d4c", 2.2, None, 0.95, "can make a guard of the other true"),
    "disables": EdgeStyle("#d64545", 2.2, None, 0.95, "can make a guard of the other false"),
    "may-affect": EdgeStyle("#e09a1f", 1.6, "2 3", 0.9, "changes what a guard of the other tests"),
}
EDGE_KINDS = tuple(EDGE_STYLES)
NODE_STYLES = {"read": ("#e8f1fb", "#4a7ab5", "reads only"), "write": ("#fde6d4", "#c8692c", "writes")}

MARGIN = 24
LEGEND_HEIGHT = 96
LEGEND_ROW = 20
SAME_COLUMN_BULGE = 26


def _role(attrs: dict) -> str:
    return "write" if attrs.get("writes") else "read"


def edge_groups(graph: nx.MultiDiGraph, kinds=EDGE_KINDS) -> dict[tuple[str, str, str], list[dict]]:
    """The edges to draw, one per (source, target, kind), each with all the edges it stands for."""
    groups: dict[tuple[str, str, str], list[dict]] = {}
    for u, v, attrs in sorted(graph.edges(data=True), key=lambda e: (e[0], e[1], json.dumps(e[2], sort_keys=True))):
        if attrs["kind"] in kinds:
            groups.setdefault((u, v, attrs["kind"]), []).append(attrs)
    return dict(sorted(groups.items(), key=lambda item: (EDGE_KINDS.index(item[0][2]), item[0])))


def describe(u: str, v: str, kind: str, edges: list[dict]) -> str:
    """The tooltip of a drawn edge: one line per edge it stands for."""
    lines = []
    for e in edges:
        if kind == "data":
            lines.append(f"{u} shows {e['source']}, which {v} takes as `{e['param']}`")
        elif kind == "state":
            lines.append(f"{u} writes {', '.join(e['fields'])}, which {v} reads")
        elif kind == "may-affect":
            lines.append(f"{u} may affect guard {e['guard']} through {e['field']}: {e['reason']}")
        else:
            written = f" = {json.dumps(e['value'])}" if e.get("constant") else ""
            lines.append(f"{u} {kind} guard {e['guard']}: {_field_path(e)}{written} decides {e['test']}")
    return "\n".join(dict.fromkeys(lines))


def _field_path(e: dict) -> str:
    entity = e["field"].split(".")[0]
    return f"{entity}.{e['path']}" if e["path"] else f"a row of {entity}"


# ---------------------------------------------------------------- DOT

def to_dot(graph: nx.MultiDiGraph, kinds=EDGE_KINDS) -> str:
    """Graphviz text, for those who have graphviz; the same colours as the SVG."""
    lines = [f"digraph {_dot_id(graph.graph.get('domain') or 'tools')} {{",
             "  rankdir=LR;",
             '  node [shape=box, style="rounded,filled", fontname="monospace", fontsize=11];']
    for name, attrs in sorted(graph.nodes(data=True)):
        fill, stroke, _ = NODE_STYLES[_role(attrs)]
        lines.append(f'  {_dot_id(name)} [fillcolor="{fill}", color="{stroke}"];')
    for (u, v, kind), edges in edge_groups(graph, kinds).items():
        style = EDGE_STYLES[kind]
        attrs = [f'color="{style.colour}"', f"penwidth={style.width}", f"tooltip={_dot_id(describe(u, v, kind, edges))}"]
        if style.dash:
            attrs.append("style=dashed" if kind == "state" else "style=dotted")
        if kind in ("enables", "disables", "may-affect"):
            attrs.append(f"label={_dot_id(kind)}")
        lines.append(f"  {_dot_id(u)} -> {_dot_id(v)} [{', '.join(attrs)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _dot_id(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


# ---------------------------------------------------------------- SVG

def to_svg(graph: nx.MultiDiGraph, kinds=EDGE_KINDS, standalone: bool = True) -> str:
    """The picture as SVG. `standalone` False leaves out the XML namespace, for inlining in HTML."""
    boxes = layout(graph, top=MARGIN + LEGEND_HEIGHT, left=MARGIN)
    # Data edges back to an earlier layer (an order shows its user) are true but tell a reader
    # nothing about how a tool becomes callable; the picture leaves them to the JSON.
    groups = {key: edges for key, edges in edge_groups(graph, kinds).items()
              if key[2] != "data" or boxes[key[0]].layer < boxes[key[1]].layer}
    width = max((b.right for b in boxes.values()), default=MARGIN) + MARGIN + 4 * SAME_COLUMN_BULGE
    height = max((b.y + b.height for b in boxes.values()), default=MARGIN + LEGEND_HEIGHT) + 2 * MARGIN
    width = max(width, 760)
    namespace = ' xmlns="http://www.w3.org/2000/svg"' if standalone else ""
    parts = [f'<svg{namespace} width="{width:.0f}" height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}" '
             f'font-family="monospace" font-size="12" class="dependency-graph">',
             _markers(kinds),
             f'<rect width="{width:.0f}" height="{height:.0f}" fill="#ffffff"/>',
             _legend(graph, groups, kinds, width)]
    parts.append('<g class="edges">')
    for (u, v, kind), edges in groups.items():
        parts.append(_edge_svg(u, v, kind, edges, boxes))
    parts.append('</g>\n<g class="nodes">')
    for name, attrs in sorted(graph.nodes(data=True)):
        parts.append(_node_svg(name, attrs, boxes[name]))
    parts.append("</g>\n</svg>")
    return "\n".join(parts) + "\n"


def _markers(kinds) -> str:
    markers = [f'<marker id="arrow-{kind}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
               f'orient="auto-start-reverse" markerUnits="userSpaceOnUse"><path d="M0,0 L10,5 L0,10 z" '
               f'fill="{EDGE_STYLES[kind].colour}"/></marker>' for kind in kinds]
    return "<defs>" + "".join(markers) + "</defs>"


def _legend(graph: nx.MultiDiGraph, groups, kinds, width: float) -> str:
    """The title, then swatches for the two kinds of tool and each kind of edge, flowing in rows."""
    title = f"{graph.graph.get('domain') or 'tools'}: tool dependency graph"
    parts = [f'<g class="legend"><text x="{MARGIN}" y="{MARGIN + 4}" font-size="15" font-weight="bold">'
             f'{escape(title)}</text>']
    items = [_node_swatch(role) for role in NODE_STYLES]
    counts = {kind: sum(1 for (_, _, k) in groups if k == kind) for kind in kinds}
    items += [_edge_swatch(kind, counts[kind]) for kind in kinds]
    x, y = MARGIN, MARGIN + 22
    for label, swatch in items:
        item_width = 34 + len(label) * CHAR_WIDTH + 28
        if x + item_width > width - MARGIN and x > MARGIN:
            x, y = MARGIN, y + LEGEND_ROW
        parts.append(f'<g transform="translate({x:.0f},{y})">{swatch}<text x="34" y="11">{escape(label)}</text></g>')
        x += item_width
    parts.append("</g>")
    return "".join(parts)


def _node_swatch(role: str) -> tuple[str, str]:
    fill, stroke, label = NODE_STYLES[role]
    return f"tool that {label}", f'<rect width="26" height="14" rx="4" fill="{fill}" stroke="{stroke}"/>'


def _edge_swatch(kind: str, count: int) -> tuple[str, str]:
    style = EDGE_STYLES[kind]
    dash = f' stroke-dasharray="{style.dash}"' if style.dash else ""
    return (f"{kind} ({count}): {style.meaning}",
            f'<line x1="0" y1="7" x2="26" y2="7" stroke="{style.colour}" stroke-width="{style.width}"{dash} '
            f'marker-end="url(#arrow-{kind})"/>')


def _node_svg(name: str, attrs: dict, box: Box) -> str:
    fill, stroke, _ = NODE_STYLES[_role(attrs)]
    effect = f"writes {', '.join(attrs.get('write_fields', ()))}" if attrs.get("writes") else "reads only"
    tip = f"{name}({', '.join(attrs.get('params', ()))}): {effect}"
    return (f'<g class="node {_role(attrs)}" id={quoteattr("tool-" + name)} data-tool={quoteattr(name)}>'
            f'<title>{escape(tip)}</title>'
            f'<rect x="{box.x:.1f}" y="{box.y:.1f}" width="{box.width:.1f}" height="{box.height}" rx="6" '
            f'fill="{fill}" stroke="{stroke}" stroke-width="1.3"/>'
            f'<text x="{box.x + box.width / 2:.1f}" y="{box.middle + 4:.1f}" text-anchor="middle">{escape(name)}</text></g>')


def _edge_svg(u: str, v: str, kind: str, edges: list[dict], boxes: dict[str, Box]) -> str:
    style = EDGE_STYLES[kind]
    dash = f' stroke-dasharray="{style.dash}"' if style.dash else ""
    return (f'<g class="edge {kind}" data-source={quoteattr(u)} data-target={quoteattr(v)}>'
            f'<title>{escape(describe(u, v, kind, edges))}</title>'
            f'<path d="{_curve(boxes[u], boxes[v], EDGE_KINDS.index(kind))}" fill="none" stroke="{style.colour}" '
            f'stroke-width="{style.width}" stroke-opacity="{style.opacity}"{dash} marker-end="url(#arrow-{kind})"/></g>')


def _curve(a: Box, b: Box, lane: int) -> str:
    """A cubic Bézier from a to b. Kinds get lanes a few pixels apart, so parallel edges show."""
    shift = (lane - 2) * 3
    if a is b:  # a tool's effect on its own guard: a loop on its right
        sx, sy, ex, ey = a.right, a.middle - 6 + shift, a.right, a.middle + 6 + shift
        return f"M{sx:.1f},{sy:.1f} C{sx + 34:.1f},{sy - 22:.1f} {ex + 34:.1f},{ey + 22:.1f} {ex:.1f},{ey:.1f}"
    if a.layer == b.layer:  # an arc on the column's right, bulging with the distance it spans
        sx, sy, ex, ey = a.right, a.middle + shift, b.right, b.middle + shift
        bulge = SAME_COLUMN_BULGE + lane * 6 + abs(ey - sy) * 0.22
        return f"M{sx:.1f},{sy:.1f} C{sx + bulge:.1f},{sy:.1f} {ex + bulge:.1f},{ey:.1f} {ex:.1f},{ey:.1f}"
    forward = a.layer < b.layer
    sx, ex = (a.right, b.x) if forward else (a.x, b.right)
    sy, ey = a.middle + shift, b.middle + shift
    dx = max(30.0, abs(ex - sx) / 2) * (1 if forward else -1)
    return f"M{sx:.1f},{sy:.1f} C{sx + dx:.1f},{sy:.1f} {ex - dx:.1f},{ey:.1f} {ex:.1f},{ey:.1f}"


# ---------------------------------------------------------------- HTML

HTML_STYLE = """
body { font-family: system-ui, sans-serif; margin: 1.5em; color: #1d2733; }
.controls label { margin-right: 1.2em; cursor: pointer; }
.picture { overflow: auto; border: 1px solid #d9dee5; margin: 1em 0; }
.dependency-graph .node { cursor: pointer; }
.dependency-graph.focused .edge:not(.near), .dependency-graph.focused .node:not(.near) { opacity: 0.12; }
table { border-collapse: collapse; font-size: 13px; }
td, th { border-bottom: 1px solid #e3e7ec; padding: 3px 10px; text-align: left; vertical-align: top; }
td.kind-enables { color: #2e9d4c; } td.kind-disables { color: #d64545; } td.kind-may-affect { color: #b57400; }
code { font-family: monospace; }
"""

# Toggles hide an edge kind; clicking a tool keeps only its edges and neighbours in view.
HTML_SCRIPT = """
const svg = document.querySelector('.dependency-graph');
document.querySelectorAll('.controls input').forEach(box => box.addEventListener('change', () => {
  svg.querySelectorAll('.edge.' + box.value).forEach(e => { e.style.display = box.checked ? '' : 'none'; });
}));
let focus = null;
svg.querySelectorAll('.node').forEach(node => node.addEventListener('click', () => {
  svg.querySelectorAll('.near').forEach(e => e.classList.remove('near'));
  const tool = node.dataset.tool;
  focus = focus === tool ? null : tool;
  svg.classList.toggle('focused', focus !== null);
  if (focus === null) return;
  node.classList.add('near');
  svg.querySelectorAll('.edge').forEach(e => {
    if (e.dataset.source !== tool && e.dataset.target !== tool) return;
    e.classList.add('near');
    [e.dataset.source, e.dataset.target].forEach(t => svg.querySelector('[data-tool="' + t + '"]').classList.add('near'));
  });
}));
"""


def to_html(graph: nx.MultiDiGraph) -> str:
    """One page with nothing to fetch: the SVG inline, toggles per edge kind, and the guard edges as a table."""
    title = f"{graph.graph.get('domain') or 'tools'}: tool dependency graph"
    toggles = "".join(f'<label><input type="checkbox" value="{kind}" checked> '
                      f'<span style="color:{EDGE_STYLES[kind].colour}">&#9632;</span> {kind}</label>'
                      for kind in EDGE_KINDS)
    return "\n".join([
        "<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
        f"<title>{escape(title)}</title>", f"<style>{HTML_STYLE}</style>", "</head>", "<body>",
        f"<h1>{escape(title)}</h1>",
        "<p>Hover over an edge for what it stands for; click a tool to see only its edges.</p>",
        f'<div class="controls">{toggles}</div>',
        f'<div class="picture">{to_svg(graph, standalone=False)}</div>',
        _guard_table(graph),
        f"<script>{HTML_SCRIPT}</script>", "</body>", "</html>"]) + "\n"


def _guard_table(graph: nx.MultiDiGraph) -> str:
    rows = []
    for (u, v, kind), edges in edge_groups(graph, ("enables", "disables", "may-affect")).items():
        for e in edges:
            detail = e.get("test") or e.get("reason") or ""
            written = json.dumps(e["value"]) if e.get("constant") else ""
            rows.append(f'<tr><td><code>{escape(u)}</code></td><td class="kind-{kind}">{kind}</td>'
                        f'<td><code>{escape(e["guard"])}</code></td><td><code>{escape(_field_path(e))}</code></td>'
                        f"<td><code>{escape(written)}</code></td><td>{escape(detail)}</td></tr>")
    header = "<tr><th>writer</th><th>relation</th><th>guard</th><th>field</th><th>value</th><th>test or reason</th></tr>"
    return f"<h2>Guard edges</h2>\n<table>{header}{''.join(rows)}</table>"
