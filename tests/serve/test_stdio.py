"""`scaleenv serve retail --transport stdio`: one process, one episode, spawned by the SDK's client
the way an MCP-capable agent app spawns its tools; the reward is written when the client leaves."""

from __future__ import annotations

import json

from mcp import Client, StdioServerParameters

from scaleenv_dsl.cli import main as scaleenv
from scaleenv_dsl.schemas import mcp_tools

from conftest import error_of, run, serve_command, structured


def spawned(*args: str) -> StdioServerParameters:
    command = serve_command("retail", "--transport", "stdio", *args)
    return StdioServerParameters(command=command[0], args=command[1:])


def test_over_stdio_the_process_is_the_episode_and_its_reward_is_written_on_disconnect(tmp_path, retail):
    task = next(t for t in retail.tasks if len(t.actions) >= 5)
    out = tmp_path / "reward.json"

    async def main():
        async with Client(spawned("--task", task.name, "--reward-out", str(out))) as agent:
            tools = (await agent.list_tools()).tools
            outcomes = [structured(await agent.call_tool(a.tool, a.arguments)) for a in task.actions]
            failed = await agent.call_tool("get_order_details", {"order_id": "#nope"})
            return tools, outcomes, failed

    tools, outcomes, failed = run(main())
    declared = mcp_tools(retail.ir)
    assert [t.model_dump(by_alias=True, exclude_none=True) for t in tools] == declared, "no episode_id over stdio"
    env = retail.env().reset(task)
    assert outcomes == [({"result": r.value} if r.ok else {"error": r.error.to_json()})
                        for r in (env.call(a.tool, a.arguments) for a in task.actions)]
    assert error_of(failed)["kind"] == "not_found"

    written = json.loads(out.read_text(encoding="utf-8"))
    assert written["domain"] == "retail" and written["task"] == task.name
    assert written["calls"] == len(task.actions) + 1
    assert written["reward"]["reward"] == 1.0 and written["reward"]["checked"] == ["state"]
    assert written["changes"] == env.changes()
    assert [p.name for p in tmp_path.iterdir()] == ["reward.json"], "no temporary file is left behind"


def test_without_a_task_the_reward_file_holds_the_changes(tmp_path, retail):
    out = tmp_path / "outcome.json"
    user_id = next(iter(retail.initial_data()["users"]))
    address = {"address1": "1 Main St", "address2": "", "city": "Austin", "state": "TX", "country": "USA",
               "zip": "78701"}

    async def main():
        async with Client(spawned("--reward-out", str(out))) as agent:
            return await agent.call_tool("modify_user_address", {"user_id": user_id, **address})

    assert not run(main()).is_error
    written = json.loads(out.read_text(encoding="utf-8"))
    assert written["task"] is None and written["reward"] is None and written["calls"] == 1
    assert written["changes"]["changed"]["users"][user_id]["address"] == address


def test_serve_refuses_bad_usage_before_serving(capsys, tmp_path):
    cases = {
        ("--transport", "http", "--task", "x"): "--task does not apply to --transport http",
        ("--transport", "stdio", "--port", "9000"): "--port does not apply to --transport stdio",
        ("--transport", "http", "--port", "70000"): "--port must be a port number",
        ("--transport", "http", "--max-episodes", "0"): "--max-episodes must be positive",
        ("--transport", "http", "--idle-timeout", "0"): "--idle-timeout must be a positive number",
        ("--transport", "stdio", "--task", "no_such_task"): "has no task 'no_such_task'",
    }
    for args, message in cases.items():
        assert scaleenv(["serve", "retail", *args]) == 2, args
        assert message in capsys.readouterr().err, args
    broken = tmp_path / "broken.sedl"
    broken.write_text("domain broken {\n  description \"x\"\n}\ntool t( {\n}\n", encoding="utf-8")
    assert scaleenv(["serve", str(broken)]) == 1
    err = capsys.readouterr().err
    assert "broken.sedl:" in err and "Traceback" not in err


def test_a_client_that_ends_the_server_with_sigterm_still_gets_the_reward_file(tmp_path, retail):
    import signal
    import subprocess

    out = tmp_path / "reward.json"
    server = subprocess.Popen(serve_command("retail", "--task", retail.tasks[0].name, "--reward-out", str(out)),
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        hello = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
                 "params": {"protocolVersion": "2025-11-25", "capabilities": {},
                            "clientInfo": {"name": "test", "version": "0"}}}
        server.stdin.write(json.dumps(hello) + "\n")
        server.stdin.flush()
        assert json.loads(server.stdout.readline())["id"] == 1  # serving
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=30) == -signal.SIGTERM, "SIGTERM ends the server even with stdin open"
    finally:
        server.kill()
        server.wait()
        server.stdin.close()
    written = json.loads(out.read_text(encoding="utf-8"))
    assert written["task"] == retail.tasks[0].name and written["reward"]["reward"] == 0.0
    assert "Traceback" not in server.stderr.read()
