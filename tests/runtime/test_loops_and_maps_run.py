"""Loops and maps, compiled and called (issue 11): `return` inside a loop."""

from __future__ import annotations

BANK = '''
record Account {
  number: str
  balance: float
}

entity Customer in customers key customer_id else "Customer not found" {
  customer_id: str
  accounts: list[Account]
  visits: int
}

tool first_overdrawn(customer_id: ref Customer) -> str {
  let c = customers[customer_id]
  c.visits += 1
  for a in c.accounts {
    for b in c.accounts {
      if b.balance < 0 and a.number == b.number {
        return a.number
      }
    }
  }
  fail "No account is overdrawn"
}
'''

CUSTOMERS = {"customers": {
    "c1": {"customer_id": "c1", "visits": 0, "accounts": [{"number": "A", "balance": 5.0},
                                                          {"number": "B", "balance": -1.0},
                                                          {"number": "C", "balance": -2.0}]},
    "c2": {"customer_id": "c2", "visits": 0, "accounts": []}}}


def test_a_return_inside_nested_loops_ends_the_call_with_the_first_match(make_domain):
    env = make_domain(BANK, CUSTOMERS).env()
    result = env.call("first_overdrawn", {"customer_id": "c1"})
    assert result.ok, result.error
    assert result.value == "B"
    assert env.state()["customers"]["c1"]["visits"] == 1  # the changes before the return are kept


def test_a_loop_that_runs_zero_times_reaches_what_follows_it(make_domain):
    env = make_domain(BANK, CUSTOMERS).env()
    result = env.call("first_overdrawn", {"customer_id": "c2"})
    assert not result.ok
    assert (result.error.kind, result.error.message) == ("require", "No account is overdrawn")
    assert env.state()["customers"]["c2"]["visits"] == 0


CARDS = '''
record Card {
  last_four: str
}

entity User in users key user_id else "User not found" {
  user_id: str
  cards: map[str, Card]
  prefs: map[str, str]
  visits: int
}

tool remove_card(user_id: ref User, card_id: ref User.cards) -> int {
  let u = users[user_id]
  u.visits += 1
  delete u.cards[card_id] else "Card " + card_id + " not found"
  return len(u.cards)
}

tool remove_pref(user_id: ref User, name: str) {
  users[user_id].visits += 1
  delete users[user_id].prefs[name]
}

tool remove_two(user_id: ref User, first: str, second: str) {
  let u = users[user_id]
  delete u.prefs[first]
  delete u.prefs[second]
}

tool prefs_without(user_id: ref User, name: str) -> list[str] {
  let copy = {k: v for k, v in users[user_id].prefs.items()}
  delete copy[name] else "no " + name
  return copy.keys()
}
'''

USERS = {"users": {"u1": {"user_id": "u1", "visits": 0,
                          "cards": {"c1": {"last_four": "1111"}, "c2": {"last_four": "2222"}},
                          "prefs": {"lang": "en", "tz": "UTC", "theme": "dark"}}}}


def test_delete_removes_a_map_entry_and_changes_says_so(make_domain):
    env = make_domain(CARDS, USERS).env()
    result = env.call("remove_card", {"user_id": "u1", "card_id": "c1"})
    assert result.ok, result.error
    assert result.value == 1
    assert env.state()["users"]["u1"]["cards"] == {"c2": {"last_four": "2222"}}
    assert "u1" in str(env.changes())


def test_a_missing_key_fails_with_the_else_message_and_changes_nothing(make_domain):
    env = make_domain(CARDS, USERS).env()
    before = env.state()
    result = env.call("remove_card", {"user_id": "u1", "card_id": "c9"})
    assert not result.ok
    assert (result.error.kind, result.error.message) == ("not_found", "Card c9 not found")
    guard = env.domain.ir.tool("remove_card").contract.guard(result.error.guard)  # the contract's own guard
    assert guard.kind == "lookup" and guard.condition.op == "in"
    assert env.state() == before


def test_without_else_a_missing_key_fails_with_the_default_message(make_domain):
    env = make_domain(CARDS, USERS).env()
    before = env.state()
    result = env.call("remove_pref", {"user_id": "u1", "name": "font"})
    assert (result.ok, result.error.kind, result.error.message) == (False, "not_found", "Key font not found")
    assert env.state() == before


def test_a_failed_second_delete_puts_the_first_entry_back_in_its_place(make_domain):
    env = make_domain(CARDS, USERS).env()
    result = env.call("remove_two", {"user_id": "u1", "first": "lang", "second": "nope"})
    assert not result.ok
    assert list(env.state()["users"]["u1"]["prefs"]) == ["lang", "tz", "theme"]  # order kept too
    assert env.call("remove_two", {"user_id": "u1", "first": "tz", "second": "lang"}).ok
    assert env.state()["users"]["u1"]["prefs"] == {"theme": "dark"}
    env.reset()
    assert env.state()["users"]["u1"]["prefs"] == {"lang": "en", "tz": "UTC", "theme": "dark"}


def test_deleting_from_a_local_copy_leaves_the_row_alone(make_domain):
    domain = make_domain(CARDS, USERS)
    assert not domain.ir.tool("prefs_without").writes
    env = domain.env()
    assert env.call("prefs_without", {"user_id": "u1", "name": "tz"}).value == ["lang", "theme"]
    assert env.state()["users"]["u1"]["prefs"] == {"lang": "en", "tz": "UTC", "theme": "dark"}
    failed = env.call("prefs_without", {"user_id": "u1", "name": "x"})
    assert failed.error.message == "no x"


def test_a_map_delete_is_a_write_of_that_field(make_domain):
    domain = make_domain(CARDS, USERS)
    tool = domain.ir.tool("remove_card")
    assert (tool.writes, tool.write_fields) == (("User",), ("User.cards", "User.visits"))
    (effect,) = [e for e in tool.contract.effects if e.op == "delete_key"]
    assert (effect.entity, effect.path, effect.opaque) == ("User", ("cards", "[]"), False)
    guard = next(g for g in tool.contract.guards if g.loc.line == effect.loc.line)
    assert guard.kind == "lookup" and guard.message is None and guard.message_expr is not None


HOTEL = '''
entity Booking in bookings key booking_id else "Booking not found" {
  booking_id: str
  guest: str
}

entity Guest in guests key guest_id else "Guest not found" {
  guest_id: str
  notes: map[str, str]
}

tool book(guest: str) -> str {
  let id = new_id(bookings, "B")
  insert Booking(booking_id=id, guest=guest)
  return id
}

tool book_two(guest: str) -> list[str] {
  insert Booking(booking_id=new_id(bookings, "B"), guest=guest)
  let second = new_id(bookings, "B")
  insert Booking(booking_id=second, guest=guest)
  return [second, new_id(bookings, "#W", 7)]
}

tool add_note(guest_id: ref Guest, text: str) -> str {
  let g = guests[guest_id]
  let key = new_id(g.notes, "n")
  g.notes[key] = text
  return key
}
'''

BOOKINGS = {"bookings": {"B1001": {"booking_id": "B1001", "guest": "Ana"},
                         "B0999": {"booking_id": "B0999", "guest": "Bo"},
                         "B12x": {"booking_id": "B12x", "guest": "Cy"},
                         "X9999": {"booking_id": "X9999", "guest": "Di"}},
            "guests": {"g1": {"guest_id": "g1", "notes": {"n2": "late", "nx": "?"}}}}


def test_new_id_is_one_past_the_largest_counter_of_its_prefix(make_domain):
    env = make_domain(HOTEL, BOOKINGS).env()
    assert env.call("book", {"guest": "Ed"}).value == "B1002"
    assert env.call("book", {"guest": "Fay"}).value == "B1003"  # it sees the row inserted before it
    assert set(env.state()["bookings"]) >= {"B1002", "B1003"}


def test_new_id_sees_rows_inserted_earlier_in_the_same_call_and_pads_to_its_width(make_domain):
    env = make_domain(HOTEL, BOOKINGS).env()
    assert env.call("book_two", {"guest": "Ed"}).value == ["B1003", "#W0000001"]


def test_new_id_is_the_same_after_a_reset_so_replays_reproduce(make_domain):
    domain = make_domain(HOTEL, BOOKINGS)
    first = [domain.env().call("book", {"guest": "Ed"}).value for _ in range(2)]
    env = domain.env()
    env.call("book", {"guest": "Ed"})
    env.reset()
    assert first == ["B1002", "B1002"] and env.call("book", {"guest": "Ed"}).value == "B1002"


def test_new_id_of_an_empty_collection_starts_at_one(make_domain):
    env = make_domain(HOTEL, {"bookings": {}, "guests": {}}).env()
    assert env.call("book", {"guest": "Ed"}).value == "B1"


def test_new_id_over_a_map_field_gives_a_new_entry_key(make_domain):
    env = make_domain(HOTEL, BOOKINGS).env()
    assert env.call("add_note", {"guest_id": "g1", "text": "vip"}).value == "n3"
    assert env.state()["guests"]["g1"]["notes"] == {"n2": "late", "nx": "?", "n3": "vip"}


def test_new_id_never_collides_with_a_key_of_hostile_digits():
    from scaleenv_dsl.runtime.ids import new_id
    keys = ["B" + "9" * 5000, "B007", "B٣", "B", "b5"]  # Python's int() would refuse the first
    fresh = new_id(None, keys, "B")
    assert fresh == "B1" + "0" * 5000 and fresh not in keys
    assert new_id(None, ["B007"], "B", 3) == "B008"
    assert new_id(None, ["B٣"], "B") == "B1"  # only ASCII digits count


PEOPLE = '''
record Address {
  street: str
  city: str
  note: str?
}

entity User in users key user_id else "User not found" {
  user_id: str
  address: Address
  prefs: map[str, str]
}

tool move(user_id: ref User, city: str) -> Address {
  let u = users[user_id]
  u.address = replace(u.address, city=city)
  return u.address
}

tool copy_user(user_id: ref User, new_user: str) {
  insert replace(users[user_id], user_id=new_user, prefs={})
}

tool preview(user_id: ref User, city: str) -> Address {
  return replace(users[user_id].address, city=city, note="moved")
}

tool merge_prefs(user_id: ref User, more: map[str, str], fail_after: bool) {
  users[user_id].prefs.update(more)
  require not fail_after else "Stopped"
}
'''

PEOPLE_DATA = {"users": {"u1": {"user_id": "u1", "address": {"city": "Rome", "street": "Via 1"},
                                "prefs": {"lang": "it"}}}}


def test_replace_changes_one_field_and_keeps_the_rest_as_the_data_had_it(make_domain):
    domain = make_domain(PEOPLE, PEOPLE_DATA)
    env = domain.env()
    assert env.call("move", {"user_id": "u1", "city": "Paris"}).value == {"city": "Paris", "street": "Via 1"}
    address = env.state()["users"]["u1"]["address"]
    assert list(address) == ["city", "street"]  # the data's order, and the absent note stays absent
    tool = domain.ir.tool("move")
    assert tool.write_fields == ("User.address",)


def test_replace_builds_a_copy_and_leaves_the_row_alone(make_domain):
    domain = make_domain(PEOPLE, PEOPLE_DATA)
    assert not domain.ir.tool("preview").writes
    env = domain.env()
    preview = env.call("preview", {"user_id": "u1", "city": "Oslo"}).value
    assert preview == {"city": "Oslo", "street": "Via 1", "note": "moved"}
    assert env.state()["users"]["u1"]["address"] == {"city": "Rome", "street": "Via 1"}


def test_replace_of_a_row_inserts_a_copy_that_shares_nothing(make_domain):
    env = make_domain(PEOPLE, PEOPLE_DATA).env()
    assert env.call("copy_user", {"user_id": "u1", "new_user": "u2"}).ok
    assert env.call("move", {"user_id": "u2", "city": "Lima"}).ok
    users = env.state()["users"]
    assert users["u2"] == {"user_id": "u2", "address": {"city": "Lima", "street": "Via 1"}, "prefs": {}}
    assert users["u1"]["address"]["city"] == "Rome"


def test_update_merges_a_map_in_place_and_a_failure_undoes_it(make_domain):
    domain = make_domain(PEOPLE, PEOPLE_DATA)
    assert domain.ir.tool("merge_prefs").write_fields == ("User.prefs",)
    env = domain.env()
    more = {"lang": "en", "tz": "CET"}
    failed = env.call("merge_prefs", {"user_id": "u1", "more": more, "fail_after": True})
    assert failed.error.message == "Stopped"
    assert env.state()["users"]["u1"]["prefs"] == {"lang": "it"}
    assert env.call("merge_prefs", {"user_id": "u1", "more": more, "fail_after": False}).ok
    assert env.state()["users"]["u1"]["prefs"] == {"lang": "en", "tz": "CET"}
    effect = next(e for e in domain.ir.tool("merge_prefs").contract.effects if e.op == "update")
    assert (effect.entity, effect.path) == ("User", ("prefs",))


def test_new_id_counts_the_keys_it_scans_against_the_step_budget():
    import pytest

    from scaleenv_dsl.runtime import State, ToolError
    from scaleenv_dsl.runtime.ids import new_id
    state = State({})
    state.steps = 5
    assert new_id(state, ["B1", "B2", "B3"], "B") == "B4" and state.steps == 2
    with pytest.raises(ToolError) as failed:
        new_id(state, ["B1", "B2", "B3"], "B")
    assert failed.value.kind == "limit"


HELPER = '''
entity Item in items key item_id else "Item not found" {
  item_id: str
  tags: list[str]
}

def first_long(xs: list[str]) -> str {
  for x in xs {
    if len(x) > 3 {
      return x
    }
  }
  return ""
}

tool longest_tag(item_id: ref Item) -> str {
  return first_long(items[item_id].tags)
}
'''


def test_a_helper_may_return_from_inside_a_loop(make_domain):
    env = make_domain(HELPER, {"items": {"i1": {"item_id": "i1", "tags": ["a", "bb", "long", "longer"]}}}).env()
    assert env.call("longest_tag", {"item_id": "i1"}).value == "long"
