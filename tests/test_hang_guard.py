"""The shared hang guard (tests/conftest.py) stops a block that never ends, and leaves no alarm behind."""

from __future__ import annotations

import signal

import pytest


def test_a_block_that_never_ends_fails_with_what_it_was(hang_guard):
    before = signal.getsignal(signal.SIGALRM)
    with pytest.raises(TimeoutError, match="^spinning ran for more than 1 s$"):
        with hang_guard(1, "spinning"):
            while True:
                pass
    assert signal.getsignal(signal.SIGALRM) is before and signal.alarm(0) == 0


def test_a_block_that_ends_leaves_no_alarm(hang_guard):
    with hang_guard(30, "nothing"):
        pass
    assert signal.alarm(0) == 0
