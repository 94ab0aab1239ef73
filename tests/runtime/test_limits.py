"""Bounded work per tool call and bounded numbers (issue 12, findings 3 and 4).

Each attack is a spec that checks clean; the call then fails with kind `limit`, quickly, and
leaves the state byte-identical, although it changed a row before the attack began.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scaleenv_dsl.api import load_domain
from scaleenv_dsl import ir
from scaleenv_dsl.check import check_paths

DATA = {"things": {"t1": {"thing_id": "t1", "label": "start", "tags": ["a"], "weight": 1.5}}}

HEADER = """
entity Thing in things key thing_id else "no such thing" {
  thing_id: str
  label: str
  tags: list[str]
  weight: float
}
"""

ATTACKS = {
    # an int squared once per character: 3 ** (2 ** 52) has quadrillions of digits
    "squaring": ("(s: str) -> int", """
  let x = 3
  for c in s { x = x * x }
  return x""", {"s": "x" * 52}),
    # the list doubles on every step of a 52-step loop
    "extend_itself": ("(s: str) -> int", """
  let xs = ["a"]
  for c in s { xs.extend(xs) }
  return len(xs)""", {"s": "x" * 52}),
    # 3,000 ** 3 elements
    "triple_comprehension": ("(s: str) -> int", """
  let xs = [c for c in s]
  return count(a == b and b == c for a in xs for b in xs for c in xs)""", {"s": "x" * 3000}),
    # 40k characters with the whole text between each: 1.6 G characters
    "replace_empty": ("(s: str) -> int", """
  return len(s.replace("", s))""", {"s": "y" * 40_000}),
    # t + t, 64 times: 2 ** 64 characters
    "doubling_string": ("(s: str) -> int", """
  let t = "ab"
  for c in s { t = t + t }
  return len(t)""", {"s": "x" * 64}),
    # a row's string doubled in place, 29 times: 512 MB stored in the row
    "stored_string": ("(s: str) -> str", """
  let thing = things["t1"]
  for c in s { thing.label += thing.label }
  return thing.thing_id""", {"s": "x" * 29}),
    # a row's list grown by a list built from itself
    "stored_list": ("(s: str) -> int", """
  let thing = things["t1"]
  for c in s { thing.tags = thing.tags + thing.tags }
  return len(thing.tags)""", {"s": "x" * 40}),
    # the joined text is every part, 40k times over
    "join": ("(s: str) -> int", """
  let parts = [s for c in s]
  return len(",".join(parts))""", {"s": "z" * 20_000}),
    # one list repeated 20k times: its JSON text is 20k copies of it
    "json_fanout": ("(s: str) -> int", """
  let xs = [c for c in s]
  let ys = [xs for c in s]
  return len(to_json(ys))""", {"s": "q" * 20_000}),
    # a row's field given a copy of a 20k list, 20k times over
    "copy_in_loop": ("(s: str) -> int", """
  let thing = things["t1"]
  let xs = [c for c in s]
  for c in s { thing.tags = xs }
  return len(thing.tags)""", {"s": "q" * 20_000}),
    # the multiplication overflows the language's numbers at once
    "product": ("(n: int) -> int", """
  return n * n""", {"n": 2 ** 40}),
    # a float past the largest double is infinite
    "float_overflow": ("(x: float) -> float", """
  return x * x * x""", {"x": 1e200}),
    # arithmetic() of a number no float holds, stored in a float field
    "arithmetic_store": ("(text: str) -> float", """
  let thing = things["t1"]
  thing.weight = float(arithmetic(text))
  return thing.weight""", {"text": "9**9999"}),
    # float() of text that reads as infinity or not-a-number
    "float_text": ("(text: str) -> float", """
  return float(text)""", {"text": "nan"}),
    "int_text": ("(text: str) -> int", """
  return int(text)""", {"text": "9" * 40}),
    "round_huge": ("(x: float) -> int", """
  return round(x)""", {"x": 1e300}),
    "sum_past_range": ("(n: int) -> int", """
  return sum([n, n, n])""", {"n": 2 ** 52}),
}


def _spec(name: str, signature: str, body: str) -> str:
    return (f'domain probe {{\n  description "An attack."\n  data "probe.json"\n}}\n{HEADER}\n'
            f'tool {name}{signature} {{\n  let first = things["t1"]\n  first.label = "changed first"\n'
            f'  first.tags.append("changed"){body}\n}}\n')


@pytest.fixture
def attack_domain(tmp_path):
    def make(name: str):
        signature, body, _ = ATTACKS[name]
        folder = tmp_path / name
        folder.mkdir()
        (folder / "probe.sedl").write_text(_spec(name, signature, body), encoding="utf-8")
        (folder / "probe.json").write_text(json.dumps(DATA), encoding="utf-8")
        result = check_paths([folder / "probe.sedl"])
        assert [d for d in result.diagnostics if d.severity == "error"] == [], name
        return load_domain(folder / "probe.sedl")
    return make


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_an_attack_fails_with_kind_limit_and_changes_nothing(attack_domain, name):
    env = attack_domain(name).env()
    before = env.dump()
    result = env.call(name, ATTACKS[name][2])
    assert not result.ok, f"{name} returned {str(result.value)[:80]}"
    assert result.error.kind == "limit", result.error
    assert len(result.error.message) < 300
    assert env.dump() == before  # rolled back: byte-identical, and dump() does not raise
    json.loads(env.dump())


def test_the_same_tools_succeed_on_small_inputs(attack_domain):
    env = attack_domain("doubling_string").env()
    assert env.call("doubling_string", {"s": "xxx"}).value == 16
    env = attack_domain("extend_itself").env()
    assert env.call("extend_itself", {"s": "xxxx"}).value == 16
    env = attack_domain("replace_empty").env()
    assert env.call("replace_empty", {"s": "ab"}).value == len("ab".replace("", "ab"))
    env = attack_domain("product").env()
    assert env.call("product", {"n": 94906265}).value == 94906265 ** 2  # just below 2 ** 53
    assert env.call("product", {"n": 94906266}).error.kind == "limit"


def _budget_domain(make_domain, header: str):
    spec = """
entity Thing in things key thing_id else "no such thing" {
  thing_id: str
  label: str
  tags: list[str]
  weight: float
}

tool walk(s: str) -> int {
  let thing = things["t1"]
  thing.label = "walked"
  let n = 0
  for c in s { n += 1 }
  return n
}

tool build(s: str) -> int {
  let thing = things["t1"]
  thing.label = thing.label + s
  return len(thing.label)
}
"""
    path = Path(make_domain(spec, DATA).ir.files[0])
    path.write_text(path.read_text(encoding="utf-8").replace('data "probe.json"', 'data "probe.json"\n' + header),
                    encoding="utf-8")
    return load_domain(path)


def test_the_headers_budgets_are_what_a_call_may_use(make_domain):
    domain = _budget_domain(make_domain, "  step_limit 10\n  size_limit 20")
    assert (domain.ir.step_limit, domain.ir.size_limit) == (10, 20)
    env = domain.env()
    assert env.call("walk", {"s": "x" * 10}).value == 10
    before = env.dump()
    assert env.call("walk", {"s": "x" * 11}).error.kind == "limit"
    assert env.call("build", {"s": "x" * 14}).value == 20  # "walked" + 14 characters: 20 built
    assert env.call("build", {"s": "x"}).error.kind == "limit"  # 21 characters
    assert env.dump() != before and json.loads(env.dump())["things"]["t1"]["label"] == "walked" + "x" * 14


def test_each_call_gets_the_whole_budget_again(make_domain):
    env = _budget_domain(make_domain, "  step_limit 10").env()
    for _ in range(5):
        assert env.call("walk", {"s": "x" * 10}).ok


def test_the_defaults_are_documented_and_in_the_ir(make_domain):
    domain = make_domain(HEADER, DATA)
    assert (domain.ir.step_limit, domain.ir.size_limit) == (ir.DEFAULT_STEP_LIMIT, ir.DEFAULT_SIZE_LIMIT)
    assert ir.Domain.model_validate_json(domain.ir.model_dump_json()).step_limit == ir.DEFAULT_STEP_LIMIT


def test_a_failed_call_on_a_shared_world_leaves_other_envs_untouched(attack_domain):
    domain = attack_domain("stored_string")
    first, second = domain.env(), domain.env()
    clean = second.dump()
    assert first.call("stored_string", ATTACKS["stored_string"][2]).error.kind == "limit"
    assert second.dump() == clean == first.dump()
