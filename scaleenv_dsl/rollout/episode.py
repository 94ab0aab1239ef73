"""One conversation between an agent and a simulated user over one environment, single-threaded.

    episode = Episode(domain.env(), task, ScriptedUser(), max_turns=30)
    episode.opening                          # the user's first message
    episode.call("find_member_by_email", {"email": "grace@example.org"})   # a CallResult: one turn
    episode.say("What is your email?")       # the user's UserReply (None if the agent stopped): one turn
    episode.over, episode.ending             # "user_stop", "agent_stop", "max_turns", "error", or None
    episode.score()                          # Score(reward, result)

The Gymnasium env and `scaleenv rollout` both drive an Episode, so they count turns, end
conversations and score them the same way. A turn is one agent action: a tool call or a message.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from .. import ir
from ..api import CallResult, Env, RewardResult, Trajectory
from .users import UserReply, UserSimulator, split_stop

FINISHED = ("user_stop", "agent_stop")  # the conversation came to its end, rather than being cut


@dataclass(frozen=True)
class Score:
    """What an episode earns. A cut episode (turn limit, API error) earns 0.0, as tau2-bench
    scores one; `result` still says how the state and messages compare with the task."""
    reward: float
    result: RewardResult

    def to_json(self) -> dict:
        return {"reward": self.reward, "parts": asdict(self.result)}


def check_turn_limit(max_turns) -> int:
    if type(max_turns) is not int or max_turns < 1:
        raise ValueError(f"max_turns must be a whole number of at least 1, not {max_turns!r}")
    return max_turns


class Episode:
    def __init__(self, env: Env, task: ir.TaskDef, user: UserSimulator, *, max_turns: int):
        self.max_turns = check_turn_limit(max_turns)
        self.env = env.reset(task)
        self.task = task
        self.user = user
        self.turns = 0
        self.ending: str | None = None
        self.events: list[dict] = []  # the conversation in order: user, agent and tool events
        self._said: list[str] = []    # the agent's messages to the user, for the `communicate` basis
        self._calls: list[tuple[str, object]] = []
        opening = user.start(task)
        self.opening = opening.text
        self._hear(opening)

    @property
    def over(self) -> bool:
        return self.ending is not None

    @property
    def truncated(self) -> bool:
        return self.ending == "max_turns"

    def call(self, tool: str, arguments) -> CallResult:
        """Run one tool call of the agent's. Its arguments may be anything: the env refuses bad ones."""
        self._begin_turn()
        result = self.env.call(tool, arguments)
        # a call the trajectory cannot hold binds to no tool, so it could match no gold action anyway
        if isinstance(tool, str) and (arguments is None or isinstance(arguments, (dict, str))):
            self._calls.append((tool, arguments))
        self.events.append({"role": "tool", "tool": tool, "arguments": arguments, **result.to_json()})
        self._end_turn()
        return result

    def say(self, text: str) -> UserReply | None:
        """Send the agent's message to the user and return the answer. A message holding the stop
        token ends the conversation without one (None)."""
        self._begin_turn()
        message = split_stop(text)
        self._said.append(message.text)
        self.events.append({"role": "agent", "text": message.text})
        if message.stop:
            self.ending = "agent_stop"
            return None
        try:
            reply = self.user.reply(message.text)
        except BaseException:  # the simulator failed (an API error): the conversation cannot go on
            self.abort()
            raise
        self._hear(reply)
        self._end_turn()
        return reply

    def skip(self, why: str) -> None:
        """An agent action that reached neither a tool nor the user (an empty one): a turn all the same."""
        self._begin_turn()
        self.events.append({"role": "agent", "skipped": why})
        self._end_turn()

    def abort(self) -> None:
        """End the episode because its agent or user could not go on (an API failure)."""
        self.ending = self.ending or "error"

    def score(self) -> Score:
        """The task's reward for what the agent did, with its calls and messages passed in."""
        result = self.env.reward(self.task, trajectory=Trajectory(calls=self._calls, messages=self._said))
        earned = result.reward if self.ending in FINISHED and result.reward is not None else 0.0
        return Score(float(earned), result)

    def _hear(self, reply: UserReply) -> None:
        self.events.append({"role": "user", "text": reply.text})
        if reply.stop:
            self.ending = "user_stop"

    def _begin_turn(self) -> None:
        if self.over:
            raise RuntimeError(f"the episode is over ({self.ending}): start a new one")
        self.turns += 1

    def _end_turn(self) -> None:
        if not self.over and self.turns >= self.max_turns:
            self.ending = "max_turns"
