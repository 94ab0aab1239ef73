"""Fixtures for the prover's tests: the help-helpdesk spec (one task per case) and a prover on it."""

from __future__ import annotations

from pathlib import Path

import pytest

from scaleenv_dsl.api import load_domain
from scaleenv_dsl.prove import Prover

HELPDESK = Path(__file__).parent / "specs" / "helpdesk.sedl"


@pytest.fixture(scope="session")
def helpdesk():
    return load_domain(HELPDESK)


@pytest.fixture
def prove(helpdesk):
    """`prove(task_name, **budget)`: the proof of one helpdesk task."""
    from scaleenv_dsl.prove import Budget

    def run(name: str, **budget):
        return Prover(helpdesk, Budget(**budget)).prove(helpdesk.task(name))
    return run
