"""Ground a seed write in the data: concrete arguments drawn from each parameter's IR domain,
kept only when the call succeeds on the compiled backend (the guards hold).

The target row is the first keyed parameter's row (an order, a user). Other parameters draw from
rows near it: a map or member list of the target itself, or of a row whose key appears in the
target or in the members already chosen (the user of an order, the product of an item).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from .. import dates, ir
from ..prove.model import DomainModel


@dataclass
class Grounded:
    tool: str
    arguments: dict[str, Any]
    target: tuple[str, str]             # (entity, key) of the target row
    related: dict[str, dict]            # entity -> the row near the target used for it


@dataclass
class Start:
    """Where a later write of a chain is grounded: the task's overlay, the writes before it (replayed
    to confirm), the state they leave, the keys its target may take, and the chain's earlier choices
    (reused under the same name, so that the user states each fact once)."""
    initial: dict
    calls: list[tuple[str, dict]]
    data: dict
    targets: list[str]
    prefer: dict[str, Any] = field(default_factory=dict)


class GroundFailure(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class Grounder:
    def __init__(self, model: DomainModel, data: dict, env):
        self.model = model
        self.data = data
        self.env = env
        self._keys = {e.name: sorted(data.get(model.collection(e.name), {})) for e in model.ir.entities}
        self._walked: dict[int, tuple[dict, list]] = {}   # id(row) -> (row, _fields(row))
        # parameters that key a row the tool inserts (a checkout's `loan_id`): always a fresh id
        self._new_keys = {id(p) for t in model.write_tools for p in t.params
                          for e in (t.contract.effects if t.contract else ())
                          if e.op == "insert" and isinstance(e.key, ir.Var) and e.key.name == p.name}

    def ground(self, tool_name: str, rng: random.Random, attempts: int = 8, start: Start | None = None) -> Grounded:
        """A call that succeeds from the untouched data, or with `start` after the chain's earlier
        writes (from its overlay); the last failure's reason when none does."""
        reason = "no-candidate"
        for _ in range(attempts):
            try:
                grounded = self._draw(self.model.tools[tool_name], rng, start)
            except GroundFailure as failure:
                reason = failure.reason
                continue
            if start is None:
                self.env.reset()
            else:
                self.replay(start.initial, start.calls)
            result = self.env.call(tool_name, grounded.arguments)
            if result.ok:
                return grounded
            reason = f"guard-fails: {result.error.message}"
        raise GroundFailure(reason)

    def replay(self, initial: dict, calls: list[tuple[str, dict]]) -> None:
        """The env at the task's start (the overlay merged), then `calls`, each of which must succeed."""
        self.env.reset(ir.TaskDef(name="synth_ground", initial=initial) if initial else None)
        for tool, arguments in calls:
            result = self.env.call(tool, arguments)
            if not result.ok:
                raise GroundFailure(f"earlier-write-fails: {result.error.message}")

    def anchor(self, tool: ir.ToolDef) -> ir.ParamDomain | None:
        """The target parameter's domain: the first parameter keyed by an entity's keys."""
        domains = (self.model.param_domain(tool.name, p.name) for p in tool.params)
        return next((d for d in domains if d.source == "keys" and d.entity), None)

    def _draw(self, tool: ir.ToolDef, rng: random.Random, start: Start | None) -> Grounded:
        data = self.data if start is None else start.data
        domains = [self.model.param_domain(tool.name, p.name) for p in tool.params]
        anchor = self.anchor(tool)
        if anchor is None:
            raise GroundFailure("no-target-parameter")
        keys = (self._keys.get(anchor.entity) or []) if start is None else start.targets
        if not keys:
            raise GroundFailure(f"no-{anchor.entity}-rows")
        key = rng.choice(keys)
        row = data[self.model.collection(anchor.entity)][key]
        related = {anchor.entity: row}
        context: list[dict] = [row]
        args: dict[str, Any] = {}
        prefer = start.prefer if start is not None else {}
        for param, domain in zip(tool.params, domains):
            if domain is anchor:
                args[param.name] = key
            elif param.name in prefer and _allowed(domain, prefer[param.name]):
                args[param.name] = prefer[param.name]
            else:
                args[param.name] = self._value(param, domain, rng, related, context, data)
        self._referenced(row, related, data)
        return Grounded(tool.name, args, (anchor.entity, key), related)

    def _referenced(self, row: dict, related: dict, data: dict) -> None:
        """The rows the target's own fields name (an order's user), for the user's identity."""
        for entity in sorted(self._keys):
            if entity in related:
                continue
            table = data.get(self.model.collection(entity), {})
            for name, value in sorted(row.items()):
                if isinstance(value, str) and value in table:
                    related[entity] = table[value]
                    break

    def _value(self, param: ir.ParamDef, domain: ir.ParamDomain, rng, related, context, data) -> Any:
        if domain.source in ("enum", "choices"):
            return rng.choice(list(domain.values))
        if domain.source == "free":
            return self._free(param, rng, related)
        row = self._near(domain.entity, rng, related, context, data)
        if domain.source == "keys":
            value = self.model.key_field(domain.entity) and row[self.model.key_field(domain.entity)]
            return [value] if domain.element else value
        holder = walk_path(row, domain.path[:-1] if domain.source == "member-keys" else domain.path)
        if domain.source == "map-keys":
            choices = sorted(holder) if isinstance(holder, dict) else []
        else:
            members = holder if isinstance(holder, list) else []
            choices = [m for m in members if isinstance(m, dict) and domain.path[-1] in m]
        if not choices:
            raise GroundFailure(f"empty-{domain.source}: {param.name}")
        picked = rng.choice(choices)
        if domain.source == "member-keys":
            context.insert(0, picked)   # the product of the chosen item is nearer than the order's others
            picked = picked[domain.path[-1]]
        return [picked] if domain.element else picked

    def _free(self, param: ir.ParamDef, rng, related: dict) -> Any:
        """A free value from the rows near the target where one fits (a fine's amount, a card's id,
        a day from a loan), else a fresh id or a day near the parameter's example."""
        seen = [] if id(param) in self._new_keys else \
            [v for row in related.values() for name, v in self._fields_of(row) if _fits_name(name, param.name)]
        kind = param.type.args[0].kind if param.type.kind == "optional" else param.type.kind
        if kind in ("date", "datetime"):
            return self._day(kind, seen, param.example, rng)
        example = param.example
        kind = type(example) if example is not None else (type(seen[0]) if seen else None)
        near = [v for v in seen if kind is not None and type(v) is kind and not isinstance(v, bool)]
        if isinstance(example, (int, float)) and not isinstance(example, bool):
            return rng.choice(near + [example, type(example)(example + rng.randrange(1, 30))])
        if isinstance(example, str):
            head = example.rstrip("0123456789")
            fresh = head + str(rng.randrange(10 ** (len(example) - len(head)))).zfill(len(example) - len(head)) \
                if head != example else example
            return rng.choice(near) if near and param.name.endswith("_id") else fresh
        if near and isinstance(near[0], str):
            return "new." + rng.choice(near)   # a changed value: the current one would change nothing
        if example is None:
            raise GroundFailure(f"free-parameter-without-example: {param.name}")
        return example

    def _fields_of(self, row: dict) -> list[tuple[str, Any]]:
        """`_fields(row)`, kept for rows drawn again: every free parameter of every draw walks the
        target's related rows. (The cache holds the row, so its id names no other row meanwhile.)"""
        cached = self._walked.get(id(row))
        if cached is None or cached[0] is not row:
            if len(self._walked) >= 10_000:
                self._walked.clear()
            cached = self._walked[id(row)] = (row, list(_fields(row)))
        return cached[1]

    def _day(self, kind: str, seen: list, example, rng) -> str:
        """A date a few days after one near the target (a changed day changes something), else
        after the example or the domain's clock: policies mostly ask for days ahead."""
        parse = dates.parse_date if kind == "date" else dates.parse_datetime
        starts = [v for v in [*seen, example] if parse(v) is not None]
        start = rng.choice(starts) if starts else self.model.ir.clock or "2024-03-01T09:00:00"
        if kind == "date":
            start = start[:10]
        shift = dates.add_days if kind == "date" else dates.add_days_datetime
        return shift(start, rng.randrange(1, 15))

    def _near(self, entity: str, rng, related: dict, context: list[dict], data: dict) -> dict:
        if entity in related:
            return related[entity]
        table = data.get(self.model.collection(entity), {})
        for holder in context:
            for value in scalars(holder):
                if isinstance(value, str) and value in table:
                    related[entity] = table[value]
                    return table[value]
        # the shared data's sorted keys, or the keys of the state a chain's earlier writes left
        keys = (self._keys.get(entity) or []) if data is self.data else sorted(table)
        if not keys:
            raise GroundFailure(f"no-{entity}-rows")
        related[entity] = table[rng.choice(keys)]
        return related[entity]


def _allowed(domain: ir.ParamDomain, value: Any) -> bool:
    """Whether an earlier write's choice fits this parameter too: any free value, a listed one."""
    return domain.source == "free" or (domain.source in ("enum", "choices") and value in domain.values)


def _fields(value: Any, depth: int = 0):
    """(name, scalar) pairs anywhere in a row, a few levels deep."""
    if depth > 3:
        return
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for name, v in items:
        if isinstance(v, (dict, list)):
            yield from _fields(v, depth + 1)
        elif isinstance(name, str) and v is not None:
            yield name, v


def _fits_name(field: str, param: str) -> bool:
    # `payment_method_id` is fed by a payment method's `id`; `amount` by a fine's `amount`
    return field == param or (field == "id" and param.endswith("_id"))


def walk_path(row: Any, path: tuple[str, ...]) -> Any:
    for step in path:
        if not isinstance(row, dict):
            return None
        row = row.get(step)
    return row


def scalars(value: Any, depth: int = 0):
    if depth > 3:
        return
    if isinstance(value, dict):
        for v in value.values():
            yield from scalars(v, depth + 1)
    elif isinstance(value, list):
        for v in value:
            yield from scalars(v, depth + 1)
    else:
        yield value
