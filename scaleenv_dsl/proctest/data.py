"""A picture of an environment's state, read to choose inputs, and the values found in it.

A `View` is the data as JSON (never the env's live objects); `Pools` index the values inputs are
drawn from: each entity's keys, the keys inside rows a `ref User.payment_methods` parameter takes,
and every field's values by field name, so that a free parameter called `zip` is tried with the
zip codes the data holds. `related_rows` follows references from chosen rows, so that an order's
payment method is looked for among its own user's payment methods.
"""

from __future__ import annotations

import json
from typing import Iterator

from .. import ir

MAX_DEPTH = 8          # how deep values are searched, for types that nest
POOL_CAP = 400         # values kept per pool: enough to choose from, bounded on a large database
RELATED_DEPTH = 2      # reference hops followed from a chosen row


class View:
    """The state as JSON: {collection: {key: row}}, with the entity of each collection."""

    def __init__(self, domain: ir.Domain, data: dict, schema: "Schema | None" = None):
        self.domain = domain
        self.data = data
        self.schema = schema or Schema(domain)
        self._refs: dict[tuple[str, str], list] = {}  # rows never change in a view: what they refer to neither

    @classmethod
    def of(cls, env) -> "View":
        # rows as tools and `env.changes()` give them: a keyless row with its key field
        return cls(env.domain.ir, ir.keyed_rows(env.domain.keyless, json.loads(env.dump(indent=None))))

    def after(self, changes: dict) -> "View":
        """This view with `env.changes()`-shaped changes applied (rows are shared, never changed)."""
        data = dict(self.data)
        for collection, rows in changes.get("changed", {}).items():
            data[collection] = {**data.get(collection, {}), **rows}
        for collection, keys in changes.get("removed", {}).items():
            gone = set(keys)
            data[collection] = {k: v for k, v in data.get(collection, {}).items() if k not in gone}
        return View(self.domain, data, self.schema)

    def refs(self, entity: str, key: str) -> list[tuple[str, str]]:
        """(entity, key) of every row the row `key` of `entity` refers to."""
        if (entity, key) not in self._refs:
            row = self.row(entity, key)
            self._refs[(entity, key)] = [] if row is None else list(self.schema.refs(entity, row))
        return self._refs[(entity, key)]

    def rows(self, entity: str) -> dict:
        return self.data.get(self.domain.entity(entity).collection, {})

    def row(self, entity: str, key) -> dict | None:
        row = self.rows(entity).get(key) if isinstance(key, str) else None
        return row if isinstance(row, dict) else None


# ---------------------------------------------------------------- values inside rows

def follow(value, path: tuple[str, ...]) -> Iterator:
    """The values at `path` from `value`, through the members of every list on the way."""
    if not path:
        yield value
        return
    if isinstance(value, list):
        for item in value:
            yield from follow(item, path)
    elif isinstance(value, dict) and path[0] in value:
        yield from follow(value[path[0]], path[1:])


def domain_values(row: dict, source: ir.ParamDomain) -> Iterator:
    """What a `map-keys` or `member-keys` parameter may take from one row."""
    for found in follow(row, source.path):
        if source.source == "map-keys" and isinstance(found, dict):
            yield from found.keys()
        elif source.source == "member-keys" and isinstance(found, str):
            yield found
        elif source.source == "member-keys" and isinstance(found, list):
            yield from (v for v in found if isinstance(v, str))


def named_values(value, depth: int = 0) -> Iterator[tuple[str, object]]:
    """(field name, value) for every field at any depth, the value of a nested record included."""
    if depth > MAX_DEPTH:
        return
    if isinstance(value, dict):
        for name, inner in value.items():
            yield name, inner
            yield from named_values(inner, depth + 1)
    elif isinstance(value, list):
        for inner in value:
            yield from named_values(inner, depth + 1)


class Schema:
    """Where, in a row of each entity, its references and its maps are: found once from the types."""

    def __init__(self, domain: ir.Domain):
        self.domain = domain
        self._paths: dict[str, list[tuple[tuple[str, ...], str, str | None]]] = {}
        # id(row) -> (row, its facts): a view's rows are never changed, and holding the row keeps its id its own
        self._facts: dict[int, tuple[dict, tuple]] = {}

    def facts(self, entity: str, row: dict) -> tuple[list, list, list]:
        """What one row holds for choosing inputs: (field name, value) pairs, numbers, map keys."""
        cached = self._facts.get(id(row))
        if cached is None or cached[0] is not row:
            named = list(named_values(row))
            numbers = [v for _, v in named if type(v) in (int, float)]
            cached = (row, (named, numbers, list(self.map_keys(entity, row))))
            self._facts[id(row)] = cached
        return cached[1]

    def refs(self, entity: str, row: dict) -> Iterator[tuple[str, str]]:
        for steps, kind, target in self.paths(entity):
            if kind == "ref":
                yield from ((target, v) for v in at_path(row, steps) if isinstance(v, str))

    def map_keys(self, entity: str, row: dict) -> Iterator[str]:
        """The keys of every map inside `row`: what a free parameter naming one of them may take."""
        for steps, kind, _ in self.paths(entity):
            if kind == "map":
                for found in at_path(row, steps):
                    if isinstance(found, dict):
                        yield from found.keys()

    def paths(self, entity: str) -> list[tuple[tuple[str, ...], str, str | None]]:
        """(steps, "ref" or "map", the entity referred to): a step is a field name, or "*" for the
        members of a list or the values of a map."""
        if entity not in self._paths:
            found: list = []
            self._collect(ir.TypeRef(kind="entity", name=entity), (), found, frozenset())
            self._paths[entity] = found
        return self._paths[entity]

    def _collect(self, t: ir.TypeRef, steps: tuple, found: list, seen: frozenset) -> None:
        if len(steps) > MAX_DEPTH:
            return
        kind = t.kind
        if kind == "optional":
            self._collect(t.args[0], steps, found, seen)
        elif kind == "ref" and not t.path:
            found.append((steps, "ref", t.name))
        elif kind in ("list", "map"):
            if kind == "map":
                found.append((steps, "map", None))
            self._collect(t.args[0], steps + ("*",), found, seen)
        elif kind in ("record", "entity", "union") and t.name not in seen:
            definition = self.domain.type_def(t.name)
            variants = definition.variants if isinstance(definition, ir.UnionDef) else (definition,)
            for field in {f.name: f for v in variants for f in v.fields}.values():
                self._collect(field.type, steps + (field.name,), found, seen | {t.name})


def at_path(value, steps: tuple[str, ...]) -> Iterator:
    """The values at `steps` from `value`; a "*" step goes through a list's members or a map's values."""
    if not steps:
        yield value
        return
    step, rest = steps[0], steps[1:]
    if step == "*":
        items = value if isinstance(value, list) else value.values() if isinstance(value, dict) else ()
        for item in items:
            yield from at_path(item, rest)
    elif isinstance(value, dict) and step in value:
        yield from at_path(value[step], rest)


def related_rows(view: View, anchors: list[tuple[str, str]]) -> dict[str, list[dict]]:
    """Entity -> rows reachable from `anchors` by references, the anchors first, up to RELATED_DEPTH hops."""
    found: dict[tuple[str, str], dict] = {}
    frontier = [a for a in anchors if view.row(*a) is not None]
    for _ in range(RELATED_DEPTH + 1):
        step = []
        for entity, key in frontier:
            if (entity, key) in found:
                continue
            row = view.row(entity, key)
            if row is None:
                continue
            found[(entity, key)] = row
            step.extend(view.refs(entity, key))
        frontier = step
    related: dict[str, list[dict]] = {}
    for (entity, _), row in found.items():
        related.setdefault(entity, []).append(row)
    return related


# ---------------------------------------------------------------- pools

class Pools:
    """Values to draw inputs from, indexed once per view."""

    def __init__(self, view: View):
        self.view = view
        self.keys = {e.name: list(view.rows(e.name))[:POOL_CAP * 10] for e in view.domain.entities}
        self._inside: dict[tuple, list] = {}
        self._named: dict[str, list] | None = None
        self._numbers: list | None = None

    @classmethod
    def near(cls, view: View, changed: dict) -> "Pools":
        """Pools of the rows in `changed` (env.changes() form) and of the rows those refer to: where
        the next call of a walk most likely acts, after a checkout, on the member and the book."""
        anchors = [(view.domain.entity_of_collection(c).name, k) for c, rows in changed.items() for k in rows]
        data = {}
        for entity, rows in related_rows(view, anchors).items():
            definition = view.domain.entity(entity)
            data[definition.collection] = {r[definition.key]: r for r in rows if isinstance(r.get(definition.key), str)}
        return cls(View(view.domain, data, view.schema))

    def numbers(self) -> list:
        """Numbers found anywhere in the data, for a numeric parameter no row is near."""
        if self._numbers is None:
            found = {n for values in self._named_index().values() for n in values if type(n) in (int, float)}
            self._numbers = sorted(found)[:POOL_CAP]
        return self._numbers

    def inside(self, source: ir.ParamDomain) -> list:
        """Every value a map-keys or member-keys parameter may take, from any row."""
        key = (source.entity, source.path, source.source)
        if key not in self._inside:
            values = dict.fromkeys(v for row in self.view.rows(source.entity).values()
                                   for v in domain_values(row, source))
            self._inside[key] = list(values)[:POOL_CAP]
        return self._inside[key]

    def named(self, name: str) -> list:
        """The values of every field called `name`, anywhere in the data."""
        return self._named_index().get(name, [])

    def _named_index(self) -> dict[str, list]:
        if self._named is None:
            self._named = self._index_named()
        return self._named

    def _index_named(self) -> dict[str, list]:
        buckets: dict[str, dict] = {}
        for rows in self.view.data.values():
            for row in rows.values():
                for field, value in named_values(row):
                    bucket = buckets.setdefault(field, {})
                    if len(bucket) < POOL_CAP:
                        bucket.setdefault(_identity(value), value)
        return {field: list(bucket.values()) for field, bucket in buckets.items()}


def _identity(value):
    """A hashable stand-in for a JSON value, telling 1 from 1.0 and True from 1."""
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True)
    return (type(value).__name__, value)
