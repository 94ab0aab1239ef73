"""The user's facts determine the goal: in every synthesized retail task, the description of each
choice (the order, its items, the new items, the payment method) matches exactly the row the
witness writes, checked here against the data by retail's own meaning, not by the describer."""

from __future__ import annotations

import pytest

from scaleenv_dsl import load_domain
from scaleenv_dsl.synth import SynthOptions, synthesize
from scaleenv_dsl.synth.describe import merged


@pytest.fixture(scope="module")
def retail():
    return load_domain("retail")


@pytest.fixture(scope="module")
def document(retail):
    return synthesize(retail, SynthOptions(n=120, seed=11))


def _user(data, knows, order_id):
    if not {"email", "first_name"} & set(knows):
        return data["users"][data["orders"][order_id]["user_id"]]   # no identity: the order's own user
    found = [u for u in data["users"].values()
             if knows.get("email", u["email"]) == u["email"]
             and knows.get("first_name", u["name"]["first_name"]) == u["name"]["first_name"]
             and knows.get("last_name", u["name"]["last_name"]) == u["name"]["last_name"]
             and ("email" in knows or knows.get("zip") == u["address"]["zip"])]
    assert len(found) == 1, knows
    return found[0]


def _orders_matching(data, user, said):
    out = []
    for key in user["orders"]:
        order = data["orders"][key]
        names = {i["name"] for i in order["items"]}
        if set(said.get("with", ())) <= names and all(order.get(k) == v for k, v in said.items() if k != "with"):
            out.append(key)
    return out


WRITES = {"cancel_pending_order", "exchange_delivered_order_items", "modify_pending_order_address",
          "modify_pending_order_items", "modify_pending_order_payment", "modify_user_address",
          "return_delivered_order_items"}


def _writes(task):
    return [a for a in task["actions"] if a["tool"] in WRITES]


def _write(task):
    """The chain's first write: the one whose target the distractors are near."""
    return _writes(task)[0]


LATER = ("", "second_", "third_")   # a later write's facts are named after its place in the chain


def test_each_description_picks_out_the_row_the_witness_writes(retail, document):
    base = retail.initial_data()
    checked = 0
    for task in document["tasks"]:
        data, knows = merged(base, task["initial"]), task["knows"]
        for at, write in zip(LATER, _writes(task)):
            checked += _check_write(data, knows, at, write["arguments"], task["name"])
    assert checked > 60


def _check_write(data, knows, at: str, args: dict, name: str) -> int:
    """1 when the write's facts (named with the prefix `at`) pick out exactly its rows."""
    if "order_id" not in args:
        return 0
    user = _user(data, knows, args["order_id"])
    if at + "order" in knows:
        assert _orders_matching(data, user, knows[at + "order"]) == [args["order_id"]], name
    else:
        assert knows[at + "order_id"] == args["order_id"], name   # the user gives the id they know
    order = data["orders"][args["order_id"]]
    for said, item_id in zip(knows.get(at + "items", []), args.get("item_ids", [])):
        hits = {i["item_id"] for i in order["items"] if i["name"] == said["name"]
                and all(i.get(k) == v for k, v in said.items() if k != "name")}
        assert hits == {item_id}, name
    for said, old_id, new_id in zip(knows.get(at + "new_items", []), args.get("item_ids", []),
                                    args.get("new_item_ids", [])):
        old = next(i for i in order["items"] if i["item_id"] == old_id)
        product = data["products"][old["product_id"]]
        wanted = {**old["options"], **said["changed"].get("options", {})}
        assert product["name"] == said["name"]
        assert [v for v, variant in product["variants"].items() if variant["options"] == wanted] == [new_id]
    if "payment_method_id" in args:
        said = knows[at + "payment_method"]
        hits = [k for k, m in user["payment_methods"].items() if all(m.get(f) == v for f, v in said.items())]
        assert hits == [args["payment_method_id"]], name
    return 1


def test_no_id_only_a_tool_returns_is_handed_to_the_user(document):
    # the witness's reads reveal the user, item, variant and payment ids; only an order id may be told
    for task in document["tasks"]:
        for name in task["knows"]:
            assert name.endswith("order_id") or name == "reason" or not name.endswith("_id"), (task["name"], name)


def test_descriptions_are_said_in_the_instruction(document):
    said = 0
    for task in document["tasks"]:
        if "order" in task["knows"]:
            assert "the order is the one" in task["instruction"], task["name"]
            for name in task["knows"]["order"].get("with", []):
                assert name in task["instruction"]
            said += 1
        for item in task["knows"].get("items", []):
            assert "the " + item["name"] in task["instruction"]
    assert said > 40


def test_an_ambiguous_choice_is_rejected_with_its_reason(retail):
    import random

    from scaleenv_dsl.prove.model import DomainModel
    from scaleenv_dsl.synth.describe import Ambiguous, Describer
    from scaleenv_dsl.synth.ground import Grounded

    model = DomainModel(retail.ir)
    data = retail.initial_data()
    user_id, user = next((k, u) for k, u in sorted(data["users"].items())
                         if sum(m["source"] == "gift_card" for m in u["payment_methods"].values()) >= 1)
    card = next(k for k, m in sorted(user["payment_methods"].items()) if m["source"] == "gift_card")
    twin = dict(user["payment_methods"][card], id="gift_card_0000001")   # a second card alike in every text
    overlay = {"users": {user_id: {"payment_methods": {"gift_card_0000001": twin}}}}
    grounded = Grounded("modify_pending_order_payment", {"order_id": user["orders"][0], "payment_method_id": card},
                        ("Order", user["orders"][0]), {"User": user})
    with pytest.raises(Ambiguous) as caught:
        Describer(model).describe(merged(data, overlay), grounded, ("User", user_id), {}, random.Random(1))
    assert caught.value.reason == "ambiguous-payment_method"
    said = Describer(model).describe(data, grounded, ("User", user_id), {}, random.Random(1))
    assert said["payment_method"] == {"source": "gift_card"} or "gift_card" in str(said)


def test_synthesized_distractors_are_siblings_the_description_tells_apart(retail, document):
    base = retail.initial_data()
    made = [t for t in document["tasks"] if t["initial"] and not t["synthesized_rows"]]
    assert made, "some tasks get a synthesized distractor"
    for task in made:
        args = _write(task)["arguments"]
        target = base["orders"][args["order_id"]]
        (fresh, copy), = task["initial"]["orders"].items()
        assert fresh not in base["orders"] and copy["user_id"] == target["user_id"]
        assert [i["name"] for i in copy["items"]] == [i["name"] for i in target["items"]]
        assert copy["status"] != target["status"]
        owner = task["initial"]["users"][target["user_id"]]["orders"]
        assert owner == base["users"][target["user_id"]]["orders"] + [fresh]
        assert task["distractors"] >= 1


def test_distractor_count_counts_near_rows(retail, document):
    base = retail.initial_data()
    for task in document["tasks"]:
        args, data = _write(task)["arguments"], merged(base, task["initial"])
        if "order_id" not in args or "item_ids" in args or "payment_method_id" in args:
            continue
        order = data["orders"][args["order_id"]]
        names = {i["name"] for i in order["items"]}
        user = data["users"][order["user_id"]]
        near = [k for k in user["orders"] if k != args["order_id"] and
                (data["orders"][k]["status"] == order["status"] or names & {i["name"] for i in data["orders"][k]["items"]})]
        assert task["distractors"] == len(near), task["name"]
    summary = document["summary"]["distractors"]
    assert sum(summary.values()) == len(document["tasks"]) and set(summary) != {"0"}
