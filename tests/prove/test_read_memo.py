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
