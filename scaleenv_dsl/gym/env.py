"""`AgentEnv`: a Gymnasium environment where the policy plays the agent of a domain's tasks.

    env = AgentEnv("library", task="return_late_senior")
    obs, info = env.reset(seed=0)            # "user: You are Grace Hopper ...", {"task", "policy", "tools"}
    obs, reward, terminated, truncated, info = env.step(
        '{"name": "find_member_by_email", "arguments": {"email": "grace@example.org"}}')
    obs                                      # 'tool: {"ok": true, "result": "m_002"}'
    env.step("You owe 0.2 in fines.")        # a message to the user, who answers: "user: ..."

Everything runs inside step(): the tool call, or the user simulator's answer. No thread hands the
conversation over, so an episode is exactly as deterministic as its user simulator.
"""

from __future__ import annotations

import json
import string
from typing import Any

import gymnasium
from gymnasium import spaces
from gymnasium.error import ResetNeeded

from .. import ir
from ..api import CompiledDomain, load_domain
from ..rollout.episode import Episode, check_turn_limit
from ..rollout.settings import DEFAULT_MAX_TURNS
from ..rollout.users import ScriptedUser, UserSimulator

ENV_ID = "scaleenv/Agent-v0"
MAX_ACTION_CHARS = 100_000
MAX_OBSERVATION_CHARS = 1_000_000
MIN_OBSERVATION_CHARS = 200           # room for the note that says an observation was cut
_CALL_KEYS = {"name", "arguments", "id"}  # a tool call as tau2's action strings write one
_CUT = "\n[cut: the observation was longer than {limit} characters]"


class AnyText(spaces.Text):
    """Any string of min_length to max_length characters, in any script.

    `spaces.Text` holds only the characters of its charset, and an agent's messages and the
    domain's data can hold any. Samples are still drawn from printable ASCII.
    """

    def __init__(self, max_length: int, *, min_length: int = 0, seed=None):
        super().__init__(max_length, min_length=min_length, seed=seed,
                         charset=string.ascii_letters + string.digits + string.punctuation + " ")

    def contains(self, x: Any) -> bool:
        return isinstance(x, str) and self.min_length <= len(x) <= self.max_length


class AgentEnv(gymnasium.Env):
    """The agent's side of a domain's conversations; see the module docstring.

    `task` fixes the task; else each reset picks one of `tasks` (default: all the domain's) with the
    env's seeded generator, unless `reset(options={"task": name})` names it. `user` answers the
    agent's messages: a ScriptedUser by default, or an LLMUser (scaleenv_dsl.rollout.llm).
    """

    metadata = {"render_modes": []}

    def __init__(self, domain: str | CompiledDomain, *, task: str | None = None, tasks: list[str] | None = None,
                 user: UserSimulator | None = None, max_turns: int = DEFAULT_MAX_TURNS,
                 max_observation_chars: int = MAX_OBSERVATION_CHARS):
        self.domain = domain if isinstance(domain, CompiledDomain) else load_domain(domain)
        if task is not None:
            tasks = [task]
        self.tasks = [self.domain.task(name) for name in tasks] if tasks is not None else self.domain.tasks
        if not self.tasks:
            raise ValueError(f"domain {self.domain.name!r} has no tasks to run")
        if type(max_observation_chars) is not int or max_observation_chars < MIN_OBSERVATION_CHARS:
            raise ValueError(f"max_observation_chars must be a whole number of at least {MIN_OBSERVATION_CHARS}")
        self.user = user if user is not None else ScriptedUser()
        self.max_turns = check_turn_limit(max_turns)
        self.max_observation_chars = max_observation_chars
        self.action_space = AnyText(MAX_ACTION_CHARS, min_length=1)
        self.observation_space = AnyText(max_observation_chars)
        # OpenAI's function format: what chat templates of open models (`tools=`) take
        self._tools = self.domain.openai_tools()
        self._env = self.domain.env()
        self.episode: Episode | None = None

    def reset(self, *, seed: int | None = None, options: dict | None = None) -> tuple[str, dict]:
        super().reset(seed=seed)
        task = self._pick_task(options or {})
        self.episode = Episode(self._env, task, self.user, max_turns=self.max_turns)
        info = {"task": task.name, "policy": self.domain.ir.policy, "tools": self._tools}
        return self._observe("user", self.episode.opening), info

    def step(self, action: str) -> tuple[str, float, bool, bool, dict]:
        episode = self.episode
        if episode is None or episode.over:
            raise ResetNeeded("call reset() before step(), and again once an episode has ended")
        if not isinstance(action, str):
            raise TypeError(f"an action is a string (a JSON tool call or a message), not {type(action).__name__}")
        observation, kind = self._act(episode, action)
        info = {"turn": episode.turns, "action": kind}
        if not episode.over:
            return observation, 0.0, False, False, info
        score = episode.score()
        info.update(ending=episode.ending, reward_info=score.to_json()["parts"])
        return observation, score.reward, not episode.truncated, episode.truncated, info

    def _act(self, episode: Episode, action: str) -> tuple[str, str]:
        """Play one action: the observation it brings, and its kind (tool, message or invalid)."""
        call = parse_action(action)
        if call is not None:
            result = episode.call(*call)
            return self._observe("tool", json.dumps(result.to_json(), ensure_ascii=False)), "tool"
        problem = _invalid(action)
        if problem:
            episode.skip(problem)  # still a turn: bad actions must not stall the turn limit
            return self._observe("error", problem), "invalid"
        reply = episode.say(action)
        return ("" if reply is None else self._observe("user", reply.text)), "message"

    def _pick_task(self, options: dict) -> ir.TaskDef:
        unknown = sorted(set(options) - {"task"})
        if unknown:
            raise ValueError(f"reset() options take only `task`, not {unknown[0]!r}")
        if "task" in options:
            return self.domain.task(options["task"])
        if len(self.tasks) == 1:
            return self.tasks[0]
        return self.tasks[int(self.np_random.integers(len(self.tasks)))]

    def _observe(self, role: str, text: str) -> str:
        """`role: text`, cut to fit the observation space (a tool may return a whole table)."""
        observation, limit = f"{role}: {text}", self.max_observation_chars
        if len(observation) <= limit:
            return observation
        note = _CUT.format(limit=limit)
        return observation[:limit - len(note)] + note


def _invalid(action: str) -> str | None:
    if not action.strip():
        return "the action is empty: send a message or a tool call"
    if len(action) > MAX_ACTION_CHARS:
        return f"the action is longer than {MAX_ACTION_CHARS} characters"
    return None


def parse_action(action: str) -> tuple[str, Any] | None:
    """(tool, arguments) if the action is a tool call, else None: a message to the user.

    A tool call is a JSON object with a string `name`, optional `arguments` and `id`, and no other
    keys, as tau2-bench's action strings write one. Any other text, JSON or not, is a message.
    """
    text = action.strip()
    if not text.startswith("{"):
        return None
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return None
    if not isinstance(value, dict) or not isinstance(value.get("name"), str) or set(value) - _CALL_KEYS:
        return None
    return value["name"], value.get("arguments", {})
