"""Shared fixtures: the test shop spec (every statement and expression kind) and the library domain."""

from __future__ import annotations

import json
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


@pytest.fixture
def make_domain(tmp_path):
    """A domain compiled from spec text (after a standard header) and its data."""
    def make(spec: str, data: dict, name: str = "probe"):
        folder = tmp_path / name
        folder.mkdir()
        header = f'domain {name} {{\n  description "A probe."\n  data "{name}.json"\n}}\n'
        (folder / f"{name}.sedl").write_text(header + spec, encoding="utf-8")
        (folder / f"{name}.json").write_text(json.dumps(data), encoding="utf-8")
        return load_domain(folder / f"{name}.sedl")
    return make


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
