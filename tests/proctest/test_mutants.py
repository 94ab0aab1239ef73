"""Mutants of the spec's IR, and the share of them the procedural tests tell apart."""

from __future__ import annotations

import random
from collections import Counter

import pytest
from proctest_support import run

from scaleenv_dsl import ir
from scaleenv_dsl.api import load_domain
from scaleenv_dsl.proctest.analysis import error_messages
from scaleenv_dsl.proctest.mutants import KINDS, kills, mutants, mutation_score
from scaleenv_dsl.proctest.runner import Options, run_procedural_tests


@pytest.fixture(scope="module")
def library():
    return load_domain("library")


@pytest.fixture(scope="module")
def library_cases(library):
    return run(library).cases


def test_every_kind_of_mutant_is_made_and_each_changes_one_tool(library):
    made = list(mutants(library.ir))
    assert set(Counter(m.kind for m in made)) == set(KINDS)
    for mutant in made[::7]:
        changed = [t.name for t, o in zip(mutant.domain.tools, library.ir.tools) if t != o]
        assert changed == [mutant.tool]


def messages_of(tool: ir.ToolDef) -> list:
    return [m for node in ir.walk(tool.body) for m in error_messages(node)]


def test_error_messages_are_never_mutated(library):
    originals = {t.name: messages_of(t) for t in library.ir.tools}
    made = [m for m in mutants(library.ir) if m.kind == "change-constant"]
    assert made
    for mutant in made:
        assert messages_of(mutant.domain.tool(mutant.tool)) == originals[mutant.tool], mutant.id


def find(library, where: str, kind: str):
    return next(m for m in mutants(library.ir) if f"at {where} " in m.id and m.kind == kind)


def pay_fine_guard(library) -> str:
    """Where `require amount > 0` of pay_fine stands, found rather than pinned: the library spec moves."""
    guard = next(g for g in library.ir.tool("pay_fine").contract.guards if g.message == "Amount must be positive")
    return f"library.sedl:{guard.loc.line}"


def test_a_flipped_comparison_and_a_dropped_guard_are_told_apart(library, library_cases):
    by_tool = [c for c in library_cases if any(a["name"] == "pay_fine" for a in c["actions"])]
    flipped = find(library, pay_fine_guard(library), "flip-comparison")   # amount > 0  ->  amount >= 0
    dropped = find(library, pay_fine_guard(library), "drop-guard")
    assert kills(flipped, by_tool) and kills(dropped, by_tool)


def test_a_mutant_no_case_reaches_survives(library, library_cases):
    flipped = find(library, pay_fine_guard(library), "flip-comparison")
    others = [c for c in library_cases if all(a["name"] != "pay_fine" for a in c["actions"])]
    assert not kills(flipped, others)


def test_the_library_mutation_score_is_at_least_80_percent(library, library_cases):
    score = mutation_score(library, library_cases, sample=60, rng=random.Random(1))
    assert len(score.killed) + len(score.survived) + len(score.invalid) == 60 and score.invalid == []
    assert score.score >= 0.8, [m.id for m in score.survived]


def test_the_retail_mutation_score_is_at_least_80_percent():
    retail = load_domain("retail")
    report = run_procedural_tests(retail, Options(walks=6, budget=200, mutants=True, mutant_sample=40))
    assert report.ok
    assert report.mutation.score >= 0.8, [m.id for m in report.mutation.survived]
