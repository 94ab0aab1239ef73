"""The retail stdlib domain: tau2-bench's retail domain ported to the language.

Checks that the spec parses and checks clean, that it has tau2's 16 tools with tau2's
parameters, that the data files are tau2's, and that the task converter
(scripts/convert_tau2_retail_tasks.py) turns tau2's tasks into the 114 tasks of tasks.sedl.
tau2's own task file, which only these tests read, is kept in tests/conformance/tau2_retail; its
recorded outcomes ship with the domain, in stdlib_domains/retail/conformance.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
from pathlib import Path

import pytest

from scaleenv_dsl import api, check
from scaleenv_dsl.parse import parse_source

ROOT = Path(__file__).resolve().parents[2]
RETAIL = ROOT / "stdlib_domains" / "retail"
SPEC = RETAIL / "retail.sedl"
TASKS = RETAIL / "tasks.sedl"
CONVERTER = ROOT / "scripts" / "convert_tau2_retail_tasks.py"

TAU2_TOOLS = {
    "calculate": ["expression"],
    "cancel_pending_order": ["order_id", "reason"],
    "exchange_delivered_order_items": ["order_id", "item_ids", "new_item_ids", "payment_method_id"],
    "find_user_id_by_email": ["email"],
    "find_user_id_by_name_zip": ["first_name", "last_name", "zip"],
    "get_item_details": ["item_id"],
    "get_order_details": ["order_id"],
    "get_product_details": ["product_id"],
    "get_user_details": ["user_id"],
    "list_all_product_types": [],
    "modify_pending_order_address": ["order_id", "address1", "address2", "city", "state", "country", "zip"],
    "modify_pending_order_items": ["order_id", "item_ids", "new_item_ids", "payment_method_id"],
    "modify_pending_order_payment": ["order_id", "payment_method_id"],
    "modify_user_address": ["user_id", "address1", "address2", "city", "state", "country", "zip"],
    "return_delivered_order_items": ["order_id", "item_ids", "payment_method_id"],
    "transfer_to_human_agents": ["summary"],
}


TAU2 = ROOT / "tests" / "conformance" / "tau2_retail"
# sha256 of tau2-bench's files at commit a2c0247, as the conformance suite ships them
TAU2_DIGESTS = {
    "db.json": "413a65160adbdb5fde0ffc0015c49b6d70250b10c18128de169b597af7766765",
    "policy.md": "2c9652afbce57d6e087768d37cda64d31c53d50b3e3225cfdb791bac66466467",
    "LICENSE": "e67c5aa0074dfcaefd3c3a1aedb94cb539234aecd15d5a972574e3200e6252fe",
    "conformance/cases.json": "8b75a5ef8dda352eec293808fe9351959a4eb0cbf816835c79394f2a9aa8b13d",
    "conformance/LICENSE": "e67c5aa0074dfcaefd3c3a1aedb94cb539234aecd15d5a972574e3200e6252fe",
}


def _converter():
    spec = importlib.util.spec_from_file_location("convert_tau2_retail_tasks", CONVERTER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _decls(path: Path):
    result = parse_source(path.read_text(encoding="utf-8"), path.name)
    assert result.diagnostics == []
    return result.module.decls


def _kind(decl) -> str:
    return type(decl).__name__


# ---------------------------------------------------------------- the spec

def test_spec_parses_without_diagnostics():
    decls = _decls(SPEC)
    domains = [d for d in decls if _kind(d) == "DomainDecl"]
    assert len(domains) == 1 and domains[0].name.name == "retail"


def test_spec_policy_is_tau2_policy_verbatim():
    domain = next(d for d in _decls(SPEC) if _kind(d) == "DomainDecl")
    entries = {e.key.name: e.value.value for e in domain.entries}
    assert entries["policy"] == (RETAIL / "policy.md").read_text(encoding="utf-8").strip()
    assert entries["data"] == "db.json"


def test_spec_has_tau2_tools_with_tau2_parameters():
    tools = {d.name.name: d for d in _decls(SPEC) if _kind(d) == "ToolDecl"}
    assert sorted(tools) == sorted(TAU2_TOOLS)
    for name, params in TAU2_TOOLS.items():
        assert [p.name.name for p in tools[name].params] == params, name


def test_spec_checks_clean():
    result = check.check_paths([str(SPEC)])
    assert [(d.code, d.span.line, d.message) for d in result.diagnostics] == []
    assert result.ok
    domain = result.domain
    assert sorted(t.name for t in domain.tools) == sorted(TAU2_TOOLS)
    assert len(domain.tasks) == 114
    writes = {t.name for t in domain.tools if t.writes}
    assert writes == {
        "cancel_pending_order", "exchange_delivered_order_items", "modify_pending_order_address",
        "modify_pending_order_items", "modify_pending_order_payment", "modify_user_address",
        "return_delivered_order_items",
    }
    for task in domain.tasks:
        for action in task.actions:
            assert action.tool in TAU2_TOOLS


# ---------------------------------------------------------------- the data files

@pytest.mark.parametrize("name", sorted(TAU2_DIGESTS))
def test_data_files_are_tau2s(name):
    assert hashlib.sha256((RETAIL / name).read_bytes()).hexdigest() == TAU2_DIGESTS[name]


# ---------------------------------------------------------------- the tasks

def test_tasks_file_parses_to_114_tasks():
    tasks = [d for d in _decls(TASKS) if _kind(d) == "TaskDecl"]
    assert len(tasks) == 114
    assert [t.name.name for t in tasks] == [f"task_{i}" for i in range(114)]


def test_converter_reproduces_tasks_sedl(tmp_path):
    out = tmp_path / "tasks.sedl"
    assert _converter().main([str(TAU2 / "tasks.json"), str(out), str(RETAIL / "db.json")]) == 0
    assert out.read_text(encoding="utf-8") == TASKS.read_text(encoding="utf-8")


def test_converted_actions_match_tau2_gold_actions():
    tau2_tasks = json.loads((TAU2 / "tasks.json").read_text(encoding="utf-8"))
    converted = [d for d in _decls(TASKS) if _kind(d) == "TaskDecl"]
    assert len(converted) == len(tau2_tasks) == 114
    for source, task in zip(tau2_tasks, converted):
        actions = [e for e in task.entries if _kind(e) == "Action"]
        gold = source["evaluation_criteria"]["actions"]
        assert [a.tool.name for a in actions] == [g["name"] for g in gold]
        for action, g in zip(actions, gold):
            assert [a.name.name for a in action.args] == list(g["arguments"])


def test_converter_maps_a_task(tmp_path):
    task = {
        "id": "7-b",
        "description": {"purpose": 'Say "hi"\\there'},
        "user_scenario": {"persona": None, "instructions": {
            "domain": "retail", "reason_for_call": "Cancel #W0000001.\nThen stop.",
            "known_info": "You are Mei Kovacs in zip code 28236.", "unknown_info": None,
            "task_instructions": "Be brief."}},
        "initial_state": {"initialization_data": {"agent_data": {
            "orders": {"#W0000001": {"status": "pending", "amount": -1.5, "flag": True, "note": None}}}}},
        "evaluation_criteria": {
            "actions": [
                {"name": "find_user_id_by_name_zip",
                 "arguments": {"first_name": "Mei", "last_name": "Kovacs", "zip": "28236"}},
                {"name": "return_delivered_order_items",
                 "arguments": {"order_id": "#W0000001", "item_ids": ["1", "2"], "payment_method_id": "p"}},
            ],
            "communicate_info": ["10"],
            "reward_basis": ["DB", "NL_ASSERTION", "COMMUNICATE", "ACTION"],
        },
    }
    warnings: list[str] = []
    text = _converter().convert([task], warn=warnings.append)
    assert warnings == []
    result = parse_source(text, "t.sedl")
    assert result.diagnostics == []
    (decl,) = result.module.decls
    assert decl.name.name == "task_7_b"
    assert decl.doc.value == 'Say "hi"\\there'
    assert "task_7_b" in text and 'knows first_name = "Mei"' in text and 'knows zip = "28236"' in text
    assert 'knows order_id = "#W0000001"' in text
    assert "reward state, communicate, actions" in text
    assert 'communicate "10"' in text
    instruction = next(e for e in decl.entries if _kind(e) == "Instruction")
    assert instruction.text.value == (
        "Reason for call:\n\tCancel #W0000001.\n\tThen stop.\nKnown info:\n\tYou are Mei Kovacs in zip code 28236."
        "\nTask instructions:\n\tBe brief.")
    assert 'initial {"orders": {"#W0000001": {"status": "pending", "amount": -1.5, "flag": true, "note": none}}}' in text


def test_converter_reward_defaults_to_state():
    task = {"id": "1", "description": None, "user_scenario": {"instructions": "Just ask."},
            "initial_state": None,
            "evaluation_criteria": {"actions": [], "communicate_info": [], "reward_basis": ["NL_ASSERTION"]}}
    text = _converter().convert([task], warn=lambda m: None)
    assert parse_source(text, "t.sedl").diagnostics == []
    assert "reward state" in text
    assert 'instruction "Just ask."' in text


def test_converter_escapes_strings():
    conv = _converter()
    assert conv.string_literal('a"b\\c\nd\te\rf\x01') == '"a\\"b\\\\c\\nd\\te\\rf\\u0001"'
    result = parse_source(f"task t {{ instruction {conv.string_literal(chr(1) + 'x' + chr(92))} }}", "t.sedl")
    assert result.diagnostics == []


# ---------------------------------------------------------------- behaviour

def _env():
    return api.load_domain(str(SPEC)).env()


def _db() -> dict:
    return json.loads((RETAIL / "db.json").read_text(encoding="utf-8"))


def test_cancel_refunds_gift_card_and_checks_reason():
    env = _env()
    bad = env.call("cancel_pending_order", {"order_id": "#W6779827", "reason": "changed my mind"})
    assert bad.as_step() == {"ok": False, "error": "Invalid reason"}
    done = env.call("cancel_pending_order", {"order_id": "#W6779827", "reason": "no longer needed"})
    assert done.ok and done.value["status"] == "cancelled" and done.value["cancel_reason"] == "no longer needed"
    assert done.value["payment_history"][-1] == {
        "transaction_type": "refund", "amount": 4079.45, "payment_method_id": "gift_card_7219486"}
    user = env.call("get_user_details", {"user_id": "ethan_lopez_6291"}).value
    assert user["payment_methods"]["gift_card_7219486"]["balance"] == 4128.45
    again = env.call("cancel_pending_order", {"order_id": "#W6779827", "reason": "no longer needed"})
    assert again.as_step() == {"ok": False, "error": "Non-pending order cannot be cancelled"}


def test_modify_payment_moves_the_payment_and_refunds_the_gift_card():
    env = _env()
    same = env.call("modify_pending_order_payment", {"order_id": "#W6779827", "payment_method_id": "gift_card_7219486"})
    assert same.as_step() == {"ok": False, "error": "The new payment method should be different from the current one"}
    missing = env.call("modify_pending_order_payment", {"order_id": "#W6779827", "payment_method_id": "paypal_0"})
    assert missing.as_step() == {"ok": False, "error": "Payment method not found"}
    done = env.call("modify_pending_order_payment", {"order_id": "#W6779827", "payment_method_id": "credit_card_9789590"})
    assert done.ok
    assert done.value["payment_history"][1:] == [
        {"transaction_type": "payment", "amount": 4079.45, "payment_method_id": "credit_card_9789590"},
        {"transaction_type": "refund", "amount": 4079.45, "payment_method_id": "gift_card_7219486"},
    ]
    user = env.call("get_user_details", {"user_id": "ethan_lopez_6291"}).value
    assert user["payment_methods"]["gift_card_7219486"]["balance"] == 4128.45
    twice = env.call("modify_pending_order_payment", {"order_id": "#W6779827", "payment_method_id": "gift_card_7219486"})
    assert twice.as_step() == {"ok": False, "error": "There should be exactly one payment for a pending order"}


def test_modify_items_gives_every_item_the_last_variant_as_tau2_does():
    db = _db()
    order = db["orders"]["#W8955613"]
    new_ids = []
    for item in order["items"]:
        variants = db["products"][item["product_id"]]["variants"]
        new_ids.append(next(v for k, v in variants.items() if v["available"] and k != item["item_id"]))
    env = _env()
    args = {"order_id": "#W8955613", "item_ids": [i["item_id"] for i in order["items"]],
            "new_item_ids": [v["item_id"] for v in new_ids], "payment_method_id": "credit_card_6044108"}
    same = env.call("modify_pending_order_items", dict(args, new_item_ids=args["item_ids"]))
    assert same.as_step() == {"ok": False, "error": "The new item id should be different from the old item id"}
    short = env.call("modify_pending_order_items", dict(args, new_item_ids=args["new_item_ids"][:1]))
    assert short.as_step() == {"ok": False, "error": "The number of items to be exchanged should match"}
    done = env.call("modify_pending_order_items", args)
    assert done.ok and done.value["status"] == "pending (item modified)"
    last = new_ids[-1]
    for item, new in zip(done.value["items"], new_ids):
        assert item["item_id"] == new["item_id"]
        assert (item["price"], item["options"]) == (last["price"], last["options"])
    diff = sum(v["price"] - i["price"] for v, i in zip(new_ids, order["items"]))
    payment = done.value["payment_history"][-1]
    assert payment["transaction_type"] == ("payment" if diff > 0 else "refund")
    assert payment["amount"] == pytest.approx(abs(diff), abs=1e-9)
    # "pending (item modified)" still passes the address change, not another item change
    moved = env.call("modify_pending_order_address", {"order_id": "#W8955613", "address1": "1 Main St",
                                                      "address2": "", "city": "Austin", "state": "TX",
                                                      "country": "USA", "zip": "73301"})
    assert moved.ok and moved.value["address"]["city"] == "Austin"
    again = env.call("modify_pending_order_items", args)
    assert again.as_step() == {"ok": False, "error": "Non-pending order cannot be modified"}


def test_read_tools():
    env = _env()
    assert env.call("get_item_details", {"item_id": "nope"}).as_step() == {"ok": False, "error": "Item not found"}
    types = json.loads(env.call("list_all_product_types", {}).value)
    assert len(types) == 50 and list(types) == sorted(types)
    assert env.call("find_user_id_by_email", {"email": "NOAH.BROWN7922@example.com"}).value == "noah_brown_6181"
    assert env.call("find_user_id_by_name_zip", {"first_name": "noah", "last_name": "BROWN", "zip": "80279"}).value \
        == "noah_brown_6181"
    assert env.call("calculate", {"expression": "10 / 4"}).value == "2.5"
    assert env.call("calculate", {"expression": "2 ^ 3"}).as_step() == {
        "ok": False, "error": "Invalid characters in expression"}
    assert env.call("transfer_to_human_agents", {"summary": "help"}).value == "Transfer successful"


def test_every_task_rewards_its_gold_actions_and_not_doing_nothing():
    domain = api.load_domain(str(SPEC))
    env = domain.env()
    assert len(domain.tasks) == 114
    changing = 0
    for task in domain.tasks:
        env.reset(task)
        idle = env.reward()
        for action in task.actions:
            env.call(action.tool, action.arguments)
        assert env.reward().reward == 1.0, task.name
        changes = env.changes()
        if any(changes["changed"].values()) or any(changes["removed"].values()):
            changing += 1
            assert idle.reward == 0.0, task.name
    assert changing >= 100
