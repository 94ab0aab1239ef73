"""Constructs for porting real domains, compiled and called: `fail "message"`."""

from __future__ import annotations

from scaleenv_dsl import ir

FAILING = '''
entity User in users key user_id else "User not found" {
  user_id: str
  nickname: str?
  age: int
}

tool greet(user_id: ref User) -> str {
  let user = users[user_id]
  user.age += 1
  if user.nickname is none {
    fail "User " + user_id + " has no nickname"
  }
  return "Hello " + user.nickname
}
'''

USERS = {"users": {"u1": {"user_id": "u1", "nickname": None, "age": 30},
                   "u2": {"user_id": "u2", "nickname": "Bo", "age": 40}}}


def test_fail_ends_the_call_with_its_message_and_undoes_its_changes(make_domain):
    env = make_domain(FAILING, USERS).env()
    result = env.call("greet", {"user_id": "u1"})
    assert not result.ok
    assert (result.error.kind, result.error.message) == ("require", "User u1 has no nickname")
    assert env.state()["users"]["u1"]["age"] == 30


def test_a_path_past_fail_runs_on(make_domain):
    env = make_domain(FAILING, USERS).env()
    result = env.call("greet", {"user_id": "u2"})
    assert result.ok, result.error
    assert result.value == "Hello Bo"
    assert env.state()["users"]["u2"]["age"] == 41


ROOMS = '''
entity Room in rooms key n else "Room " + n + " not found" {
  n: str
  floor: int
}

entity Guest in guests key gid else f"Guest {gid} is not registered" {
  gid: str
  name: str
}

tool floor_of(n: str) -> int {
  return rooms[n].floor
}

tool guest_name(gid: str) -> str {
  return guests[gid + "-x"].name
}

tool remove_room(n: str) {
  delete rooms[n]
}
'''

HOTEL = {"rooms": {"101": {"n": "101", "floor": 1}}, "guests": {}}


def test_a_not_found_message_is_built_from_the_key_that_was_missing(make_domain):
    env = make_domain(ROOMS, HOTEL).env()
    assert env.call("floor_of", {"n": "101"}).value == 1
    for tool, args, message in [("floor_of", {"n": "999"}, "Room 999 not found"),
                                ("remove_room", {"n": "7"}, "Room 7 not found"),
                                ("guest_name", {"gid": "g1"}, "Guest g1-x is not registered")]:
        result = env.call(tool, args)
        assert not result.ok
        assert (result.error.kind, result.error.message) == ("not_found", message)


def test_the_schema_and_ir_keep_the_message_template(make_domain):
    domain = make_domain(ROOMS, HOTEL)
    room = next(e for e in domain.ir.entities if e.name == "Room")
    assert room.not_found == "Room {n} not found"


ORDERS = '''
entity Item in items key item_id else "Item " + item_id + " not found" {
  item_id: str
  price: float
  stock: int
}

tool place_order(items as wanted: list[ref Item] "The item ids.") -> float {
  "Buy one of each item."
  require len(wanted) > 0 else "Order at least one item"
  let total = sum(items[i].price for i in wanted)
  for i in wanted {
    let item = items[i]
    require item.stock > 0 else "Item " + i + " is out of stock"
    item.stock -= 1
  }
  return total
}
'''

SHOP = {"items": {"a": {"item_id": "a", "price": 1.5, "stock": 1},
                  "b": {"item_id": "b", "price": 2.0, "stock": 3}}}


def test_a_parameter_keeps_its_public_name_beside_the_collection_it_shadows(make_domain):
    domain = make_domain(ORDERS, SHOP)
    schema = next(t for t in domain.anthropic_tools() if t["name"] == "place_order")
    assert list(schema["input_schema"]["properties"]) == ["items"]
    env = domain.env()
    result = env.call("place_order", {"items": ["a", "b"]})
    assert result.ok, result.error
    assert result.value == 3.5
    assert [env.state()["items"][k]["stock"] for k in ("a", "b")] == [0, 2]
    again = env.call("place_order", {"items": ["b", "a"]})
    assert (again.error.kind, again.error.message) == ("require", "Item a is out of stock")
    assert env.state()["items"]["b"]["stock"] == 2  # undone


def test_the_public_name_is_the_only_one_callers_can_use(make_domain):
    env = make_domain(ORDERS, SHOP).env()
    result = env.call("place_order", {"wanted": ["a"]})
    assert not result.ok
    assert (result.error.kind, result.error.message) == ("invalid_arguments", "missing argument 'items'")


def test_the_contract_names_a_renamed_parameter_by_its_public_name(make_domain):
    tool = make_domain(ORDERS, SHOP).ir.tool("place_order")
    names = {node.name for guard in tool.contract.guards if guard.condition is not None
             for node in ir.walk(guard.condition) if isinstance(node, ir.Var)}
    assert "items" in names and "wanted" not in names
