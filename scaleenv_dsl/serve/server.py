"""The MCP surfaces of `scaleenv serve`, on the official `mcp` SDK's low-level `Server`.

The low-level server is used because the tools are not Python functions: their input schemas
come from the IR exactly, and every result, failures included, is built here.

- The agent's server lists the domain tools only, with their schemas, descriptions and read and
  write hints (schemas.mcp_tools: from the effects the checker inferred). Over HTTP each takes a
  required `episode_id`; over stdio the process is the episode and they take none.
- The harness's server lists `start_episode`, `episode_reward` and `end_episode`, each taking the
  control token. The agent's server has no way to reach them, so an agent can never read or
  change its reward.

Every failure a caller can cause is a tool result with `isError` and a structured error
`{"error": {"kind", "message", ...}}`: never a protocol error, never a traceback.
"""

from __future__ import annotations

import dataclasses
import hmac
import json
from contextlib import AsyncExitStack, asynccontextmanager
from typing import TYPE_CHECKING, Callable

from mcp.server import Server
from mcp.server.streamable_http_manager import StreamableHTTPASGIApp, StreamableHTTPSessionManager
from mcp.server.transport_security import TransportSecuritySettings
from mcp.types import INVALID_REQUEST, CallToolResult, ListToolsResult, TextContent, Tool
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

from ..runtime.errors import INVALID_ARGUMENTS, UNKNOWN_TOOL
from ..runtime.reward import as_trajectory
from ..schemas import mcp_tools
from .episodes import Episode, EpisodeError, EpisodeStore

if TYPE_CHECKING:
    from ..api import CompiledDomain
    from ..runtime.env import CallResult

EPISODE_PARAM = "episode_id"
UNAUTHORIZED = "unauthorized"
NO_TASK = "no_task"
LOOPBACK = ("127.0.0.1", "localhost", "::1")


class ServeError(Exception):
    """The domain cannot be served as asked (a usage problem, reported before serving)."""


# ---------------------------------------------------------------- results

def _text(text: str) -> list[TextContent]:
    return [TextContent(type="text", text=text)]


def json_result(value: dict) -> CallToolResult:
    return CallToolResult(content=_text(json.dumps(value, ensure_ascii=False)), structured_content=value)


def error_result(kind: str, message: str, **origin) -> CallToolResult:
    body = {"error": {"kind": kind, "message": message, **origin}}
    return CallToolResult(content=_text(json.dumps(body, ensure_ascii=False)), structured_content=body,
                          is_error=True)


def tool_result(result: CallResult) -> CallToolResult:
    """A domain tool's outcome: its value (text as the model reads it, and structured), or its error."""
    if not result.ok:
        body = {"error": result.error.to_json()}
        return CallToolResult(content=_text(json.dumps(body, ensure_ascii=False)), structured_content=body,
                              is_error=True)
    value = result.value
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return CallToolResult(content=_text(text), structured_content={"result": value})


def reward_json(episode: Episode, messages) -> dict:
    """The episode's reward under its task's bases, with every part, scoring the calls it made."""
    if episode.task is None:
        raise EpisodeError(NO_TASK, f"episode {episode.id} was started without a task, so it has no reward")
    try:
        trajectory = as_trajectory({"messages": messages})
    except ValueError as err:
        raise EpisodeError(INVALID_ARGUMENTS, str(err)) from None
    result = episode.env.reward(episode.task, trajectory=trajectory)
    return {"task": episode.task.name, "calls": episode.calls, **dataclasses.asdict(result)}


# ---------------------------------------------------------------- the agent's tools

def domain_tools(domain: CompiledDomain, *, episode_param: bool) -> list[Tool]:
    definitions = mcp_tools(domain.ir)
    if episode_param:
        definitions = [_with_episode_param(d) for d in definitions]
    return [Tool.model_validate(d) for d in definitions]


def _with_episode_param(definition: dict) -> dict:
    schema = definition["inputSchema"]
    if EPISODE_PARAM in schema["properties"]:
        raise ServeError(f"tool {definition['name']} has a parameter named {EPISODE_PARAM}, which the HTTP "
                         f"transport adds to every tool; serve it over stdio, or rename the parameter")
    episode = {"type": "string", "description": "The episode this call belongs to, as the harness gave it."}
    schema = {**schema, "properties": {EPISODE_PARAM: episode, **schema["properties"]},
              "required": [EPISODE_PARAM, *schema["required"]]}
    return {**definition, "inputSchema": schema}


def _server(name: str, domain: CompiledDomain, tools: list[Tool], call, instructions: str | None) -> Server:
    listing = ListToolsResult(tools=tools)
    schemas = {tool.name: tool.input_schema for tool in tools}

    async def list_tools(ctx, params) -> ListToolsResult:
        return listing

    async def call_tool(ctx, params) -> CallToolResult:
        return call(params.name, params.arguments or {})

    # get_tool_input_schema: without it the SDK runs (and serialises) the whole tools/list for each call
    # on the 2026-07-28 HTTP path, to check the call's Mcp-Param headers: most of a call's cost
    server = Server(name, version=_version(), description=domain.ir.description or None,
                    instructions=instructions, get_tool_input_schema=schemas.get,
                    on_list_tools=list_tools, on_call_tool=call_tool)
    server.middleware.clear()  # the SDK's OpenTelemetry span per message: a fifth of a call, and no exporter
    return server


def agent_server(domain: CompiledDomain, episodes: EpisodeStore) -> Server:
    """The agent's endpoint over HTTP: the domain tools, each naming its episode."""
    def call(tool: str, arguments: dict) -> CallToolResult:
        arguments = dict(arguments)
        episode_id = arguments.pop(EPISODE_PARAM, None)
        if episode_id is None:
            return error_result(INVALID_ARGUMENTS, f"missing argument '{EPISODE_PARAM}': every tool takes the "
                                                   f"episode_id the harness gave")
        try:
            episode = episodes.get(episode_id)
        except EpisodeError as err:
            return error_result(err.kind, err.message)
        episode.calls += 1
        return tool_result(episode.env.call(tool, arguments))

    return _server(domain.name, domain, domain_tools(domain, episode_param=True), call, domain.ir.policy or None)


def single_episode_server(domain: CompiledDomain, episode: Episode) -> Server:
    """The agent's endpoint over stdio, where the process is the episode: the domain tools as declared."""
    def call(tool: str, arguments: dict) -> CallToolResult:
        episode.calls += 1
        return tool_result(episode.env.call(tool, arguments))

    return _server(domain.name, domain, domain_tools(domain, episode_param=False), call, domain.ir.policy or None)


# ---------------------------------------------------------------- the harness's tools

_TOKEN = {"type": "string", "description": "The control token the server was started with."}
_EPISODE = {"type": "string", "description": "An episode_id that start_episode returned."}
CONTROL_TOOLS = [
    Tool(name="start_episode",
         description="Start an episode on a fresh environment, reset to the task if one is named. Returns "
                     '{"episode_id"}: hand it to the agent, whose every tool call must name it.',
         input_schema={"type": "object", "additionalProperties": False, "required": ["control_token"],
                       "properties": {"control_token": _TOKEN,
                                      "task": {"anyOf": [{"type": "string"}, {"type": "null"}],
                                               "description": "The name of one of the domain's tasks."}}}),
    Tool(name="episode_reward",
         description="The episode's reward under its task's bases, with its parts, scoring the calls the "
                     "episode made and the agent's messages to the user, if given (for `communicate`).",
         input_schema={"type": "object", "additionalProperties": False,
                       "required": ["control_token", "episode_id"],
                       "properties": {"control_token": _TOKEN, "episode_id": _EPISODE,
                                      "messages": {"anyOf": [{"type": "array", "items": {"type": "string"}},
                                                             {"type": "null"}],
                                                   "description": "The agent's messages to the user."}}}),
    Tool(name="end_episode",
         description="End the episode and free its environment; its id is refused from then on.",
         input_schema={"type": "object", "additionalProperties": False,
                       "required": ["control_token", "episode_id"],
                       "properties": {"control_token": _TOKEN, "episode_id": _EPISODE}}),
]


def control_server(domain: CompiledDomain, episodes: EpisodeStore, token: str) -> Server:
    """The harness's endpoint: episode control, behind the control token."""
    handlers: dict[str, Callable[[dict], dict]] = {
        "start_episode": lambda args: _started(episodes.start(args.get("task"))),
        "episode_reward": lambda args: reward_json(episodes.get(args.get("episode_id")), args.get("messages")),
        "end_episode": lambda args: {"episode_id": episodes.end(args.get("episode_id")).id, "ended": True},
    }
    expected = token.encode()

    def call(tool: str, arguments: dict) -> CallToolResult:
        handler = handlers.get(tool)
        if handler is None:
            return error_result(UNKNOWN_TOOL, f"unknown tool {tool[:100]!r}")
        given = arguments.get("control_token")
        if not isinstance(given, str) or not hmac.compare_digest(given.encode(), expected):
            return error_result(UNAUTHORIZED, "wrong or missing control_token")
        unexpected = sorted(set(arguments) - _parameters(tool))
        if unexpected:
            return error_result(INVALID_ARGUMENTS, f"unexpected argument '{str(unexpected[0])[:100]}'")
        try:
            return json_result(handler(arguments))
        except EpisodeError as err:
            return error_result(err.kind, err.message)

    return _server(f"{domain.name}-control", domain, CONTROL_TOOLS, call, None)


def _parameters(tool: str) -> set[str]:
    return next(set(t.input_schema["properties"]) for t in CONTROL_TOOLS if t.name == tool)


def _started(episode: Episode) -> dict:
    return {"episode_id": episode.id, "task": episode.task.name if episode.task is not None else None}


# ---------------------------------------------------------------- HTTP

def http_app(domain: CompiledDomain, episodes: EpisodeStore, token: str, *, host: str,
             max_request_bytes: int) -> Starlette:
    """/mcp for the agent, /control for the harness, /health for a load balancer or a test."""
    security = _transport_security(host)
    managers = {path: StreamableHTTPSessionManager(app=server, json_response=True, stateless=True,
                                                    security_settings=security,
                                                    max_request_body_size=max_request_bytes)
                for path, server in (("/mcp", agent_server(domain, episodes)),
                                     ("/control", control_server(domain, episodes, token)))}

    async def health(request):
        return JSONResponse({"status": "ok", "domain": domain.name, "live_episodes": episodes.live,
                             "max_episodes": episodes.max_live, "idle_timeout_s": episodes.idle_timeout})

    @asynccontextmanager
    async def lifespan(app):
        async with AsyncExitStack() as stack:
            for manager in managers.values():
                await stack.enter_async_context(manager.run())
            yield

    routes = [Route(path, endpoint=BodyLimit(StreamableHTTPASGIApp(manager), max_request_bytes))
              for path, manager in managers.items()]
    return Starlette(routes=[*routes, Route("/health", health)], lifespan=lifespan)


class BodyLimit:
    """Refuses a request whose declared body is over the limit with 413 and a JSON-RPC error saying
    so, which the SDK's client raises as an MCPError with this message. (The SDK's own limit, kept
    as the backstop for bodies sent without a length, answers in plain text, which its client
    reports only as "Server returned an error response".)"""

    def __init__(self, app, limit: int):
        self.app = app
        self.limit = limit

    async def __call__(self, scope, receive, send) -> None:
        declared = dict(scope.get("headers") or ()).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.limit:
            message = (f"the request body has {int(declared)} bytes, more than this server accepts "
                       f"({self.limit}, --max-request-bytes)")
            error = {"jsonrpc": "2.0", "id": None, "error": {"code": INVALID_REQUEST, "message": message}}
            await JSONResponse(error, status_code=413)(scope, receive, send)
            return
        await self.app(scope, receive, send)


def _transport_security(host: str) -> TransportSecuritySettings | None:
    """DNS-rebinding protection on a loopback address, as the SDK arms it for its own apps."""
    if host not in LOOPBACK:
        return None
    return TransportSecuritySettings(enable_dns_rebinding_protection=True,
                                     allowed_hosts=["127.0.0.1:*", "localhost:*", "[::1]:*"],
                                     allowed_origins=["http://127.0.0.1:*", "http://localhost:*", "http://[::1]:*"])


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("scaleenv_dsl")
    except PackageNotFoundError:
        return ""


def single_episode(domain: CompiledDomain, task_name: str | None) -> Episode:
    """The one episode of a stdio server; KeyError for an unknown task."""
    task = domain.task(task_name) if task_name is not None else None
    return Episode("stdio", domain.env().reset(task), task, 0.0)
