"""Tool schemas in OpenAI, Anthropic and MCP form."""

from __future__ import annotations


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
