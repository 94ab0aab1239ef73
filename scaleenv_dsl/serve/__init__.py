"""Serving a compiled domain to agents over MCP: `scaleenv serve`.

- `episodes`: live episodes (one env each) under minted ids, bounded in number and idle time;
- `server`: the agent's and the harness's MCP servers, and the HTTP app holding both;
- `run`: the transports (streamable HTTP, stdio);
- `cli`: the subcommand.

Only `episodes` and `cli` load without the `mcp` SDK (the `serve` extra).
"""
