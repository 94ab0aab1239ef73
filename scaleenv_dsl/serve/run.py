"""Running the servers: streamable HTTP on a socket this process binds, or stdio for one episode."""

from __future__ import annotations

import json
import os
import signal
import socket
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import anyio

from .episodes import Episode
from .server import reward_json, single_episode_server

if TYPE_CHECKING:
    from starlette.applications import Starlette

    from ..api import CompiledDomain


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on (host, port); port 0 picks a free one. OSError if it cannot be had.

    Made with proto IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY only on sockets that say they are
    TCP, and without it a keep-alive client waits out a delayed ACK (~40 ms) on every response.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(1024)
    except OSError:
        sock.close()
        raise
    return sock


def url_of(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def serve_http(app: Starlette, sock: socket.socket) -> None:
    """Serve until SIGINT or SIGTERM (uvicorn handles both, and shuts down cleanly)."""
    import uvicorn

    config = uvicorn.Config(app, lifespan="on", log_level="warning", access_log=False)
    uvicorn.Server(config).run(sockets=[sock])


def serve_stdio(domain: CompiledDomain, episode: Episode, reward_out: str | None) -> None:
    """Serve one episode on stdin/stdout until the client disconnects or sends SIGTERM, then write
    its reward."""
    from mcp.server.stdio import stdio_server

    server = single_episode_server(domain, episode)

    def write_reward() -> None:
        if reward_out is not None:
            write_json_atomically(Path(reward_out), episode_outcome(domain, episode))

    async def main() -> None:
        async with anyio.create_task_group() as tasks:
            await tasks.start(_die_on_sigterm, write_reward)
            async with stdio_server() as (read, write):
                await server.run(read, write, server.create_initialization_options())
            tasks.cancel_scope.cancel()

    anyio.run(main)
    write_reward()


async def _die_on_sigterm(before_dying, *, task_status=anyio.TASK_STATUS_IGNORED) -> None:
    """On SIGTERM, run `before_dying` and die of the signal, as the client asked.

    The signal is taken in the event loop, between tool calls, so the reward is written from a
    consistent state. Dying by the default handler, not returning: a plain exit would wait on the
    SDK's thread that reads stdin, which blocks until the client closes it.
    """
    with anyio.open_signal_receiver(signal.SIGTERM) as signals:
        task_status.started()
        async for _ in signals:
            before_dying()
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            os.kill(os.getpid(), signal.SIGTERM)


def episode_outcome(domain: CompiledDomain, episode: Episode) -> dict:
    """What --reward-out holds: the reward with its parts (None without a task) and the changes."""
    reward = reward_json(episode, None) if episode.task is not None else None
    return {"domain": domain.name, "task": episode.task.name if episode.task is not None else None,
            "calls": episode.calls, "reward": reward, "changes": episode.env.changes()}


def write_json_atomically(path: Path, value: dict) -> None:
    """Write to a temporary file beside `path`, then rename: a reader never sees half a file."""
    folder = path.resolve().parent
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=folder)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as f:
            json.dump(value, f, indent=2, ensure_ascii=False)
            f.write("\n")
        os.chmod(temporary, 0o666 & ~_umask())  # mkstemp makes it private; a plain file is wanted
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
