"""Built-in functions and helpers take their arguments by position only: one check, one wording.

Only the help line says what the callee is: a built-in's arity, a helper's `def` order.
"""

from __future__ import annotations

import pytest

from scaleenv_dsl.check import check_source

HEADER = 'domain calls {\n  description "Positional calls."\n}\n'
HELPER = "def twice(x: int) -> int {\n  return 2 * x\n}\n"


def only(body: str):
    diagnostics = check_source(HEADER + body, "spec.sedl").diagnostics
    assert len(diagnostics) == 1, [(d.code, d.message) for d in diagnostics]
    return diagnostics[0]


@pytest.mark.parametrize("call, message, help_text", [
    ("abs(x=n)", "`abs` takes no keyword arguments", "pass the arguments by position: `abs(a)`"),
    ("round(n, ndigits=2)", "`round` takes no keyword arguments", "pass the arguments by position: `round(a, b)`"),
    ("min(n, m=2)", "`min` takes no keyword arguments", "pass the arguments by position: `min(a, b, …)`"),
    ("abs(n for n in [1])", "`abs` does not take a generator", "aggregate with sum, count, any, all, find, min or max"),
    ("twice(x=n)", "`twice` takes no keyword arguments", "pass the arguments by position, in the order of `def twice`"),
    ("twice(n for n in [1])", "`twice` does not take a generator", "build the list first: `[e for x in xs]`"),
])
def test_a_keyword_or_a_generator_argument_is_refused(call, message, help_text):
    found = only(HELPER + f"tool t(n: int) -> int {{\n  return {call}\n}}\n")
    assert (found.code, found.message, found.help) == ("wrong-arguments", message, help_text)
