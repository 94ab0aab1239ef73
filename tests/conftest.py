"""Fixtures every test directory shares.

Directories keep their own conftest.py for their own helpers; this one holds only what several
directories need. It is never imported by name (`from conftest import` finds a directory's own).
"""

from __future__ import annotations

import contextlib
import signal
from typing import Callable, ContextManager, Iterator

import pytest


@contextlib.contextmanager
def _hang_guard(seconds: int, what: str) -> Iterator[None]:
    """Fail `what` instead of hanging. SIGALRM works because pytest runs tests in the main thread."""
    def expire(signum, frame):
        raise TimeoutError(f"{what} ran for more than {seconds} s")
    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture(scope="session")  # session-scoped: hypothesis refuses function-scoped fixtures in @given
def hang_guard() -> Callable[[int, str], ContextManager[None]]:
    """`with hang_guard(seconds, what):` raises TimeoutError when the block runs longer: a bound far
    above any honest run, so that a hang fails the test instead of stalling the suite (not a timing test)."""
    return _hang_guard
