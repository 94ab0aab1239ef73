"""`arithmetic(text)`: Python's numbers, as `eval` gives them, without `eval`."""

from __future__ import annotations

import pytest

from scaleenv_dsl.runtime import ToolError, arithmetic


def python_eval(text):
    return eval(text, {"__builtins__": {}})  # the reference: what tau2's calculate does


@pytest.mark.parametrize("text", [
    "2 + 2", "3131.1 + 4777.75 + 367.38", "10 / 4", "7 / 7", "3 * 4", "-(2 - 5) * 2", "1 - - 1", "+3",
    "((1))", "0.1 + 0.2", ".5 * 2", "5. / 2", "1e3 + 1", "2 * 3 - 4 / 8", " 1+2 ", "1000000000 * 3",
    "00 + 0.5", "1 - 2 - 3", "8 / 4 / 2", "2 ** 3", "2 ** -1", "-2 ** 2", "7 // 2", "-7 // 2", "7.5 // 2",
    "7 % 3", "-7 % 3", "2 ** 3 ** 2", "\t4 / 3\t",
])
def test_matches_python(text):
    expected = python_eval(text)
    value = arithmetic(text)
    assert value == expected and type(value) is type(expected)


@pytest.mark.parametrize("text", ["", "1 +", "(1", "1)", "1 2", "012", "1.2.3", "1; 2", "1 +* 2"])
def test_syntax_errors_carry_pythons_text(text):
    with pytest.raises(SyntaxError) as python_error:
        python_eval(text)
    with pytest.raises(ToolError) as err:
        arithmetic(text)
    assert err.value.message == str(python_error.value)


@pytest.mark.parametrize("text", ["a", "__import__('os')", "()", "[1]", "(1, 2)", "1 if 1 else 2", "x.y", "1 < 2",
                                  "'1'", "True"])
def test_anything_but_arithmetic_is_refused_unevaluated(text):
    with pytest.raises(ToolError) as err:
        arithmetic(text)
    assert err.value.message.startswith("invalid arithmetic expression")


@pytest.mark.parametrize("text", ["1 / 0", "1.0 / 0", "7 // 0", "7.0 // 0", "1 % 0"])
def test_division_by_zero_uses_pythons_text(text):
    with pytest.raises(ZeroDivisionError) as python_error:
        python_eval(text)
    with pytest.raises(ToolError) as err:
        arithmetic(text)
    assert err.value.message == str(python_error.value)


def test_bounded_nesting_length_and_exponents():
    for text in ("(" * 500 + "1" + ")" * 500, "1+" * 10_000 + "1", "9 ** 9 ** 9", "1" * 10_001):
        with pytest.raises(ToolError):
            arithmetic(text)
    assert arithmetic("1 ** 99999999") == 1
    with pytest.raises(ToolError):
        arithmetic(5)


@pytest.mark.parametrize("text", [
    "(9 ** 9999) ** 300", "(2 ** 10000) ** 10000", " * ".join(["9 ** 9999"] * 40), "9 ** 9999", "2 ** 10000 * 3",
    "(10 ** 300) ** 10", "1000000000000000000 * 3", "9007199254740991 + 1", "9007199254740992", "-2 ** 53",
    "1e308 * 10", "1e999", "1e999 - 1e999", "2.0 ** 5000",
])
def test_numbers_past_the_language_range_are_refused(text):
    # the language's numbers are integers within ±(2^53 - 1) and finite floats: eval would give
    # `9 ** 9999`, which no float holds and `dump()` could not write (issue 12, finding 4)
    with pytest.raises(ToolError) as err:
        arithmetic(text)
    assert err.value.kind in ("limit", "runtime"), err.value.message
    if "e999" in text or "9 ** 9999" in text or "53" in text or "+ 1" in text or "* 3" in text:
        assert err.value.kind == "limit"


def test_numbers_at_the_edge_of_the_range_are_computed_like_python():
    for text in ("9007199254740990 + 1", "-9007199254740991", "2 ** 52 + (2 ** 52 - 1)", "1e308 * 1.5", "2 ** -1074"):
        assert arithmetic(text) == python_eval(text)


