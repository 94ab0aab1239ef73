"""The instruction: a deterministic template in the user's voice, in tau2's `user_scenario` parts
(reason for call, known info, unknown info, task instructions), from the knows and the goal.

Spec strings are only concatenated, never formatted: a doc is data, not a template.
"""

from __future__ import annotations

import json
from typing import Any

from .. import ir


def user_scenario(tool: ir.ToolDef, knows: dict[str, Any]) -> dict[str, str]:
    """tau2's `user_scenario.instructions` parts, in the user's voice."""
    reason = "You want the agent to " + _first_sentence(tool.doc or tool.name.replace("_", " ")) + "."
    known = "; ".join("your " + name.replace("_", " ") + " is " + _text(value) for name, value in knows.items())
    return {"reason_for_call": reason,
            "known_info": (known[:1].upper() + known[1:] + ".") if known else "Nothing beyond what you ask for.",
            "unknown_info": "You do not know any identifier the agent can look up for you.",
            "task_instructions": "Give the facts above when asked, confirm the change once, and end the "
                                 "conversation when it is done."}


def write_instruction(scenario: dict[str, str]) -> str:
    """The parts as one text, in the layout of tau2's retail instructions."""
    return ("Reason for call:\n\t" + scenario["reason_for_call"] + "\nKnown info:\n\t" + scenario["known_info"]
            + "\nUnknown info:\n\t" + scenario["unknown_info"] + "\nTask instructions:\n\t"
            + scenario["task_instructions"])


def _first_sentence(doc: str) -> str:
    text = " ".join(doc.split())
    head = text.split(". ")[0].rstrip(".")
    return head[:1].lower() + head[1:]


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True)
