"""The instruction: a deterministic template in the user's voice, in tau2's `user_scenario` parts
(reason for call, known info, unknown info, task instructions), from the knows and the goal.

Spec strings are only concatenated, never formatted: a doc is data, not a template.
"""

from __future__ import annotations

import json
from typing import Any

from .. import ir


def user_scenario(tool: ir.ToolDef, knows: dict[str, Any], described: set[str] = frozenset()) -> dict[str, str]:
    """tau2's `user_scenario.instructions` parts, in the user's voice. `described` names the facts
    that are descriptions of rows (`describe`), said as "the order is the one with the Laptop"."""
    reason = "You want the agent to " + _first_sentence(tool.doc or tool.name.replace("_", " ")) + "."
    known = "; ".join(describe_fact(name, value) if name in described else
                      "your " + words(name) + " is " + _text(value) for name, value in knows.items())
    ids = [words(name) for name in knows if name.endswith("_id")]
    unknown = ("You know no identifier but your " + _and(ids) + "." if ids
               else "You do not know any identifier the agent can look up for you.")
    return {"reason_for_call": reason,
            "known_info": (known[:1].upper() + known[1:] + ".") if known else "Nothing beyond what you ask for.",
            "unknown_info": unknown,
            "task_instructions": "Give the facts above when asked, confirm the change once, and end the "
                                 "conversation when it is done."}


def write_instruction(scenario: dict[str, str]) -> str:
    """The parts as one text, in the layout of tau2's retail instructions."""
    return ("Reason for call:\n\t" + scenario["reason_for_call"] + "\nKnown info:\n\t" + scenario["known_info"]
            + "\nUnknown info:\n\t" + scenario["unknown_info"] + "\nTask instructions:\n\t"
            + scenario["task_instructions"])


def describe_fact(name: str, value: Any) -> str:
    """A description fact in words: the order, the items, the new items, the payment method."""
    if isinstance(value, list):
        one = len(value) == 1 and name.endswith("s")
        head = "the " + words(name[:-1] if one else name) + (" is " if one else " are ")
        return head + _and([_thing(v) for v in value])
    return "the " + words(name) + " is " + _thing(value)


def _thing(said: dict) -> str:
    if "changed" in said:       # a variant told by how it differs from the item it replaces
        changes = [words(k) + " " + _text(v) for diff in said["changed"].values() for k, v in diff.items()]
        return "the same " + said["name"] + (" but with " + _and(changes) if changes else "")
    if "name" in said:          # a member: its name, with its options when the name is shared
        options = [words(k) + " " + _text(v) for k, v in said.items() if k != "name"
                   for k, v in (v.items() if isinstance(v, dict) else [(k, v)])]
        return "the " + said["name"] + (" (" + ", ".join(options) + ")" if options else "")
    parts = [words(k) + " is " + _text(v) for k, v in said.items() if k != "with"]
    named = " with " + _and([_the(n) for n in said["with"]]) if "with" in said else ""
    return "the one" + named + (" whose " + _and(parts) if parts else "")


def _the(name: str) -> str:
    return name if name.lower().startswith("the ") else "the " + name


def _and(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def words(name: str) -> str:
    return name.replace("_", " ")


def _first_sentence(doc: str) -> str:
    text = " ".join(doc.split())
    head = text.split(". ")[0].rstrip(".")
    return head[:1].lower() + head[1:]


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True)
