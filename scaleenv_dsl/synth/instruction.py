"""The instruction: a deterministic template in the user's voice, in tau2's `user_scenario` parts
(reason for call, known info, unknown info, task instructions), from the knows and the goal.

Spec strings are only concatenated, never formatted: a doc is data, not a template.
"""

from __future__ import annotations

import json
from typing import Any

from .. import ir


def write_instruction(tool: ir.ToolDef, knows: dict[str, Any], steps: list) -> str:
    reason = "You want the agent to " + _first_sentence(tool.doc or tool.name.replace("_", " ")) + "."
    known = "; ".join("your " + name.replace("_", " ") + " is " + _text(value) for name, value in knows.items())
    return ("Reason for call:\n\t" + reason
            + "\nKnown info:\n\t" + (known + "." if known else "nothing beyond what you ask for.")
            + "\nUnknown info:\n\tYou do not know any identifier the agent can look up for you."
            + "\nTask instructions:\n\tGive the facts above when asked, confirm the change once, and "
            + "end the conversation when it is done.")


def _first_sentence(doc: str) -> str:
    text = " ".join(doc.split())
    head = text.split(". ")[0].rstrip(".")
    return head[:1].lower() + head[1:]


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True)
