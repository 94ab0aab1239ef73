"""Static facts about guards (shared with the linter), and shrinking a sequence of calls."""

from __future__ import annotations

from scaleenv_dsl.check import check_source
from scaleenv_dsl.proctest.analysis import constant_outcome
from scaleenv_dsl.proctest.shrink import shrink

SPEC = '''domain c {
  description "Constant conditions."
}

tool t(n: int "A number.") -> int "The number." {
  "Guards decided by constants, and one the call decides."
  require 1 < 2 else "always holds"
  require not true or n > 0 else "the call decides"
  require false and n > 0 else "never holds"
  require "a" in ["a", "b"] else "a member"
  require -n < 3 or 2 >= 2 else "one side decides"
  return n
}
'''


def test_a_guard_decided_by_constants_is_known_never_to_fail_or_pass():
    tool = check_source(SPEC, "c.sedl").domain.tool("t")
    outcome = {g.message: constant_outcome(g) for g in tool.contract.guards}
    assert outcome == {"`n` must be a int": None, "always holds": "never fails", "the call decides": None,
                       "never holds": "never passes", "a member": "never fails", "one side decides": "never fails"}


def test_shrink_leaves_out_every_call_the_failure_does_not_need():
    calls = list(range(20))
    needs = {3, 11, 17}
    tries = []

    def still_fails(candidate):
        tries.append(candidate)
        return needs <= set(candidate)

    assert shrink(calls, still_fails) == [3, 11, 17]
    assert len(tries) < 60  # chunks first: far fewer runs than one call left out at a time would take


def test_shrink_keeps_order_and_never_returns_an_empty_sequence():
    assert shrink(["a", "b", "c"], lambda candidate: True) == ["c"]
    assert shrink(["a", "b", "c"], lambda candidate: candidate[-1:] == ["c"] and "a" in candidate) == ["a", "c"]
    assert shrink(["a"], lambda candidate: True) == ["a"]
