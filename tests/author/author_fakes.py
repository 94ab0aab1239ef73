"""Test helpers for `scaleenv author`: a local stand-in for the Messages API,
scripted replies, and two ways to run the command: in-process (`run()`) or as
a real subprocess (`python -m scaleenv_dsl`). Fixtures are in conftest.py."""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import threading
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

GOOD_SPEC = '''\
domain notes {
  description "A tiny notes store."
}

entity Note in notes key note_id else "Note not found" {
  "A note."
  note_id: str "The note id."
  text: str "The note text."
}

tool get_note(note_id: ref Note "The note id.") -> Note "The note." {
  "Return a note by id."
  let note = notes[note_id]
  return note
}
'''
# The last tool body is never closed: a real syntax error.
BROKEN_SPEC = GOOD_SPEC.rstrip().removesuffix("}").rstrip() + "\n"


def fenced(spec: str, tag: str = "sedl") -> str:
    return f"Here is the spec.\n\n```{tag}\n{spec}```\n"


def message(text: str, *, input_tokens: int = 100, output_tokens: int = 50, stop_reason: str = "end_turn",
            content: list[dict] | None = None) -> dict:
    """A 200 reply in the exact shape of the Messages API: one text block, or the blocks in `content`."""
    return {"status": 200, "headers": {}, "body": {
        "id": "msg_test", "type": "message", "role": "assistant", "model": "claude-test",
        "content": content if content is not None else [{"type": "text", "text": text}],
        "stop_reason": stop_reason, "stop_sequence": None,
        "usage": {"input_tokens": input_tokens, "output_tokens": output_tokens}}}


def api_error(status: int, kind: str, text: str) -> dict:
    # retry-after-ms is read first by the SDK; `retry-after: 0` alone would fall back to its 0.5 s backoff.
    return {"status": status, "headers": {"retry-after": "0", "retry-after-ms": "1"},
            "body": {"type": "error", "error": {"type": kind, "message": text}}}


class MessagesServer:
    """Replays `script` entries one per POST /v1/messages and records each request body.

    Once the script is empty, `respond(body)` (if set) makes each reply from the request itself,
    for conversations whose requests interleave (several trials at once, agent and user turns).
    """

    def __init__(self):
        self.script: list[dict] = []
        self.respond = None
        self.requests: list[dict] = []
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["content-length"])))
                with server._lock:
                    server.requests.append({"path": self.path, "body": body})
                    if server.script:
                        entry = server.script.pop(0)
                    elif server.respond is not None:
                        entry = server.respond(body)
                    else:
                        entry = api_error(400, "invalid_request_error", "the test script has no more replies")
                if self.path != "/v1/messages":
                    entry = api_error(404, "not_found_error", f"no route {self.path}")
                payload = json.dumps(entry["body"]).encode()
                self.send_response(entry["status"])
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(payload)))
                for name, value in entry["headers"].items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):  # keep pytest output clean
                pass

        return Handler

    def start(self):
        threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()

    def stop(self):
        self._httpd.shutdown()
        self._httpd.server_close()

    def last_user_turn(self, request_index: int) -> str:
        return self.requests[request_index]["body"]["messages"][-1]["content"]


@pytest.fixture
def api():
    """A MessagesServer on 127.0.0.1, for the test's length."""
    server = MessagesServer()
    server.start()
    yield server
    server.stop()


def clean_env(**extra: str) -> dict:
    """The environment minus anything that could reach a real API or a proxy."""
    dropped = ("ANTHROPIC_", "SCALEENV_", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY")
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith(dropped)}
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    return {**env, **extra}


@dataclass
class Outcome:
    code: int
    stdout: str
    stderr: str


# Tests run `run()` in-process by default. The SDK takes 2-3 s to import, so only
# the tests marked `BOTH_WAYS` (a failing run, a missing key) also run as a real
# `python -m scaleenv_dsl`, where a stray traceback would really show.
BOTH_WAYS = pytest.mark.parametrize("cli", ["run", "subprocess"], indirect=True)


def in_subprocess(args: list[str], env: dict) -> Outcome:
    done = subprocess.run([sys.executable, "-m", "scaleenv_dsl", "author", *args], cwd=REPO,
                          capture_output=True, text=True, env=env, timeout=60)
    return Outcome(done.returncode, done.stdout, done.stderr)


def in_process(args: list[str], env: dict, monkeypatch) -> Outcome:
    from scaleenv_dsl.author.cli import add_parser, run

    for name in list(os.environ):
        monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    parser = argparse.ArgumentParser(prog="scaleenv")
    add_parser(parser.add_subparsers(dest="command"))
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = run(parser.parse_args(["author", *args]))
    return Outcome(code, out.getvalue(), err.getvalue())


def lint_every_tool(domain) -> list:
    """A stand-in later stage: one error per spec, to drive the stage hooks."""
    from scaleenv_dsl.diagnostics import Diagnostic, Span
    return [Diagnostic("invalid-example", "tools need examples", Span.point("domain.sedl", 11, 1))]


def crash(domain):
    raise RuntimeError("boom")
