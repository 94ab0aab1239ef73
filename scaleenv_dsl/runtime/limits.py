"""Bounded work per tool call, and bounded numbers.

Every tool call gets fuel from its domain's header (`step_limit`, `size_limit`),
kept on its `State`: `steps` for loop iterations and comprehension elements,
`room` for the characters and elements of the strings, lists and maps it builds.
Generated code charges it inline, at the few places work can grow:

- at a loop head, the length of what the loop iterates (`steps`): a loop never
  runs longer than that, so one charge per loop, none per iteration;
- before an operation builds a larger value (`+` on strings and lists, `extend`,
  `replace`, `join`), the size of the result (`room`), so that nothing big is
  built before the charge refuses it.

Running out is a ToolError of kind `limit`; the environment rolls the call back
as it does for any failure. No signal and no thread: the charges are plain code.

Numbers: every arithmetic result must be an integer within ±(2^53 − 1), the
range JSON holds exactly, or a finite float. `number()` checks a result; one
past the range is a `limit` error too, so no state ever holds a number that
`dump()` cannot write.
"""

from __future__ import annotations

import operator

from ..ir import DEFAULT_SIZE_LIMIT, DEFAULT_STEP_LIMIT
from .errors import LIMIT, ToolError
from .values import to_json as _to_json

MAX_INTEGER = 2 ** 53 - 1

def out_of_steps() -> ToolError:
    return ToolError("the call ran out of steps: its loops and comprehensions went past the domain's "
                     "step_limit (see `step_limit` in the domain header)", LIMIT)


def out_of_room() -> ToolError:
    return ToolError("the call built too much: its strings, lists and maps went past the domain's "
                     "size_limit (see `size_limit` in the domain header)", LIMIT)


# ---------------------------------------------------------------- steps

def steps(state, items):
    """`items` (a list, string, map or map view), after charging a loop over it."""
    state.steps -= len(items)
    if state.steps < 0:
        raise out_of_steps()
    return items


def charge_steps(state, count: int) -> None:
    state.steps -= count
    if state.steps < 0:
        raise out_of_steps()


# ---------------------------------------------------------------- sizes

def sized(state, value):
    """`value` (a list, string or map about to be added to another), after charging its size."""
    state.room -= len(value)
    if state.room < 0:
        raise out_of_room()
    return value


def concat(state, left, right):
    """`a + b` on strings or lists."""
    state.room -= len(left) + len(right)
    if state.room < 0:
        raise out_of_room()
    return left + right


def replace(state, text, old, new):
    """`s.replace(old, new)`: the result's length is known before it is built."""
    if type(text) is str and type(old) is str and type(new) is str:
        grows = len(new) - len(old)
        state.room -= len(text) + (text.count(old) * grows if grows > 0 else 0)
        if state.room < 0:
            raise out_of_room()
    return text.replace(old, new)  # anything else fails with Python's own message


def join(state, separator, parts):
    """`sep.join(xs)`: charged the length of the result before it is built."""
    try:
        total = sum(map(len, parts)) + len(separator) * max(len(parts) - 1, 0)
    except TypeError:
        total = 0  # not strings: join fails with Python's own message
    state.room -= total
    if state.room < 0:
        raise out_of_room()
    return separator.join(parts)


def measured(state, value):
    """`value`, after charging its whole size: for a value about to be copied or written out whole.

    A list may hold the same big list many times over (`[xs for c in s]` costs len(s) steps), and
    a deep copy or JSON text of it is that many copies: the walk counts what they would build, and
    stops as soon as the budget runs out, so it costs at most the budget itself.
    """
    room = state.room
    stack = [value]
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind is str:
            room -= len(item)
        elif kind is dict:
            room -= len(item)
            stack.extend(item.values())
            room -= sum(map(len, item))  # the keys' text
        elif kind is list:
            room -= len(item)
            stack.extend(item)
        else:
            room -= 1
        if room < 0:
            raise out_of_room()
    state.room = room
    return value


def to_json(state, value) -> str:
    """`to_json(x)` in a tool: charged the size of the text before it is written."""
    return _to_json(measured(state, value))


# ---------------------------------------------------------------- numbers

def number(value):
    """An arithmetic result: an integer within ±(2^53 − 1), or a finite float."""
    if -MAX_INTEGER <= value <= MAX_INTEGER:
        return value
    if type(value) is float and value - value == 0.0:  # finite: inf - inf and nan - nan are nan
        return value
    raise out_of_range(value)


def out_of_range(value) -> ToolError:
    if type(value) is float:
        what = "not a number" if value != value else "infinite"
        return ToolError(f"the result is {what}: numbers must be finite", LIMIT)
    return ToolError(f"integer overflow: the result is outside ±{MAX_INTEGER} (2^53 - 1), "
                     "the range of the language's numbers", LIMIT)


_OPERATORS = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv,
              "//": operator.floordiv, "%": operator.mod}


def arithmetic_any(state, op: str, left, right):
    """An operator whose operands' types are only known at run time (`any` values): a number is
    range-checked, and a string or list it builds is charged first, as for the typed forms."""
    kinds = type(left), type(right)
    if op == "+" and kinds[0] is kinds[1] and kinds[0] in (str, list):
        return concat(state, left, right) if state is not None else left + right
    if op == "*" and (kinds[0] in (str, list) or kinds[1] in (str, list)):
        count = right if kinds[0] in (str, list) else left
        text = left if kinds[0] in (str, list) else right
        if type(count) is int and count > 0 and state is not None:
            state.room -= len(text) * count
            if state.room < 0:
                raise out_of_room()
        elif type(count) is int and count > 0 and len(text) * count > DEFAULT_SIZE_LIMIT:
            raise out_of_room()
    result = _OPERATORS[op](left, right)
    return number(result) if type(result) in (int, float) else result
