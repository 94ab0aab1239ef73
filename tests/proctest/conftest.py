"""Fixtures of the procedural-test tests; their helpers are in proctest_support.py."""

from __future__ import annotations

import pytest
from proctest_support import spec

from scaleenv_dsl.api import load_domain


@pytest.fixture(scope="session")
def notes():
    return load_domain(spec("notes"))
