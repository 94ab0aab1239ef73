"""`scaleenv test` end to end: search, walks, the recorded cases, failures shrunk, mutants.

    from scaleenv_dsl.api import load_domain
    from scaleenv_dsl.proctest.runner import Options, run_procedural_tests

    report = run_procedural_tests(load_domain("library"), Options(seed=1, mutants=True))
    report.ok, report.failures, report.mutation.score

The same seed gives the same report. Everything that does not hold is a `Failure` with the
shortest sequence of calls found that shows it, ready to be written as a cases file.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field

from .cases import SPEC_BUGS, Failure, actions_of, check_case, make_case, record
from .mutants import MutationScore, mutation_score
from .search import BUDGET, GuardOutcome, GuardSearch, SearchResult
from .shrink import shrink
from .walks import WALK_LENGTH, WalkResult, first_failure, random_walks

WALKS = 20
CASES_SHOWN = 3  # failures of the recorded cases reported one by one; one defect tends to fail many


@dataclass
class Options:
    seed: int = 0
    walks: int = WALKS
    walk_length: int = WALK_LENGTH
    budget: int = BUDGET          # calls per tool, from the initial data
    mutants: bool = False
    mutant_sample: int | None = None  # run this many mutants, chosen by the seed, instead of all


@dataclass
class Report:
    domain: str
    options: Options
    outcomes: list[GuardOutcome]
    cases: list[dict]             # the recorded cases: the procedural tests
    failures: list[Failure]
    search: SearchResult
    walks: WalkResult
    mutation: MutationScore | None = None
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.failures

    def failure_cases(self) -> list[dict]:
        return [f.to_case(f"failure {n}: {f.check}") for n, f in enumerate(self.failures, 1)]


def run_procedural_tests(compiled, options: Options | None = None) -> Report:
    options = options or Options()
    rng = random.Random(options.seed)
    seconds: dict[str, float] = {}
    search = GuardSearch(compiled, rng, options.budget)
    found = _timed(seconds, "guards", search.run)
    walks = _timed(seconds, "walks", lambda: random_walks(compiled, rng, options.walks, options.walk_length,
                                                          search.base_view, search.base_pools))
    cases, failures = _timed(seconds, "cases", lambda: _cases_and_failures(compiled, found, walks))
    report = Report(compiled.name, options, found.outcomes, cases, failures, found, walks, seconds=seconds)
    if options.mutants:
        report.mutation = _timed(seconds, "mutants", lambda: mutation_score(
            compiled, cases, sample=options.mutant_sample, rng=rng))
    return report


def _timed(seconds: dict, phase: str, work):
    started = time.perf_counter()
    result = work()
    seconds[phase] = round(time.perf_counter() - started, 3)
    return result


def _cases_and_failures(compiled, found: SearchResult, walks: WalkResult) -> tuple[list[dict], list[Failure]]:
    """The recorded cases (the search's, shrunk, then one per walk) and every failure, shrunk."""
    scratch = compiled.env()
    cases = _witnesses_from_walks(compiled, found, walks) + [_shrunk_witness(scratch, c) for c in found.cases]
    cases += [make_case(f"walk {n}", walk, checks={"walk": True}) for n, walk in enumerate(walks.walks, 1)]
    recorded = [record(scratch, case) for case in _marking_atomicity(compiled, cases, found.outcomes)]
    failures = _distinct([_shrunk(compiled, f) for f in found.findings + walks.failures])
    recorded, unverified = _verify(compiled, recorded)
    return recorded, failures + unverified


# ---------------------------------------------------------------- failures

def _shrunk(compiled, failure: Failure) -> Failure:
    """The failure with the fewest calls that still show it: the same check, and for a check made
    at one call, at a call of the same tool."""
    if failure.check == "contract" or len(failure.actions) <= 1:
        return failure
    last_tool = failure.actions[-1][0]

    def still_fails(actions) -> bool:
        again = first_failure(compiled, actions, failure.initial)
        return again is not None and again.check == failure.check and again.at_end == failure.at_end \
            and (failure.at_end or again.actions[-1][0] == last_tool)

    actions = shrink(failure.actions, still_fails)
    again = first_failure(compiled, actions, failure.initial) or failure
    return Failure(failure.check, again.message, again.actions, failure.initial, len(failure.actions),
                   failure.at_end)


def _distinct(failures: list[Failure]) -> list[Failure]:
    """One failure per check and tool (and message, for a postcondition or invariant a call broke,
    since each is its own bug): the one with the fewest calls."""
    best: dict[tuple, Failure] = {}
    for failure in failures:
        message = failure.message if failure.check in SPEC_BUGS and not failure.at_end else None
        tool = failure.actions[-1][0] if failure.actions and not failure.at_end else None
        key = (failure.check, failure.at_end, tool, message)
        if key not in best or len(failure.actions) < len(best[key].actions):
            best[key] = failure
    return list(best.values())


def _marking_atomicity(compiled, cases: list[dict], outcomes: list[GuardOutcome]) -> list[dict]:
    """The cases, those whose atomicity is checked with a dump of the whole state (costly on a
    large database) marked `"atomic": true`: the first failing case of each guard of a tool that
    writes. A tool inferred read-only reaches no journaled write."""
    writes = {t.name for t in compiled.ir.tools if t.is_write}
    dumped = {o.fails[0] for o in outcomes if o.fails and o.tool in writes}
    return [{**c, "checks": {**c["checks"], "atomic": True}} if c["id"] in dumped else c for c in cases]


def _verify(compiled, cases: list[dict]) -> tuple[list[dict], list[Failure]]:
    """Each case replayed as the tests will replay it: (the cases, what does not hold).

    A failed call's atomicity is checked on the cases marked atomic. A case that differs is
    recorded and replayed again on fresh envs, since the env reused for the others carries
    whatever a broken reset left behind; if it then holds, its fresh recording replaces the one
    made on the reused env. Cases that recorded a broken postcondition or invariant are findings
    already, reported once.
    """
    env = compiled.env()
    initial_dump = env.dump(indent=None)
    verified, failures = [], []
    for case in cases:
        if any(step.get("kind") in SPEC_BUGS for step in case["expect"]["steps"]) or \
                not check_case(env, case, initial_dump=initial_dump):
            verified.append(case)
            continue
        case = record(compiled.env(), case)
        problems = check_case(compiled.env(), case, initial_dump=initial_dump)
        if problems:
            check = "atomicity" if any("changed the state" in p for p in problems) else "determinism"
            failures.append(Failure(check, f"case {case['id']}: {problems[0]}", actions_of(case), case.get("initial")))
        verified.append(case)
        env = compiled.env()
    if len(failures) > CASES_SHOWN:
        failures[CASES_SHOWN - 1].message += f" (and {len(failures) - CASES_SHOWN} more cases like it)"
    return verified, failures[:CASES_SHOWN]


# ---------------------------------------------------------------- coverage from the walks

def _witnesses_from_walks(compiled, found: SearchResult, walks: WalkResult) -> list[dict]:
    """For a guard the search never saw fail, the shortest prefix of a walk that fails at it."""
    missing = {o.guard.id: o for o in found.outcomes if not o.fails}
    if not missing:
        return []
    env, scratch = compiled.env(), compiled.env()
    cases = []
    for walk in walks.walks:
        env.reset()
        for index, (tool, arguments) in enumerate(walk):
            result = env.call(tool, arguments)
            outcome = missing.get(result.error.guard) if not result.ok else None
            if outcome is None:
                continue
            actions = shrink(walk[:index + 1], lambda acts, g=outcome.guard.id: _fails_at(scratch, acts, g))
            case = make_case(f"{outcome.guard.id} fails (walk)", actions, checks={"fails": outcome.guard.id,
                                                                                   "from": "a random walk"})
            outcome.fails.append(case["id"])
            cases.append(case)
            del missing[outcome.guard.id]
    return cases


def _shrunk_witness(env, case: dict) -> dict:
    """A case that fails a guard after other calls, with the calls its failure does not need left out."""
    guard_id = case.get("checks", {}).get("fails")
    if guard_id is None or len(case["actions"]) == 1:
        return case
    initial = case.get("initial")
    actions = shrink(actions_of(case), lambda acts: _fails_at(env, acts, guard_id, initial))
    return make_case(case["id"], actions, initial, checks=case["checks"])


def _fails_at(env, actions, guard_id: str, initial: dict | None = None) -> bool:
    env.reset(initial=initial)
    results = [env.call(tool, arguments) for tool, arguments in actions]
    last = results[-1]
    return not last.ok and last.error.guard == guard_id and actions[-1][0] == guard_id.rsplit("#", 1)[0]
