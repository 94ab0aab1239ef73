"""Shared fixtures: the test shop spec (every statement and expression kind) and the library domain."""

from __future__ import annotations

from pathlib import Path

import pytest

from scaleenv_dsl.api import load_domain

SPECS = Path(__file__).parent / "specs"


@pytest.fixture(scope="session")
def shop():
    return load_domain(SPECS / "shop.sedl")


@pytest.fixture
def env(shop):
    return shop.env()


@pytest.fixture(scope="session")
def library():
    return load_domain("library")


def full_changes(env) -> dict:
    """changes() computed the slow way, by comparing every row with the initial data."""
    state, base = env.state(), env._world.base
    changed, removed = {}, {}
    for collection in set(state) | set(base):
        now, before = state.get(collection, {}), base.get(collection, {})
        for key in set(now) | set(before):
            if key not in now:
                removed.setdefault(collection, []).append(key)
            elif now[key] != before.get(key):
                changed.setdefault(collection, {})[key] = now[key]
    return {"changed": changed, "removed": {c: sorted(k) for c, k in removed.items()}}
