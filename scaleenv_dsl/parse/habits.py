"""Python habits: constructs a model (or a person) writes out of habit, each named in the
syntax error it causes, with the language's own way of saying it.

`habit` is asked about a syntax error before the generic "unexpected X, expected Y"
message: it sees the offending token and its line, and answers with a Habit
or None. Each rule is a small function, so adding one is one entry in `_RULES`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from lark import Token

@dataclass(frozen=True)
class Habit:
    message: str
    help: str
    dropped_value: bool = False  # an `unused-value`, not a syntax error: Python would run it and drop it



_STATEMENT_OPERATOR = re.compile(r"^\s*([A-Za-z_][\w.]*(?:\[[^\]]*\])*)\s*(\+\+|--|[-+*/%]|//|[<>]=?|==|!=)(?!=)")


def habit(token: Token, line: str, expected: list[str]) -> Habit | None:
    for rule in _RULES:
        answer = rule(token, line.split("#", 1)[0], expected)
        if answer is not None:
            return answer
    return None


def _while(token: Token, line: str, expected: list[str]) -> Habit | None:
    if re.match(r"^\s*while\b", line):
        return Habit("`while` loops are not part of the language",
                "iterate a collection with `for x in xs { … }`: every loop ends")
    return None


def _increment(token: Token, line: str, expected: list[str]) -> Habit | None:
    m = re.match(r"^\s*([A-Za-z_][\w.]*)\s*(\+\+|--)", line)
    if m:
        op = "+=" if m[2] == "++" else "-="
        return Habit(f"`{m[2]}` is not an operator", f"write `{m[1]} {op} 1`")
    return None


def _dropped_value(token: Token, line: str, expected: list[str]) -> Habit | None:
    """`x - 1` as a statement: Python computes it and throws it away, which is never meant."""
    m = _STATEMENT_OPERATOR.match(line)
    if m is None or str(token) != m[2][0] or not any("`=`" in e for e in expected):
        return None
    statement = line.strip()[:40]
    return Habit(f"the value of `{statement}` is computed and dropped",
                 f"bind it (`let y = {statement}`), or change `{m[1]}` with `=`, `+=` or `-=`", dropped_value=True)


def _power(token: Token, line: str, expected: list[str]) -> Habit | None:
    if str(token) == "*" and "**" in line:
        return Habit("`**` is not an operator", "multiply (`x * x`), or compute it with `arithmetic(…)`")
    return None


def _strict_equality(token: Token, line: str, expected: list[str]) -> Habit | None:
    if str(token) == "=" and re.search(r"[=!]==", line):
        return Habit("`===` and `!==` are not operators", "compare with `==` or `!=`")
    return None


def _lambda(token: Token, line: str, expected: list[str]) -> Habit | None:
    if re.search(r"\blambda\b", line):
        return Habit("`lambda` is not part of the language",
                "write the expression where it is used, or a comprehension `[e for x in xs]`")
    return None


def _raise(token: Token, line: str, expected: list[str]) -> Habit | None:
    if re.match(r"^\s*raise\b", line):
        return Habit("`raise` is not a statement", 'fail the call with `fail "message"`, or `require COND else "message"`')
    return None


def _colon_block(token: Token, line: str, expected: list[str]) -> Habit | None:
    if str(token) == ":" and "`{`" in expected:
        return Habit("a `:` does not open a block", "blocks use braces: `if condition { … }`")
    return None


_RULES: tuple[Callable[[Token, str, list[str]], Habit | None], ...] = (
    _while, _increment, _dropped_value, _power, _strict_equality, _lambda, _raise, _colon_block)

# Characters the lexer rejects: (the construct, its replacement)
CHARACTER_HABITS = {
    "&": ("`&&` is not an operator", "write `and`"),
    "|": ("`||` is not an operator", "write `or`"),
    "!": ("`!` is not an operator", "write `not`, or `!=` to compare"),
}
