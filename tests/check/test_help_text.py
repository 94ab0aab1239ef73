"""What a diagnostic says and where it points, beyond its code and line.

The fixtures pin codes and lines; these pin the columns and the help lines
that a user, or a model repairing its spec, acts on.
"""

from __future__ import annotations

import pytest

from scaleenv_dsl.check import check_source

HEADER = 'domain help {\n  description "Help texts."\n}\n'


def only(body: str):
    diagnostics = check_source(HEADER + body, "spec.sedl").diagnostics
    assert len(diagnostics) == 1, [(d.code, d.message) for d in diagnostics]
    return diagnostics[0]


SYNTAX_HELP = {
    "a reserved word as a name": (
        "tool t() {\n  let in = 2\n}\n",
        "`in` is a reserved word: choose another name"),
    "an operator with no right operand": (
        "tool t(x: int) -> int {\n  return x +* 1\n}\n",
        "an expression is expected here"),
    "an expression left unfinished at the end of a line": (
        "tool t(x: int) -> int {\n  let y = x +\n  return y\n}\n",
        "an expression is expected here: the one on the line before is unfinished"),
    "commas between fields": (
        "record R { a: int, b: int }\n",
        "fields need no separator: put each on its own line, or separate them with spaces"),
    "a keyword with a letter too many is not cut in two": (
        "task t {\n  goals 1 == 1\n}\n",
        "did you mean `goal`?"),
    "a statement inside a task": (
        "task t {\n  let x = 1\n}\n",
        "a task's entries are `instruction`, `knows`, `initial`, `action`, `goal`, `communicate`, `reward`, "
        "`clock`: see docs/language.md, Tasks"),
    "a misspelt clock in a task": (
        "task t {\n  clok \"2024-03-01T09:00\"\n}\n",
        "did you mean `clock`?"),
    "an unclosed list": (
        "tool t() -> int {\n  let y = [1, 2\n  return 1\n}\n",
        "add the missing `]` at the end of the line before"),
}


@pytest.mark.parametrize("body, help", SYNTAX_HELP.values(), ids=SYNTAX_HELP.keys())
def test_syntax_error_help(body: str, help: str) -> None:
    d = only(body)
    assert d.code == "syntax-error"
    assert d.help == help


def test_a_name_that_is_not_a_name_keeps_its_help() -> None:
    d = only("tool t(1: int) {\n}\n")
    assert d.help == "a name is expected here: letters, digits and `_`, not starting with a digit"


def test_invalid_tag_points_at_the_field() -> None:
    d = only("union P by kind {\n  card { number: str  kind: str }\n}\n")
    assert d.code == "invalid-tag"
    assert (d.span.line, d.span.column, d.span.end_column) == (5, 23, 27)


def test_assign_to_param_underlines_the_target() -> None:
    d = only("record P { x: int }\ntool t(p: P) {\n  p.x = 1\n}\n")
    assert d.code == "assign-to-param"
    assert (d.span.line, d.span.column, d.span.end_column) == (6, 3, 6)


def test_this_suggests_self_only_where_self_exists() -> None:
    in_invariant = only('record R {\n  a: int\n  invariant this.a > 0 else "positive"\n}\n')
    assert in_invariant.help == "write `self`"
    in_tool = only("tool t() -> int {\n  return this\n}\n")
    assert in_tool.code == "unknown-name" and "self" not in in_tool.help


def test_an_aggregate_without_a_generator_is_not_suggested_as_itself() -> None:
    d = only("tool t(xs: list[int]) -> int {\n  return count(xs)\n}\n")
    assert d.code == "wrong-arguments"
    assert d.help == "write `count(x for x in xs if …)`"


def test_else_on_a_list_index_says_what_happens_instead() -> None:
    d = only('tool t(xs: list[int]) -> int {\n  let x = xs[0] else "empty"\n  return x\n}\n')
    assert d.code == "unnecessary-else"
    assert d.message == "the `else` does not apply to a list index"
    assert "list index out of range" in d.help


def test_adding_a_float_to_an_int_local_says_how_to_start_it() -> None:
    d = only("tool t(price: float) -> int {\n  let total = 0\n  total += price\n  return total\n}\n")
    assert d.code == "bad-operand"
    assert d.help == "an `int` holds no fractions: convert with `int(x)` or `round(x)`, or start a local at `0.0`"
    d = only("tool t(price: float) -> int {\n  let total = 0\n  total = total + price\n  return total\n}\n")
    assert d.code == "type-mismatch"
    assert d.help.startswith("an `int` holds no fractions")


def test_a_ref_to_a_record_says_what_the_record_is() -> None:
    d = only("record Address {\n  street: str\n}\nrecord Order {\n  ship_to: ref Address\n}\n")
    assert d.code == "unknown-entity"
    assert d.message == "`Address` is a record, not an entity"
    assert d.help == "store the value itself: `Address`"


def test_the_reserved_words_are_the_grammars() -> None:
    import re

    from scaleenv_dsl.parse.recovery import RESERVED_WORDS
    from scaleenv_dsl.resources import grammar_path

    name = next(line for line in grammar_path().read_text().splitlines() if line.startswith("NAME:"))
    assert set(re.search(r"\(\?:([a-z|]+)\)", name).group(1).split("|")) == set(RESERVED_WORDS)


def test_a_mistake_in_a_loop_body_checked_twice_is_reported_once() -> None:
    # `a = item` makes `a` part of a row, so the checker goes through the loop body again
    # to record the write through `a`; its diagnostics must not repeat.
    d = only("""record Item { price: float }
entity User in users key user_id else "User not found" {
  user_id: str
  items: list[Item]
}
tool zero(user_id: ref User) {
  let a = Item(price=1)
  for item in users[user_id].items {
    a.price = prize
    a = item
  }
}
""")
    assert (d.code, d.message, d.span.line) == ("unknown-name", "`prize` is not defined", 12)


UNKNOWN_NAMES = {
    "a misspelt local": ("tool t() -> int {\n  let total = 1\n  return totl\n}\n", "did you mean `total`?"),
    "a misspelt parameter": ("tool t(count: int) -> int {\n  return cuont\n}\n", "did you mean `count`?"),
    "a misspelt collection": (
        'entity Note in notes key note_id else "Note not found" {\n  note_id: str\n}\n'
        "tool t() -> int {\n  return len(ntoes)\n}\n",
        "did you mean `notes`?"),
    "a name close to nothing": ("tool t() -> int {\n  let total = 1\n  return zebra\n}\n",
                                "bind it with `let`, or name a parameter or collection"),
}


@pytest.mark.parametrize("body, help", UNKNOWN_NAMES.values(), ids=UNKNOWN_NAMES.keys())
def test_an_unknown_name_suggests_the_closest_defined_one(body: str, help: str) -> None:
    d = only(body)
    assert d.code == "unknown-name"
    assert d.help == help


def test_a_field_of_a_number_says_only_records_and_rows_have_fields() -> None:
    """A stray `.` after a number (`x -= 1. y`) reads as a field of the number: the help must say
    why, not stay empty (found by the property test of spec text)."""
    d = only("tool t(x: int) -> int {\n  return x - 1. y\n}\n")
    assert (d.code, d.message) == ("unknown-field", "`int` has no field `y`")
    assert d.help == "only records and rows have fields, and `1` is of type `int`"
