"""Distractors: rows close to the target that a careless agent would pick.

`overlay` synthesizes one when the data holds none for an order-like target: a copy of the target
under a fresh key, owned by the same user, with the same members but another value of an enum
field (another order of the same user with the same product, already delivered). The copy goes in
the task's `initial` overlay, with the owner's list of its rows extended; the description of the
target is made after it, so the copy is told apart (`the one with the Laptop whose status is
pending`), and the task is proved with the overlay.

`count` counts the near rows in the data the task starts from (overlay included):
- rows of the user of the target's entity sharing a feature with it (a product, a status);
- members of the target with a chosen member's name but another key (a second T-Shirt);
- variants of the new item's product that differ from it in exactly one option;
- entries of the chosen map entry's map sharing a text field with it (a second gift card).
"""

from __future__ import annotations

import random
from ..prove.model import DomainModel
from .describe import Describer, at_path
from .ground import Grounded

SHARE = 0.5   # the share of order-like targets without a near row that get a synthesized one


def overlay(model: DomainModel, describer: Describer, data: dict, grounded: Grounded,
            owner: tuple[str, str] | None, rng: random.Random) -> dict:
    """A synthesized sibling of the target, as an `initial` overlay; {} when none is made."""
    entity, key = grounded.target
    if owner is None or entity == owner[0] or rng.random() >= SHARE:
        return {}
    collection = model.collection(entity)
    row = data[collection][key]
    siblings = describer.owned(data, entity, owner)
    mine = set(describer.features(data, entity, row))
    if key not in siblings or any(k != key and mine & set(describer.features(data, entity, r))
                                  for k, r in siblings.items()):
        return {}   # the data already holds a near row
    enum_field, others = _other_enum_values(model, entity, row)
    if enum_field is None:
        return {}
    fresh = _fresh_key(key, data[collection], rng)
    copy = {**row, model.key_field(entity): fresh, enum_field: rng.choice(others)}
    result = {collection: {fresh: copy}}
    owner_collection = model.collection(owner[0])
    owner_row = data[owner_collection][owner[1]]
    for name, value in sorted(owner_row.items()):
        if isinstance(value, list) and key in value:   # the owner lists its rows: list the copy too
            result[owner_collection] = {owner[1]: {name: value + [fresh]}}
    return result


def count(model: DomainModel, describer: Describer, data: dict, grounded: Grounded,
          owner: tuple[str, str] | None) -> int:
    entity, key = grounded.target
    total = 0
    row = data[model.collection(entity)][key]
    if owner is not None and entity != owner[0]:
        mine = set(describer.features(data, entity, row))
        total += sum(1 for k, r in describer.owned(data, entity, owner).items()
                     if k != key and mine & set(describer.features(data, entity, r)))
    tool = model.tools[grounded.tool]
    chosen: list[dict] = []
    for param in tool.params:
        domain = model.param_domain(tool.name, param.name)
        value = grounded.arguments.get(param.name)
        values = value if isinstance(value, list) else [value]
        if domain.source == "member-keys" and domain.entity == entity:
            members = [m for m in (at_path(row, domain.path[:-1]) or []) if isinstance(m, dict)]
            field = domain.path[-1]
            for wanted in values:
                member = next((m for m in members if m.get(field) == wanted), None)
                if member is not None:
                    chosen.append(member)
                    total += sum(1 for m in members if m.get(field) != wanted and m.get("name") == member.get("name"))
        elif domain.source == "map-keys":
            total += sum(_near_entries(model, data, grounded, domain, wanted) for wanted in values)
    return total


def _near_entries(model, data, grounded, domain, wanted) -> int:
    for row in _holders(model, data, grounded, domain.entity):
        entries = at_path(row, domain.path)
        if isinstance(entries, dict) and isinstance(entries.get(wanted), dict):
            entry = entries[wanted]
            return sum(1 for k, other in entries.items() if k != wanted and isinstance(other, dict)
                       and _one_apart(entry, other, wanted))
    return 0


def _holders(model, data, grounded, entity: str):
    """The row near the target first (the one that usually holds the entry), then every row in
    key order, sorted only if the near row does not do."""
    near = grounded.related.get(entity)
    if near is not None:
        yield near
    yield from (row for _, row in sorted(data.get(model.collection(entity), {}).items()))


def _one_apart(entry: dict, other: dict, wanted: str) -> bool:
    """A variant one option away, or an entry sharing a text field (a second gift card)."""
    nested = [k for k, v in entry.items() if isinstance(v, dict)]
    if nested:
        return any(isinstance(other.get(k), dict) and set(other[k]) == set(entry[k])
                   and sum(other[k][n] != v for n, v in entry[k].items()) == 1 for k in nested)
    texts = {(k, v) for k, v in entry.items() if isinstance(v, str) and v != wanted}
    return any((k, v) in texts for k, v in other.items())


def _other_enum_values(model: DomainModel, entity: str, row: dict) -> tuple[str | None, list[str]]:
    for field in model.ir.entity(entity).fields:
        if field.type.kind == "enum" and isinstance(row.get(field.name), str):
            values = [v for v in model.ir.type_def(field.type.name).values if v != row[field.name]]
            if values:
                return field.name, values
    return None, []


def _fresh_key(key: str, table: dict, rng: random.Random) -> str:
    """A key shaped like `key` (its digits redrawn) that no row has."""
    for _ in range(50):
        fresh = "".join(str(rng.randrange(10)) if c.isdigit() else c for c in key)
        if fresh not in table:
            return fresh
    return key + "_copy"

