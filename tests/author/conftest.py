"""Fixtures for the `scaleenv author` tests; the helpers live in author_fakes.py."""

from __future__ import annotations

import pytest

from author_fakes import MessagesServer, in_process, in_subprocess


@pytest.fixture
def api():
    server = MessagesServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def cli(request, monkeypatch):
    """`cli(args, env)`: run `scaleenv author ARGS` with exactly the environment `env`."""
    if getattr(request, "param", "run") == "subprocess":
        return in_subprocess
    return lambda args, env: in_process(args, env, monkeypatch)
