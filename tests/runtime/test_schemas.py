"""Tool schemas in OpenAI, Anthropic and MCP form."""

from __future__ import annotations

import json


def _by_name(tools, key=lambda t: t["name"]):
    return {key(t): t for t in tools}


def test_openai_and_anthropic_formats(shop):
    openai = _by_name(shop.openai_tools(), key=lambda t: t["function"]["name"])
    anthropic = _by_name(shop.anthropic_tools())
    assert set(openai) == set(anthropic) == set(shop.tool_names)
    pay = openai["pay"]
    assert pay["type"] == "function"
    assert pay["function"]["description"].startswith("Pay an order from a wallet")
    assert pay["function"]["parameters"] == anthropic["pay"]["input_schema"]
    params = pay["function"]["parameters"]
    assert params["required"] == ["order_id", "wallet_id"] and params["additionalProperties"] is False
    assert params["properties"]["wallet_id"] == {"type": "string", "description": "A wallet of the customer."}
    assert params["properties"]["order_id"]["type"] == "string"


def test_parameter_types_become_json_schema(shop):
    tools = _by_name(shop.anthropic_tools())
    status = tools["set_status"]["input_schema"]
    assert status["properties"]["status"]["enum"] == ["open", "paid", "cancelled"]
    assert status["properties"]["reason"]["anyOf"][1] == {"type": "null"}
    assert status["required"] == ["order_id", "status"]
    history = tools["set_history"]["input_schema"]["properties"]["entries"]
    assert history["type"] == "array" and history["items"] == {"type": "string"}
    assert history["examples"] == [["a", "b"]]
    lines = tools["replace_lines"]["input_schema"]["properties"]
    line = lines["lines"]["items"]
    assert line["type"] == "object" and line["required"] == ["sku", "qty", "price"]
    assert line["properties"]["qty"] == {"type": "integer"}
    assert lines["weights"] == {"type": "object", "additionalProperties": {"type": "number"}}
    wallet = tools["set_wallet"]["input_schema"]["properties"]["wallet"]
    assert [v["properties"]["kind"] for v in wallet["oneOf"]] == [{"const": "card"}, {"const": "credit"}]


def test_mcp_annotations(shop, library):
    mcp = _by_name(shop.mcp_tools())
    assert mcp["get_order"]["annotations"]["readOnlyHint"] is True
    assert mcp["get_order"]["annotations"]["destructiveHint"] is False
    assert mcp["pay"]["annotations"] == {"readOnlyHint": False, "destructiveHint": True,
                                         "idempotentHint": False, "openWorldHint": False}
    assert mcp["drop_order"]["annotations"]["destructiveHint"] is True
    # inserting a row and appending to a list only add data
    assert mcp["open_order_default_error"]["annotations"]["destructiveHint"] is False
    assert "inputSchema" in mcp["pay"]
    library_mcp = _by_name(library.mcp_tools())
    assert library_mcp["place_hold"]["annotations"]["destructiveHint"] is False
    assert library_mcp["cancel_hold"]["annotations"]["destructiveHint"] is True


RECURSIVE = '''
record Node {
  "A tree node."
  name: str
  kids: list[Node]
  parent: Node?
  left: Node?
  right: Node?
}
record Leaf { "A leaf." x: int }
record Pair { "Two leaves." a: Leaf  b: Leaf }
record Quad { "Two pairs." a: Pair  b: Pair }
record Deep { "Two quads." a: Quad  b: Quad  c: Quad }
entity Box in boxes key box_id else "Box not found" {
  box_id: str
}
tool plant(tree: Node "The tree.", deep: Deep, leaf: Leaf?) -> int {
  "Plant a tree."
  return 1
}
'''


def _size(schema) -> int:
    if isinstance(schema, dict):
        return 1 + sum(_size(v) for v in schema.values())
    if isinstance(schema, list):
        return 1 + sum(_size(v) for v in schema)
    return 1


def _resolve(schema: dict, root: dict) -> dict:
    ref = schema.get("$ref")
    if ref is None:
        return schema
    assert ref.startswith("#/$defs/")
    return root["$defs"][ref[len("#/$defs/"):]]


def test_recursive_and_shared_types_are_defined_once_and_referenced(make_domain):
    domain = make_domain(RECURSIVE, {"boxes": {}})
    schema = domain.anthropic_tools()[0]["input_schema"]
    assert schema == domain.openai_tools()[0]["function"]["parameters"] == domain.mcp_tools()[0]["inputSchema"]
    # the recursion is expressed, never cut off into an unconstrained `{}` at some depth
    tree = _resolve(schema["properties"]["tree"], schema)
    assert tree["required"] == ["name", "kids"] and tree["additionalProperties"] is False
    assert schema["properties"]["tree"]["description"] == "The tree."
    kid = _resolve(tree["properties"]["kids"]["items"], schema)
    assert kid is tree
    parent = tree["properties"]["parent"]["anyOf"]
    assert _resolve(parent[0], schema) is tree and parent[1] == {"type": "null"}
    # every reference resolves, and the size grows with the number of types, not exponentially
    text = json.dumps(schema)
    for name in schema.get("$defs", {}):
        assert f'"#/$defs/{name}"' in text
    assert all(ref[len("#/$defs/"):] in schema["$defs"] for ref in _refs(schema))
    assert _size(schema) < 400
    leaf = _resolve(schema["properties"]["leaf"]["anyOf"][0], schema)
    assert leaf["properties"]["x"] == {"type": "integer"}


def _refs(schema):
    if isinstance(schema, dict):
        if "$ref" in schema:
            yield schema["$ref"]
        for value in schema.values():
            yield from _refs(value)
    elif isinstance(schema, list):
        for value in schema:
            yield from _refs(value)


def test_types_used_once_stay_inline(shop):
    for tool in shop.anthropic_tools():
        assert "$defs" not in tool["input_schema"] and "$ref" not in json.dumps(tool)
