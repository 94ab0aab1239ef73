"""Fixtures for the prover's tests: the help-desk spec (one task per case) and a prover on it."""

from __future__ import annotations

from pathlib import Path

import pytest

from scaleenv_dsl.api import load_domain
from scaleenv_dsl.prove import Prover

DESK = Path(__file__).parent / "specs" / "desk.sedl"


@pytest.fixture(scope="session")
def desk():
    return load_domain(DESK)


@pytest.fixture
def prove(desk):
    """`prove(task_name, **budget)`: the proof of one desk task."""
    from scaleenv_dsl.prove import Budget

    def run(name: str, **budget):
        return Prover(desk, Budget(**budget)).prove(desk.task(name))
    return run
