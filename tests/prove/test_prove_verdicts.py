"""Each case the prover must tell apart, on the help-helpdesk spec: the status, the reason and the checks."""

from __future__ import annotations

import pytest

ALL_HOLD = {"replays": True, "reaches_goal": True, "goal_false_at_start": True, "arguments_known": True,
            "no_wasted_step": True}


def steps(proof):
    return [(s.call.tool, s.call.arguments) for s in proof.witness.steps]


def test_a_gold_action_the_user_can_make_is_a_proof(prove):
    proof = prove("close_known_ticket")
    assert (proof.status, proof.reason, proof.checks) == ("proved", None, ALL_HOLD)
    assert proof.witness.steps[0].sources == {"ticket_id": "knows ticket_id", "note": "knows note"}


def test_a_goal_already_true_is_trivial(prove):
    proof = prove("already_closed")
    assert proof.status == "trivial" and proof.reason.code == "goal-true-at-start"
    assert proof.checks["goal_false_at_start"] is False
    assert "reward goal" in proof.reason.message and "does nothing is paid" in proof.reason.message


def test_a_gold_action_failing_a_guard_is_unknown_and_names_the_guard(prove, helpdesk):
    proof = prove("note_too_long")
    assert proof.status == "unknown" and proof.reason.code == "step-fails"
    assert proof.checks["replays"] is False
    guard = helpdesk.ir.tool("close_ticket").contract.guard("close_ticket#5")
    assert guard.message == "The note is too long"
    where = f"helpdesk.sedl:{guard.loc.line}:3"
    assert f"step 1 `close_ticket` fails guard close_ticket#5 ({where}): The note is too long" in proof.reason.message
    assert proof.reason.loc == helpdesk.task("note_too_long").actions[0].loc   # for the text form's excerpt


def test_an_argument_no_one_can_know_makes_the_task_unsolvable(prove):
    proof = prove("other_customers_ticket")
    assert proof.status == "unsolvable" and proof.reason.code == "argument-unknown"
    assert proof.reason.message == ('argument `ticket_id` of step 1 (`close_ticket`): no known fact or earlier '
                                    'output gives "t3"')
    assert proof.checks["arguments_known"] is False and proof.checks["reaches_goal"] is True
    assert proof.witness.steps[-1].sources == {"ticket_id": None, "note": "knows note"}


def test_a_field_no_tool_writes_makes_the_goal_unreachable(prove):
    proof = prove("archive_ticket")
    assert proof.status == "unsolvable" and proof.reason.code == "no-relaxed-solution"
    assert proof.reason.message.startswith('no relaxed solution: goal 1 `tickets["t1"].archived == true`')
    assert proof.reason.notes == ('`tickets["t1"].archived == true` is false, and no tool writes `Ticket.archived`',)
    assert proof.witness.steps == []   # nothing is searched for a goal proved unreachable


def test_unreachable_names_the_chain_of_missing_supporters(prove):
    proof = prove("renote_closed_ticket")
    assert proof.status == "unsolvable"
    assert proof.reason.notes == (
        '`tickets["t2"].note == "again"` needs `close_ticket`, which needs `tickets["t2"].status == "open"`',
        '`tickets["t2"].status == "open"` is false, and no tool sets `Ticket.status` to "open"')


def test_a_search_that_exhausts_its_budget_is_unknown_with_the_closest_state(prove):
    proof = prove("bump_to_top", max_depth=2)
    assert proof.status == "unknown" and proof.reason.code == "budget-exhausted"
    assert "--max-depth 2" in proof.reason.message
    assert proof.reason.notes[0] == 'closest state: after 2 writes; still false: goal 1 `tickets["t1"].priority == 5`'
    assert steps(proof) == [("bump_priority", {"ticket_id": "t1"})] * 2   # the closest plan, as the witness
    assert prove("bump_to_top", max_nodes=2).reason.code == "budget-exhausted"


@pytest.mark.parametrize("heuristic", ["hadd", "hmax"])
def test_the_same_search_with_budget_enough_proves_it(prove, heuristic):
    proof = prove("bump_to_top", heuristic=heuristic)
    assert (proof.status, proof.checks) == ("proved", ALL_HOLD)
    assert steps(proof) == [("bump_priority", {"ticket_id": "t1"})] * 4
    assert proof.search.plan is not None and {s.origin for s in proof.witness.steps} == {"search"}


def test_a_gold_list_that_skips_a_lookup_gets_the_reads_inserted(prove):
    proof = prove("close_after_lookup")
    assert (proof.status, proof.checks) == ("proved", ALL_HOLD)
    assert steps(proof) == [("find_customer", {"email": "ann@example.com"}), ("get_customer", {"customer_id": "c1"}),
                            ("close_ticket", {"ticket_id": "t1", "note": "done"})]
    assert [(n, s.needed_by) for n, s in proof.witness.inserted] == [(1, "step 3"), (2, "step 3")]
    assert [s.sources for s in proof.witness.steps] == [
        {"email": "knows email"}, {"customer_id": "step 1: $"},
        {"ticket_id": "step 2: $.tickets[0]", "note": "knows note"}]


def test_a_goal_only_task_is_proved_by_search_with_its_reads(prove):
    proof = prove("close_by_search")
    assert (proof.status, proof.checks) == ("proved", ALL_HOLD)
    assert [(s.origin, s.call.tool) for s in proof.witness.steps] == [
        ("inserted", "find_customer"), ("inserted", "get_customer"), ("search", "close_ticket")]
    assert proof.witness.steps[-1].call.arguments == {"ticket_id": "t1", "note": "done"}


def test_a_redundant_write_is_reported_without_failing_the_proof(prove):
    proof = prove("close_then_bump")
    assert proof.status == "proved" and proof.checks["no_wasted_step"] is False
    assert proof.reason.code == "redundant-step" and "after step 1" in proof.reason.message


def test_a_failed_gold_lookup_is_left_out_of_the_witness(prove):
    proof = prove("wrong_email_first")
    assert (proof.status, proof.checks) == ("proved", ALL_HOLD)
    assert steps(proof)[0] == ("find_customer", {"email": "ann@example.com"})
    assert proof.reason.code == "dropped-reads"
    assert proof.reason.notes == ("gold read `find_customer` left out: it fails: Customer not found",)


def test_when_the_helpful_call_fails_the_search_tries_the_others(prove):
    proof = prove("escalate_low_ticket")
    assert (proof.status, proof.checks) == ("proved", ALL_HOLD)
    assert steps(proof) == [("bump_priority", {"ticket_id": "t1"})] * 2 + [("escalate", {"ticket_id": "t1"})]
