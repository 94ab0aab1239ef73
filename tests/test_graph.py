"""The dependency graph is derived from types and inferred effects."""

import json

import pytest

from scaleenv_dsl.check import check_paths, check_source
from scaleenv_dsl.graph import build_graph, graph_to_json, seed_chains
from scaleenv_dsl.resources import stdlib_root


@pytest.fixture(scope="module")
def retail_graph():
    result = check_paths([str(stdlib_root() / "retail" / "retail.sedl")], validate_data=False)
    assert result.ok
    return build_graph(result.domain)


def edges(graph, kind):
    return {(u, v) for u, v, k in graph.edges(data="kind") if k == kind}


def test_references_make_data_flow_edges(retail_graph):
    data = edges(retail_graph, "data")
    # find_user_id_* return a `ref User`, which get_user_details takes
    assert ("find_user_id_by_email", "get_user_details") in data
    # a User exposes `orders: list[ref Order]`, which every order tool takes
    assert ("get_user_details", "cancel_pending_order") in data
    # an Order exposes its items' `product_id: ref Product`
    assert ("get_order_details", "get_product_details") in data
    # nothing returns a reference that calculate needs: it takes none
    assert not any(v == "calculate" for _, v in data)


def test_writes_feed_the_tools_that_read_the_fields(retail_graph):
    state = edges(retail_graph, "state")
    assert ("cancel_pending_order", "get_order_details") in state      # it returns the whole order
    assert ("cancel_pending_order", "return_delivered_order_items") in state  # both use Order.status
    assert ("modify_user_address", "find_user_id_by_name_zip") in state       # User.address.zip
    assert not any(u == "get_order_details" for u, _ in state)          # a reader writes nothing


def test_seed_chains_start_where_no_key_is_needed(retail_graph):
    chains = seed_chains(retail_graph, max_length=3)
    assert chains
    assert all(len(chain) <= 3 for chain in chains)
    assert {chain[0] for chain in chains} <= {"find_user_id_by_email", "find_user_id_by_name_zip",
                                             "list_all_product_types", "calculate", "transfer_to_human_agents",
                                             "get_item_details"}


def test_json_form_is_stable(retail_graph):
    first, second = graph_to_json(retail_graph), graph_to_json(retail_graph)
    assert first == second
    data = json.loads(first)
    assert len(data["nodes"]) == 16
    assert all({"source", "target", "kind"} <= set(e) for e in data["edges"])


@pytest.fixture(scope="module")
def library_graph():
    result = check_paths([str(stdlib_root() / "library" / "library.sedl")], validate_data=False)
    assert result.ok
    return build_graph(result.domain)


def test_a_tool_never_feeds_itself(retail_graph, library_graph):
    # (a tool can disable its own guard: that is a guard edge, tested in test_graph_enabling.py)
    for graph in (retail_graph, library_graph):
        assert [(u, v) for u, v, kind in graph.edges(data="kind") if u == v and kind in ("data", "state")] == []


def test_seed_chains_start_where_tools_feed_each_other_in_a_cycle(library_graph):
    # Every library tool that takes a reference is fed by another one, in a cycle; chains must still exist.
    chains = seed_chains(library_graph, max_length=3)
    assert chains and all(2 <= len(chain) <= 3 for chain in chains)
    data = edges(library_graph, "data")
    assert all((a, b) in data for chain in chains for a, b in zip(chain, chain[1:]))
    # a start is fed only by tools it can reach itself: nothing outside its cycle
    import networkx as nx
    flow = nx.DiGraph(data)
    assert all(nx.has_path(flow, start, feeder) for start in {c[0] for c in chains} for feeder, fed in data
               if fed == start)


def test_seed_chains_of_a_graph_without_data_flow_are_empty():
    import networkx as nx

    assert seed_chains(nx.MultiDiGraph()) == []


NOTES = """
domain notes {
  description "Notes."
}
entity Note in notes key note_id else "Note not found" {
  note_id: str
  text: str
}
tool add_note(note_id: str "The new id.", text: str "The text.") -> str "Done." {
  "Add a note."
  insert Note(note_id=note_id, text=text)
  return "added"
}
tool remove_note(note_id: ref Note "The note.") -> str "Done." {
  "Remove a note."
  delete notes[note_id]
  return "removed"
}
tool note_text(note_id: ref Note "The note.") -> str "Its text." {
  "Read one field of a note."
  return notes[note_id].text
}
"""


def test_inserting_or_deleting_a_row_feeds_a_tool_that_reads_one_of_its_fields():
    result = check_source(NOTES, "notes.sedl")
    assert result.ok, [d.message for d in result.diagnostics]
    graph = build_graph(result.domain)
    state = {(u, v): d["fields"] for u, v, d in graph.edges(data=True) if d["kind"] == "state"}
    assert state == {("add_note", "note_text"): ["Note.text"], ("remove_note", "note_text"): ["Note.text"]}
