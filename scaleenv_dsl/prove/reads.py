"""Reads only add knowledge. Two uses of that:

- `ReadFinder.find`: the lookups that make a value known, when a plan uses a value that neither
  the task's `knows` nor an earlier output gives (gold lists often skip a lookup an agent must
  make). A breadth-first pass over the read calls that the current knowledge can bind, run on
  the real backend under a savepoint and rolled back; the chain of calls that led to the value
  is what the plan must insert.
- `closure`: everything the read tools reveal from a state, for the goal search to bind its
  write calls from. After a write, only the reads it may have changed are run again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import islice, product
from typing import Any, Iterable, Iterator

from .. import ir
from .knowledge import Knowledge, Seen, index_walk, value_key, walk_output
from .model import Call, DomainModel, kind_of

_as_text = json.JSONEncoder(ensure_ascii=False).encode   # as json.dumps(…, ensure_ascii=False), one encoder
MAX_BINDINGS = 2_000   # calls of one tool from one state: beyond it, a keyed domain is truncated
MEMO_SIZE = 200_000    # read answers kept before the memo starts again


def groundings(model: DomainModel, tool: ir.ToolDef, knowledge: Knowledge, *,
               fixed: dict | None = None, reading: bool = False, guesses: bool = True,
               limit: int = MAX_BINDINGS) -> Iterator[Call]:
    """The calls of `tool` whose every argument is a value the knowledge offers for it.

    `fixed` pins parameters (a heuristic's choice) when the value is one of those offered.
    Optional parameters are left out first, then given each value. When `reading`, they stay
    out (a filter only narrows a read's answer) and free parameters take any `knows` fact
    (without `guesses`, only one not named after some tool's parameter: see `Knowledge.candidates`).
    """
    names, options = [], []
    for param in tool.params:
        offered = knowledge.candidates(tool, param, any_knows=reading, guesses=guesses)
        if fixed and param.name in fixed:
            pinned = fixed[param.name]
            if pinned not in offered and not knowledge.knows(pinned):
                return
            offered = [pinned]
        elif param.may_be_left_out:  # None: left out, so the call takes none or the default
            offered = [None] if reading else [None] + offered
        if not offered:
            return
        names.append(param.name)
        options.append(offered)
    for values in islice(product(*options), limit):
        yield Call(tool.name, {n: v for n, v in zip(names, values) if v is not None})


def scalars(value) -> Iterator[Any]:
    if isinstance(value, list):
        for item in value:
            yield from scalars(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from scalars(item)
    elif value is not None:
        yield value


# ---------------------------------------------------------------- finding the reads a value needs

@dataclass(eq=False)
class Explored:
    """A read call made while looking: its result, and the explored calls its arguments came from."""
    call: Call
    needs: tuple["Explored", ...]


@dataclass(frozen=True)
class Wanted:
    """A value a step needs (`value`, with the keyed kind its parameter takes, if any), or a text
    the agent must say (`text`, for `communicate`)."""
    label: str
    value: Any = None
    text: str | None = None
    kind: tuple | None = None


@dataclass
class Finding:
    chains: dict[str, list[Call]] = field(default_factory=dict)  # wanted label -> the calls to insert, in order
    exhausted: bool = False   # every bindable read was tried: what was not found cannot be found by reading
    calls: int = 0
    answers: dict[str, tuple] = field(default_factory=dict)   # call key -> (result, Seen) of each call made

    def calls_to_insert(self) -> list[Call]:
        return list({c.key: c for chain in self.chains.values() for c in chain}.values())


class ReadFinder:
    def __init__(self, model: DomainModel, env, max_calls: int, memo: dict | None = None):
        """`memo` (clock and call key -> result and `Seen`) keeps the answers a read gives on
        the initial data, which only the call and the clock decide; a prover shares one over all
        its tasks, so that the look-ups many tasks try again (a name and zip of every fact) run
        once. An answer is reused in a changed state too when none of the rows the read may
        read has changed in a field it reads (`_unchanged`): an overlay or an earlier write that
        touched orders does not change what a look-up by name and zip finds, nor the details of
        another order."""
        self.model = model
        self.env = env
        self.max_calls = max_calls
        self.memo = memo

    def find(self, knowledge: Knowledge, wanted: list[Wanted], made: Iterable[str]) -> Finding:
        """Breadth first over the read calls the knowledge can bind, in widening passes: first
        the reads whose outputs can hold the wanted values' kinds (an order's items come from
        its details, not from the product list), then every read, then guesses (a free
        parameter given a `knows` fact named after another parameter: an email in a first-name
        box). A pass ends when it has nothing left to call, so `exhausted` still means that
        every bindable read was tried."""
        finding = Finding()
        pending = list(wanted)
        tried = set(made)
        layer = knowledge.child()
        changed = self._changed_rows() if self.memo is not None else None
        passes = self._passes(wanted)
        mark = self.env.savepoint()
        try:
            while pending and finding.calls < self.max_calls:
                tools, guesses = passes[0]
                batch = [c for t in tools for c in groundings(self.model, t, layer, reading=True, guesses=guesses)
                         if c.key not in tried]
                if not batch and len(passes) > 1:
                    passes = passes[1:]
                    continue
                if not batch:
                    finding.exhausted = True
                    break
                for call in batch:
                    tried.add(call.key)
                    if finding.calls >= self.max_calls:
                        break
                    finding.calls += 1
                    memoable = changed is not None and self._unchanged(call, changed)
                    result, seen = finding.answers[call.key] = self._read(call, memoable)
                    if not result.ok:
                        continue
                    step = Explored(call, self._needs(call, knowledge, layer))
                    layer.add_seen(step, seen)
                    for want in list(pending):
                        if _reveals(want, seen, result.value):
                            finding.chains[want.label] = [e.call for e in _chain(step)]
                            pending.remove(want)
                    if not pending:
                        break
        finally:
            self.env.rollback(mark)
        return finding

    def _passes(self, wanted: list[Wanted]) -> list[tuple[list[ir.ToolDef], bool]]:
        """(read tools, guesses) of each pass `find` makes, narrowest first."""
        every = self.model.read_tools
        kinds = frozenset(w.kind for w in wanted)
        toward = reads_toward(self.model, kinds) if None not in kinds else every
        return ([(toward, False)] if len(toward) < len(every) else []) + [(every, False), (every, True)]

    def _changed_rows(self) -> dict[str, dict[Any, frozenset[str]]]:
        """entity -> key -> the fields of that row that differ from the initial data ("*": added
        or removed), in the current state."""
        out: dict[str, dict[Any, frozenset[str]]] = {}
        for (collection, key), names in self.env.changed_rows().items():
            out.setdefault(self.model.entity_of(collection), {})[key] = names
        return out

    def _unchanged(self, call: Call, changed: dict[str, dict[Any, frozenset[str]]]) -> bool:
        """Whether every row the call may read (its contract's reads: the row its argument keys,
        or every row for a scan) is unchanged in every field the tool reads of it."""
        if not changed:
            return True
        tool = self.model.tools[call.tool]
        if tool.contract is None:
            return False
        fields = self.model.read_fields_by_entity(tool.name)
        keyed: dict[str, set | None] = {}   # entity -> the keys read, None for any row
        for read in tool.contract.reads:
            key = None if read.opaque else _bound_key(read.key, call)
            if key is None or keyed.get(read.entity, set()) is None:
                keyed[read.entity] = None
            else:
                keyed.setdefault(read.entity, set()).add(key)
        for entity, rows in changed.items():
            names = fields.get(entity)
            if names is None and entity not in keyed:
                continue   # an entity the tool reads nothing of
            keys = keyed.get(entity)   # an entity in its fields but not its reads: any row
            touched = rows.values() if keys is None else [rows[k] for k in keys if k in rows]
            if any(_meet(names or frozenset(), row) for row in touched):
                return False
        return True

    def _read(self, call: Call, memoable: bool) -> tuple[Any, Seen]:
        """The call's result and what it shows, from the memo when `memoable` (see `_unchanged`)."""
        key = (self.env.clock, call.key) if memoable else None
        hit = self.memo.get(key) if memoable else None
        if hit is None:
            result = self.env.call(call.tool, call.arguments)
            hit = (result, index_walk(walk_output(self.model, self.model.tools[call.tool].returns, result.value)
                                      if result.ok else []))
            if memoable:
                if len(self.memo) >= MEMO_SIZE:
                    self.memo.clear()
                self.memo[key] = hit
        return hit

    def _needs(self, call: Call, known: Knowledge, layer: Knowledge) -> tuple[Explored, ...]:
        """The explored calls that gave this call's arguments (those the plan did not know already):
        for each, the first whose output has the value with the parameter's kind, else the first."""
        needs = []
        for name, argument in call.arguments.items():
            kind = kind_of(self.model.param_domain(call.tool, name))
            for value in scalars(argument):
                if known.knows(value):
                    continue
                facts = [f for f in layer.own_facts(value_key(value)) if isinstance(f.origin, Explored)]
                typed = [f for f in facts if kind in f.kinds]
                if facts:
                    needs.append((typed or facts)[0].origin)
        return tuple(dict.fromkeys(needs))


def _meet(read: frozenset[str], changed: frozenset[str]) -> bool:
    """Whether fields read of a row meet the fields changed in it (a row added or removed, or a
    whole row read, meets any)."""
    return "*" in changed or ("*" in read and bool(changed)) or not read.isdisjoint(changed)


def _reveals(want: Wanted, seen: Seen, value) -> bool:
    """Whether the output `value` (indexed as `seen`) shows what is wanted."""
    if want.text is not None:
        return comparable(want.text) in comparable(output_text(value))
    return value_key(want.value) in seen.by_key


def _chain(step: Explored) -> list[Explored]:
    out: list[Explored] = []
    for need in step.needs:
        out += [e for e in _chain(need) if e not in out]
    return out + [step]


def output_text(value) -> str:
    """An output as the agent reads it: a string as it is, anything else as JSON."""
    return value if isinstance(value, str) else _as_text(value)


def comparable(text: str) -> str:
    """As the `communicate` reward compares text: lower case, commas dropped."""
    return text.lower().replace(",", "")


# ---------------------------------------------------------------- the closure a search node knows

def relevant_reads(model: DomainModel, writes: Iterable[ir.ToolDef]) -> list[ir.ToolDef]:
    """The read tools whose outputs can bind a parameter of `writes`, directly or through other reads.

    A read that yields no keyed value (an item's details, a text) cannot widen what a search
    may bind, so the search never calls it; nor one that only feeds tools it is not trying.
    """
    needed = {kind_of(model.param_domain(t.name, p.name)) for t in writes for p in t.params}
    needed.discard(None)
    return reads_toward(model, frozenset(needed))


@lru_cache(maxsize=256)
def reads_toward(model: DomainModel, kinds: frozenset) -> list[ir.ToolDef]:
    """The read tools whose outputs can hold a value of one of `kinds`, directly or through the
    reads that bind their parameters."""
    needed = set(kinds)
    produced = {t.name: produced_kinds(model, t.returns) for t in model.read_tools}
    relevant: list[ir.ToolDef] = []
    changed = True
    while changed:
        changed = False
        for tool in model.read_tools:
            if tool not in relevant and produced[tool.name] & needed:
                relevant.append(tool)
                needed |= {kind_of(model.param_domain(tool.name, p.name)) for p in tool.params} - {None}
                changed = True
    return [t for t in model.read_tools if t in relevant]


def produced_kinds(model: DomainModel, t: ir.TypeRef | None, owner=None, depth: int = 0) -> set:
    """The keyed kinds a value of type `t` can hold, found from the type alone."""
    out: set = set()
    if t is None or depth > 8:
        return out
    if t.kind in ("optional", "list"):
        return produced_kinds(model, t.args[0], owner, depth + 1)
    if t.kind == "ref":
        out.add((t.name, t.path))
    if owner is not None and owner[1] and t.kind not in ("record", "union", "entity"):
        out.add(owner)
    if t.kind == "map":
        out |= produced_kinds(model, t.args[0], owner, depth + 1)
    elif t.kind in ("entity", "record", "union"):
        if t.kind == "entity":
            owner = (t.name, ())
            out.add(owner)
        definition = model.ir.type_def(t.name)
        members = definition.variants if t.kind == "union" else (definition,)
        for member in members:
            for f in member.fields:
                inner = (owner[0], owner[1] + (f.name,)) if owner is not None else None
                out |= produced_kinds(model, f.type, inner, depth + 1)
    return out


def stale_reads(model: DomainModel, write: Call, made: dict[str, Call | None]) -> list[Call]:
    """The successful reads made so far whose answer the write may have changed, by the contracts'
    rows. (A read that failed stays failed: most are a `knows` fact tried in a field it does not fit.)"""
    tool = model.tools[write.tool]
    answered = [call for call in made.values() if call is not None]
    if tool.contract is None:
        return answered
    written = [(e.entity, None if e.opaque else _bound_key(e.key, write)) for e in tool.contract.effects]
    stale = []
    for call in answered:
        reader = model.tools[call.tool]
        if reader.contract is None:
            stale.append(call)
        elif _fields_meet(reader, tool) and any(
                entity == r.entity and (key is None or r.opaque or _bound_key(r.key, call) in (None, key))
                for r in reader.contract.reads for entity, key in written):
            stale.append(call)
    return stale


def _fields_meet(reader: ir.ToolDef, writer: ir.ToolDef) -> bool:
    """Whether the writer may change a field the reader reads ("Entity.*" meets every field of it)."""
    written = set(writer.write_fields)
    written_entities = {w.split(".")[0] for w in written}
    for field_name in reader.read_fields:
        entity = field_name.split(".")[0]
        whole_row = field_name.endswith(".*")
        if field_name in written or f"{entity}.*" in written or (whole_row and entity in written_entities):
            return True
    return False


def _bound_key(key: ir.Expr | None, call: Call):
    """The row key an expression names under a call's arguments; None when it cannot tell."""
    if isinstance(key, ir.Const) and isinstance(key.value, str):
        return key.value
    if isinstance(key, ir.Var):
        value = call.arguments.get(key.name)
        return value if isinstance(value, str) else None
    return None


def closure(model: DomainModel, env, knowledge: Knowledge, made: dict[str, Call | None], rerun: list[Call],
            tools: list[ir.ToolDef], max_calls: int) -> int:
    """Run `rerun`, then every read of `tools` the knowledge can bind that was not made yet, until
    nothing new can be called or `max_calls` is reached. Outputs go into `knowledge`; `made` maps
    each call made to itself, or to None when it failed. Returns the number of calls made."""
    calls = 0
    queue = list(rerun)
    while calls < max_calls:
        if not queue:
            queue = [c for t in tools for c in groundings(model, t, knowledge, reading=True)
                     if c.key not in made]
            if not queue:
                break
        call = queue.pop(0)
        calls += 1
        result = env.call(call.tool, call.arguments)
        made[call.key] = call if result.ok else None
        if result.ok:
            knowledge.add_output(None, model.tools[call.tool].returns, result.value)
    return calls
