"""f-strings: `f"Room {n} not found"` split into literal text and fields.

A field is an expression of the spec language, parsed by its own grammar (never by Python:
nothing in a spec runs code), and checked like any other. Python's format machinery, the
`{x:.2f}` spec and the `{x!r}` conversion, is not part of the language: each is reported with
the built-in that does the job.
"""

from __future__ import annotations

from dataclasses import dataclass

_OPENERS, _CLOSERS = "([{", ")]}"


@dataclass(frozen=True)
class Field:
    text: str
    offset: int  # where `text` starts in the f-string's body (after `f"`)


@dataclass(frozen=True)
class Problem:
    message: str
    help: str
    offset: int  # in the body
    length: int


def split(body: str) -> tuple[list[str | Field], list[Problem]]:
    """The parts of an f-string's body, its text between `f"` and `"`: raw literal text
    (escapes still in it) and fields, in order."""
    parts: list[str | Field] = []
    problems: list[Problem] = []
    literal, i = [], 0
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            literal.append(body[i:i + 2])
            i += 2
        elif body.startswith("{{", i) or body.startswith("}}", i):
            literal.append(ch)
            i += 2
        elif ch == "}":
            problems.append(Problem("a `}` in an f-string closes no field", "write `}}` for a literal `}`", i, 1))
            i += 1
        elif ch == "{":
            if literal:
                parts.append("".join(literal))
                literal = []
            end = _field_end(body, i + 1)
            if end is None:
                problems.append(Problem("this `{` opens a field that is never closed",
                                        "close the field with `}`, or write `{{` for a literal `{`", i, 1))
                break
            field = Field(body[i + 1:end], i + 1)
            problem = _field_problem(field)
            if problem is not None:
                problems.append(problem)
            else:
                parts.append(field)
            i = end + 1
        else:
            literal.append(ch)
            i += 1
    if literal:
        parts.append("".join(literal))
    return parts, problems


def _field_end(body: str, start: int) -> int | None:
    """The offset of the `}` that closes the field starting at `start`, brackets inside balanced."""
    depth = 0
    for i in range(start, len(body)):
        ch = body[i]
        if ch in _OPENERS:
            depth += 1
        elif ch in _CLOSERS:
            if depth == 0:
                return i if ch == "}" else None
            depth -= 1
    return None


def _field_problem(field: Field) -> Problem | None:
    text = field.text
    if not text.strip():
        return Problem("an f-string field is empty", "put an expression between the braces: `{name}`",
                       field.offset - 1, len(text) + 2)
    if "\\" in text:
        at = text.index("\\")
        return Problem("an f-string field cannot hold a backslash", "bind the value with `let` first",
                       field.offset + at, 1)
    depth = 0
    for i, ch in enumerate(text):
        if ch in _OPENERS:
            depth += 1
        elif ch in _CLOSERS:
            depth -= 1
        elif depth == 0 and ch == "!" and text[i + 1:i + 2] != "=":
            return Problem(f"`{text[i:]}` is Python's conversion, not part of the language",
                           "a field is converted with `str()` already: write `{" + text[:i].strip() + "}`",
                           field.offset + i, len(text) - i)
        elif depth == 0 and ch == ":":
            return Problem(f"`{text[i:]}` is a Python format spec, not part of the language",
                           "format the value with a built-in first, e.g. `{round(x, 2)}`",
                           field.offset + i, len(text) - i)
    return None
