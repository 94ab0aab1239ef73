"""`arithmetic(text)`: the value of an arithmetic expression, without `eval`.

Numbers, `+ - * /`, unary signs and parentheses, with Python's semantics: a
literal without `.` or an exponent is an int, `/` always gives a float, and
errors such as division by zero carry Python's message. Python's precedence
holds (unary signs bind tighter than `*` and `/`, which bind tighter than `+`
and `-`), and operations happen left to right, as Python does them.

A single shunting-yard loop over the tokens: no recursion, and the text's
length and the operator stack (open parentheses and signs) are bounded.
"""

from __future__ import annotations

import re

from .errors import RUNTIME, ToolError

MAX_LENGTH = 10_000
MAX_NESTING = 100

_TOKEN = re.compile(r"\s*(?:(\d+\.\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|\d+[eE][+-]?\d+|\d+)|(\S))")
_BINARY = {"+": 1, "-": 1, "*": 2, "/": 2}
_UNARY = 3  # the precedence of a sign: above every binary operator


def evaluate(text) -> int | float:
    if not isinstance(text, str):
        raise ToolError("arithmetic() needs a string", RUNTIME)
    if len(text) > MAX_LENGTH:
        raise ToolError("arithmetic expression is too long", RUNTIME)
    values: list = []
    ops: list[str] = []   # "+", "-", "*", "/", "(" and the signs "u+", "u-"
    expect_operand = True
    try:
        for number, symbol in _TOKEN.findall(text):
            if number:
                if not expect_operand:
                    raise _invalid()
                values.append(_number(number))
                expect_operand = False
            elif expect_operand:
                if symbol == "(" or symbol in "+-":
                    ops.append(symbol if symbol == "(" else "u" + symbol)
                    if len(ops) > MAX_NESTING:  # only open parentheses and signs pile up
                        raise ToolError("arithmetic expression nests too deeply", RUNTIME)
                else:
                    raise _invalid()
            elif symbol == ")":
                while ops and ops[-1] != "(":
                    _apply(ops.pop(), values)
                if not ops:
                    raise _invalid()
                ops.pop()
            elif symbol in _BINARY:
                precedence = _BINARY[symbol]
                while ops and ops[-1] != "(" and _precedence(ops[-1]) >= precedence:
                    _apply(ops.pop(), values)
                ops.append(symbol)
                expect_operand = True
            else:
                raise _invalid()
        if expect_operand:
            raise _invalid()
        while ops:
            op = ops.pop()
            if op == "(":
                raise _invalid()
            _apply(op, values)
    except ArithmeticError as err:  # division by zero, overflow: Python's own message
        raise ToolError(str(err), RUNTIME) from None
    return values[0]


def _precedence(op: str) -> int:
    return _UNARY if op[0] == "u" else _BINARY[op]


def _apply(op: str, values: list) -> None:
    if op[0] == "u":
        values[-1] = -values[-1] if op == "u-" else +values[-1]
        return
    right = values.pop()
    left = values[-1]
    if op == "+":
        values[-1] = left + right
    elif op == "-":
        values[-1] = left - right
    elif op == "*":
        values[-1] = left * right
    else:
        values[-1] = left / right


def _invalid() -> ToolError:
    return ToolError("invalid arithmetic expression", RUNTIME)


def _number(text: str) -> int | float:
    if "." in text or "e" in text or "E" in text:
        return float(text)
    if len(text) > 1 and text[0] == "0" and text.strip("0"):
        raise _invalid()  # Python rejects leading zeros in integers, such as 012
    return int(text)
