"""Each planted bug is caught, with a minimal reproduction; a clean spec gets no failure.

Bugs a spec can have (a postcondition one input breaks, an invariant a tool breaks on some rows or
after a sequence) are planted in specs under specs/. Bugs the language cannot express (a write the
journal never sees, a result that depends on hidden state) are planted in an altered module.
"""

from __future__ import annotations

import shutil

from proctest_support import altered, run, spec

from scaleenv_dsl.api import load_domain
from scaleenv_dsl.proctest.cases import check_case
from scaleenv_dsl.proctest.walks import first_failure


def only_failure(report, check: str):
    assert [f.check for f in report.failures] == [check], [(f.check, f.message) for f in report.failures]
    return report.failures[0]


def test_an_ensures_that_one_input_breaks_is_caught_with_that_one_call():
    failure = only_failure(run(load_domain(spec("ensures_bug"))), "postcondition")
    [(tool, arguments)] = failure.actions
    assert tool == "withdraw" and arguments["amount"] > 100  # the planted branch, and nothing before it
    assert "the balance drops by the amount" in failure.message


def test_an_invariant_a_tool_breaks_on_some_rows_is_caught_on_such_a_row():
    failure = only_failure(run(load_domain(spec("invariant_bug"))), "invariant")
    [(tool, arguments)] = failure.actions
    # p3 has 3 in stock and 2 reserved: any quantity above one breaks it; p1 and p2 never break
    assert tool == "reserve" and arguments["product_id"] == "p3" and arguments["quantity"] >= 2
    assert "cannot reserve more than the stock" in failure.message


def test_an_invariant_only_a_sequence_breaks_is_shrunk_to_the_calls_it_needs():
    failure = only_failure(run(load_domain(spec("sequence_bug"))), "invariant")
    # three tags on one note, and no other call: two is the limit, no call can be left out
    assert [tool for tool, _ in failure.actions] == ["tag", "tag", "tag"]
    assert len({arguments["note_id"] for _, arguments in failure.actions}) == 1


def test_the_clean_spec_has_no_failure(notes):
    report = run(notes)
    assert report.ok and report.failures == []
    assert {o.status for o in report.outcomes} == {"both outcomes"}


def test_a_nondeterministic_result_is_caught(notes):
    # the language has no clock, randomness or sets: nondeterminism needs a module with hidden state
    ticking = altered(notes, "def tool_read_note(_S, v_note_id):\n",
                      "_TICKS = []\ndef tool_read_note(_S, v_note_id):\n    _TICKS.append(1)\n"
                      "    if len(_TICKS) % 2 == 0:\n        return len(_TICKS)\n")
    failures = [f for f in run(ticking).failures if f.check == "determinism"]
    assert failures
    shortest = min(failures, key=lambda f: len(f.actions))
    assert [tool for tool, _ in shortest.actions] == ["read_note"]


def private_copy(name: str, tmp_path):
    """The spec loaded from a copy of its folder: a module that writes the shared initial data
    (as the planted bugs below do) must not change it for every other test of the session."""
    folder = shutil.copytree(spec(name).parent, tmp_path / name)
    return load_domain(folder / f"{name}.sedl")


def test_a_write_the_journal_never_sees_breaks_reset_and_is_caught(tmp_path):
    # past the journal and past copy-on-write: the shared row itself changes, so reset cannot undo it
    untracked = altered(private_copy("notes", tmp_path), "v_note = _lookup_touch(_S, 'notes', v_note_id, 'Note not found', 'rename#3')",
                        "v_note = _lookup(_D['notes'], v_note_id, 'Note not found', 'rename#3')")
    leaky = altered(untracked, "_set(_J, v_note, 'text', v_text)", "v_note['text'] = v_text")
    failure = next(f for f in run(leaky).failures if f.check == "reset")
    # the shared row stays changed for every later env, so the shrunk sequence is not always one call
    assert "rename" in [tool for tool, _ in failure.actions]


def test_a_failed_call_that_changes_the_state_breaks_atomicity_and_is_caught(notes):
    guard = "        raise _Fail('A tag needs a name', 'require', 'tag#4')\n"
    leaky = altered(notes, guard, "        _D['notes'][v_note_id]['text'] = 'leaked'\n" + guard)
    failure = next(f for f in run(leaky).failures if f.check == "atomicity")
    [(tool, arguments)] = failure.actions
    assert tool == "tag" and arguments["label"] == ""  # the empty tag fails at the leaking guard


def test_first_failure_is_none_for_calls_that_hold(notes):
    assert first_failure(notes, [("tag", {"note_id": "n2", "label": "a"}), ("read_note", {"note_id": "n2"})]) is None
    broken = first_failure(notes, [("tag", {"note_id": "n2", "label": "a"})] * 3)
    assert broken is None  # the third tag is refused by its guard: the spec holds


def test_a_failure_that_names_another_guard_is_told_apart(notes):
    # the same error text from another guard: only the guard id in the case tells them apart
    cases = run(notes).cases
    renamed = altered(notes, "raise _Fail('A tag needs a name', 'require', 'tag#4')",
                      "raise _Fail('A tag needs a name', 'require', 'tag#5')")
    env = renamed.env()
    problems = {case["id"]: check_case(env, case) for case in cases}
    assert all(problems[c["id"]] for c in cases if c["checks"].get("fails") == "tag#4")
    assert all("expected a failure at guard tag#4, got one at tag#5" in p for ps in problems.values() for p in ps)


def test_a_row_the_runtime_forgets_to_check_is_caught_by_the_whole_state_check(tmp_path):
    # the runtime checks invariants on the rows a call reached; a lookup that does not record the
    # row lets the third tag through, and only checking every row after the calls sees it
    untracked = altered(private_copy("sequence_bug", tmp_path),
                        "v_note = _lookup_touch(_S, 'notes', v_note_id, 'Note not found', 'tag#3')",
                        "v_note = _lookup(_D['notes'], v_note_id, 'Note not found', 'tag#3')")
    at_end = [f for f in run(untracked).failures if f.at_end]
    [failure] = [f for f in at_end if f.check == "invariant"]  # one, however many rows it broke
    # tags that skip copy-on-write change the shared row, so the sequence that shows it varies; an
    # env that copied the row before keeps its copy across resets, so the reset check may see it too
    assert {f.check for f in at_end} <= {"invariant", "reset"}
    assert "a note has at most two tags" in failure.message
