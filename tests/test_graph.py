"""The dependency graph is derived from types and inferred effects."""

import json

import pytest

from scaleenv_dsl.check import check_paths
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
