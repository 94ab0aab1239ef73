"""What the user knows: root facts only, never a value a tool returns.

The start is how the user names themself: the fields of the target's related rows that a lookup
read (a read whose parameters are all free values, such as an email or a name and zip) takes.
The choices of the write (a reason, an address, a payment method, the items) are the user's too.
A keyed target the reads cannot reach is added when the witness reports it missing (`proofs`).
"""

from __future__ import annotations

import json
import random
from typing import Any

from ..prove.model import DomainModel
from .ground import Grounded


def identity_facts(model: DomainModel, grounded: Grounded, rng: random.Random,
                   choices: dict[str, Any]) -> tuple[dict[str, Any], tuple[str, str] | None]:
    """One lookup read's arguments, taken from the related rows, and the (entity, key) of the row
    they name (the user's own); empty and None when no lookup fits.
    A lookup whose fact shares a name with a choice but not its value (an identity zip and a new
    address's zip) is skipped: `knows` holds one value per name."""
    options = []
    for tool in model.read_tools:
        names = [p.name for p in tool.params]
        if not names or any(model.param_domain(tool.name, n).source != "free" for n in names):
            continue
        for entity, row in grounded.related.items():
            found = {n: _field(row, n) for n in names}
            if all(v is not None and choices.get(n, v) == v for n, v in found.items()):
                options.append((found, (entity, row.get(model.key_field(entity)))))
                break
    if not options:
        return {}, None
    facts, owner = rng.choice(options)
    return dict(facts), owner


def choice_facts(model: DomainModel, grounded: Grounded) -> dict[str, Any]:
    """The write's arguments that are the user's choice: enums, choice lists and free values."""
    return {name: value for name, value in grounded.arguments.items()
            if model.param_domain(grounded.tool, name).source in ("enum", "choices", "free")}


def _field(row: dict, name: str) -> Any:
    """The field `name` of a row, or of a record inside it (a user's `name.first_name`)."""
    if name in row and not isinstance(row[name], (dict, list)):
        return row[name]
    for value in row.values():
        if isinstance(value, dict) and name in value and not isinstance(value[name], (dict, list)):
            return value[name]
    return None


def used_facts(knows: dict[str, Any], steps: list) -> dict[str, Any]:
    """The facts some witness step takes as an argument (or an element of one); the rest are noise."""
    used = set()
    for step in steps:
        for value in step.call.arguments.values():
            for item in (value if isinstance(value, list) else [value]):
                used.add(json.dumps(item, sort_keys=True))
    return {name: value for name, value in knows.items()
            if json.dumps(value, sort_keys=True) in used
            or (isinstance(value, list) and all(json.dumps(v, sort_keys=True) in used for v in value))}
