"""Dependency-aware growth: a chain of writes, each later one linked to the chain by the
dependency graph and grounded in the state the earlier ones leave.

The rule (the ScaleEnv paper's expansion, made explicit). After the chain's last write W, the
next write W' is drawn from
- the writes W *enables* (a `enables` guard edge of `scaleenv graph`: W's effect can make a guard
  of W' true), targeted at a row W changed (modifying an order's items keeps it "pending (item
  modified)", which the address change accepts; a checkout's new loan can be returned), and
- the writes whose target entity is among the chain's rows or named by them (the target and the
  rows near it: the order's user, the user's orders), targeted at another row near the chain (a second order of the
  same user), each link listed once; an `enables` link is listed twice, so it is drawn twice as often.
The target must meet the guards' demands on its row (`overlay.guard_needs`) in the state after W;
when no near row does, one is synthesized (`overlay.RowMaker`) into the task's overlay. W' is
grounded on the env after replaying the chain from that overlay, and confirmed by running it there.
A grown chain is kept only if the whole chain, W' included, then proves (`proofs.prove_chain`);
otherwise W' is dropped and the shorter chain is proved. Every drop is counted by its reason.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field

from ..graph import guard_edges
from ..prove.model import DomainModel
from .chains import reason_kind
from .ground import Grounded, GroundFailure, Grounder, Start, scalars
from .knows import choice_facts
from .overlay import OverlayFailure, RowMaker, guard_needs, meets

ENABLES, SHARES = "enables", "shares"
OPTIONS = 3   # linked writes drawn before a growth is given up


@dataclass
class Chain:
    """The writes of one candidate, in order; `initials[i]` is the overlay the first i+1 need."""
    steps: list[Grounded]
    initials: list[dict] = field(default_factory=lambda: [{}])
    links: list[str] = field(default_factory=list)   # how each later write joined the chain

    def prefix(self, length: int) -> "Chain":
        return Chain(self.steps[:length], self.initials[:length], self.links[:length - 1])

    @property
    def initial(self) -> dict:
        return self.initials[-1]

    @property
    def synthesized_rows(self) -> bool:
        """Whether a later write needed rows made for it (the base overlay is the distractors')."""
        return self.initials[-1] != self.initials[0]

    @property
    def calls(self) -> list[tuple[str, dict]]:
        return [(g.tool, g.arguments) for g in self.steps]


class Grower:
    def __init__(self, compiled, model: DomainModel, grounder: Grounder):
        self.model = model
        self.grounder = grounder
        self.data = grounder.data
        self.maker = RowMaker(compiled, model, grounder.data)
        writes = [t.name for t in model.write_tools]
        edges = [e for e in guard_edges(model.ir) if e.kind == ENABLES and e.tool in writes]
        self.enabled = {w: sorted({e.tool for e in edges if e.writer == w}) for w in writes}
        self.anchors = {w: grounder.anchor(model.tools[w]) for w in writes}
        self.writes = [w for w in writes if self.anchors[w] is not None]
        self.dropped: Counter = Counter()
        self.tried = 0

    # ------------------------------------------------------------ growth
    def grow(self, chain: Chain, writes: int, rng: random.Random) -> Chain:
        """Up to `writes` writes in all: each growth kept if it grounds, else the chain stays shorter."""
        while len(chain.steps) < writes:
            self.tried += 1
            try:
                self._grow_once(chain, rng)
            except (GroundFailure, OverlayFailure) as failure:
                self.dropped[reason_kind(failure.reason)] += 1
                break
        return chain

    def _grow_once(self, chain: Chain, rng: random.Random) -> None:
        """Draw linked writes until one grounds after the chain, up to OPTIONS; the last failure's
        reason when none does."""
        options = self.links(chain)
        if not options:
            raise GroundFailure("no-linked-write")
        failure = None
        for _ in range(OPTIONS):
            tool, link = rng.choice(options)
            try:
                start = self._start(chain, tool, link, rng)
                grounded = self.grounder.ground(tool, rng, attempts=4, start=start)
            except (GroundFailure, OverlayFailure) as err:
                failure = err
                continue
            chain.steps.append(grounded)
            chain.initials.append(start.initial)
            chain.links.append(f"{link} {chain.steps[-2].tool}" if link == ENABLES else f"{link} {grounded.target[0]}")
            return
        raise failure

    def _start(self, chain: Chain, tool: str, link: str, rng: random.Random) -> Start:
        """Where `tool` is grounded after the chain: the targets its guards accept in the state the
        chain leaves, or a synthesized one, and the overlay that then holds."""
        anchor = self.anchors[tool]
        collection = self.model.collection(anchor.entity)
        initial, calls = chain.initial, chain.calls
        view, changed = self._state_after(initial, calls)
        needs = guard_needs(self.model.tools[tool], anchor.param)
        targets = [k for k in self._targets(chain, anchor.entity, link, view, changed)
                   if meets(view[collection][k], needs)]
        if not targets and link == ENABLES:
            raise GroundFailure("no-enabled-target")   # a copy would not be the row the chain changed
        if not targets:
            key, initial = self._synthesize(chain, anchor.entity, needs, rng)
            view, _ = self._state_after(initial, calls)
            targets = [key]
        # a choice is stated once and holds for every write; a new id is never reused
        prefer = {name: value for g in chain.steps for name, value in choice_facts(self.model, g).items()
                  if not name.endswith("_id")}
        return Start(initial, calls, view, targets, prefer)

    def links(self, chain: Chain) -> list[tuple[str, str]]:
        """The writes the graph links to the chain, an enabling link listed twice (drawn twice as often)."""
        last = chain.steps[-1].tool
        entities = {e for g in chain.steps for e in g.related} | self._named(chain)
        enabled = [(w, ENABLES) for w in self.enabled.get(last, ()) if w in self.anchors and self.anchors[w]]
        shared = [(w, SHARES) for w in self.writes if self.anchors[w].entity in entities]
        return enabled + enabled + shared

    def _named(self, chain: Chain) -> set[str]:
        """The entities whose keys the chain's rows name (a user's `orders`), in the shared data."""
        tables = [(e.name, self.data.get(e.collection, {})) for e in self.model.ir.entities]
        values = {v for g in chain.steps for row in g.related.values() for v in scalars(row) if isinstance(v, str)}
        return {name for name, table in tables if any(v in table for v in values)}

    # ------------------------------------------------------------ targets
    def _targets(self, chain: Chain, entity: str, link: str, view: dict, changed: dict) -> list[str]:
        """For an enabling link, the rows of `entity` the chain's writes changed; for a shared
        entity, the other rows near the chain (named by its rows' fields, or naming them)."""
        collection = self.model.collection(entity)
        if link == ENABLES:   # changed by a write, not merely put there by the overlay
            return sorted(k for k, row in changed.get(collection, {}).items()
                          if k in view[collection] and row != self.maker.row_at_start(chain.initial, collection, k))
        used = {g.target for g in chain.steps}
        return [k for k in self._near(chain, entity, view) if (entity, k) not in used]

    def _near(self, chain: Chain, entity: str, view: dict) -> list[str]:
        table = view.get(self.model.collection(entity), {})
        near = set()
        for _entity, _key, row in self._related(chain, view):
            near.update(v for v in scalars(row) if isinstance(v, str) and v in table)
        return sorted(near)

    def _related(self, chain: Chain, view: dict) -> list[tuple[str, str, dict]]:
        """(entity, key, row) of the chain's targets and nearby rows, the rows as they are in `view`."""
        found = {}
        for grounded in chain.steps:
            for entity, row in sorted(grounded.related.items()):
                key = row.get(self.model.key_field(entity))
                current = view.get(self.model.collection(entity), {}).get(key)
                if current is not None:
                    found.setdefault((entity, key), current)
        return [(e, k, row) for (e, k), row in found.items()]

    def _synthesize(self, chain: Chain, entity: str, needs: dict, rng: random.Random) -> tuple[str, dict]:
        """A row meeting `needs`, copied from a near row as it is at the task's start."""
        if not needs:
            raise GroundFailure("no-near-target")
        start, _ = self._state_after(chain.initial, [])
        templates = self._near(chain, entity, start)
        if not templates:
            raise OverlayFailure("no-template-row")
        collection = self.model.collection(entity)
        fitting = [k for k in templates if meets(start[collection][k], needs)]
        template = rng.choice(fitting or templates)
        return self.maker.synthesize(entity, template, needs, chain.initial, rng)

    def _state_after(self, initial: dict, calls: list[tuple[str, dict]]) -> tuple[dict, dict]:
        """The state after `calls` from the overlay: each changed collection a shallow merge over
        the shared data's, so that nothing is deep-copied but the changed rows; and those rows."""
        self.grounder.replay(initial, calls)
        changes = self.grounder.env.changes()
        view = dict(self.data)
        for collection, rows in changes["changed"].items():
            view[collection] = {**self.data.get(collection, {}), **rows}
        for collection, keys in changes["removed"].items():
            gone = set(keys)
            view[collection] = {k: v for k, v in view.get(collection, {}).items() if k not in gone}
        return view, changes["changed"]


def chain_choices(model: DomainModel, steps: list[Grounded]) -> dict:
    """The user's choices over a chain: every write's (`grow` reuses a name's value, so they agree)."""
    return {name: value for g in steps for name, value in choice_facts(model, g).items()}
