"""Python names and literals for generated code.

Spec text reaches generated code in exactly two ways: as a name that passed
`identifier()` and carries a fixed prefix, or as a `literal()` built by
`repr()`. This module is the only place that makes either, so it is the one
to audit.
"""

from __future__ import annotations

import math
import re

from .. import ir
from ..diagnostics import shorten

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_UNSAFE_FILE_CHARS = re.compile(r"[^A-Za-z0-9_.\-]")
MAX_IDENTIFIER = 200  # the parser stops longer names first (parse.recovery.MAX_NAME_LENGTH)


class GenerationError(Exception):
    """The IR cannot be turned into safe Python (a checker defect or hand-made IR)."""


def identifier(name: object, what: str) -> str:
    """`name`, if it is a plain identifier; raise otherwise (defence in depth)."""
    if not isinstance(name, str) or len(name) > MAX_IDENTIFIER or not _IDENTIFIER.fullmatch(name):
        shown = shorten(name) if isinstance(name, str) else type(name).__name__
        raise GenerationError(f"{what} {shown!r} is not a valid identifier")
    return name


def local(name: str) -> str:
    """A parameter, `let`, loop variable or `self`."""
    return "v_" + identifier(name, "variable name")


def tool_function(name: str) -> str:
    return "tool_" + identifier(name, "tool name")


def helper_function(name: str) -> str:
    return "helper_" + identifier(name, "helper name")


def type_function(prefix: str, name: str) -> str:
    """`copy_Order`, `check_Order`: helpers generated per type."""
    return f"{prefix}_{identifier(name, 'type name')}"


def literal(value) -> str:
    """Python source that evaluates to a fresh copy of a JSON-shaped constant."""
    if value is None or isinstance(value, (bool, str)):
        return repr(value)
    if isinstance(value, int):
        return repr(int(value))
    if isinstance(value, float):
        if math.isfinite(value):
            return repr(value)
        return f"float({repr(str(value))})"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    if isinstance(value, dict):
        items = []
        for k, v in value.items():
            if not isinstance(k, str):
                raise GenerationError(f"constant map key {k!r} is not a string")
            items.append(f"{repr(k)}: {literal(v)}")
        return "{" + ", ".join(items) + "}"
    raise GenerationError(f"constant of type {type(value).__name__} cannot appear in a spec")


def spec_comment(loc: ir.Loc | None) -> str:
    """`# spec: FILE:LINE`, with the file reduced to a harmless base name."""
    if loc is None:
        return "# spec: <unknown>"
    return f"# spec: {where(loc)}"


def where(loc: ir.Loc | None) -> str:
    if loc is None:
        return "<unknown>"
    base = str(loc.file).replace("\\", "/").rsplit("/", 1)[-1]
    safe = _UNSAFE_FILE_CHARS.sub("_", base)[:80] or "_"
    return f"{safe}:{int(loc.line)}"
