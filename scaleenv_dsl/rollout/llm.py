"""The model side of a rollout, on the Messages API: an agent with the domain's tools and policy,
and a user simulator prompted with the task.

    client = make_client()                   # retries 408/409/429/5xx with backoff (scaleenv_dsl.author)
    record = run_trial(domain, task, client=client, agent_model=..., user_model=..., max_turns=30)

API failures that outlast the SDK's retries end the trial, recorded with `ending: "error"`.
"""

from __future__ import annotations

import json
import time

import anthropic

from .. import ir
from ..api import CallResult, CompiledDomain
from ..author.session import TokenUsage, UnexpectedReply, api_error_line
from .episode import Episode
from .settings import AGENT_MAX_TOKENS, USER_MAX_TOKENS
from .users import GREETING, UserReply, split_stop, user_system_prompt

# The API refuses an empty text turn; these stand in for one.
_NO_REPLY = "(no reply)"


def agent_system_prompt(domain: ir.Domain) -> str:
    about = f" {domain.description.strip()}" if domain.description.strip() else ""
    return f"""You are a customer service agent for {domain.name}.{about}

Help the user with their request, following the policy below. In each turn, either call tools or
write a message to the user. The user sees only your messages, never your tool calls or their results.
Do not make up information: look it up with the tools, or ask the user.

<policy>
{domain.policy.strip() or "(no policy)"}
</policy>"""


def create_message(client: anthropic.Anthropic, **params):
    """`client.messages.create`, with a 200 answer that is not a message raised as UnexpectedReply."""
    try:
        reply = client.messages.create(**params)
    except ValueError as err:  # the SDK could not decode the body of a 200
        raise UnexpectedReply(f"the server at {client.base_url} did not answer like the Messages API "
                              f"(a body that is not JSON: {err})") from None
    if not _is_message(reply):
        raise UnexpectedReply(f"the server at {client.base_url} did not answer like the Messages API")
    return reply


def _is_message(reply) -> bool:
    """Whether a reply has the shape read here: the SDK builds whatever a 200 holds, unvalidated."""
    content, usage = getattr(reply, "content", None), getattr(reply, "usage", None)
    if not isinstance(content, list) or not isinstance(getattr(usage, "input_tokens", None), int):
        return False
    texts = [block for block in content if getattr(block, "type", None) == "text"]
    uses = [block for block in content if getattr(block, "type", None) == "tool_use"]
    return (all(isinstance(block.text, str) for block in texts)
            and all(isinstance(block.id, str) and isinstance(block.name, str) for block in uses))


class LLMUser:
    """A user simulator on the Messages API; `usage` counts the tokens of the current episode."""

    def __init__(self, client: anthropic.Anthropic, model: str, *, max_tokens: int = USER_MAX_TOKENS):
        self.client, self.model, self.max_tokens = client, model, max_tokens
        self.usage = TokenUsage()
        self._system = ""
        self._messages: list[dict] = []

    def start(self, task: ir.TaskDef) -> UserReply:
        self.usage = TokenUsage()
        self._system = user_system_prompt(task)
        self._messages = []
        return self.reply(GREETING)

    def reply(self, message: str) -> UserReply:
        # The simulator sees the conversation from its side: the agent's messages are its input.
        self._messages.append({"role": "user", "content": message.strip() or _NO_REPLY})
        reply = create_message(self.client, model=self.model, max_tokens=self.max_tokens,
                               system=self._system, messages=list(self._messages))
        self.usage.add(reply.usage)
        text = "".join(block.text for block in reply.content if block.type == "text")
        self._messages.append({"role": "assistant", "content": text if text.strip() else _NO_REPLY})
        return split_stop(text)


class LLMAgent:
    """Plays an Episode's agent: tool calls go to the env, a reply without any goes to the user."""

    def __init__(self, client: anthropic.Anthropic, model: str, domain: CompiledDomain, *,
                 max_tokens: int = AGENT_MAX_TOKENS):
        self.client, self.model, self.max_tokens = client, model, max_tokens
        self.tools = domain.anthropic_tools()
        # The system prompt and tools are the same on every request: cache them.
        self.system = [{"type": "text", "text": agent_system_prompt(domain.ir), "cache_control": {"type": "ephemeral"}}]
        self.usage = TokenUsage()

    def run(self, episode: Episode) -> None:
        messages = [{"role": "user", "content": episode.opening or _NO_REPLY}]
        while not episode.over:
            reply = create_message(self.client, model=self.model, max_tokens=self.max_tokens, system=self.system,
                                   tools=self.tools, messages=list(messages))
            self.usage.add(reply.usage)
            blocks = _request_blocks(reply.content)
            messages.append({"role": "assistant", "content": blocks or [{"type": "text", "text": _NO_REPLY}]})
            uses = [block for block in blocks if block["type"] == "tool_use"]
            if uses:
                messages.append({"role": "user", "content": _run_tools(episode, uses)})
                continue
            # Text beside tool calls is the model thinking aloud; only a reply without calls reaches the user.
            answer = episode.say("".join(block["text"] for block in blocks if block["type"] == "text"))
            if answer is not None:
                messages.append({"role": "user", "content": answer.text or _NO_REPLY})


def _request_blocks(content: list) -> list[dict]:
    """A reply's text and tool_use blocks as the next request must send them back."""
    blocks = []
    for block in content:
        if getattr(block, "type", None) == "text" and block.text.strip():
            blocks.append({"type": "text", "text": block.text})
        elif getattr(block, "type", None) == "tool_use":
            blocks.append({"type": "tool_use", "id": block.id, "name": block.name, "input": block.input})
    return blocks


def _run_tools(episode: Episode, uses: list[dict]) -> list[dict]:
    """One tool_result per call run; calls past the turn limit are not run (no request follows)."""
    results = []
    for use in uses:
        if episode.over:
            break
        results.append(_tool_result(use["id"], episode.call(use["name"], use["input"])))
    return results


def _tool_result(use_id: str, result: CallResult) -> dict:
    return {"type": "tool_result", "tool_use_id": use_id, "is_error": not result.ok,
            "content": json.dumps(result.to_json(), ensure_ascii=False)}


def run_trial(domain: CompiledDomain, task: ir.TaskDef, *, client: anthropic.Anthropic, agent_model: str,
              user_model: str, max_turns: int, trial: int = 0) -> dict:
    """One episode of `task`, the agent model against the user model, on a fresh env: its record."""
    started = time.monotonic()
    agent, user = LLMAgent(client, agent_model, domain), LLMUser(client, user_model)
    episode, error = None, None
    try:
        episode = Episode(domain.env(), task, user, max_turns=max_turns)
        agent.run(episode)
    except anthropic.AnthropicError as err:
        error = api_error_line(err)
        if episode is not None:
            episode.abort()
    return {"domain": domain.name, "task": task.name, "trial": trial, "agent_model": agent_model,
            "user_model": user_model, **_outcome(episode), "error": error,
            "usage": {"agent": vars(agent.usage), "user": vars(user.usage)},
            "seconds": round(time.monotonic() - started, 3)}


def _outcome(episode: Episode | None) -> dict:
    if episode is None:  # the user's opening message already failed
        return {"reward": 0.0, "reward_parts": None, "ending": "error", "turns": 0, "messages": []}
    score = episode.score()
    return {"reward": score.reward, "reward_parts": score.to_json()["parts"], "ending": episode.ending,
            "turns": episode.turns, "messages": episode.events}
