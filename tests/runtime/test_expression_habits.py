"""Constructs models write by Python habit compute what Python would.

Chained comparisons, default parameter values, f-strings and string slicing: each
probe spec is compiled and called, and the answer compared with Python's own.
"""

from __future__ import annotations

import pytest

CLOCK = '''
entity Shop in shops key shop_id else "Shop not found" {
  shop_id: str
  opens: int
  closes: int
}

tool is_open(shop_id: ref Shop, hour: int) -> bool {
  let shop = shops[shop_id]
  return shop.opens <= hour < shop.closes
}

tool band(low: int, x: int, high: int) -> str {
  return str([low < x <= high, low == x == high, low != x != high, low < x < high < 100])
}
'''



@pytest.mark.parametrize("hour", [8, 9, 12, 16, 17, 20])
def test_chained_comparison_means_what_python_means(make_domain, hour):
    env = make_domain(CLOCK, {"shops": {"s1": {"shop_id": "s1", "opens": 9, "closes": 17}}}).env()
    result = env.call("is_open", {"shop_id": "s1", "hour": hour})
    assert result.ok, result.error
    assert result.value is (9 <= hour < 17)


@pytest.mark.parametrize("low,x,high", [(1, 2, 3), (2, 2, 2), (3, 2, 1), (1, 1, 2), (1, 3, 3)])
def test_every_link_of_a_chain_is_tested(make_domain, low, x, high):
    env = make_domain(CLOCK, {"shops": {}}).env()
    result = env.call("band", {"low": low, "x": x, "high": high})
    assert result.ok, result.error
    expected = [low < x <= high, low == x == high, low != x != high, low < x < high < 100]
    assert result.value == str(expected)


TEXT = '''
enum Level { "low", "high (urgent)" }

entity Room in rooms key n else "Room not found" {
  n: str
  floor: int
  rate: float
  level: Level
  note: str?
}

tool describe(n: ref Room) -> str {
  let room = rooms[n]
  return f"Room {n} on floor {room.floor + 1}: {room.rate}/night, {room.level}, {room.note} {{x}} {room.floor > 1}"
}

tool plain(n: ref Room) -> str {
  return f"no fields \\"here\\"" + f"{n}"
}
'''

ROOMS = {"rooms": {"r1": {"n": "r1", "floor": 2, "rate": 99.5, "level": "high (urgent)", "note": None},
                   "r2": {"n": "r2", "floor": 0, "rate": 10.0, "level": "low", "note": "quiet"}}}


@pytest.mark.parametrize("n", ["r1", "r2"])
def test_an_fstring_is_python_fstring_of_the_same_fields(make_domain, n):
    env = make_domain(TEXT, ROOMS).env()
    result = env.call("describe", {"n": n})
    assert result.ok, result.error
    room = ROOMS["rooms"][n]
    assert result.value == (f"Room {n} on floor {room['floor'] + 1}: {room['rate']}/night, {room['level']}, "
                            f"{room['note']} {{x}} {room['floor'] > 1}")
    assert env.call("plain", {"n": n}).value == 'no fields "here"' + n


def test_an_fstring_compiles_to_concatenation_never_to_format(make_domain):
    from scaleenv_dsl.codegen.generator import generate_source

    source = generate_source(make_domain(TEXT, ROOMS).ir)
    body = source[source.index("def tool_describe"):source.index("def tool_plain")]
    assert "format" not in body and "f'" not in body
    # each `+` is charged to the call's size budget, each number range-checked (runtime/limits.py)
    assert "_concat(_S, 'Room ', _concat(_S, v_n, ' on floor '))" in body
    assert "str(_number(v_room['floor'] + 1))" in body


def test_a_long_fstring_compiles_to_shallow_code(make_domain):
    fields = " ".join("{n}" for _ in range(300))
    spec = TEXT + f'tool long(n: int) -> str {{\n  return f"{fields}"\n}}\n'
    result = make_domain(spec, ROOMS).env().call("long", {"n": 7})
    assert result.ok, result.error
    assert result.value == " ".join(["7"] * 300)


STRINGS = '''
entity Code in codes key code else "Code not found" {
  code: str
  parts: list[str]
}

tool pieces(code: ref Code, i: int, a: int, b: int) -> list[str] {
  let row = codes[code]
  return [row.code[i], row.code[a:b], row.code[:b], row.code[a:], row.code[:], ", ".join(row.parts),
          "-".join(row.parts[a:b]), "".join([str(n) for n in [a, b]])]
}
'''


@pytest.mark.parametrize("i,a,b", [(0, 1, 3), (-1, -3, -1), (2, 0, 10), (1, 3, 1)])
def test_string_indexing_slicing_and_join_are_pythons(make_domain, i, a, b):
    env = make_domain(STRINGS, {"codes": {"ABCD": {"code": "ABCD", "parts": ["x", "y", "z"]}}}).env()
    result = env.call("pieces", {"code": "ABCD", "i": i, "a": a, "b": b})
    assert result.ok, result.error
    s, parts = "ABCD", ["x", "y", "z"]
    assert result.value == [s[i], s[a:b], s[:b], s[a:], s[:], ", ".join(parts), "-".join(parts[a:b]),
                            "".join([str(a), str(b)])]


def test_a_string_index_out_of_range_fails_with_pythons_message_and_changes_nothing(make_domain):
    env = make_domain(STRINGS, {"codes": {"AB": {"code": "AB", "parts": []}}}).env()
    before = env.state()
    result = env.call("pieces", {"code": "AB", "i": 5, "a": 0, "b": 1})
    assert not result.ok
    assert result.error.message == "string index out of range"
    assert env.state() == before


DEFAULTS = '''
entity Slot in slots key slot_id else "Slot not found" {
  slot_id: str
  hour: int
  tags: list[str]
  rate: float
}

tool book(slot_id: ref Slot, hour: int = 13 "The hour, 0-23.", tags: list[str] = [], rate: float = 1, note: str? = "none given") -> Slot {
  "Book a slot."
  let slot = slots[slot_id]
  require 0 <= hour <= 23 else "Invalid hour"
  slot.hour = hour
  slot.tags = tags
  slot.rate = rate
  if note is not none {
    slot.tags.append(note)
  }
  return slot
}
'''
SLOTS = {"slots": {"s1": {"slot_id": "s1", "hour": 0, "tags": [], "rate": 0.0}}}


def test_a_left_out_argument_takes_its_default(make_domain):
    env = make_domain(DEFAULTS, SLOTS).env()
    result = env.call("book", {"slot_id": "s1"})
    assert result.ok, result.error
    assert result.value == {"slot_id": "s1", "hour": 13, "tags": ["none given"], "rate": 1.0}
    given = env.call("book", {"slot_id": "s1", "hour": 9, "tags": ["a"], "rate": 2.5, "note": None})
    assert given.value == {"slot_id": "s1", "hour": 9, "tags": ["a"], "rate": 2.5}
    again = env.call("book", {"slot_id": "s1"})  # the default list is fresh for every call
    assert again.value["tags"] == ["none given"]


def test_every_tool_schema_shows_the_default_and_does_not_require_it(make_domain):
    domain = make_domain(DEFAULTS, SLOTS)
    schemas = [domain.openai_tools()[0]["function"]["parameters"], domain.anthropic_tools()[0]["input_schema"],
               domain.mcp_tools()[0]["inputSchema"]]
    for schema in schemas:
        assert schema["required"] == ["slot_id"]
        props = schema["properties"]
        assert props["hour"] == {"type": "integer", "description": "The hour, 0-23.", "default": 13}
        assert (props["tags"]["default"], props["rate"]["default"], props["note"]["default"]) == ([], 1, "none given")
        assert "default" not in props["slot_id"]


TAGS = '''
union Shipment by status {
  "in transit" { carrier: str }
  delivered { day: int }
  "on-hold" { }
}

entity Order in orders key order_id else "Order not found" {
  order_id: str
  shipment: Shipment
}

tool where(order_id: ref Order) -> str {
  let s = orders[order_id].shipment
  if s is "in transit" {
    return f"with {s.carrier}"
  }
  if s is not "on-hold" and s is delivered {
    return f"delivered on day {s.day}"
  }
  return s.status
}

tool ship(order_id: ref Order, carrier: str) -> Order {
  let order = orders[order_id]
  order.shipment = Shipment(status="in transit", carrier=carrier)
  return order
}
'''


def test_union_tags_that_are_not_names_work_as_data_has_them(make_domain):
    env = make_domain(TAGS, {"orders": {
        "o1": {"order_id": "o1", "shipment": {"status": "in transit", "carrier": "ups"}},
        "o2": {"order_id": "o2", "shipment": {"status": "delivered", "day": 3}},
        "o3": {"order_id": "o3", "shipment": {"status": "on-hold"}}}}).env()
    assert [env.call("where", {"order_id": o}).value for o in ("o1", "o2", "o3")] == \
        ["with ups", "delivered on day 3", "on-hold"]
    shipped = env.call("ship", {"order_id": "o3", "carrier": "dhl"})
    assert shipped.ok, shipped.error
    assert shipped.value["shipment"] == {"status": "in transit", "carrier": "dhl"}
    assert env.call("where", {"order_id": "o3"}).value == "with dhl"
