"""The one exception type a tool call fails with.

Generated code raises `ToolError` for every failure the spec describes
(`require`, lookups, invariants, `ensures`); the environment turns it, and
Python's own runtime errors, into a structured `CallError`. Nothing here is
ever shown as a traceback to the agent.
"""

from __future__ import annotations

# Error kinds, as reported in CallError.kind.
REQUIRE = "require"              # a `require` did not hold
NOT_FOUND = "not_found"          # a lookup failed, or a `let … else` value was none
CONFLICT = "conflict"            # `insert` of a key that exists
INVARIANT = "invariant"          # a row broke an entity/record/variant invariant
POSTCONDITION = "postcondition"  # an `ensures` failed: a bug in the spec
RUNTIME = "runtime"              # division by zero, index out of range, a number out of range, ...
LIMIT = "limit"                  # the call used up its budget of steps or of built sizes (runtime/limits.py)
INVALID_ARGUMENTS = "invalid_arguments"
UNKNOWN_TOOL = "unknown_tool"
INTERNAL = "internal"            # a defect in scaleenv_dsl itself


class ToolError(Exception):
    """A tool call failed with a message the spec (or Python) defines."""

    __slots__ = ("message", "kind", "guard")

    def __init__(self, message, kind: str = REQUIRE, guard: str | None = None):
        self.message = message if isinstance(message, str) else str(message)
        self.kind = kind
        self.guard = guard  # the id of the contract's guard that fired ("tool#3"), when one did
        super().__init__(self.message)


def postcondition_failed(message, where: str) -> ToolError:
    text = f"postcondition failed at {where}"
    if message is not None:
        text += f": {message}"
    return ToolError(text + " (a bug in the spec, not in the call)", POSTCONDITION)


def invariant_failed(message) -> ToolError:
    return ToolError(message, INVARIANT)
