"""A question the user asks besides the change: a chain that ends in a read whose answer the agent
must say (`communicate`, and tau2's `communicate_info` with the `COMMUNICATE` basis).

The user asks about another row of theirs of the target's entity, told apart by a description
(`the order with the Desk Lamp`): a text field of it that no earlier step shows, that no other row
of the user shares and that is no tool's parameter (the user could not be asked to give it), such
as a shipment's tracking id. The witness then has to read that row, after the write: the
prover's witness builder inserts the read that shows the answer.
"""

from __future__ import annotations

import random
from typing import Any

from ..prove.model import DomainModel
from .describe import LABELS, Describer
from .ground import Grounded
from .instruction import describe_fact, words

SHARE = 0.25   # the share of candidates whose user also asks a question


def question(model: DomainModel, describer: Describer, data: dict, grounded: Grounded,
             owner: tuple[str, str] | None, outputs: str, rng: random.Random) -> dict | None:
    """{"fact": name, "about": description, "field": name, "answer": text}, or None."""
    entity, target = grounded.target
    if owner is None or entity == owner[0] or rng.random() >= SHARE:
        return None
    siblings = describer.owned(data, entity, owner)
    params = {p.name for t in model.ir.tools for p in t.params} | {p.name[:-1] for t in model.ir.tools
                                                                    for p in t.params if p.name.endswith("_ids")}
    for key, row in sorted(siblings.items()):
        if key == target:
            continue
        said = _named_only(describer, data, entity, key, row, siblings)
        if said is None:
            continue
        others = [_leaves(r) for k, r in siblings.items() if k != key]
        for name, value in _leaves(row):
            if name in params or value.lower() in outputs or any(value in [v for _, v in o] for o in others):
                continue
            return {"fact": "other_" + entity.lower(), "about": said, "field": name, "answer": value}
    return None


def ask_text(asked: dict) -> str:
    """The question in the user's voice: "You also want to know the tracking id of the other order:
    the one with the Desk Lamp." """
    about = describe_fact(asked["fact"], asked["about"])
    return "You also want to know the " + words(asked["field"]) + " of " + about.replace(" is the one", ", the one", 1) + "."


def _named_only(describer: Describer, data, entity, key, row, siblings) -> dict | None:
    """A description by names alone (`with`): the status may change, a name does not."""
    for feature in describer.features(data, entity, row):
        if feature[0] != "with":
            continue
        said = {"with": [feature[1]]}
        if [k for k, r in siblings.items() if describer.matches(data, entity, r, said)] == [key]:
            return said
    return None


def _leaves(row: dict) -> list[tuple[str, str]]:
    """(field, text) of a row's own text fields and of its members' (a shipment's tracking ids), in
    field order; not a member's name or its options, which describe it rather than answer."""
    found = []
    for name, value in sorted(row.items()):
        found += _texts(name, value)
        for member in (value if isinstance(value, list) else []):
            if isinstance(member, dict):
                found += [leaf for k, v in sorted(member.items()) if k not in LABELS for leaf in _texts(k, v)]
    return found


def _texts(name: str, value: Any) -> list[tuple[str, str]]:
    if isinstance(value, str):
        return [(name, value)]
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return [(name, value[0])] if len(value) == 1 else []
    return []
