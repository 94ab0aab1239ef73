"""Both outcomes of every guard: the cases the search keeps show what they claim."""

from __future__ import annotations

import json

import pytest
from proctest_support import QUICK, run, spec

from scaleenv_dsl import ir
from scaleenv_dsl.api import load_domain
from scaleenv_dsl.proctest.cases import actions_of
from scaleenv_dsl.proctest.report import render_text, to_json


@pytest.fixture(scope="module")
def library_report():
    return run(load_domain("library"))


def cases_by_id(report) -> dict:
    return {case["id"]: case for case in report.cases}


def last_call(env, case):
    env.reset(initial=case.get("initial"))
    *before, last = actions_of(case)
    for tool, arguments in before:
        assert env.call(tool, arguments).ok  # a start is reached by successful calls only
    state = env.dump()
    return env.call(*last), state, env.dump()


def test_every_failing_case_fails_at_its_guard_and_changes_nothing(library_report):
    library = load_domain("library")
    env = library.env()
    cases = cases_by_id(library_report)
    checked = 0
    for outcome in library_report.outcomes:
        for case_id in outcome.fails:
            result, before, after = last_call(env, cases[case_id])
            assert not result.ok and before == after
            if outcome.guard.kind == "argument":  # the binder refuses the value: it names the parameter
                param = library.ir.tool(outcome.tool).params[int(outcome.guard.id.split("#")[1]) - 1]
                assert result.error.kind == "invalid_arguments" and f"'{param.name}'" in result.error.message
            else:
                assert result.error.guard == outcome.guard.id
                assert outcome.guard.message in (None, result.error.message)
            checked += 1
    assert checked >= 60


def test_every_passing_case_succeeds(library_report):
    env = load_domain("library").env()
    cases = cases_by_id(library_report)
    passed = [o for o in library_report.outcomes if o.passes]
    assert len(passed) >= 80
    for outcome in passed:
        result, _, _ = last_call(env, cases[outcome.passes])
        assert result.ok, (outcome.guard.id, result)
        assert outcome.guard.id in cases[outcome.passes]["checks"]["passes"]


def test_a_guard_passes_only_in_a_call_that_reached_it(library_report):
    # "Insufficient library credit" stands in the library-credit branch of pay_fine: only a call
    # paying with credit reaches it, so the case that passes it pays with credit_3
    outcome = next(o for o in library_report.outcomes if o.guard.message == "Insufficient library credit")
    [(tool, arguments)] = actions_of(cases_by_id(library_report)[outcome.passes])
    assert tool == "pay_fine" and arguments["payment_method_id"] == "credit_3"
    card = next(o for o in library_report.outcomes if o.guard.message == "Card was declined")
    assert cases_by_id(library_report)[card.passes]["actions"][-1]["arguments"]["payment_method_id"] == "card_1"


def test_guards_a_state_change_unlocks_are_found_from_later_starts(library_report):
    # "Loan was already renewed twice" fails only after renewals: no loan in the data has two, so
    # the case renews first, or starts from an overlay giving a loan two renewals
    outcome = next(o for o in library_report.outcomes if o.guard.message == "Loan was already renewed twice")
    assert outcome.status == "both outcomes"
    for case_id in outcome.fails:
        case = cases_by_id(library_report)[case_id]
        *before, (_, arguments) = actions_of(case)
        renewals = (case.get("initial") or {}).get("loans", {}).get(arguments["loan_id"], {}).get("renewals")
        assert renewals == 2 or [tool for tool, _ in before].count("renew_loan") >= 1


def test_boundaries_the_data_lacks_are_tried_from_overlays(library_report):
    # no member owes ten dollars: "Member owes $..." (fines < 10) fails from an overlay at or past 10
    checkout = load_domain("library").ir.tool("checkout_book")
    guard = next(g for g in checkout.contract.guards if g.message_expr is not None
                 and any(getattr(n, "value", None) == " in fines" for n in ir.walk(g.message_expr)))
    outcome = next(o for o in library_report.outcomes if o.guard.id == guard.id)
    fines = [m["fines"] for case_id in outcome.fails
             for m in cases_by_id(library_report)[case_id]["initial"]["members"].values()]
    assert fines and min(fines) == 10  # the boundary itself, which the mutant `<=` is told apart by


def test_guards_no_input_moves_are_reported_not_failed():
    report = run(load_domain(spec("unreachable")))
    status = {o.guard.message: o.status for o in report.outcomes}
    assert status["A step is a number"] == "never fails"          # step >= 0 or step < 0
    assert status["No code opens it"] == "never passes"
    assert status["A step is at most ten"] == "both outcomes"
    assert report.ok
    text = render_text(report)
    assert "never fails: bump#4 (require \"A step is a number\") at unreachable.sedl:17:3" in text


def test_the_same_seed_gives_the_same_tests():
    domain = load_domain(spec("notes"))
    first, again = run(domain), run(domain)
    assert json.dumps(first.cases, sort_keys=True) == json.dumps(again.cases, sort_keys=True)
    other = run(domain, type(QUICK)(seed=7, walks=QUICK.walks, budget=QUICK.budget))
    assert json.dumps(first.cases, sort_keys=True) != json.dumps(other.cases, sort_keys=True)


def test_the_json_report_has_every_guard(library_report):
    data = to_json(library_report)
    library = load_domain("library").ir
    assert [g["id"] for g in data["guards"]] == [g.id for t in library.tools for g in t.contract.guards]
    assert data["ok"] is True and data["failures"] == []
    counts = data["summary"]
    assert counts["guards"] == sum(counts[s] for s in ("both outcomes", "never fails", "never passes",
                                                       "never reached"))
