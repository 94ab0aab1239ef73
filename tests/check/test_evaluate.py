"""The static evaluator agrees with the generated module, expression by expression.

Each goal below is compiled by the code generator (as every goal is) and evaluated by
`check.evaluate` over the same data: both must give the same truth value, or both fail. A goal
the evaluator declines (Undecided) must be one of the few it is documented to decline.
"""

from __future__ import annotations

import json

import pytest

from scaleenv_dsl import load_domain
from scaleenv_dsl.check.evaluate import Evaluator, Failed, Undecided

DATA = {
    "shelves": {
        "s1": {"shelf_id": "s1", "label": "  Fiction ", "count": 7, "weight": 2.5, "tags": ["b", "a", "b"],
               "sizes": {"small": 1, "large": 3}, "note": None, "kind": "open",
               "finish": {"type": "painted", "colour": "red"}},
        "s2": {"shelf_id": "s2", "label": "poetry", "count": 0, "weight": 0.0, "tags": [],
               "sizes": {}, "note": "dusty", "kind": "closed", "finish": {"type": "bare"}},
    }
}

GOALS = [
    'shelves["s1"].count + 3 * 2 - 1 == 12',
    'shelves["s1"].count // 2 == 3 and shelves["s1"].count % 2 == 1',
    'shelves["s1"].weight / 2 == 1.25',
    'shelves["s2"].count / shelves["s2"].count == 1',                # ZeroDivisionError: both fail
    'shelves["s9"].count == 1',                                     # a missing row: both fail
    'shelves["s1"].label.strip().lower() == "fiction"',
    'shelves["s1"].label.upper().startswith("  FIC") and shelves["s2"].label.endswith("try")',
    'shelves["s2"].label.replace("o", "0").split("0") == ["p", "etry"]',
    '"a" in shelves["s1"].tags and "z" not in shelves["s1"].tags',
    'shelves["s1"].tags.count("b") == 2 and shelves["s1"].tags.index("a") == 1',
    'shelves["s1"].tags.index("z") == 0',                           # ValueError: both fail
    'sorted(shelves["s1"].tags) == ["a", "b", "b"]',
    'len(shelves["s1"].sizes) == 2 and shelves["s1"].sizes.get("tiny") is none',
    'sorted(shelves["s1"].sizes.keys()) == ["large", "small"]',
    'sum(shelves["s1"].sizes.values()) == 4',
    'all(v > 0 for k, v in shelves["s1"].sizes.items() if k != "none")',
    'any(s.count == 0 for s in shelves.values())',
    'count(s for s in shelves.values() if s.weight > 1) == 1',
    'count(s.count > 0 for s in shelves.values()) == 1',
    'find(s.shelf_id for s in shelves.values() if s.kind == "closed") == "s2"',
    'find(s for s in shelves.values() if s.count > 100) is none',
    'min(s.count for s in shelves.values()) == 0 and max(s.weight for s in shelves.values()) == 2.5',
    'min(s.count for s in shelves.values() if s.count > 100) == 0',   # empty: both fail
    '[t for t in shelves["s1"].tags if t != "a"] == ["b", "b"]',
    '{s.shelf_id: s.count for s in shelves.values()} == {"s1": 7, "s2": 0}',
    'round(shelves["s1"].weight * 1.01, 2) == 2.52 and abs(-shelves["s1"].count) == 7',
    'str(shelves["s1"].count) + str(shelves["s1"].weight) == "72.5"',
    'int(shelves["s1"].weight) == 2 and float(shelves["s1"].count) == 7.0',
    '(1 if shelves["s2"].note is not none else 2) == 1',
    'shelves["s1"].note is none',
    'shelves["s1"].finish is painted and not (shelves["s2"].finish is painted)',
    '[i for i, t in enumerate(shelves["s1"].tags) if t == "b"] == [0, 2]',
    '[a + b for a, b in zip(shelves["s1"].tags, ["x", "y"])] == ["bx", "ay"]',
    'shelves["s2"].tags[0] == "a"',                                  # IndexError: both fail
    'not shelves["s1"].label == "poetry" or shelves["s1"].count > 100',
    'shelves["s1"].count < 0 or shelves["s2"].finish is painted',
    'all(s.count > 0 for s in shelves.values())',
]

SPEC = """
domain shelves_domain {
  description "Shelves."
  data "data.json"
}

enum Kind { "open", "closed" }

union Finish by type {
  painted { colour: str }
  bare { }
}

entity Shelf in shelves key shelf_id else "Shelf not found" {
  shelf_id: str
  label: str
  count: int
  weight: float
  tags: list[str]
  sizes: map[str, int]
  note: str?
  kind: Kind
  finish: Finish
}

tool get_shelf(shelf_id: ref Shelf "The shelf.") -> Shelf "The shelf." {
  "Get a shelf."
  return shelves[shelf_id]
}

task goals {
  "Goals to evaluate both ways."
""" + "".join(f"  goal {goal}\n" for goal in GOALS) + "}\n"


@pytest.fixture(scope="module")
def compiled(tmp_path_factory):
    folder = tmp_path_factory.mktemp("evaluate")
    (folder / "data.json").write_text(json.dumps(DATA), encoding="utf-8")
    (folder / "shelves.sedl").write_text(SPEC, encoding="utf-8")
    return load_domain(str(folder / "shelves.sedl"))


def _generated(fn) -> object:
    try:
        return bool(fn(DATA))
    except Exception:  # noqa: BLE001 - whatever the generated code raises, it failed
        return "fails"


def _static(evaluator: Evaluator, goal) -> object:
    try:
        return evaluator.holds(goal)
    except Failed:
        return "fails"


@pytest.mark.parametrize("index", range(len(GOALS)), ids=GOALS)
def test_the_evaluator_agrees_with_the_generated_code(compiled, index):
    goal = compiled.ir.task("goals").goals[index]
    generated = compiled.module.goals["goals"][index]
    assert _static(Evaluator(compiled.ir, DATA), goal) == _generated(generated)


def test_the_cases_are_not_all_alike(compiled):
    # a table where every goal came out the same would prove little
    outcomes = [_generated(fn) for fn in compiled.module.goals["goals"]]
    assert {True, False, "fails"} <= set(outcomes)


def test_what_it_cannot_know_is_undecided_never_guessed(compiled):
    domain = compiled.ir
    goal = domain.task("goals").goals[0]
    with pytest.raises(Undecided):
        Evaluator(domain, None).value(goal)               # no state at all
    with pytest.raises(Undecided):
        Evaluator(domain, DATA, budget=3).value(goal)     # out of steps


def test_it_builds_no_huge_value_even_from_an_ir_the_checker_never_made(compiled):
    # the checker rejects `str * int`, but lint_domain takes any ir.Domain, one read from JSON too
    from scaleenv_dsl import ir

    text = ir.Const(type=ir.STR, value="ab")
    huge = ir.Binary(type=ir.STR, op="*", left=text, right=ir.Const(type=ir.INT, value=10**8))
    with pytest.raises(Undecided):
        Evaluator(compiled.ir, DATA).value(huge)
    small = ir.Binary(type=ir.STR, op="*", left=text, right=ir.Const(type=ir.INT, value=3))
    assert Evaluator(compiled.ir, DATA).value(small) == "ababab"
