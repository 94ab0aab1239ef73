"""The smallest sequence of calls that still shows a failure.

Chunks of calls are left out, halving the chunk when none can go, as delta debugging does; what
is left is a sequence from which no single call can be removed. The predicate runs the sequence
on a fresh environment, so a shrunk sequence reproduces from the start state alone.
"""

from __future__ import annotations

from typing import Callable

MAX_TRIES = 400  # runs of the predicate; sequences are short, so this is rarely reached


def shrink(actions: list, still_fails: Callable[[list], bool], max_tries: int = MAX_TRIES) -> list:
    current = list(actions)
    chunk = max(len(current) // 2, 1)
    tries = 0
    while tries < max_tries:
        removed = False
        index = 0
        while index < len(current) and tries < max_tries:
            candidate = current[:index] + current[index + chunk:]
            tries += 1
            if candidate and still_fails(candidate):
                current, removed = candidate, True
            else:
                index += chunk
        if not removed:
            if chunk == 1:
                break
            chunk //= 2
    return current
