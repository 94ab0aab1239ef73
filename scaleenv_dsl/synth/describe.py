"""Which rows the user means, said the way a user would say it, and checked to mean only those.

A write's keyed arguments (an order, its items, the new items, a payment method) are the user's
choices, but the user knows them as things, not ids: "the order with the Laptop", "the T-Shirt in
size M", "the same one in size L", "my PayPal account". Each choice becomes a `knows` fact named
after the parameter without its `_id`/`_ids` (`order`, `items`, `new_items`, `payment_method`):

- a target row (`keys`): the fewest user-visible features that no other row of the user has:
  names of its members and of rows it refers to (`with`), and its enum fields (`status`). When
  none single it out, the user gives its key: a user knows their own order id (as in tau2);
- a member of the target (`member-keys`): its name, with its options when the name is shared;
- an entry of a map (`map-keys`): a variant of the product of the item it replaces is told by
  the options that differ (`changed`); any other entry by the fewest of its text fields that no
  other entry of the map has (a card's `brand`, `last_four`).

A choice no description singles out raises `Ambiguous`: the candidate is rejected, so every
emitted instruction determines its goal state.
"""

from __future__ import annotations

import random
from itertools import combinations
from typing import Any

from ..prove.model import DomainModel
from .ground import Grounded

LABELS = ("name", "title")


class Ambiguous(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def fact_name(param: str) -> str:
    """`order_id` -> `order`, `new_item_ids` -> `new_items`."""
    if param.endswith("_ids"):
        return param[:-4] + "s"
    return param[:-3] if param.endswith("_id") else param


def merged(data: dict, overlay: dict) -> dict:
    """The data with the overlay merged as `initial` is (rows field by field, nested objects
    recursively, lists replaced); collections the overlay leaves alone are shared, not copied."""
    if not overlay:
        return data
    view = dict(data)
    for collection, rows in overlay.items():
        table = dict(view.get(collection, {}))
        for key, row in rows.items():
            table[key] = _merge(table.get(key), row)
        view[collection] = table
    return view


def _merge(old: Any, new: Any) -> Any:
    if isinstance(old, dict) and isinstance(new, dict):
        return {**old, **{k: _merge(old.get(k), v) for k, v in new.items()}}
    return new


class Describer:
    def __init__(self, model: DomainModel, base: dict | None = None):
        """`base` is the data most views are the base of: its ownership is indexed once."""
        self.model = model
        self.base = base or {}
        self._index: dict[str, dict[Any, list[str]]] = {}
        self._enum_fields = {e.name: [f.name for f in e.fields if f.type.kind == "enum"] for e in model.ir.entities}
        self._owner_refs = {e.name: [(f.name, f.type.name) for f in e.fields if f.type.kind == "ref" and not f.type.path]
                            for e in model.ir.entities}

    # ------------------------------------------------------------ the facts
    def describe(self, data: dict, grounded: Grounded, owner: tuple[str, str] | None, knows: dict,
                 rng: random.Random, key_share: float = 0.0) -> dict[str, Any]:
        """The description facts of the write's keyed arguments. `owner` is the user's own row
        (entity, key) that the identity facts name; `key_share` of the targets are given by key."""
        tool = self.model.tools[grounded.tool]
        facts: dict[str, Any] = {}
        members: dict[str, list[dict]] = {}   # a member-keys parameter -> the members chosen
        for param in tool.params:
            domain = self.model.param_domain(tool.name, param.name)
            value = grounded.arguments.get(param.name)
            if value is None or param.name in knows:
                continue
            if domain.source == "keys" and domain.entity:
                if owner is None or (domain.entity, value) == owner:
                    continue   # the identity names it, or with no identity the user gives the key
                facts.update(self._target(data, domain.entity, value, owner, param.name, rng, key_share))
            elif domain.source == "member-keys":
                chosen, said = self._members(data, grounded, domain, value, param.name)
                members[param.name] = chosen
                facts[fact_name(param.name)] = said
            elif domain.source == "map-keys":
                replaced = next(iter(members.values()), None)
                facts[fact_name(param.name)] = self._entries(data, grounded, domain, value, replaced, param.name)
        return facts

    # ------------------------------------------------------------ target rows
    def owned(self, data: dict, entity: str, owner: tuple[str, str] | None) -> dict[str, dict]:
        """The rows of `entity` that belong to the owner (refer to it, or are listed by it)."""
        table = data.get(self.model.collection(entity), {})
        if owner is None:
            return table
        refs = [name for name, target in self._owner_refs.get(entity, ()) if target == owner[0]]
        if refs:
            return {k: table[k] for k in self._owned_keys(table, entity, refs, owner[1])}
        owner_row = data.get(self.model.collection(owner[0]), {}).get(owner[1], {})
        listed = {k: r for k, r in table.items() if k in _top_scalars(owner_row)}
        return listed or table   # rows the owner has no tie to (a library's books) are all candidates

    def _owned_keys(self, table: dict, entity: str, refs: list[str], owner: Any) -> list[str]:
        """The keys of the rows whose `refs` name the owner: the base's index, with the rows an
        overlay changed or added (rows not shared with the base) looked at again."""
        base = self.base.get(self.model.collection(entity), {})
        if entity not in self._index:
            index: dict[Any, list[str]] = {}
            for key, row in base.items():
                for value in {row.get(n) for n in refs}:
                    index.setdefault(value, []).append(key)
            self._index[entity] = index
        keys = {k for k in self._index[entity].get(owner, ()) if k in table}
        if table is not base:
            for key, row in table.items():
                if base.get(key) is not row:
                    (keys.add if any(row.get(n) == owner for n in refs) else keys.discard)(key)
        return sorted(keys)

    def features(self, data: dict, entity: str, row: dict) -> list[tuple[str, Any]]:
        """What a user sees of a row: the names of its members and of the rows it refers to, and its
        enum fields. Sorted, so that choices are reproducible."""
        found = set()
        for name, value in row.items():
            if isinstance(value, list):
                found.update(("with", _label(m)) for m in value if isinstance(m, dict) and _label(m))
        for name, target in self._owner_refs.get(entity, ()):
            referred = data.get(self.model.collection(target), {}).get(row.get(name))
            if isinstance(referred, dict) and _label(referred):
                found.add(("with", _label(referred)))
        found.update((f, row[f]) for f in self._enum_fields.get(entity, ()) if isinstance(row.get(f), str))
        return sorted(found)

    def matches(self, data: dict, entity: str, row: dict, said: dict) -> bool:
        have = self.features(data, entity, row)
        names = {v for k, v in have if k == "with"}
        return set(said.get("with", ())) <= names and all(
            (k, v) in have for k, v in said.items() if k != "with")

    def _target(self, data, entity, key, owner, param, rng, key_share) -> dict[str, Any]:
        siblings = self.owned(data, entity, owner)
        row = siblings.get(key) or data.get(self.model.collection(entity), {}).get(key)
        said = None if rng.random() < key_share or row is None else self._fewest(data, entity, key, row, siblings, rng)
        return {param: key} if said is None else {fact_name(param): said}

    def _fewest(self, data, entity, key, row, siblings, rng) -> dict | None:
        features = self.features(data, entity, row)
        # a sibling matches what is said when it has every feature said (as `matches` decides)
        seen = {k: set(self.features(data, entity, r)) for k, r in siblings.items()}
        for size in (1, 2):
            unique = [_said(c) for c in combinations(features, size)
                      if [k for k, have in seen.items() if have.issuperset(c)] == [key]]
            if unique:
                return rng.choice(unique)
        return None

    # ------------------------------------------------------------ members of the target
    def _members(self, data, grounded, domain, value, param) -> tuple[list[dict], Any]:
        row = data[self.model.collection(domain.entity)][grounded.target[1]] \
            if domain.entity == grounded.target[0] else grounded.related.get(domain.entity, {})
        holder = at_path(row, domain.path[:-1])
        members = [m for m in holder if isinstance(m, dict)] if isinstance(holder, list) else []
        field = domain.path[-1]
        chosen, said = [], []
        for wanted in (value if isinstance(value, list) else [value]):
            member = next((m for m in members if m.get(field) == wanted), None)
            if member is None or not _label(member):
                raise Ambiguous(f"undescribed-{fact_name(param)}")
            short = {"name": _label(member)}
            full = {**short, **{k: v for k, v in sorted(member.items()) if isinstance(v, dict)}}
            for candidate in (short, full):
                if {m.get(field) for m in members if member_matches(m, candidate)} == {wanted}:
                    break
            else:
                raise Ambiguous(f"ambiguous-{fact_name(param)}")
            chosen.append(member)
            said.append(candidate)
        return chosen, said if isinstance(value, list) else said[0]

    # ------------------------------------------------------------ entries of a map
    def _entries(self, data, grounded, domain, value, replaced: list[dict] | None, param) -> Any:
        said = []
        values = value if isinstance(value, list) else [value]
        for index, wanted in enumerate(values):
            key, row = self._holder(data, grounded, domain, wanted)
            entries = at_path(row, domain.path) or {}
            old = replaced[index] if replaced and index < len(replaced) else None
            if old is not None and key in _top_scalars(old):
                said.append(self._variant(entries, wanted, old, row, param))
            else:
                said.append(self._entry(entries, wanted, param))
        return said if isinstance(value, list) else said[0]

    def _holder(self, data, grounded, domain, wanted) -> tuple[str, dict]:
        """The row whose map holds `wanted`: the target's near row first, then the first by key
        (sorted only when the near row does not hold it)."""
        table = data.get(self.model.collection(domain.entity), {})
        for key, row in _near_first(table, grounded.related.get(domain.entity)):
            if wanted in (at_path(row, domain.path) or {}):
                return key, row
        raise Ambiguous(f"undescribed-{domain.entity}")

    def _variant(self, entries: dict, wanted, old: dict, product: dict, param) -> dict:
        """The entry told by how it differs from the item it replaces: "the same one in size L"."""
        new = entries[wanted]
        nested = sorted(k for k, v in new.items() if isinstance(v, dict) and isinstance(old.get(k), dict))
        changed = {k: {n: v for n, v in sorted(new[k].items()) if old[k].get(n) != v} for k in nested}
        if any(set(new[k]) != set(old[k]) for k in nested) or \
                [e for e, v in sorted(entries.items()) if variant_matches(v, old, changed)] != [wanted]:
            raise Ambiguous(f"ambiguous-{fact_name(param)}")
        return {"name": _label(product) or _label(old), "changed": changed}

    def _entry(self, entries: dict, wanted, param) -> dict:
        entry = entries.get(wanted)
        texts = sorted((k, v) for k, v in entry.items() if isinstance(v, str) and v != wanted) \
            if isinstance(entry, dict) else []
        for size in range(1, len(texts) + 1):
            for combo in combinations(texts, size):
                said = dict(combo)
                if [e for e, v in sorted(entries.items()) if _has_all(v, said)] == [wanted]:
                    return said
        raise Ambiguous(f"ambiguous-{fact_name(param)}")


def at_path(row: Any, path: tuple[str, ...]) -> Any:
    """The value at `path` of nested records, or None where it leaves them."""
    for step in path:
        row = row.get(step) if isinstance(row, dict) else None
    return row


def member_matches(member: dict, said: dict) -> bool:
    return _label(member) == said["name"] and all(member.get(k) == v for k, v in said.items() if k != "name")


def variant_matches(entry: dict, old: dict, changed: dict) -> bool:
    return all(isinstance(entry.get(k), dict) and entry[k] == {**old[k], **diff} for k, diff in changed.items())


def _has_all(entry: Any, said: dict) -> bool:
    return isinstance(entry, dict) and all(entry.get(k) == v for k, v in said.items())


def _said(combo: tuple) -> dict:
    said: dict[str, Any] = {}
    for kind, value in combo:
        if kind == "with":
            said.setdefault("with", []).append(value)
        else:
            said[kind] = value
    return said


def _near_first(table: dict, near: dict | None):
    """(key, row) of the table: the row that is `near` first, then every row by key (sorted only
    when the caller asks for more than the near row)."""
    if near is not None:
        yield from ((key, row) for key, row in table.items() if row is near)
    yield from sorted(table.items())


def _label(row: dict) -> str | None:
    return next((row[n] for n in LABELS if isinstance(row.get(n), str)), None)


def _top_scalars(row: dict) -> set:
    found = set()
    for value in row.values():
        for item in (value if isinstance(value, list) else [value]):
            if isinstance(item, (str, int)) and not isinstance(item, bool):
                found.add(item)
    return found
