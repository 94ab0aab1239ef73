"""`scaleenv serve DOMAIN`: a compiled domain's tools, served to agents over MCP.

Imports nothing heavy until the command runs: `scaleenv check` must start fast.
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys

from .episodes import DEFAULT_IDLE_TIMEOUT, DEFAULT_MAX_LIVE

DEFAULT_PORT = 8000
DEFAULT_HOST = "127.0.0.1"
DEFAULT_MAX_REQUEST_BYTES = 1 << 20   # beyond the env's own argument limits, with room for JSON-RPC
TOKEN_VARIABLE = "SCALEENV_CONTROL_TOKEN"
EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2
HTTP_ONLY = ("host", "port", "control_token", "max_episodes", "idle_timeout", "max_request_bytes")
STDIO_ONLY = ("task", "reward_out")


def add_parser(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "serve", help="serve a domain's tools to agents over MCP (stdio or HTTP)",
        description="Serve a domain's tools over the Model Context Protocol. Over stdio one process is one "
                    "episode, the way MCP-capable agent apps spawn their tools. Over HTTP the agent's endpoint "
                    "/mcp lists the domain tools, each taking an episode_id, and the harness's endpoint "
                    "/control starts, scores and ends episodes with a control token. "
                    "Exit codes: 0 stopped cleanly, 1 the spec has errors, 2 a usage or I/O problem.")
    parser.add_argument("domain", metavar="DOMAIN", help="a stdlib domain name, a spec file, or a folder holding one")
    parser.add_argument("--transport", choices=("stdio", "http"), default="stdio", help="default: stdio")
    stdio = parser.add_argument_group("stdio")
    stdio.add_argument("--task", metavar="NAME", help="reset the episode to this task of the domain")
    stdio.add_argument("--reward-out", metavar="FILE",
                       help="when the client disconnects, write the reward with its parts and the changes here")
    http = parser.add_argument_group("http")
    http.add_argument("--host", help=f"address to listen on (default: {DEFAULT_HOST})")
    http.add_argument("--port", type=int, help=f"port to listen on, 0 for any free one (default: {DEFAULT_PORT})")
    http.add_argument("--control-token", metavar="TOKEN",
                      help=f"the token /control requires (default: ${TOKEN_VARIABLE}, else a new one, "
                           f"printed to stderr)")
    http.add_argument("--max-episodes", type=int, metavar="N",
                      help=f"live episodes at most; starting one more evicts the least recently used "
                           f"(default: {DEFAULT_MAX_LIVE})")
    http.add_argument("--idle-timeout", type=float, metavar="SECONDS",
                      help=f"evict an episode idle this long (default: {DEFAULT_IDLE_TIMEOUT:g})")
    http.add_argument("--max-request-bytes", type=int, metavar="N",
                      help=f"refuse a larger request body with 413 (default: {DEFAULT_MAX_REQUEST_BYTES})")
    parser.set_defaults(run=run)  # how scaleenv_dsl/cli.py dispatches
    return parser


def run(args: argparse.Namespace) -> int:
    problem = usage_problem(args)
    if problem is not None:
        return _fail(problem, EXIT_USAGE)
    try:
        from . import run as runner
        from .server import ServeError
    except ImportError as err:
        if (err.name or "").split(".")[0] in ("mcp", "mcp_types", "uvicorn", "starlette", "anyio"):
            return _fail("needs the MCP SDK: pip install 'scaleenv_dsl[serve]'", EXIT_USAGE)
        raise
    from ..api import DomainLoadError, load_domain

    try:
        domain = load_domain(args.domain)
    except DomainLoadError as err:
        print(err.render(), file=sys.stderr)
        return EXIT_ERRORS
    try:
        if args.transport == "stdio":
            return _run_stdio(domain, args, runner)
        return _run_http(domain, args, runner)
    except ServeError as err:
        return _fail(str(err), EXIT_USAGE)


def usage_problem(args: argparse.Namespace) -> str | None:
    other = STDIO_ONLY if args.transport == "http" else HTTP_ONLY
    given = [name for name in other if getattr(args, name) is not None]
    if given:
        flag = "--" + given[0].replace("_", "-")
        return f"{flag} does not apply to --transport {args.transport}"
    if args.port is not None and not 0 <= args.port < 65536:
        return "--port must be a port number (0 for any free one)"
    for name in ("max_episodes", "max_request_bytes"):
        if getattr(args, name) is not None and getattr(args, name) < 1:
            return f"--{name.replace('_', '-')} must be positive"
    if args.idle_timeout is not None and not args.idle_timeout > 0:
        return "--idle-timeout must be a positive number of seconds"
    if args.control_token is not None and not args.control_token.strip():
        return "--control-token must not be empty"
    return None


def _run_stdio(domain, args, runner) -> int:
    from .server import single_episode

    try:
        episode = single_episode(domain, args.task)
    except KeyError as err:
        return _fail(str(err.args[0]), EXIT_USAGE)
    try:
        runner.serve_stdio(domain, episode, args.reward_out)
    except OSError as err:
        return _fail(f"cannot write {args.reward_out}: {err.strerror or err}", EXIT_USAGE)
    return EXIT_OK


def _run_http(domain, args, runner) -> int:
    from .episodes import EpisodeStore
    from .server import http_app

    host, port = args.host or DEFAULT_HOST, DEFAULT_PORT if args.port is None else args.port
    token = args.control_token or os.environ.get(TOKEN_VARIABLE) or None
    generated = token is None
    if generated:
        token = secrets.token_urlsafe(24)
    episodes = EpisodeStore(domain, max_live=args.max_episodes or DEFAULT_MAX_LIVE,
                            idle_timeout=args.idle_timeout or DEFAULT_IDLE_TIMEOUT)
    app = http_app(domain, episodes, token, host=host,
                   max_request_bytes=args.max_request_bytes or DEFAULT_MAX_REQUEST_BYTES)
    try:
        sock = runner.bind(host, port)
    except OSError as err:
        return _fail(f"cannot listen on {host}:{port}: {err.strerror or err}", EXIT_USAGE)
    if generated:
        print(f"scaleenv serve: control token {token}", file=sys.stderr)
    url = runner.url_of(sock)
    print(f"scaleenv serve: {domain.name} on {url}/mcp (agent) and {url}/control (harness)", file=sys.stderr,
          flush=True)
    runner.serve_http(app, sock)
    return EXIT_OK


def _fail(message: str, code: int) -> int:
    print(f"scaleenv serve: {message}", file=sys.stderr)
    return code
