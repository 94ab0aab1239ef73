"""Pictures of the dependency graph and `scaleenv graph`: formats, files and exit codes."""

import json
import re
import xml.etree.ElementTree as ElementTree
from pathlib import Path
from html.parser import HTMLParser

import pytest

from scaleenv_dsl.check import check_paths
from scaleenv_dsl.cli import main
from scaleenv_dsl.graph import EDGE_KINDS, build_graph, graph_to_json, to_dot, to_html, to_svg
from scaleenv_dsl.graph.layout import layers, layout
from scaleenv_dsl.resources import stdlib_root

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def retail():
    result = check_paths([str(stdlib_root() / "retail" / "retail.sedl")], validate_data=False)
    assert result.ok
    return result.domain


@pytest.fixture(scope="module")
def retail_graph(retail):
    return build_graph(retail)


def drawn(root, kind):
    """(source, target) of the drawn edges of one kind."""
    return {(g.get("data-source"), g.get("data-target")) for g in root.iter(f"{SVG}g")
            if g.get("class") == f"edge {kind}"}


def test_the_svg_is_well_formed_and_draws_every_tool_once(retail, retail_graph):
    root = ElementTree.fromstring(to_svg(retail_graph))
    assert root.tag == f"{SVG}svg"
    nodes = [g for g in root.iter(f"{SVG}g") if (g.get("class") or "").startswith("node ")]
    assert sorted(g.get("data-tool") for g in nodes) == sorted(t.name for t in retail.tools)
    roles = {g.get("data-tool"): g.get("class") for g in nodes}
    assert roles["cancel_pending_order"] == "node write" and roles["get_order_details"] == "node read"
    labels = {t.text for g in nodes for t in g.iter(f"{SVG}text")}
    assert labels == {t.name for t in retail.tools}


def test_the_svg_draws_each_edge_kind_with_its_own_colour(retail_graph):
    root = ElementTree.fromstring(to_svg(retail_graph))
    assert ("cancel_pending_order", "modify_pending_order_items") in drawn(root, "disables")
    assert ("modify_pending_order_items", "modify_pending_order_items") in drawn(root, "disables")  # its own guard
    assert ("modify_pending_order_items", "modify_pending_order_payment") in drawn(root, "enables")
    assert ("get_user_details", "cancel_pending_order") in drawn(root, "data")
    colours = {g.get("class"): g.find(f"{SVG}path").get("stroke") for g in root.iter(f"{SVG}g")
               if (g.get("class") or "").startswith("edge ")}
    assert len(set(colours.values())) == len(EDGE_KINDS) == len(colours)
    legend = "".join(root.find(f".//{SVG}g[@class='legend']").itertext())
    assert all(kind in legend for kind in EDGE_KINDS) and "tool that writes" in legend


def test_the_picture_draws_data_edges_forward_only(retail_graph):
    # get_order_details shows the order's user, so it feeds get_user_details: true, but drawn it would
    # point backwards; the picture leaves such edges to the JSON
    root = ElementTree.fromstring(to_svg(retail_graph))
    level = layers(retail_graph)
    assert ("get_order_details", "get_user_details") in {(u, v) for u, v, k in retail_graph.edges(data="kind")
                                                          if k == "data"}
    assert all(level[u] < level[v] for u, v in drawn(root, "data"))
    assert ("get_order_details", "get_user_details") not in drawn(root, "data")


def test_layers_count_the_rounds_of_calls_before_a_tool_can_be_called(retail_graph):
    level = layers(retail_graph)
    assert level["find_user_id_by_email"] == 0 and level["calculate"] == 0
    assert level["get_user_details"] == 1                 # needs a user id
    assert level["cancel_pending_order"] == 2             # needs an order id, shown by a user
    assert level["return_delivered_order_items"] == 3     # needs item ids, shown by an order
    boxes = layout(retail_graph)
    assert boxes["get_user_details"].x > boxes["find_user_id_by_email"].right
    overlapping = [(a, b) for a in boxes for b in boxes if a < b and boxes[a].layer == boxes[b].layer
                   and abs(boxes[a].y - boxes[b].y) < boxes[a].height]
    assert overlapping == []


def test_pictures_are_the_same_on_every_run(retail):
    assert to_svg(build_graph(retail)) == to_svg(build_graph(retail))


class _Resources(HTMLParser):
    """Every attribute value that could make a browser fetch something."""

    def __init__(self):
        super().__init__()
        self.fetched = []
        self.tags = set()

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self.fetched += [value for name, value in attrs if name in ("src", "href", "xlink:href", "data")]


def test_the_html_page_is_self_contained(retail_graph):
    page = to_html(retail_graph)
    parser = _Resources()
    parser.feed(page)
    assert {"svg", "script", "style", "table"} <= parser.tags
    assert parser.fetched == []
    assert not re.search(r"https?:|//[a-z]|@import|url\((?!#)", page, re.IGNORECASE)
    assert all(f'value="{kind}"' in page for kind in EDGE_KINDS)  # a toggle per edge kind
    assert "modify_pending_order_items#6" in page                 # the guard edges' table


def test_dot_names_every_tool_and_edge_kind(retail, retail_graph):
    dot = to_dot(retail_graph)
    assert dot.startswith('digraph "retail" {') and dot.rstrip().endswith("}")
    assert all(f'"{t.name}" [' in dot for t in retail.tools)
    assert '"cancel_pending_order" -> "modify_pending_order_items" [color="#d64545"' in dot
    assert dot.count("{") == dot.count("}")


# ---------------------------------------------------------------- the command

@pytest.mark.parametrize("fmt", ["json", "dot", "svg", "html"])
def test_scaleenv_graph_writes_each_format_to_a_file(fmt, tmp_path, capsys):
    out = tmp_path / f"retail.{fmt}"
    assert main(["graph", "retail", "--format", fmt, "-o", str(out)]) == 0
    assert capsys.readouterr().out == ""
    text = out.read_text()
    if fmt == "json":
        assert {e["kind"] for e in json.loads(text)["edges"]} >= {"enables", "disables", "may-affect"}
    elif fmt == "svg":
        ElementTree.fromstring(text)
    elif fmt == "html":
        assert text.startswith("<!DOCTYPE html>")
    else:
        assert text.startswith("digraph")


def test_scaleenv_graph_prints_json_by_default(capsys):
    assert main(["graph", "library"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["domain"] == "library" and data["edges"]


def test_scaleenv_graph_exit_codes(tmp_path, capsys):
    assert main(["graph", "no_such_domain"]) == 2
    assert "no stdlib domain" in capsys.readouterr().err
    assert main(["graph", "retail", "-o", str(tmp_path / "missing" / "g.json")]) == 2
    assert "cannot write" in capsys.readouterr().err
    bad = tmp_path / "bad.sedl"
    bad.write_text('domain bad {}\ntool t() -> int { return "x" }\n')
    assert main(["graph", str(bad)]) == 1
    captured = capsys.readouterr()
    assert "bad.sedl:2" in captured.err and captured.out == ""
    with pytest.raises(SystemExit) as exit_:
        main(["graph", "retail", "--format", "png"])
    assert exit_.value.code == 2


def test_compile_writes_the_picture_beside_the_json(tmp_path, capsys):
    assert main(["compile", "library", "-o", str(tmp_path)]) == 0
    root = ElementTree.fromstring((tmp_path / "graph.svg").read_text())
    tools = {n["id"] for n in json.loads((tmp_path / "graph.json").read_text())["nodes"]}
    assert {g.get("data-tool") for g in root.iter(f"{SVG}g") if g.get("data-tool")} == tools
    assert str(tmp_path / "graph.svg") in capsys.readouterr().out


# ---------------------------------------------------------------- the docs

ROOT = Path(__file__).resolve().parent.parent


def test_the_readme_edge_is_an_edge_of_the_retail_graph(retail_graph):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    [example] = [b for b in re.findall(r"^```json\n(.*?)^```$", readme, re.MULTILINE | re.DOTALL)
                 if '"kind": "disables"' in b]
    assert json.loads(example) in json.loads(graph_to_json(retail_graph))["edges"]


def test_the_committed_retail_picture_draws_the_current_graph(retail_graph):
    picture = ElementTree.parse(ROOT / "docs" / "retail-graph.svg").getroot()
    current = ElementTree.fromstring(to_svg(retail_graph))
    for kind in EDGE_KINDS:
        assert drawn(picture, kind) == drawn(current, kind), \
            "regenerate it: scaleenv graph retail --format svg -o docs/retail-graph.svg"


def test_the_python_in_docs_graph_runs(monkeypatch):
    monkeypatch.chdir(ROOT)  # the block names the spec relative to the repository
    [block] = re.findall(r"^```python\n(.*?)^```$", (ROOT / "docs" / "graph.md").read_text(encoding="utf-8"),
                         re.MULTILINE | re.DOTALL)
    namespace = {}
    exec(block, namespace)
    assert namespace["graph"].number_of_nodes() == len(namespace["domain"].tools)
    assert namespace["edges"]
