"""`scaleenv serve retail --transport http`, driven by the MCP SDK's own client over streamable HTTP."""

from __future__ import annotations

import asyncio
import os
import re
import time
from contextlib import AsyncExitStack

import pytest
from mcp import Client, MCPError

from scaleenv_dsl.schemas import mcp_tools

from conftest import TOKEN, error_of, http_server, run, structured

CONTROL_TOOLS = ["start_episode", "episode_reward", "end_episode"]


async def start(control, task: str | None = None) -> str:
    return structured(await control.call_tool("start_episode", {"control_token": TOKEN, "task": task}))["episode_id"]


async def reward(control, episode_id: str, **extra) -> dict:
    return structured(await control.call_tool("episode_reward",
                                              {"control_token": TOKEN, "episode_id": episode_id, **extra}))


async def end(control, episode_id: str) -> dict:
    return structured(await control.call_tool("end_episode", {"control_token": TOKEN, "episode_id": episode_id}))


def expected(result) -> dict:
    """What the server answers for an in-process CallResult."""
    return {"result": result.value} if result.ok else {"error": result.error.to_json()}


def reference(retail, task) -> list[dict]:
    """Each gold action's outcome on an env of its own, in this process."""
    env = retail.env().reset(task)
    return [expected(env.call(action.tool, action.arguments)) for action in task.actions]


async def play(agent, episode_id: str, task) -> list[dict]:
    """The task's gold actions, as an agent would make them; the structured outcome of each."""
    outcomes = []
    for action in task.actions:
        result = await agent.call_tool(action.tool, {"episode_id": episode_id, **action.arguments})
        outcomes.append(structured(result))
        assert result.is_error == ("error" in outcomes[-1])
    return outcomes


def a_delivered_order(retail) -> str:
    return next(k for k, o in retail.initial_data()["orders"].items() if o["status"] == "delivered")


# ---------------------------------------------------------------- the two endpoints

def test_the_agent_endpoint_lists_the_domain_tools_only_each_naming_its_episode(server, retail):
    async def main():
        async with Client(server.agent_url) as agent:
            return (await agent.list_tools()).tools

    tools = run(main())
    declared = {t["name"]: t for t in mcp_tools(retail.ir)}
    assert [t.name for t in tools] == list(declared)
    for tool in tools:
        schema, wanted = tool.input_schema, declared[tool.name]["inputSchema"]
        assert schema["required"] == ["episode_id", *wanted["required"]]
        assert schema["properties"].pop("episode_id")["type"] == "string"
        assert schema["properties"] == wanted["properties"]
        assert tool.description == declared[tool.name]["description"]
        effects = retail.ir.tool(tool.name).contract.effects
        assert tool.annotations.read_only_hint is (not effects)
        assert tool.annotations.destructive_hint is (
            any(e.op not in ("insert", "append", "extend") for e in effects))


def test_the_control_endpoint_lists_episode_control_behind_the_token(server):
    async def main():
        async with Client(server.control_url) as control:
            return (await control.list_tools()).tools

    tools = run(main())
    assert [t.name for t in tools] == CONTROL_TOOLS
    assert all(t.input_schema["required"][0] == "control_token" for t in tools)


# ---------------------------------------------------------------- one episode

def test_an_episode_is_started_played_scored_and_ended(server, retail):
    task = retail.tasks[5]

    async def main():
        async with Client(server.control_url) as control, Client(server.agent_url) as agent:
            episode = await start(control, task.name)
            outcomes = await play(agent, episode, task)
            scored = await reward(control, episode, messages=["Your order is cancelled."])
            live = server.health()["live_episodes"]
            ended = await end(control, episode)
            after = await agent.call_tool(task.actions[0].tool, {"episode_id": episode, **task.actions[0].arguments})
            again = await control.call_tool("episode_reward", {"control_token": TOKEN, "episode_id": episode})
            return episode, outcomes, scored, live, ended, after, again

    episode, outcomes, scored, live, ended, after, again = run(main())
    assert outcomes == reference(retail, task)
    assert scored["reward"] == 1.0 and scored["task"] == task.name and scored["calls"] == len(task.actions)
    assert scored["checked"] == ["state"] and scored["differences"] == [] and scored["incomplete"] == []
    assert live >= 1 and ended == {"episode_id": episode, "ended": True}
    assert error_of(after)["kind"] == "episode_ended"
    assert error_of(again)["kind"] == "episode_ended"


def test_the_reward_of_a_wrong_episode_names_what_differs(server, retail):
    task = next(t for t in retail.tasks if t.actions and retail.ir.tool(t.actions[-1].tool).writes)

    async def main():
        async with Client(server.control_url) as control:
            episode = await start(control, task.name)
            scored = await reward(control, episode)  # the agent did nothing
            await end(control, episode)
            return scored

    scored = run(main())
    assert scored["reward"] == 0.0 and scored["calls"] == 0
    assert scored["differences"] and {"collection", "key", "field", "expected", "actual"} <= set(scored["differences"][0])


def test_a_failed_call_is_a_tool_result_with_the_structured_error(server, retail):
    order_id = a_delivered_order(retail)

    async def main():
        async with Client(server.control_url) as control, Client(server.agent_url) as agent:
            episode = await start(control)
            result = await agent.call_tool("cancel_pending_order", {"episode_id": episode, "order_id": order_id,
                                                                    "reason": "no longer needed"})
            await end(control, episode)
            return result

    error = error_of(run(main()))
    assert error == {"kind": "require", "message": "Non-pending order cannot be cancelled",
                     "guard": "cancel_pending_order#4", "loc": error["loc"]}
    assert re.fullmatch(r"retail\.sedl:\d+:\d+", error["loc"])


# ---------------------------------------------------------------- bad input

def test_unknown_episodes_and_malformed_arguments_get_clear_errors(server, retail):
    user_id = next(iter(retail.initial_data()["users"]))

    async def main():
        async with Client(server.control_url) as control, Client(server.agent_url) as agent:
            episode, tasked = await start(control), await start(control, retail.tasks[0].name)
            calls = {
                "never minted": ("get_user_details", {"episode_id": "made-up", "user_id": user_id}),
                "no episode": ("get_user_details", {"user_id": user_id}),
                "episode not a string": ("get_user_details", {"episode_id": 7, "user_id": user_id}),
                "wrong type": ("get_user_details", {"episode_id": episode, "user_id": 12}),
                "missing argument": ("get_user_details", {"episode_id": episode}),
                "unexpected argument": ("get_user_details", {"episode_id": episode, "user_id": user_id, "x": 1}),
                "unknown tool": ("drop_tables", {"episode_id": episode}),
            }
            errors = {name: error_of(await agent.call_tool(tool, args)) for name, (tool, args) in calls.items()}
            errors["unknown task"] = error_of(await control.call_tool(
                "start_episode", {"control_token": TOKEN, "task": "no_such_task"}))
            errors["bad messages"] = error_of(await control.call_tool(
                "episode_reward", {"control_token": TOKEN, "episode_id": tasked, "messages": [3]}))
            errors["no task to score"] = error_of(await control.call_tool(
                "episode_reward", {"control_token": TOKEN, "episode_id": episode}))
            await end(control, episode)
            await end(control, tasked)
            return errors

    errors = run(main())
    kinds = {name: error["kind"] for name, error in errors.items()}
    assert kinds == {"never minted": "unknown_episode", "no episode": "invalid_arguments",
                     "episode not a string": "unknown_episode", "wrong type": "invalid_arguments",
                     "missing argument": "invalid_arguments", "unexpected argument": "invalid_arguments",
                     "unknown tool": "unknown_tool", "unknown task": "unknown_task",
                     "bad messages": "invalid_arguments", "no task to score": "no_task"}
    assert "start_episode" in errors["never minted"]["message"]
    assert errors["wrong type"]["message"] == "argument 'user_id': expected a string, got an integer"
    assert "messages[0]" in errors["bad messages"]["message"]


def test_a_huge_payload_is_refused_with_a_clear_error(server, retail):
    user_id = next(iter(retail.initial_data()["users"]))

    async def main():
        async with Client(server.control_url) as control, Client(server.agent_url) as agent:
            episode = await start(control)
            with pytest.raises(MCPError) as refused:
                await agent.call_tool("get_user_details", {"episode_id": episode, "user_id": "u" * 2_000_000})
            long = await agent.call_tool("get_user_details", {"episode_id": episode, "user_id": "u" * 200_000})
            still = await agent.call_tool("get_user_details", {"episode_id": episode, "user_id": user_id})
            await end(control, episode)
            return str(refused.value), long, still

    refused, long, still = run(main())
    assert "more than this server accepts" in refused and "--max-request-bytes" in refused
    assert error_of(long) == {"kind": "invalid_arguments",
                              "message": "argument 'user_id': the string is longer than 100000 characters"}
    assert structured(still)["result"]["user_id"] == user_id


# ---------------------------------------------------------------- the reward is the harness's

def test_the_agent_cannot_reach_episode_control_and_a_wrong_token_is_refused(server):
    async def main():
        async with Client(server.control_url) as control, Client(server.agent_url) as agent:
            episode = await start(control)
            from_agent = {name: error_of(await agent.call_tool(name, {"control_token": TOKEN,
                                                                      "episode_id": episode}))
                          for name in CONTROL_TOOLS}
            wrong = {name: error_of(await control.call_tool(name, {"control_token": "guess", "episode_id": episode}))
                     for name in CONTROL_TOOLS}
            missing = error_of(await control.call_tool("start_episode", {}))
            still_live = server.health()["live_episodes"]
            await end(control, episode)
            return from_agent, wrong, missing, still_live

    from_agent, wrong, missing, still_live = run(main())
    assert {e["kind"] for e in from_agent.values()} == {"unknown_tool"}
    assert {e["kind"] for e in wrong.values()} == {"unauthorized"}
    assert missing["kind"] == "unauthorized"
    assert still_live >= 1, "a refused end_episode ended nothing"


def test_a_generated_control_token_is_printed_to_stderr(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "SCALEENV_CONTROL_TOKEN"}
    with http_server(tmp_path, env=env) as server:
        token = re.search(r"control token (\S+)", server.stderr()).group(1)

        async def main():
            async with Client(server.control_url) as control:
                started = await control.call_tool("start_episode", {"control_token": token})
                refused = await control.call_tool("start_episode", {"control_token": TOKEN})
                return started, refused

        started, refused = run(main())
    assert not started.is_error and len(token) >= 24
    assert error_of(refused)["kind"] == "unauthorized"


# ---------------------------------------------------------------- many episodes

def test_64_concurrent_episodes_stay_isolated(server, retail):
    """16 writing tasks, each played by 4 episodes at once: the episodes of one task write the
    same rows, so any cross-talk would fail a precondition or change a final state."""
    tasks = [t for t in retail.tasks if any(retail.ir.tool(a.tool).writes for a in t.actions)][:16]
    games = [task for task in tasks for _ in range(4)]

    async def one(control, agent, task):
        episode = await start(control, task.name)
        await asyncio.sleep(0)  # let every episode start before any plays
        outcomes = await play(agent, episode, task)
        scored = await reward(control, episode)
        await end(control, episode)
        return outcomes, scored["reward"]

    async def main():
        async with AsyncExitStack() as stack:  # closed in reverse, as anyio's scopes must be
            control = await stack.enter_async_context(Client(server.control_url))
            agents = [await stack.enter_async_context(Client(server.agent_url)) for _ in range(8)]
            return await asyncio.gather(*(one(control, agents[i % 8], task) for i, task in enumerate(games)))

    results = run(main())
    assert len(results) == 64
    for task, (outcomes, score) in zip(games, results):
        assert outcomes == reference(retail, task), task.name
        assert score == 1.0, task.name
    assert server.health()["live_episodes"] == 0


def final_reads(task) -> list[tuple[str, dict]]:
    """Reads of every order and user the task's actions name: they show its final state."""
    reads = []
    for action in task.actions:
        for key, tool in (("order_id", "get_order_details"), ("user_id", "get_user_details")):
            read = (tool, {key: action.arguments[key]}) if key in action.arguments else None
            if read is not None and read not in reads:
                reads.append(read)
    return reads


def test_a_soak_of_ten_thousand_calls(server, retail):
    """Episodes played back to back by 4 concurrent clients until 10,000 agent calls: each task's
    gold actions, then reads of the rows they name. Every outcome is what an env alone gives, every
    final state earns 1, and no episode is left live."""
    tasks = [t for t in retail.tasks if t.actions]
    scripts = {t.name: [(a.tool, a.arguments) for a in t.actions] + final_reads(t) for t in tasks}
    outcomes = {}
    for task in tasks:
        env = retail.env().reset(task)
        outcomes[task.name] = [expected(env.call(tool, args)) for tool, args in scripts[task.name]]
    wanted, made, failures = 10_000, [0], []
    started = time.perf_counter()

    async def worker(index: int):
        async with Client(server.control_url) as control, Client(server.agent_url) as agent:
            turn = index
            while made[0] < wanted:
                task = tasks[turn % len(tasks)]
                turn += 4
                episode = await start(control, task.name)
                got = [structured(await agent.call_tool(tool, {"episode_id": episode, **args}))
                       for tool, args in scripts[task.name]]
                made[0] += len(got)
                if got != outcomes[task.name]:
                    failures.append(f"{task.name}: the outcomes differ")
                if (await reward(control, episode))["reward"] != 1.0:
                    failures.append(f"{task.name}: the final state differs")
                await end(control, episode)

    async def main():
        await asyncio.gather(*(worker(i) for i in range(4)))

    run(main())
    elapsed = time.perf_counter() - started
    assert failures == []
    assert made[0] >= wanted
    assert server.health()["live_episodes"] == 0
    print(f"soak: {made[0]} calls in {elapsed:.1f} s")


# ---------------------------------------------------------------- limits

def test_evicted_episodes_are_told_why_on_their_next_call(tmp_path, retail):
    user_id = next(iter(retail.initial_data()["users"]))
    with http_server(tmp_path, "--control-token", TOKEN, "--max-episodes", "2", "--idle-timeout", "1") as server:
        async def main():
            async with Client(server.control_url) as control, Client(server.agent_url) as agent:
                first, second = await start(control), await start(control)
                third = await start(control)  # over the limit: the least recently used goes
                crowded = await agent.call_tool("get_user_details", {"episode_id": first, "user_id": user_id})
                kept = await agent.call_tool("get_user_details", {"episode_id": third, "user_id": user_id})
                live = server.health()["live_episodes"]
                await asyncio.sleep(1.5)
                idle = await agent.call_tool("get_user_details", {"episode_id": second, "user_id": user_id})
                return crowded, kept, live, idle, server.health()["live_episodes"]

        crowded, kept, live, idle, live_after = run(main())
    assert error_of(crowded)["kind"] == "episode_evicted"
    assert "at most 2 live episodes" in error_of(crowded)["message"]
    assert not kept.is_error and live == 2
    assert error_of(idle)["kind"] == "episode_evicted" and "idle" in error_of(idle)["message"]
    assert live_after == 0


def test_the_listening_socket_says_it_is_tcp_so_asyncio_turns_nagle_off():
    """asyncio sets TCP_NODELAY only on sockets whose proto is IPPROTO_TCP; on one made with proto 0,
    each keep-alive response waited out a delayed ACK (~40 ms)."""
    import asyncio as aio
    import socket

    from scaleenv_dsl.serve.run import bind, url_of

    listener = bind("127.0.0.1", 0)

    async def accepted_nodelay() -> int:
        seen = aio.get_running_loop().create_future()

        def connected(reader, writer):
            seen.set_result(writer.get_extra_info("socket").getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            writer.close()

        server = await aio.start_server(connected, sock=listener)
        host, port = listener.getsockname()
        _, writer = await aio.open_connection(host, port)
        value = await seen
        writer.close()
        server.close()
        return value

    assert listener.proto == socket.IPPROTO_TCP and url_of(listener).startswith("http://127.0.0.1:")
    assert aio.run(accepted_nodelay()) != 0
