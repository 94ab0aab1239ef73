"""Candidate arguments for one tool, drawn from the data and the parameter domains.

A call is built parameter by parameter. Keys of entities come first: they choose rows (anchors),
and the rows those refer to are where the other parameters look first, so that an order's items
and its user's payment methods go together. Enum and `choices` parameters take their values,
now and then one that is not among them. A free parameter takes the values of fields with its
name, its example, the constants of the tool's conditions and the numbers of the chosen rows, each
give or take one, so that a comparison is tried on both sides of its boundary.

`variations` changes one argument of a call at a time: from a call that succeeds, most of them
trip exactly one guard, which is how the search finds the failing side of each.
"""

from __future__ import annotations

import datetime as _dt
import random
from dataclasses import dataclass
from functools import lru_cache

from .. import ir
from .analysis import message_ids
from .data import Pools, View, domain_values, related_rows

MISSING_KEY = "zz-no-such-key"   # a key no generated data holds: the not-found side of a lookup
JUNK = "zz-not-a-value"
PER_GROUP = 4                    # values of each group tried per parameter in the variations of a call
MEMO_CAP = 20_000
LIST_LENGTHS = (0, 1, 1, 1, 2)   # of the lists in one random call


class InputMaker:
    def __init__(self, domain: ir.Domain, tool: ir.ToolDef, view: View, pools: Pools, rng: random.Random,
                 recent: Pools | None = None):
        self.domain = domain
        self.tool = tool
        self.view = view
        self.pools = pools
        self.recent = recent  # the rows changed since the start: their keys are preferred as often as others
        self.rng = rng
        self.sources = {p.param: p for p in tool.contract.params} if tool.contract else {}
        self.strings, self.numbers = tool_constants(tool)
        self.row_entity = _row_entity(domain, tool, self.sources)
        # memos: the same few rows are chosen again and again
        self._related: dict[tuple, dict] = {}
        self._grouped: dict[tuple, list[list]] = {}
        self._row_facts: dict[int, RowFacts] = {}

    # ------------------------------------------------------------ whole calls
    def call(self) -> dict:
        """A random call. List parameters share one length, as lists walked together by `zip` must."""
        length = self.rng.choice(LIST_LENGTHS)
        args: dict = {}
        anchors: list[tuple[str, str]] = []
        for param in self.tool.params:
            if self.source(param).source == "keys":
                args[param.name] = self._pick(param, tuple(anchors), length)
                anchors += self._anchors_of(param, args[param.name])
        if not anchors and self.row_entity is not None:  # free parameters read from one row, together
            keys = self.pools.keys.get(self.row_entity) or [None]
            anchors = [(self.row_entity, self.rng.choice(keys))]
        for param in self.tool.params:
            if param.name not in args:
                args[param.name] = self._pick(param, tuple(anchors), length)
        return args

    def variations(self, args: dict) -> list[dict]:
        """Calls that differ from `args` in one argument, each parameter's alternatives in turn."""
        anchors = tuple(a for p in self.tool.params for a in self._anchors_of(p, args.get(p.name)))
        out = [{**args, param.name: value} for param in self.tool.params
               for value in self.alternatives(param, args.get(param.name), anchors)]
        self.rng.shuffle(out)
        return out

    def wrong_types(self) -> list[tuple[str, dict]]:
        """(parameter, a call whose value for it has the wrong JSON type): the argument guards' failures."""
        base = self.call()
        return [(p.name, {**base, p.name: wrong_type(p.type)}) for p in self.tool.params]

    # ------------------------------------------------------------ one parameter
    def source(self, param: ir.ParamDef) -> ir.ParamDomain:
        return self.sources.get(param.name) or ir.ParamDomain(param=param.name, source="free")

    def alternatives(self, param: ir.ParamDef, current, anchors: tuple) -> list:
        """Other values for one parameter: a few from each group, so that the rows nearby are
        never crowded out by the data at large, and the values just around the current one."""
        element = self.source(param).element
        candidates = []
        for group in self._groups(param, anchors):
            picked = self.rng.sample(group, min(PER_GROUP, len(group)))
            candidates += [[v] for v in picked] if element else picked
        candidates += _nearby(current) + ([[]] if element else [])
        if param.type.kind == "optional":
            candidates.append(None)
        unique = {repr(c): c for c in candidates if c != current or type(c) is not type(current)}
        return list(unique.values())

    def _pick(self, param: ir.ParamDef, anchors: tuple, length: int):
        if param.type.kind == "optional" and self.rng.random() < 0.2:
            return None
        groups = [g for g in self._groups(param, anchors) if g]
        if self.source(param).element:
            return [self.rng.choice(self.rng.choice(groups)) for _ in range(length)] if groups else []
        if not groups:
            return sample_of_type(self.domain, param.type, self.rng)
        return self.rng.choice(self.rng.choice(groups))

    def _anchors_of(self, param: ir.ParamDef, value) -> list[tuple[str, str]]:
        source = self.source(param)
        if source.source != "keys":
            return []
        return [(source.entity, k) for k in (value if isinstance(value, list) else [value]) if isinstance(k, str)]

    def related(self, anchors: tuple) -> dict:
        if anchors not in self._related:
            if len(self._related) > MEMO_CAP:
                self._related.clear()
                self._row_facts.clear()
            self._related[anchors] = related_rows(self.view, list(anchors))
        return self._related[anchors]

    def _groups(self, param: ir.ParamDef, anchors: tuple) -> list[list]:
        """Candidate values (for a list parameter, its items) in groups the choice weighs alike:
        the rows chosen and those they refer to, the data at large, the parameter's domain."""
        key = (param.name, anchors)
        if key not in self._grouped:
            if len(self._grouped) > MEMO_CAP:
                self._grouped.clear()
            self._grouped[key] = self._make_groups(param, self.related(anchors))
        return self._grouped[key]

    def _make_groups(self, param: ir.ParamDef, related: dict) -> list[list]:
        source = self.source(param)
        if source.source == "keys":
            key = self.domain.entity(source.entity).key
            return [[r.get(key) for r in related.get(source.entity, [])], self._recent_keys(source.entity),
                    self.pools.keys.get(source.entity, []), [MISSING_KEY]]
        if source.source in ("map-keys", "member-keys"):
            nearby = [v for row in related.get(source.entity, []) for v in domain_values(row, source)]
            return [nearby, nearby, self.pools.inside(source), [MISSING_KEY]]
        if source.source in ("enum", "choices"):
            return [list(source.values)] * 3 + ([[JUNK]] if source.source == "choices" else [])
        scalar = _item_type(param.type)
        return [[v for v in g if fits(v, scalar)] for g in self._free_groups(param, scalar, related)]

    def _free_groups(self, param: ir.ParamDef, scalar: ir.TypeRef, related: dict) -> list[list]:
        facts = self._facts(related)
        nearby = facts.named.get(param.name, [])
        example = ([] if param.example is None else [param.example]) + ([param.default] if param.has_default else [])
        if scalar.kind in ("int", "float"):
            numbers = facts.numbers or self.pools.numbers()
            edges = [n + d for n in self.numbers + numbers for d in (-1, 0, 1)]
            if scalar.kind == "float":  # a comparison with `fines + 0.001` has its boundary there
                steps = {0.01, *(abs(c) for c in self.numbers if 0 < abs(c) < 1)}
                edges += [round(n + d, 6) for n in numbers for step in steps for d in (-step, step)]
            return [nearby, example + [0, 1, -1], edges, self.pools.named(param.name)]
        if scalar.kind == "str":  # and strings as long as a `len(...)` comparison's constant, give or take one
            lengths = [_of_length(n + d, example) for n in self.numbers if type(n) is int and 0 <= n <= 20
                       for d in (-1, 0, 1) if n + d >= 0]
            return [nearby, facts.map_keys, example, self.pools.named(param.name), self.strings + ["", JUNK],
                    lengths]
        if scalar.kind == "bool":
            return [[True, False]]
        if scalar.kind in ("date", "datetime"):  # days around the domain's clock, as a booking's would be
            return [nearby, example, self.pools.named(param.name), _days_near(self.domain.clock, scalar.kind)]
        return [nearby, example, self.pools.named(param.name)]

    def _facts(self, related: dict) -> "RowFacts":
        key = id(related)  # `related` is memoised per anchors, so its identity stands for them
        if key not in self._row_facts:
            self._row_facts[key] = RowFacts.of(self.view, related)
        return self._row_facts[key]

    def _recent_keys(self, entity: str) -> list:
        return self.recent.keys.get(entity, []) if self.recent is not None else []


@dataclass
class RowFacts:
    """What the rows near a call hold, read once: values by field name, numbers, map keys."""
    named: dict[str, list]
    numbers: list
    map_keys: list

    @classmethod
    def of(cls, view: View, related: dict) -> "RowFacts":
        named: dict[str, list] = {}
        numbers, keys = [], []
        for entity, rows in related.items():
            for row in rows:
                pairs, row_numbers, row_keys = view.schema.facts(entity, row)
                for name, value in pairs:
                    named.setdefault(name, []).append(value)
                numbers += row_numbers
                keys += row_keys
        return cls(named, list(dict.fromkeys(numbers))[:200], list(dict.fromkeys(keys))[:200])


def _row_entity(domain: ir.Domain, tool: ir.ToolDef, sources: dict) -> str | None:
    """For a tool that takes no keys: the entity whose rows hold fields named like most of its
    parameters (`first_name`, `last_name`, `zip`), so that a call can take them all from one row."""
    if any(s.source == "keys" for s in sources.values()):
        return None
    names = {p.name for p in tool.params}
    best, best_count = None, 0
    for entity in domain.entities:
        count = len(names & field_names(domain, ir.TypeRef(kind="entity", name=entity.name)))
        if count > best_count:
            best, best_count = entity.name, count
    return best


def field_names(domain: ir.Domain, t: ir.TypeRef, seen: frozenset = frozenset()) -> set[str]:
    """The names of the fields of a type, at any depth."""
    if t.kind in ("optional", "list", "map"):
        return field_names(domain, t.args[0], seen)
    if t.kind not in ("record", "entity", "union") or t.name in seen:
        return set()
    definition = domain.type_def(t.name)
    variants = definition.variants if isinstance(definition, ir.UnionDef) else (definition,)
    names = set()
    for field in (f for v in variants for f in v.fields):
        names.add(field.name)
        names |= field_names(domain, field.type, seen | {t.name})
    return names


# ---------------------------------------------------------------- values by type

@lru_cache(maxsize=256)
def tool_constants(tool: ir.ToolDef) -> tuple[list[str], list[float]]:
    """The string and number constants in the tool's conditions and values, error messages left out."""
    strings, numbers = {}, {}
    in_messages = message_ids(tool.body)
    for node in ir.walk(tool.body):
        if isinstance(node, ir.Const) and id(node) not in in_messages:
            if isinstance(node.value, str):
                strings[node.value] = None
            elif type(node.value) in (int, float):
                numbers[node.value] = None
    return list(strings), list(numbers)


def _nearby(value) -> list:
    """Values just around `value`: a number give or take one (or a cent), a list one shorter or longer."""
    if type(value) is int:
        return [value - 1, value + 1, 0, -value]
    if type(value) is float:
        return [round(value - 0.01, 6), round(value + 0.01, 6), value - 1, value + 1, 0.0, -value]
    if type(value) is bool:
        return [not value]
    if type(value) is str:
        return ["", value + "x", value.upper() if value != value.upper() else value.lower()]
    if type(value) is list:
        out = [[]]
        if value:
            out += [value[:-1], value + value[-1:], list(reversed(value))]
        return out
    return []


def _of_length(n: int, example: list) -> str:
    """A string of `n` characters, cut from the example when there is one, so it still looks like one."""
    base = example[0] if example and isinstance(example[0], str) and example[0] else "a"
    return (base * (n // len(base) + 1))[:n]


def _days_near(clock: str | None, kind: str) -> list[str]:
    """Dates (or datetimes at the clock's time) from a week before the clock to a month after it."""
    start = _dt.datetime.fromisoformat(clock or "2024-03-01T09:00:00")
    days = [start + _dt.timedelta(days=d) for d in (-7, -1, 0, 1, 2, 7, 30)]
    return [d.date().isoformat() if kind == "date" else d.isoformat(timespec="seconds") for d in days]


def wrong_type(t: ir.TypeRef):
    """A JSON value the argument check of type `t` rejects."""
    inner = t.args[0] if t.kind == "optional" else t
    return "zz-wrong-type" if inner.kind in ("int", "float", "bool", "list", "map", "record", "union",
                                             "entity", "tuple") else 12345


def sample_of_type(domain: ir.Domain, t: ir.TypeRef, rng: random.Random, depth: int = 0):
    """Some value of type `t`, when the data offers none."""
    kind = t.kind
    if kind in ("optional", "none", "any") or depth > 6:
        return None
    if kind in ("str", "ref"):
        return "x"
    if kind in ("date", "datetime"):
        return _days_near(domain.clock, kind)[2]
    if kind in ("int", "float"):
        return 1
    if kind == "bool":
        return rng.random() < 0.5
    if kind == "list":
        return []
    if kind == "map":
        return {}
    definition = domain.type_def(t.name)
    if isinstance(definition, ir.EnumDef):
        return rng.choice(definition.values)
    if isinstance(definition, ir.UnionDef):
        variant = rng.choice(definition.variants)
        return {definition.tag: variant.name, **_sample_fields(domain, variant.fields, rng, depth)}
    return _sample_fields(domain, definition.fields, rng, depth)


def _sample_fields(domain, fields, rng, depth) -> dict:
    return {f.name: sample_of_type(domain, f.type, rng, depth + 1) for f in fields}


def fits(value, t: ir.TypeRef) -> bool:
    """A shallow check that `value` has the JSON kind of `t`: what keeps a pool's values useful."""
    kind = t.kind
    if kind == "optional":
        return value is None or fits(value, t.args[0])
    if kind in ("str", "ref", "enum", "date", "datetime"):
        return isinstance(value, str)
    if kind == "int":
        return type(value) is int
    if kind == "float":
        return type(value) in (int, float)
    if kind == "bool":
        return type(value) is bool
    if kind == "list":
        return isinstance(value, list)
    if kind in ("map", "record", "union", "entity"):
        return isinstance(value, dict)
    return True


def _item_type(t: ir.TypeRef) -> ir.TypeRef:
    """The type of one value a parameter takes: optional stripped, a list's item for a list."""
    t = t.args[0] if t.kind == "optional" else t
    return t.args[0] if t.kind == "list" else t
