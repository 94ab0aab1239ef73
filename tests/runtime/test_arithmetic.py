"""`arithmetic(text)`: Python's numbers without `eval`."""

from __future__ import annotations

import pytest

from scaleenv_dsl.runtime import ToolError, arithmetic


@pytest.mark.parametrize("text", [
    "2 + 2", "3131.1 + 4777.75 + 367.38", "10 / 4", "7 / 7", "3 * 4", "-(2 - 5) * 2", "1 - - 1", "+3",
    "((1))", "0.1 + 0.2", ".5 * 2", "5. / 2", "1e3 + 1", "2 * 3 - 4 / 8", " 1+2 ", "1000000000000000000 * 3",
    "00 + 0.5", "1 - 2 - 3", "8 / 4 / 2",
])
def test_matches_python(text):
    expected = eval(text, {"__builtins__": {}})
    value = arithmetic(text)
    assert value == expected and type(value) is type(expected)


@pytest.mark.parametrize("text", ["", "1 +", "(1", "1)", "2 ** 3", "1 // 2", "a", "1 2", "012", "1.2.3", "__import__('os')",
                                  "1; 2", "()", "1 % 2"])
def test_rejects_anything_else(text):
    with pytest.raises(ToolError) as err:
        arithmetic(text)
    assert err.value.message == "invalid arithmetic expression"


@pytest.mark.parametrize("text, message", [("1 / 0", "division by zero"), ("1.0 / 0", "float division by zero")])
def test_division_by_zero_uses_pythons_text(text, message):
    with pytest.raises(ToolError) as err:
        arithmetic(text)
    assert err.value.message == message


def test_bounded_nesting_and_length():
    with pytest.raises(ToolError):
        arithmetic("(" * 500 + "1" + ")" * 500)
    with pytest.raises(ToolError):
        arithmetic("-" * 500 + "1")
    with pytest.raises(ToolError):
        arithmetic("1+" * 10_000 + "1")
    with pytest.raises(ToolError):
        arithmetic(5)
