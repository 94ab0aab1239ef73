"""`arithmetic(text)`: the value of an arithmetic expression, with Python's semantics, without `eval`.

tau2's `calculate` tool runs `eval` on any text made of digits, `+-*/().` and
spaces, so `2**3`, `7//2` and `-(1.5)` are all valid there, and a malformed
expression fails with Python's own SyntaxError text. To match that exactly
and still run nothing, the text is parsed by Python's parser (parsing runs no
code) and the tree is evaluated here, allowing only numbers, parentheses, the
arithmetic operators and signs. Every operation is Python's own, so results
and error texts (division by zero, …) are the ones `eval` gives. Unlike eval,
every number, given or computed, must lie within the language's range (an
integer within ±(2^53 − 1), or a finite float): past it the call fails with
kind `limit` (runtime/limits.py), so no state holds a number `dump()` cannot write.
"""

from __future__ import annotations

import ast
import operator

from .errors import RUNTIME, ToolError
from .limits import number

MAX_LENGTH = 10_000
MAX_EXPONENT = 10_000  # `9**9**9` would take eval minutes; no real calculation needs more
# An integer past 2**100_000 (about 30,000 digits) has no float or text form in Python,
# and products and powers of such numbers take eval minutes to hours: `(9**9999)**9999`.
MAX_INT_BITS = 100_000

_BINARY = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
           ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod, ast.Pow: operator.pow}
_UNARY = {ast.UAdd: operator.pos, ast.USub: operator.neg}


def evaluate(text) -> int | float:
    if not isinstance(text, str):
        raise ToolError("arithmetic() needs a string", RUNTIME)
    if len(text) > MAX_LENGTH:
        raise ToolError("arithmetic expression is too long", RUNTIME)
    try:
        # eval strips surrounding spaces and tabs itself; compile does not
        tree = compile(text.strip(" \t"), "<string>", "eval", ast.PyCF_ONLY_AST)
        return _value(tree.body)
    except SyntaxError as err:
        raise ToolError(str(err), RUNTIME) from None
    except (ArithmeticError, TypeError, ValueError) as err:  # Python's own message, as eval gives it
        raise ToolError(str(err), RUNTIME) from None
    except (RecursionError, MemoryError):
        raise ToolError("arithmetic expression nests too deeply", RUNTIME) from None


def _value(node: ast.AST) -> int | float:
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return number(node.value)  # `1e999` reads as inf, `9` * 20 digits past the range
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        op = type(node.op)
        left, right = _value(node.left), _value(node.right)
        if op is ast.Pow and abs(right) > MAX_EXPONENT and abs(left) not in (0, 1):
            raise ToolError("the exponent is too large", RUNTIME)
        if (op is ast.Mult or op is ast.Pow) and type(left) is int and type(right) is int \
                and _too_large(op, left, right):
            raise ToolError("the result is too large", RUNTIME)
        return number(_BINARY[op](left, right))
    if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
        return number(_UNARY[type(node.op)](_value(node.operand)))
    raise ToolError("invalid arithmetic expression: only numbers, operators and parentheses", RUNTIME)


def _too_large(op: type, left: int, right: int) -> bool:
    """Would an integer product or power exceed MAX_INT_BITS? Known from the operands' sizes."""
    if op is ast.Mult:
        return left.bit_length() + right.bit_length() > MAX_INT_BITS + 1
    return right > 0 and (left.bit_length() - 1) * right > MAX_INT_BITS
