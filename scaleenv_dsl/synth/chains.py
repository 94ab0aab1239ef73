"""Seed chains: which write tool each candidate ends in, weighted so that every write tool is used.

Candidate `i` draws from its own `random.Random`, seeded from (seed, i), so a candidate's chain
does not depend on how many came before it or on which worker makes it.
"""

from __future__ import annotations

import random
import re

from ..prove.model import DomainModel
from .instruction import user_scenario


def candidate_rng(seed: int, index: int, stage: str) -> random.Random:
    # a string seed is hashed by random's own SHA-512 path, stable across processes (unlike hash())
    return random.Random(f"{seed}:{index}:{stage}")


def seed_tool(model: DomainModel, seed: int, index: int) -> str:
    """Round-robin over the write tools in spec order, the offset drawn once per seed: each write
    tool gets a share of the candidates whatever its success rate."""
    writes = [t.name for t in model.write_tools]
    offset = random.Random(f"{seed}:offset").randrange(len(writes))
    return writes[(index + offset) % len(writes)]


# The share of candidates that grow into chains of two and of three writes (`grow`).
TWO_WRITES, THREE_WRITES = 0.35, 0.10


def chain_writes(seed: int, index: int) -> int:
    """How many writes candidate `index` tries for: 1, 2 or 3, from its own rng."""
    draw = candidate_rng(seed, index, "chain").random()
    return 3 if draw < THREE_WRITES else 2 if draw < THREE_WRITES + TWO_WRITES else 1


def reason_kind(reason: str) -> str:
    """A rejection's reason without the rows it names: a guard's message names the rows it failed
    on, and the count is per kind of failure."""
    head, _, message = reason.partition(": ")
    if head not in ("guard-fails", "earlier-write-fails") or not message:
        return reason
    return head + ": " + re.sub(r"#?\w*\d{3,}\w*", "<id>", message)[:80]


def chain_scenario(model: DomainModel, steps: list, knows: dict, described: set[str] = frozenset()) -> dict[str, str]:
    """The user scenario of the first write, its reason for call extended by each later write's;
    `described` as in `instruction.user_scenario`."""
    scenario = user_scenario(model.tools[steps[0].tool], knows, described)
    reasons = [scenario["reason_for_call"]]
    for earlier, later in zip(steps, steps[1:]):
        if later.tool == earlier.tool:
            reasons.append("Then you want the same done for another " + later.target[0].lower() + ".")
        else:
            reason = user_scenario(model.tools[later.tool], knows)["reason_for_call"]
            reasons.append("Then " + reason[:1].lower() + reason[1:])
    return {**scenario, "reason_for_call": " ".join(reasons)}
