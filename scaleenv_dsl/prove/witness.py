"""Replaying a witness plan and checking it: every step's outcome, every argument's source,
the reads inserted where the plan skipped a lookup, and the reward reached.

The plan is the task's gold actions, or the writes a search found. Each step is run on the
real backend in order, from the task's start. Before a step runs, each of its argument values
needs a source: a `knows` fact, a value in an earlier step's result, or a choice from the
parameter's finite domain. A value with none is looked for by reading (`ReadFinder`), and the
reads that reveal it are inserted before the step.

A read step of the gold list that cannot be sourced, or that fails, is dropped when the
task's reward does not count actions: it changes nothing, and a witness does not need it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from .. import ir
from ..runtime.reward import missing_communicate
from .knowledge import Knowledge, Knows, Seen, best_fact, describe
from .model import Call, DomainModel, kind_of
from .reads import ReadFinder, Wanted, output_text


@dataclass
class Planned:
    """A step to check: a call, where it comes from ("gold" or "search"), and the gold action's place."""
    call: Call
    origin: str
    loc: ir.Loc | None = None


@dataclass
class Step:
    call: Call
    origin: str                # "gold", "search" or "inserted"
    ok: bool = False
    value: Any = None
    error: Any = None          # the CallError of a failed call
    sources: dict[str, Any] = field(default_factory=dict)
    missing: list[tuple[str, Any]] = field(default_factory=list)   # (argument, value) with no source
    loc: ir.Loc | None = None
    needed_by: str | None = None   # for an inserted read: what needed it


@dataclass
class Witness:
    steps: list[Step] = field(default_factory=list)
    dropped: list[dict] = field(default_factory=list)   # gold reads left out, and why
    redundant_after: int | None = None   # a write after which the goal already held
    reward: Any = None                   # the RewardResult after the last step
    unfound_is_final: bool = True        # each look-up for a missing value tried every read it could
    messages: list[str] = field(default_factory=list)

    @property
    def inserted(self) -> list[tuple[int, Step]]:
        return [(n, s) for n, s in enumerate(self.steps, 1) if s.origin == "inserted"]

    @property
    def missing(self) -> list[tuple[int, str, Any]]:
        return [(n, arg, value) for n, s in enumerate(self.steps, 1) for arg, value in s.missing]


class WitnessBuilder:
    def __init__(self, model: DomainModel, env, task: ir.TaskDef, max_reads: int, memo: dict | None = None):
        self.model = model
        self.env = env
        self.task = task
        self.finder = ReadFinder(model, env, max_reads, memo)
        self.keep_reads = "actions" in task.reward

    def build(self, planned: list[Planned]) -> Witness:
        self.env.reset(self.task)
        knowledge = Knowledge(self.model)
        knowledge.add_knows(self.task.knows)
        witness = Witness()
        last_write = max((i for i, p in enumerate(planned) if self.model.is_write(p.call.tool)), default=-1)
        for index, item in enumerate(planned):
            step = self._step(item, knowledge, witness)
            if step is None:
                continue
            if step.ok and index < last_write and witness.redundant_after is None \
                    and self.model.is_write(step.call.tool) and self._reward(witness) == 1.0:
                witness.redundant_after = len(witness.steps)
        self._say(knowledge, witness)
        witness.reward = self.env.reward(self.task, trajectory={"messages": witness.messages})
        return witness

    # ------------------------------------------------------------ steps
    def _step(self, item: Planned, knowledge: Knowledge, witness: Witness) -> Step | None:
        call = item.call
        is_write = self.model.is_write(call.tool)
        droppable = not is_write and not self.keep_reads
        sources, missing = self.sources(knowledge, call)
        if missing and not droppable:
            # a read the witness can do without is not worth a look-up: a later step that needs
            # what it would have shown looks for that itself
            if self._insert(knowledge, witness, [self._wanted(call, label, value) for label, value in missing]):
                sources, missing = self.sources(knowledge, call)
        if missing and droppable:
            label, value = missing[0]
            witness.dropped.append({**call.to_json(), "why": f"no source for {label} = {_literal(value)}"})
            return None
        result = self.env.call(call.tool, call.arguments)
        if not result.ok and droppable:
            witness.dropped.append({**call.to_json(), "why": f"it fails: {result.error.message}"})
            return None
        step = Step(call, item.origin, result.ok, result.value, result.error, sources, missing, item.loc)
        self._record(step, knowledge, witness)
        number = len(witness.steps)
        for earlier in witness.steps[:-1]:
            if earlier.origin == "inserted" and earlier.needed_by is None:
                earlier.needed_by = f"step {number}"
        return step

    def _record(self, step: Step, knowledge: Knowledge, witness: Witness, seen: Seen | None = None) -> None:
        """`seen`: the step's output as the read finder indexed it, when it is the same answer."""
        witness.steps.append(step)
        if step.ok:
            if seen is None:
                knowledge.add_output(len(witness.steps), self.model.tools[step.call.tool].returns, step.value)
            else:
                knowledge.add_seen(len(witness.steps), seen)
            witness.messages.append(output_text(step.value))

    def _insert(self, knowledge: Knowledge, witness: Witness, wanted: list[Wanted]) -> bool:
        """Insert the reads that reveal as many of the wanted values as can be found. Returns whether
        any was inserted."""
        made = []   # the reads made in this state: one made before a write may answer differently now
        for step in witness.steps:
            made = [] if step.ok and self.model.is_write(step.call.tool) else made + [step.call.key]
        finding = self.finder.find(knowledge, wanted, made)
        if len(finding.chains) < len(wanted):
            witness.unfound_is_final &= finding.exhausted
        calls = finding.calls_to_insert()
        for call in calls:
            result = self.env.call(call.tool, call.arguments)
            sources, missing = self.sources(knowledge, call)
            looked = finding.answers.get(call.key)
            # the finder's answer was made in this state, or taken from the memo: used only when equal
            seen = looked[1] if looked is not None and result.ok and looked[0].value == result.value else None
            self._record(Step(call, "inserted", result.ok, result.value, result.error, sources, missing), knowledge,
                         witness, seen)
        return bool(calls)

    def _wanted(self, call: Call, label: str, value) -> Wanted:
        """An argument's value to look for, with the kind its parameter takes (`items[0]` is an item's)."""
        param = label.split("[")[0].split(".")[0]
        return Wanted(label, value, kind=kind_of(self.model.param_domain(call.tool, param)))

    def _say(self, knowledge: Knowledge, witness: Witness) -> None:
        """Where the reward counts what the agent says, insert the reads that show what it must say."""
        if "communicate" not in self.task.reward or not self.task.communicate:
            return
        unsaid = missing_communicate(self.task.communicate, witness.messages)
        if unsaid:
            self._insert(knowledge, witness, [Wanted(f"communicate {_literal(t)}", text=t) for t in unsaid])
            for step in witness.steps:
                if step.origin == "inserted" and step.needed_by is None:
                    step.needed_by = "communicate"

    def _reward(self, witness: Witness) -> float | None:
        return self.env.reward(self.task, trajectory={"messages": witness.messages}).reward

    # ------------------------------------------------------------ sources
    def sources(self, knowledge: Knowledge, call: Call) -> tuple[dict[str, Any], list[tuple[str, Any]]]:
        """Each argument's source (a list of them for a list argument), and the values with none."""
        missing: list[tuple[str, Any]] = []
        sources = {name: self._source(knowledge, call.tool, name, name, value, missing)
                   for name, value in call.arguments.items()}
        return sources, missing

    def _source(self, knowledge: Knowledge, tool: str, param: str, label: str, value, missing: list):
        if isinstance(value, list):
            return [self._source(knowledge, tool, param, f"{label}[{i}]", v, missing) for i, v in enumerate(value)]
        if isinstance(value, dict):
            return {k: self._source(knowledge, tool, param, f"{label}.{k}", v, missing) for k, v in value.items()}
        if value is None:
            return "none: left out"
        facts = knowledge.facts(value)
        domain = self.model.param_domain(tool, param)
        if domain.source in ("enum", "choices") and value in domain.values:
            # the user's choice, unless the user said it: an output that happens to hold it is no source
            knows = [f for f in facts if isinstance(f.origin, Knows)]
            return describe(knows[0]) if knows else f"choice from {_literal(list(domain.values))}"
        fact = best_fact(facts, param)
        if fact is None:
            missing.append((label, value))
            return None
        return describe(fact)


def _literal(value) -> str:
    return json.dumps(value, ensure_ascii=False)
