"""The prover's memo of read answers on the untouched data: the same proofs warm as cold, and
never an answer kept from a changed state."""

from __future__ import annotations

from scaleenv_dsl import ir, load_domain
from scaleenv_dsl.prove import Prover


def _task(name: str, knows: dict, tool: str, arguments: dict) -> ir.TaskDef:
    return ir.TaskDef(name=name, knows=knows, actions=(ir.ActionCall(tool=tool, arguments=arguments),),
                      reward=("state",))


NEW_ADDRESS = {"address1": "1 Elm St", "address2": "Apt 2", "city": "Austin", "state": "TX", "country": "USA"}
TASKS = [
    _task("cancel", {"email": "yusuf.rossi7301@example.com", "reason": "no longer needed"},
          "cancel_pending_order", {"order_id": "#W6247578", "reason": "no longer needed"}),
    _task("address", {"first_name": "Yusuf", "last_name": "Rossi", "zip": "19122", **NEW_ADDRESS},
          "modify_user_address", {"user_id": "yusuf_rossi_9620", **NEW_ADDRESS, "zip": "19122"}),
]


def _outcome(proof):
    return proof.status, [(s.call.tool, s.call.arguments, s.origin) for s in proof.witness.steps]


def test_a_warm_memo_gives_the_proofs_of_a_cold_prover():
    retail = load_domain("retail")
    warm = Prover(retail)
    tasks = TASKS + retail.tasks[:6]   # the spec's own tasks too, overlays and all
    first = [_outcome(warm.prove(t)) for t in tasks]
    assert warm._reads, "the look-ups on the untouched data were kept"
    again = [_outcome(warm.prove(t)) for t in reversed(tasks)][::-1]
    cold = [_outcome(Prover(retail).prove(t)) for t in tasks]
    assert first == again == cold
    assert [status for status, _ in cold[:2]] == ["proved", "proved"]
    assert all(len(steps) > 1 for _, steps in cold[:2])   # reads were inserted, so the finder ran


def test_the_env_says_when_its_state_is_the_initial_data():
    env = load_domain("retail").env()
    assert env.unchanged()
    assert env.call("get_order_details", {"order_id": "#W2378156"}).ok
    assert env.unchanged()   # a read changes nothing
    assert not env.call("cancel_pending_order", {"order_id": "#W0000000", "reason": "ordered by mistake"}).ok
    assert env.unchanged()   # a failed call is undone
    assert env.call("cancel_pending_order", {"order_id": "#W6247578", "reason": "no longer needed"}).ok
    assert not env.unchanged()
    env.reset()
    assert env.unchanged()


def test_the_env_names_the_fields_that_differ_from_the_initial_data():
    env = load_domain("retail").env()
    assert env.changed_fields() == set()
    env.reset(initial={"orders": {"#W6247578": {"status": "pending"}}})   # the value it already has
    assert env.changed_fields() == set()
    assert env.call("cancel_pending_order", {"order_id": "#W6247578", "reason": "no longer needed"}).ok
    assert ("orders", "status") in env.changed_fields()
    assert not any(collection == "users" for collection, _ in env.changed_fields())
    env.reset(initial={"orders": {"#W_NEW": None, "#W6247578": None}})
    assert env.changed_fields() == {("orders", "*")}


def test_a_memo_answer_is_reused_only_where_the_read_fields_are_unchanged():
    from scaleenv_dsl.prove.reads import ReadFinder

    retail = load_domain("retail")
    env = retail.env()
    finder = ReadFinder(Prover(retail).model, env, 600, {})
    env.reset(initial={"orders": {"#W6247578": {"status": "processed"}}})
    unchanged = finder._unchanged_reads()
    assert {"find_user_id_by_name_zip", "find_user_id_by_email", "get_user_details",
            "get_product_details"} <= unchanged
    assert "get_order_details" not in unchanged
    env.reset(initial={"users": {"yusuf_rossi_9620": {"email": "new@example.com"}}})
    unchanged = finder._unchanged_reads()
    assert "find_user_id_by_name_zip" in unchanged
    assert not {"find_user_id_by_email", "get_user_details"} & unchanged


def test_a_warm_memo_never_answers_from_before_a_changed_zip():
    """A look-up by name and zip made on the untouched data finds Yusuf; with his zip changed by
    the task's overlay the same look-up must fail, so his order cannot be found, warm or cold."""
    retail = load_domain("retail")
    by_zip = {"first_name": "Yusuf", "last_name": "Rossi", "zip": "19122", "reason": "no longer needed"}
    cancel = {"order_id": "#W6247578", "reason": "no longer needed"}
    untouched = _task("untouched", by_zip, "cancel_pending_order", cancel)
    moved = ir.TaskDef(name="moved", knows=by_zip, actions=untouched.actions, reward=("state",),
                       initial={"users": {"yusuf_rossi_9620": {"address": {
                           "address1": "1 Elm St", "address2": "", "city": "Austin", "state": "TX",
                           "country": "USA", "zip": "78701"}}}})
    warm = Prover(retail)
    assert warm.prove(untouched).proved
    assert any(key[1].startswith("find_user_id_by_name_zip") for key in warm._reads)
    proof = warm.prove(moved)
    assert _outcome(proof) == _outcome(Prover(retail).prove(moved))
    assert not proof.proved and proof.reason.code == "argument-unknown"


def test_a_fact_named_after_another_parameter_is_still_tried_as_a_guess():
    """The zip is known only as `city` (a parameter of the address tools): the look-up by name and
    zip takes it once every call without a guess has been tried, so the order is still found."""
    retail = load_domain("retail")
    knows = {"first_name": "Yusuf", "last_name": "Rossi", "city": "19122", "reason": "no longer needed"}
    proof = Prover(retail).prove(_task("guessed", knows, "cancel_pending_order",
                                       {"order_id": "#W6247578", "reason": "no longer needed"}))
    assert proof.proved
    lookup = proof.witness.steps[0].call
    assert (lookup.tool, lookup.arguments) == ("find_user_id_by_name_zip",
                                               {"first_name": "Yusuf", "last_name": "Rossi", "zip": "19122"})
