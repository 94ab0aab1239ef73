"""Shared fixtures: the test shop spec (every statement and expression kind) and the library domain.

Every env made from a domain's data file reads one shared copy of that data, which no env may
change (runtime/state.py). After each test here, `shared_data_is_never_written` compares the shared
data of every domain the test used with its data file, so each test of the runtime also checks that
its calls, overlays, rollbacks and rewards copied rows before writing them.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scaleenv_dsl import ir
from scaleenv_dsl.api import load_domain

SPECS = Path(__file__).parent / "specs"


_USED_DOMAINS: list = []  # the domains the running test loaded through these fixtures


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
        domain = load_domain(folder / f"{name}.sedl")
        _USED_DOMAINS.append(domain)
        return domain
    return make


def shared_data(domain) -> dict:
    """The initial data every env of `domain` made from its data file reads (less the empty
    collections added for entities the file lacks)."""
    world = domain.env()._world
    live = {c: rows for c, rows in world.base.items() if rows or c not in world.synthesized}
    return ir.stored_rows(domain.keyless, live)  # keyless rows hold their key once loaded


def data_file(domain) -> dict:
    return json.loads(Path(domain.ir.data_path).read_text(encoding="utf-8"))


@pytest.fixture(autouse=True)
def shared_data_is_never_written(request):
    _USED_DOMAINS.clear()
    yield
    used = list(_USED_DOMAINS)
    used += [request.getfixturevalue(name) for name in ("shop", "library") if name in request.fixturenames]
    for domain in used:
        if domain.ir.data_path is not None:
            assert shared_data(domain) == data_file(domain), f"an env wrote into the shared data of {domain.name}"


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
