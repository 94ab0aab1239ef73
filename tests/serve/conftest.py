"""A real `scaleenv serve` process for the tests, and the SDK's own client to drive it.

The server runs as a subprocess on 127.0.0.1, on a free port it picks itself (`--port 0`) and
announces on stderr. Its stderr goes to a file, which each test's teardown reads: a traceback there
fails the test, since a server must never show one.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from scaleenv_dsl.api import load_domain

TOKEN = "test-control-token"
STARTUP_TIMEOUT_S = 120  # a cold load of retail takes seconds; much more on a busy machine
ANNOUNCEMENT = re.compile(r"on (http://\S+)/mcp \(agent\)")


def serve_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "scaleenv_dsl", "serve", *args]


class Server:
    def __init__(self, process: subprocess.Popen, url: str, log: Path):
        self.process, self.url, self.log = process, url, log
        self.agent_url, self.control_url = f"{url}/mcp", f"{url}/control"

    def stderr(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def health(self) -> dict:
        import urllib.request

        with urllib.request.urlopen(f"{self.url}/health", timeout=30) as response:
            return json.loads(response.read())


@contextmanager
def http_server(tmp_path: Path, *args: str, env: dict | None = None):
    """`scaleenv serve retail --transport http --port 0 ...`, stopped (SIGTERM, then SIGKILL) at the end."""
    log = tmp_path / f"serve-{time.monotonic_ns()}.err"
    with log.open("w") as err:
        process = subprocess.Popen(serve_command("retail", "--transport", "http", "--port", "0", *args),
                                   stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err,
                                   env=env if env is not None else os.environ.copy())
    try:
        yield Server(process, _announced_url(process, log), log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    assert "Traceback" not in log.read_text(encoding="utf-8", errors="replace"), log.read_text()


def _announced_url(process: subprocess.Popen, log: Path) -> str:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        found = ANNOUNCEMENT.search(log.read_text(encoding="utf-8", errors="replace"))
        if found:
            return found.group(1)
        if process.poll() is not None:
            raise AssertionError(f"the server exited with {process.returncode}: {log.read_text()}")
        time.sleep(0.05)
    raise AssertionError(f"the server did not start in {STARTUP_TIMEOUT_S} s: {log.read_text()}")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with http_server(tmp_path_factory.mktemp("serve"), "--control-token", TOKEN) as running:
        yield running


@pytest.fixture(scope="session")
def retail():
    return load_domain("retail")


def run(coroutine):
    """Run one test's client side to completion."""
    return asyncio.run(coroutine)


def structured(result) -> dict:
    """A tool result's structured content, which must say what its text says."""
    content, text = result.structured_content, result.content[0].text
    assert content is not None
    if not result.is_error and list(content) == ["result"]:  # a domain tool's value: text as tau2 gives it
        value = content["result"]
        assert (text if isinstance(value, str) else json.loads(text)) == value
    else:
        assert json.loads(text) == content
    return content


def error_of(result) -> dict:
    assert result.is_error, result
    return structured(result)["error"]
