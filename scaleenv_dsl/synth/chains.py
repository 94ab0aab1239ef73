"""Seed chains: which write tool each candidate ends in, weighted so that every write tool is used.

Candidate `i` draws from its own `random.Random`, seeded from (seed, i), so a candidate's chain
does not depend on how many came before it or on which worker makes it.
"""

from __future__ import annotations

import random

from ..prove.model import DomainModel


def candidate_rng(seed: int, index: int, stage: str) -> random.Random:
    # a string seed is hashed by random's own SHA-512 path, stable across processes (unlike hash())
    return random.Random(f"{seed}:{index}:{stage}")


def seed_tool(model: DomainModel, seed: int, index: int) -> str:
    """Round-robin over the write tools in spec order, the offset drawn once per seed: each write
    tool gets a share of the candidates whatever its success rate."""
    writes = [t.name for t in model.write_tools]
    offset = random.Random(f"{seed}:offset").randrange(len(writes))
    return writes[(index + offset) % len(writes)]
