"""A failed call names the contract's guard that fired, and that guard says the same thing.

Checked over every failing step of tau2's recorded retail cases: the generated code and the
contract are built separately from the IR, so agreement between them is not by construction.
"""

from __future__ import annotations

import json

import pytest

from scaleenv_dsl.api import load_domain
from scaleenv_dsl.resources import conformance_cases

GUARDED_KINDS = ("require", "not_found", "conflict")


@pytest.fixture(scope="module")
def failures():
    domain = load_domain("retail")
    env = domain.env()
    found = []
    for case in json.loads(conformance_cases("retail").read_text(encoding="utf-8"))["cases"]:
        env.reset(initial=case.get("initial"))
        for action in case["actions"]:
            result = env.call(action["name"], action["arguments"])
            if not result.ok:
                found.append((action["name"], result.error))
    return domain, found


def test_the_recorded_cases_fail_guards_of_several_kinds(failures):
    _, found = failures
    assert {error.kind for _, error in found} >= {"require", "not_found"}


def test_every_guarded_failure_names_a_guard_of_its_tool_with_the_same_message(failures):
    domain, found = failures
    for tool, error in found:
        if error.kind not in GUARDED_KINDS:
            continue
        guard = domain.ir.tool(tool).contract.guard(error.guard)
        assert guard.message in (None, error.message), (tool, guard.id, guard.message, error.message)
        assert error.loc == f"retail.sedl:{guard.loc.line}:{guard.loc.column}"


def test_an_argument_error_names_no_guard(failures):
    domain, _ = failures
    result = domain.env().call("get_order_details", {"order_id": 42})
    assert (result.error.kind, result.error.guard) == ("invalid_arguments", None)


NESTED = '''
domain shelves { description "Nested accesses." }

entity Shelf in shelves key shelf_id else "Shelf not found" {
  shelf_id: str
  counts: list[int]
}

tool count_at(shelf_id: str, n: int) -> int {
  return shelves[shelf_id].counts[n]
}
'''


def test_a_lookup_and_an_index_starting_at_the_same_column_keep_their_own_guards(tmp_path):
    from scaleenv_dsl.api import compile_domain
    from scaleenv_dsl.check import check_source

    checked = check_source(NESTED, str(tmp_path / "shelves.sedl"))
    assert checked.ok, [d.message for d in checked.diagnostics]
    domain = compile_domain(checked.domain)
    env = domain.env({"shelves": {"s1": {"shelf_id": "s1", "counts": [3]}}})
    kinds = {g.kind: g for g in domain.ir.tool("count_at").contract.guards}
    assert kinds["lookup"].loc.column == kinds["index"].loc.column  # the collision this test is about
    missing = env.call("count_at", {"shelf_id": "s9", "n": 0})
    assert (missing.error.message, missing.error.guard) == ("Shelf not found", kinds["lookup"].id)
