"""One answer to "does this value fit this type", given by `types_fit` to every user.

The core is tested on its own first: the rules, the mismatch it reports (reason
and path), and each policy a user can ask for. Then the three users are asked
about the same values and must agree: a task's action argument (the checker),
a row of data (the data validator) and a tool call's argument (the runtime).
"""

from __future__ import annotations

import json
import math

import pytest

from scaleenv_dsl import ir
from scaleenv_dsl.api import load_domain
from scaleenv_dsl.check import check_source
from scaleenv_dsl.check.data import validate_data
from scaleenv_dsl.types_fit import (BAD_TAG, DANGLING_REF, MAX_INTEGER, MISSING_FIELD, NO_VARIANT, NOT_IN_ENUM,
                                    OUT_OF_RANGE, TOO_LARGE, UNKNOWN_FIELD, WRONG_KIND, FitBuilder, TypeTable)

TYPES = '''
enum Size { "small", "extra large" }

record Line {
  sku: str
  qty: int
  size: Size?
}

union Pay by kind {
  card { last_four: str }
  cash { }
}

entity Person in people key person_id else "Person not found" {
  person_id: str
}
'''


def _table() -> TypeTable:
    result = check_source('domain probe { description "Types." }\n' + TYPES)
    assert result.ok, result.diagnostics
    return TypeTable.of(result.domain)


TABLE = _table()
INT, FLOAT, STR, BOOL = ir.INT, ir.FLOAT, ir.STR, ir.BOOL
SIZE = ir.TypeRef(kind="enum", name="Size")
LINE = ir.TypeRef(kind="record", name="Line")
PAY = ir.TypeRef(kind="union", name="Pay")
PERSON = ir.TypeRef(kind="ref", name="Person")


def reason(value, t: ir.TypeRef, **policy) -> str | None:
    mismatch = FitBuilder(TABLE, **policy).first_mismatch(value, t)
    return None if mismatch is None else mismatch.reason


# ---------------------------------------------------------------- the rules

@pytest.mark.parametrize("t, value, expected", [
    (INT, 3, None), (INT, True, WRONG_KIND), (INT, 3.5, WRONG_KIND), (INT, 3.0, WRONG_KIND), (INT, "3", WRONG_KIND),
    (INT, MAX_INTEGER, None), (INT, MAX_INTEGER + 1, OUT_OF_RANGE), (INT, -MAX_INTEGER - 1, OUT_OF_RANGE),
    (FLOAT, 1, None), (FLOAT, 1.5, None), (FLOAT, False, WRONG_KIND), (FLOAT, math.nan, OUT_OF_RANGE),
    (FLOAT, math.inf, OUT_OF_RANGE), (FLOAT, 10 ** 400, OUT_OF_RANGE), (FLOAT, 10 ** 20, None),
    (BOOL, False, None), (BOOL, 0, WRONG_KIND), (STR, "", None), (STR, None, WRONG_KIND),
    (SIZE, "extra large", None), (SIZE, "huge", NOT_IN_ENUM), (SIZE, 1, WRONG_KIND),
    (ir.optional(INT), None, None), (ir.optional(INT), "1", WRONG_KIND),
    (ir.list_of(INT), [1, 2], None), (ir.list_of(INT), [1, True], WRONG_KIND), (ir.list_of(INT), (1,), WRONG_KIND),
    (ir.map_of(FLOAT), {"a": 1}, None), (ir.map_of(FLOAT), {"a": "1"}, WRONG_KIND), (ir.map_of(FLOAT), [], WRONG_KIND),
    (LINE, {"sku": "a", "qty": 1}, None), (LINE, {"sku": "a", "qty": 1, "size": None}, None),
    (LINE, {"sku": "a"}, MISSING_FIELD), (LINE, {"sku": "a", "qty": 1, "colour": "red"}, UNKNOWN_FIELD),
    (LINE, {"sku": "a", "qty": 1, "size": "huge"}, NOT_IN_ENUM), (LINE, "a", WRONG_KIND),
    (PAY, {"kind": "card", "last_four": "1234"}, None), (PAY, {"kind": "cash"}, None),
    (PAY, {"kind": "cheque"}, BAD_TAG), (PAY, {"kind": ["card"]}, BAD_TAG), (PAY, {"last_four": "1"}, BAD_TAG),
    (PAY, {"kind": "cash", "last_four": "1"}, UNKNOWN_FIELD), (PAY, {"kind": "card"}, MISSING_FIELD),
    (PERSON, "p1", None), (PERSON, 1, WRONG_KIND), (ir.ANY, {"any": [1, None]}, None),
])
def test_the_rules(t, value, expected):
    assert reason(value, t) == expected


def test_a_mismatch_says_where_it_is():
    m = FitBuilder(TABLE).first_mismatch({"a": [{"sku": "x", "qty": 1}, {"sku": "y", "qty": "2"}]},
                                         ir.map_of(ir.list_of(LINE)))
    assert (m.reason, m.path, m.expected, m.value) == (WRONG_KIND, ("a", 1, "qty"), INT, "2")
    inside_a_variant = FitBuilder(TABLE).first_mismatch({"kind": "card", "cvv": "1", "last_four": "1"}, PAY)
    assert (inside_a_variant.reason, inside_a_variant.field, inside_a_variant.variant) == (UNKNOWN_FIELD, "cvv", "card")


def test_a_fitting_value_comes_back_as_a_copy():
    value = {"sku": "a", "qty": 1, "size": None}
    copy = FitBuilder(TABLE).build(ir.list_of(LINE))([value])
    assert copy == [{"sku": "a", "qty": 1}]  # an optional field given as null is left out
    copy[0]["qty"] = 2
    assert value["qty"] == 1


def test_recursive_types_do_not_recurse_while_building():
    result = check_source('domain tree { description "A tree." }\nrecord Node { children: list[Node] }\n')
    fits = FitBuilder(TypeTable.of(result.domain))
    node = ir.TypeRef(kind="record", name="Node")
    assert fits.first_mismatch({"children": [{"children": []}]}, node) is None
    assert fits.first_mismatch({"children": [{"children": [1]}]}, node).path == ("children", 0, "children", 0)


# ---------------------------------------------------------------- policies

def test_integral_floats_are_integers_only_for_tool_arguments():
    assert reason(3.0, INT) == WRONG_KIND
    assert reason(3.0, INT, integral_floats=True) is None
    assert FitBuilder(TABLE, integral_floats=True).build(INT)(3.0) == 3
    assert type(FitBuilder(TABLE, integral_floats=True).build(INT)(3.0)) is int
    assert reason(3.5, INT, integral_floats=True) == WRONG_KIND


@pytest.mark.parametrize("t, value", [
    (STR, "x" * 100_001), (ir.list_of(STR), ["x" * 100_001]), (ir.list_of(INT), [1] * 10_001),
    (ir.ANY, [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]),
])
def test_payload_limits_bound_only_an_agents_payloads(t, value):
    assert reason(value, t) is None
    assert reason(value, t, payload_limits=True) == TOO_LARGE


def test_collecting_reports_every_mismatch_in_order():
    row = {"sku": 1, "colour": "red", "size": "huge"}
    fits = FitBuilder(TABLE, collect=True)
    found = fits.first_mismatch([row], ir.list_of(LINE)).each()
    assert [(m.reason, m.path, m.field) for m in found] == [
        (WRONG_KIND, (0, "sku"), None), (MISSING_FIELD, (0,), "qty"), (NOT_IN_ENUM, (0, "size"), None),
        (UNKNOWN_FIELD, (0,), "colour")]
    assert FitBuilder(TABLE).first_mismatch([row], ir.list_of(LINE)).reason == UNKNOWN_FIELD


def test_partial_values_may_leave_out_fields_and_the_tag():
    assert reason({"qty": 2}, LINE, partial=True) is None
    assert reason({"last_four": "9"}, PAY, partial=True) is None  # only `card` has it
    assert reason({"last_four": 9}, PAY, partial=True) == WRONG_KIND  # checked as that variant
    assert reason({"balance": 1}, PAY, partial=True) == NO_VARIANT
    assert reason({"kind": "cheque"}, PAY, partial=True) == BAD_TAG  # a tag given must still name a variant
    assert reason({"qty": 2}, LINE) == MISSING_FIELD


def test_references_name_a_row_when_the_rows_are_given():
    assert reason("p9", PERSON, rows={"Person": {"p1": {}}}) == DANGLING_REF
    assert reason("p1", PERSON, rows={"Person": {"p1": {}}}) is None
    assert reason("p9", PERSON, rows={"Person": None}) is None  # the collection is not rows: reported there
    assert reason("p9", PERSON) is None


# ---------------------------------------------------------------- the three users agree

TOOLS = {
    "int": "int", "float": "float", "bool": "bool", "str": "str", "size": "Size", "line": "Line", "pay": "Pay",
    "ints": "list[int]", "weights": "map[str, float]", "maybe": "int?", "person": "ref Person", "lines": "list[Line]",
}
BASE_ROW = {"holder_id": "h1", "int": 1, "float": 1.0, "bool": True, "str": "a", "size": "small",
            "line": {"sku": "a", "qty": 1}, "pay": {"kind": "cash"}, "ints": [], "weights": {}, "maybe": None,
            "person": "p1", "lines": []}
AGREEMENT = [
    ("int", 3, True), ("int", -3, True), ("int", True, False), ("int", 3.5, False), ("int", "3", False),
    ("int", None, False), ("float", 1, True), ("float", 1.5, True), ("float", True, False), ("float", "1", False),
    ("bool", False, True), ("bool", 1, False), ("str", "", True), ("str", 1, False),
    ("size", "extra large", True), ("size", "medium", False), ("size", 1, False),
    ("line", {"sku": "a", "qty": 1}, True), ("line", {"sku": "a", "qty": 1, "size": None}, True),
    ("line", {"sku": "a"}, False), ("line", {"sku": "a", "qty": 1, "x": 1}, False), ("line", [], False),
    ("line", {"sku": "a", "qty": "1"}, False), ("line", {"sku": "a", "qty": 1, "size": "medium"}, False),
    ("pay", {"kind": "card", "last_four": "1234"}, True), ("pay", {"kind": "cash"}, True),
    ("pay", {"kind": "cheque"}, False), ("pay", {"last_four": "1"}, False),
    ("pay", {"kind": "cash", "last_four": "1"}, False), ("pay", {"kind": ["card"]}, False),
    ("ints", [1, 2], True), ("ints", [1, "2"], False), ("ints", [True], False), ("ints", "12", False),
    ("weights", {"a": 1.5, "b": 2}, True), ("weights", {"a": "x"}, False), ("weights", [1], False),
    ("maybe", None, True), ("maybe", 1, True), ("maybe", "1", False),
    ("person", "p1", True), ("person", 1, False),
    ("lines", [{"sku": "a", "qty": 1}], True), ("lines", [{"sku": "a"}], False),
]


def _literal(value) -> str:
    """A JSON value written as a spec literal."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_literal(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k)}: {_literal(v)}" for k, v in value.items()) + "}"
    return json.dumps(value)


@pytest.fixture(scope="module")
def probe(tmp_path_factory):
    fields = "\n".join(f"  {name}: {type_}" for name, type_ in TOOLS.items())
    tools = "\n".join(f'tool probe_{name}(value: {type_}) -> str {{\n  return "ok"\n}}' for name, type_ in TOOLS.items())
    spec = (f'domain probe {{\n  description "Probes."\n  data "probe.json"\n}}\n{TYPES}\n'
            f'entity Holder in holders key holder_id else "Holder not found" {{\n  holder_id: str\n{fields}\n}}\n'
            f"{tools}\n")
    folder = tmp_path_factory.mktemp("probe")
    (folder / "probe.sedl").write_text(spec, encoding="utf-8")
    (folder / "probe.json").write_text(json.dumps({"holders": {"h1": BASE_ROW}, "people": {"p1": {"person_id": "p1"}}}))
    return spec, load_domain(folder / "probe.sedl")


def _checker_verdicts(spec: str) -> list[bool]:
    tasks = [f'task case{i} {{\n  instruction "Probe."\n  action probe_{name}(value={_literal(value)})\n}}'
             for i, (name, value, _) in enumerate(AGREEMENT)]
    text = spec.replace('  data "probe.json"\n', "") + "\n".join(tasks) + "\n"
    first_task_line = text.count("\n", 0, text.index("task case0")) + 1
    mismatched = {(d.span.line - first_task_line - 2) // 4 for d in check_source(text).diagnostics
                  if d.code == "type-mismatch"}
    assert not [d for d in check_source(text).diagnostics if d.code != "type-mismatch"]
    return [i not in mismatched for i in range(len(AGREEMENT))]


def test_the_checker_the_data_validator_and_the_runtime_agree(probe):
    spec, domain = probe
    checker = _checker_verdicts(spec)
    env = domain.env()
    for i, (name, value, fits) in enumerate(AGREEMENT):
        data = {"holders": {"h1": {**BASE_ROW, name: value}}, "people": {"p1": {"person_id": "p1"}}}
        verdicts = {"checker": checker[i], "data": not validate_data(domain.ir, data),
                    "runtime": env.call(f"probe_{name}", {"value": value}).ok}
        assert verdicts == dict.fromkeys(verdicts, fits), (name, value)


def test_where_the_users_differ_it_is_policy(probe):
    _, domain = probe
    data = {"holders": {"h1": {**BASE_ROW, "int": 3.0, "person": "p9"}}, "people": {"p1": {"person_id": "p1"}}}
    problems = [d.message for d in validate_data(domain.ir, data)]
    assert problems == ['holders["h1"].int: expected `int`, found a number',
                        'holders["h1"].person: "p9" refers to no `Person`']
    env = domain.env()
    assert env.call("probe_int", {"value": 3.0}).ok  # an encoder's 3.0 for 3
    assert env.call("probe_person", {"value": "p9"}).ok  # the tool's own lookup says whether it exists
    assert env.call("probe_str", {"value": "x" * 100_001}).error.message == \
        "argument 'value': the string is longer than 100000 characters"


def test_data_nested_past_the_stack_is_a_problem_not_a_crash():
    result = check_source('domain tree { description "A tree." }\n'
                          'entity Node in nodes key node_id else "no node" {\n  node_id: str\n  children: list[Node]\n}\n')
    row = {"node_id": "n", "children": []}
    for _ in range(5000):
        row = {"node_id": "n", "children": [row]}
    [problem] = validate_data(result.domain, {"nodes": {"n": row}})
    assert (problem.code, problem.message) == ("invalid-data", 'nodes["n"]: the data nests too deeply')
