"""The message, span and help of each diagnostic about loops and maps (issue 11): a `return`
only inside a loop. The fixtures pin codes and lines; these pin the words a writer reads."""

from __future__ import annotations

from scaleenv_dsl.check import check_source

HEADER = '''domain probe {
  description "A probe."
}
entity User in users key user_id else "User not found" {
  user_id: str
  tags: list[str]
  prefs: map[str, str]
}
'''
LINES = HEADER.count("\n")


def diagnostics(body: str):
    return [(d.code, d.span.line - LINES, d.span.column, d.span.end_column, d.message, d.help)
            for d in check_source(HEADER + body, "probe.sedl").diagnostics]


def test_a_return_only_inside_a_loop_says_the_loop_may_run_zero_times():
    found = diagnostics('tool t(user_id: ref User) -> str {\n  for x in users[user_id].tags {\n    return x\n  }\n}\n')
    assert found == [("missing-return", 1, 6, 7, "`t` can end without returning",
                      "a `for` may run zero times, or end without returning: put a `return` or a "
                      "`fail \"…\"` after it")]


def test_deleting_a_list_item_points_to_remove():
    found = diagnostics('tool t(user_id: ref User) {\n  delete users[user_id].tags[0]\n}\n')
    assert found == [("invalid-delete", 2, 10, 32, "`delete` removes a row or a map entry by key",
                      "remove a list's item with `xs.remove(x)`")]


def test_deleting_a_whole_field_says_what_delete_takes():
    found = diagnostics('tool t(user_id: ref User) {\n  delete users[user_id].prefs\n}\n')
    assert found == [("invalid-delete", 2, 10, 30, "`delete` removes a row or a map entry by key",
                      "write `delete collection[key]` for a row, `delete row.map_field[key]` for a map entry")]


def test_deleting_from_a_parameter_says_to_build_a_new_map():
    found = diagnostics('tool t(prefs: map[str, str]) {\n  delete prefs["a"]\n}\n')
    assert found == [("assign-to-param", 2, 10, 20, "parameters are read-only",
                      "build a new map without the key: `{k: v for k, v in m.items() if k != key}`")]


def test_new_id_of_a_list_names_what_it_takes():
    found = diagnostics('tool t(user_id: ref User) -> str {\n  return new_id(users[user_id].tags, "B")\n}\n')
    assert found == [("type-mismatch", 2, 17, 36,
                      "`new_id` takes the collection (or map) the id is for, this is `list[str]`",
                      'name the collection: `new_id(bookings, "B")`')]


def test_new_id_with_a_number_for_prefix():
    found = diagnostics('tool t() -> str {\n  return new_id(users, 7)\n}\n')
    assert found == [("type-mismatch", 2, 24, 25, "`new_id`'s prefix is a string, this is `int`",
                      'write the prefix as a string: `new_id(bookings, "B")`')]


def test_new_id_with_a_computed_width():
    found = diagnostics('tool t(n: int) -> str {\n  return new_id(users, "u", n)\n}\n')
    assert found == [("type-mismatch", 2, 29, 30,
                      "`new_id`'s width is a whole number from 1 to 32, written as it is",
                      'write the digits\' width as a literal: `new_id(orders, "#W", 7)` gives "#W0000001"')]


def test_replace_of_an_unknown_field_suggests_the_near_one():
    body = ('record Address {\n  city: str\n}\nentity P in ps key pid else "No" {\n  pid: str\n  address: Address\n}\n'
            'tool t(pid: ref P) -> Address {\n  return replace(ps[pid].address, cty="Paris")\n}\n')
    found = diagnostics(body)
    assert found == [("unknown-field", 9, 35, 38, "`Address` has no field `cty`", "did you mean `city`?")]


def test_update_on_a_list_says_what_merges():
    found = diagnostics('tool t(user_id: ref User) {\n  users[user_id].tags.update({"a": "b"})\n}\n')
    assert found == [("unknown-method", 2, 3, 41, "`.update()` merges into a map, this is `list[str]`",
                      "change a record's fields one by one (`x.f = v`), or build a copy with `replace(x, f=v)`")]
