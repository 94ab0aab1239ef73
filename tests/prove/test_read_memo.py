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


def test_the_env_names_the_rows_and_fields_that_differ_from_the_initial_data():
    env = load_domain("retail").env()
    assert env.changed_rows() == {}
    env.reset(initial={"orders": {"#W6247578": {"status": "pending"}}})   # the value it already has
    assert env.changed_rows() == {}
    assert env.call("cancel_pending_order", {"order_id": "#W6247578", "reason": "no longer needed"}).ok
    changed = env.changed_rows()
    assert "status" in changed[("orders", "#W6247578")]
    assert not any(collection == "users" and "orders" in names for (collection, _), names in changed.items())
    env.reset(initial={"orders": {"#W_NEW": None, "#W6247578": None}})
    assert env.changed_rows() == {("orders", "#W6247578"): frozenset("*")}


def _memoable(retail, initial: dict) -> dict[str, bool]:
    """For each of a few calls, whether the finder may answer it from the memo under `initial`."""
    from scaleenv_dsl.prove.model import Call
    from scaleenv_dsl.prove.reads import ReadFinder

    env = retail.env()
    finder = ReadFinder(Prover(retail).model, env, 600, {})
    env.reset(initial=initial)
    changed = finder._changed_rows()
    calls = {
        "name_zip": Call("find_user_id_by_name_zip", {"first_name": "Yusuf", "last_name": "Rossi", "zip": "19122"}),
        "email": Call("find_user_id_by_email", {"email": "yusuf.rossi7301@example.com"}),
        "yusuf": Call("get_user_details", {"user_id": "yusuf_rossi_9620"}),
        "another_user": Call("get_user_details", {"user_id": "mei_kovacs_8020"}),
        "the_order": Call("get_order_details", {"order_id": "#W6247578"}),
        "another_order": Call("get_order_details", {"order_id": "#W2378156"}),
        "product": Call("get_product_details", {"product_id": "1656367028"}),
    }
    return {name: finder._unchanged(call, changed) for name, call in calls.items()}


def test_a_memo_answer_is_reused_only_where_the_rows_and_fields_read_are_unchanged():
    retail = load_domain("retail")
    assert all(_memoable(retail, {}).values())
    order_changed = _memoable(retail, {"orders": {"#W6247578": {"status": "processed"}}})
    assert order_changed == {**dict.fromkeys(order_changed, True), "the_order": False}
    email_changed = _memoable(retail, {"users": {"yusuf_rossi_9620": {"email": "new@example.com"}}})
    assert email_changed == {**dict.fromkeys(email_changed, True), "email": False, "yusuf": False}
    new_user = _memoable(retail, {"users": {"new_user_1": {"user_id": "new_user_1", "email": "n@example.com"}}})
    assert not new_user["name_zip"] and not new_user["email"]   # a scan of every user may find the new one
    assert new_user["yusuf"] and new_user["another_order"]


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
