"""The prover's parts on their own: relaxed reachability and the knowledge of typed outputs."""

from __future__ import annotations

import pytest

from scaleenv_dsl.api import load_domain
from scaleenv_dsl.prove.knowledge import JSON_TEXT, Knowledge, path_text
from scaleenv_dsl.prove.model import DomainModel
from scaleenv_dsl.prove.relaxed import Atom, RelaxedTask, StateView, preconditions


@pytest.fixture(scope="module")
def retail():
    return load_domain("retail")


def relaxed_view(domain, env, combine):
    model = DomainModel(domain.ir)
    task = domain.task("close_two")
    relaxed = RelaxedTask(model, task.goals, combine)
    view = StateView(model, domain.initial_data(), env.changes())
    return relaxed, view, task


@pytest.mark.parametrize("combine, start, after_one", [(sum, 2.0, 1.0), (max, 1.0, 1.0)])
def test_h_add_sums_and_h_max_takes_the_costlier_goal_atom(helpdesk, combine, start, after_one):
    env = helpdesk.env().reset(helpdesk.task("close_two"))
    relaxed, view, task = relaxed_view(helpdesk, env, combine)
    distance, achiever = relaxed.distances(view.holds)
    assert relaxed.estimate(distance, env.failed_goals(task)) == start
    helpful = relaxed.helpful(distance, achiever, env.failed_goals(task))
    assert sorted(op.fixed["ticket_id"] for op in helpful) == ["t1", "t3"]
    env.call("close_ticket", {"ticket_id": "t1", "note": "done"})
    relaxed, view, _ = relaxed_view(helpdesk, env, combine)
    assert relaxed.estimate(relaxed.distances(view.holds)[0], [0]) == after_one


def test_a_keyed_goal_binds_the_supporters_key_and_its_guards_follow(helpdesk):
    model = DomainModel(helpdesk.ir)
    relaxed = RelaxedTask(model, helpdesk.task("renote_closed_ticket").goals)
    goal = Atom.of("Ticket", "t2", ("note",), "==", "again")
    (op,) = relaxed.supporters[goal]
    assert (op.tool, op.fixed) == ("close_ticket", {"ticket_id": "t2", "note": "again"})
    assert [a.text(model) for a in op.preconditions] == ['"t2" in tickets', 'tickets["t2"].status == "open"']


def test_a_guard_after_the_first_write_is_no_precondition():
    library = load_domain("library")
    checkout = library.ir.tool("checkout_book")
    texts = [a.text(DomainModel(library.ir)) for a in preconditions(checkout, {"loan_id": "l_100"})]
    # `return loans[loan_id]` checks the row the call itself inserted
    assert '"l_100" in loans' not in texts and "some Member exists" in texts


def test_outputs_are_typed_into_keys_a_parameter_can_take(retail):
    env = retail.env()
    model = DomainModel(retail.ir)
    knowledge = Knowledge(model)
    order = env.call("get_order_details", {"order_id": "#W2378156"}).value
    knowledge.add_output(1, retail.ir.tool("get_order_details").returns, order)
    assert "#W2378156" in knowledge.values_of(("Order", ()))            # the row's key field
    assert "yusuf_rossi_9620" in knowledge.values_of(("User", ()))      # user_id: ref User
    assert set(knowledge.values_of(("Order", ("items", "item_id")))) == {i["item_id"] for i in order["items"]}
    assert knowledge.values_of(("User", ("payment_methods",))) == ["credit_card_9513926"]
    product = env.call("get_product_details", {"product_id": "1656367028"}).value
    knowledge.add_output(2, retail.ir.tool("get_product_details").returns, product)
    assert set(knowledge.values_of(("Product", ("variants",)))) == set(product["variants"])   # the map's keys
    fact = knowledge.facts("credit_card_9513926")[0]
    assert (fact.origin, path_text(fact.path)) == (1, "$.payment_history[0].payment_method_id")


def test_json_text_results_are_searched_and_knows_facts_named_by_parameter(retail):
    env = retail.env()
    knowledge = Knowledge(DomainModel(retail.ir))
    knowledge.add_knows({"email": "a@b.c", "email_2": "d@e.f", "emails": "no"})
    assert knowledge.named("email") == ["a@b.c", "d@e.f"]
    listing = env.call("list_all_product_types", {}).value
    knowledge.add_output(3, retail.ir.tool("list_all_product_types").returns, listing)
    (fact,) = knowledge.facts("9523456873")
    assert fact.path == (JSON_TEXT, "T-Shirt") and path_text(fact.path) == 'json($)["T-Shirt"]'
    assert knowledge.values_of(("Product", ())) == []   # text is no typed key: a search never binds from it


def test_the_end_changes_of_a_proof_are_its_witness_end_whichever_proof_ran_last(retail):
    from scaleenv_dsl.prove import Prover

    prover = Prover(retail)
    first, second = retail.task("task_0"), retail.task("task_81")
    proof = prover.prove(first)
    read_off = prover.end_changes(proof)
    other = prover.prove(second)
    assert prover.end_changes(proof) == read_off   # replayed, now that another witness ran last
    assert prover.end_changes(other) != read_off
    changed = read_off["changed"]["orders"]["#W2378156"]
    assert changed["status"] == "exchange requested"
    assert changed["exchange_new_items"] == ["7706410293", "7747408585"]
