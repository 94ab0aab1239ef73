"""Fixtures for the `scaleenv author` tests; the helpers live in author_fakes.py."""

from __future__ import annotations

import pytest

from author_fakes import api, in_process, in_subprocess  # noqa: F401 - `api` is a fixture


@pytest.fixture
def cli(request, monkeypatch):
    """`cli(args, env)`: run `scaleenv author ARGS` with exactly the environment `env`."""
    if getattr(request, "param", "run") == "subprocess":
        return in_subprocess
    return lambda args, env: in_process(args, env, monkeypatch)
