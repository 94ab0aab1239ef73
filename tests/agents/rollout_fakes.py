"""Scripted conversations for the local Messages API: the agent's and the user's turns by position."""

from __future__ import annotations

from author_fakes import api_error, message


def text(words: str) -> dict:
    return {"type": "text", "text": words}


def tool_use(name: str, arguments: dict, use_id: str = "toolu_1") -> dict:
    return {"type": "tool_use", "id": use_id, "name": name, "input": arguments}


def reply(*blocks: dict) -> dict:
    """One assistant turn; a turn with tool calls stops for them, as the API does."""
    calls = any(block["type"] == "tool_use" for block in blocks)
    return message("", content=list(blocks), stop_reason="tool_use" if calls else "end_turn",
                   input_tokens=100, output_tokens=10)


class Conversation:
    """`MessagesServer.respond`: the agent's n-th reply (requests with tools) and the user's n-th.

    The position is read from the request (its assistant turns so far), so trials that run at once
    get the same replies whatever order their requests arrive in. With `agent_loops`, the agent's
    last reply repeats for ever.
    """

    def __init__(self, agent: list[dict], user: list[str], *, agent_loops: bool = False):
        self.agent, self.user, self.agent_loops = agent, user, agent_loops

    def __call__(self, body: dict) -> dict:
        turn = sum(m["role"] == "assistant" for m in body["messages"])
        if "tools" in body:
            if self.agent_loops:
                turn = min(turn, len(self.agent) - 1)
            return self.agent[turn] if turn < len(self.agent) else _exhausted("agent")
        return message(self.user[turn], input_tokens=50, output_tokens=5) if turn < len(self.user) else _exhausted("user")


def _exhausted(side: str) -> dict:
    return api_error(400, "invalid_request_error", f"the test has no more {side} replies")


def agent_requests(server) -> list[dict]:
    return [r["body"] for r in server.requests if "tools" in r["body"]]


def user_requests(server) -> list[dict]:
    return [r["body"] for r in server.requests if "tools" not in r["body"]]


# Grace Hopper returns a book two days late; the library's task `return_late_senior`
# (reward state, communicate "0.2").
OPENING = "Hi, I'm Grace Hopper (grace@example.org). I want to return The Left Hand of Darkness. Today is day 112."
RETURN_BOOK = [
    reply(tool_use("find_member_by_email", {"email": "grace@example.org"}, "toolu_a")),
    reply(text("Let me return it."), tool_use("return_book", {"loan_id": "l_002", "today": 112}, "toolu_b")),
    reply(text("Your book is returned. You owe 0.2 in late fees.")),
]
THANKS = "Thanks, that's all. ###STOP###"
